"""Setting up: `sprintsync init` (a commented config, a plan skeleton) and `sprintsync schema`."""

from sprintsync.scaffold.commands import COMMANDS, add_commands, run_command

__all__ = ["COMMANDS", "add_commands", "run_command"]
