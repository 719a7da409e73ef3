"""``mlscaffold checks [ID]``: list the checklist, or describe one check in full."""

from __future__ import annotations

import argparse
import sys

from mlscaffold.errors import UsageError


def add_org_options(parser: argparse.ArgumentParser) -> None:
    """``--checklist`` and ``--config``: an organisation's checks from outside the repository
    (the same options on ``score`` and ``checks``)."""
    parser.add_argument(
        "--checklist",
        action="append",
        default=[],
        metavar="FILE",
        help="add the checks of this checklist YAML file (repeatable), e.g. your "
        "organisation's own",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="use this TOML configuration (the keys of [tool.mlscaffold]) instead of the "
        "repository's own; its checklist paths are relative to it",
    )


def org_options(args: argparse.Namespace):
    """(the ``--config`` file's configuration or None, the ``--checklist`` files)."""
    from mlscaffold.score.config import external_checklist, load_config_file

    config = load_config_file(args.config) if args.config else None
    extra = [external_checklist(path, f"--checklist {path}") for path in args.checklist]
    return config, extra


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("check", nargs="?", metavar="ID", help="a check id (DE005) or name")
    parser.add_argument(
        "--format",
        "-f",
        default="text",
        choices=("text", "table", "markdown", "json"),
        help="markdown prints the generated checks reference; json every field of the checks "
        "(table, as `score` names its text view, is text)",
    )
    add_org_options(parser)


def run(args: argparse.Namespace) -> int:
    from mlscaffold.score.judge.checklist import load_checklist
    from mlscaffold.score.report.docs import check_to_dict, describe_check, render_checks_markdown

    config, extra = org_options(args)
    checklist = load_checklist([*(config.checklists if config else []), *extra])
    check = None
    if args.check:
        check = checklist.get(args.check)
        if check is None:
            # A stage or an id prefix lists those checks, as `score --select` selects them.
            from mlscaffold.score.judge.checklist import Checklist
            from mlscaffold.score.judge.engine import selected_checks

            chosen = selected_checks(checklist, [args.check])
            if not chosen:
                raise UsageError(
                    f"no check named {args.check!r}, and no stage or id prefix matches it; "
                    "`mlscaffold checks` lists them"
                )
            if len(chosen) == 1:
                check = chosen[0]
            else:
                checklist = Checklist(chosen)
    if args.format == "json":
        import json

        doc = (
            check_to_dict(check)
            if check
            else {
                "checklist_version": checklist.version,
                "checks": [check_to_dict(c) for c in checklist],
            }
        )
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    if args.format == "markdown" and not check:
        sys.stdout.write(render_checks_markdown(checklist))
        return 0
    from mlscaffold.score.report.render.terminal import printable

    if check:  # (an organisation's checklist is the repository's text: shown, not sent)
        sys.stdout.write(printable(describe_check(check)))
        return 0
    current = None
    for check in checklist:
        if check.stage != current:
            print(f"\n{check.stage.upper()}" if current else check.stage.upper())
            current = check.stage
        print(printable(f"  {check.id}  {check.name:<34} {check.severity:<8} {check.title}"))
    print("\n`mlscaffold checks ID` describes one check.")
    return 0
