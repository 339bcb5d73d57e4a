"""The one exception tree, mapped to exit codes in one place.

SprintsyncError             exit 1   anything we did not foresee more precisely
├── ConfigError             exit 2   bad config, plan, CLI value or missing credential
├── UpstreamError           exit 3   a service answered badly or not at all
│   ├── ReportUnavailableError exit 3  Jira's own Sprint Report could not be read (`audit`)
│   └── PublishError        exit 3   a destination refused the report (nothing half-written)
│       ├── WriteConflictError        a write refused as stale (409) or as a duplicate title
│       └── WriteUnknownError         a write with no answer: it may or may not have happened
└── StateError              exit 1   the local snapshot store or run lock could not be used
"""

from __future__ import annotations


class SprintsyncError(Exception):
    """Base of every error sprintsync raises on purpose; `exit_code` is the CLI's exit status."""

    exit_code = 1


class ConfigError(SprintsyncError):
    """A config file, plan file, CLI argument or environment variable is wrong or missing."""

    exit_code = 2


class UpstreamError(SprintsyncError):
    """A tracker or destination failed: status, request id and service are kept for the log."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        service: str,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.service = service
        self.status = status
        self.request_id = request_id


class ReportUnavailableError(UpstreamError):
    """Jira's internal Sprint Report (greenhopper) is not served, refused, or not a report."""


class PublishError(UpstreamError):
    """A destination refused the report; the destination was left as it was."""


class WriteConflictError(PublishError):
    """A write was refused with 409 (stale version) or because the title exists already."""


class WriteUnknownError(PublishError):
    """A write got no answer: it may or may not have happened; look before writing again."""


class StateError(SprintsyncError):
    """The local snapshot store or run lock could not be used."""


EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2
EXIT_UPSTREAM = 3
EXIT_AUDIT_DIFFERS = 4  # `sprintsync audit`: our ledger and Jira's Sprint Report differ


def exit_code_for(error: BaseException) -> int:
    """The CLI exit code for an error: the tree's own code, else 1."""
    if isinstance(error, SprintsyncError):
        return error.exit_code
    return EXIT_FAILURE
