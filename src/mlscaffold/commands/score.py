"""``mlscaffold score [PATH]``: rate a repository against the checklist (never runs its code)."""

from __future__ import annotations

import argparse
import sys

from mlscaffold.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="repository to score (default: .)")
    parser.add_argument(
        "--format",
        "-f",
        default="table",
        choices=("table", "json", "markdown"),
        help="output format (default: table)",
    )
    parser.add_argument(
        "--output",
        "-o",
        default="-",
        metavar="FILE",
        help="write the report to FILE instead of standard output",
    )
    parser.add_argument(
        "--fail-under",
        type=int,
        metavar="N",
        help="exit 1 when the overall score is below N (0-100)",
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="ID",
        help="only run these checks (id, id prefix such as DE, or stage); repeatable",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID=REASON",
        help="ignore a check, with the reason shown in the report; repeatable",
    )


def run(args: argparse.Namespace) -> int:
    from mlscaffold.score.config import load_config, parse_fail_under
    from mlscaffold.score.engine import check_root, score_repo
    from mlscaffold.score.render import get_renderer

    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError("--fail-under must be between 0 and 100")
    root = check_root(args.path)
    config = load_config(root)
    for item in args.ignore:
        check_id, sep, reason = item.partition("=")
        if not sep or not reason.strip():
            raise UsageError(f"--ignore {item}: give a reason, e.g. --ignore DE004='a library'")
        config.ignore[check_id.strip().upper()] = reason.strip()
    report = score_repo(root, config=config, select=args.select, debug=args.debug)
    _write(args, report, get_renderer)
    thresholds = dict(config.fail_under)
    if args.fail_under is not None:
        thresholds.update(parse_fail_under(args.fail_under, "--fail-under"))
    failures = _policy_failures(report, thresholds)
    for message in failures:
        print(f"mlscaffold: {message}", file=sys.stderr)
    return 1 if failures else 0


def _write(args: argparse.Namespace, report, get_renderer) -> None:
    if args.format == "table" and args.output == "-":
        from mlscaffold.score.render.terminal import print_rich, use_colour

        if use_colour():
            print_rich(report)
            return
    text = get_renderer(args.format)(report)
    if args.output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from pathlib import Path

        from mlscaffold.errors import PathError

        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise PathError(f"cannot write {args.output}: {exc.strerror}") from exc


def _policy_failures(report, thresholds: dict[str, int]) -> list[str]:
    failures = []
    if "overall" in thresholds and report.score < thresholds["overall"]:
        failures.append(f"score {report.score} is below the minimum {thresholds['overall']}")
    for stage in report.stages:
        minimum = thresholds.get(stage.stage)
        if minimum is not None and stage.score is not None and stage.score < minimum:
            failures.append(f"{stage.stage} score {stage.score} is below the minimum {minimum}")
    return failures
