"""``mlscaffold checks [ID]``: list the checklist, or describe one check in full."""

from __future__ import annotations

import argparse
import sys

from mlscaffold.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("check", nargs="?", metavar="ID", help="a check id (DE005) or name")
    parser.add_argument(
        "--format",
        "-f",
        default="text",
        choices=("text", "markdown"),
        help="markdown prints the generated checks reference",
    )


def run(args: argparse.Namespace) -> int:
    from mlscaffold.score.judge.checklist import load_checklist
    from mlscaffold.score.report.docs import describe_check, render_checks_markdown

    checklist = load_checklist()
    if args.format == "markdown" and not args.check:
        sys.stdout.write(render_checks_markdown(checklist))
        return 0
    if args.check:
        check = checklist.get(args.check)
        if check is None:
            raise UsageError(f"no check named {args.check!r}; `mlscaffold checks` lists them")
        sys.stdout.write(describe_check(check))
        return 0
    current = None
    for check in checklist:
        if check.stage != current:
            print(f"\n{check.stage.upper()}" if current else check.stage.upper())
            current = check.stage
        print(f"  {check.id}  {check.name:<34} {check.severity:<8} {check.title}")
    print("\n`mlscaffold checks ID` describes one check.")
    return 0
