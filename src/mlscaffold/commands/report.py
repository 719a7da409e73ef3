"""`mlscaffold report`: reserved; built in a later release."""

from __future__ import annotations

import argparse

from mlscaffold.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    raise UsageError("`mlscaffold report` is not available in this version yet")
