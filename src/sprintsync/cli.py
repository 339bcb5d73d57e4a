"""Composition root: argv -> settings -> logging -> clients -> adapters -> app -> exit code."""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="sprintsync")
    parser.add_subparsers(dest="command", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    build_parser().parse_args(argv)
    return 0
