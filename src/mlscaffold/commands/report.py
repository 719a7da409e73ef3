"""``mlscaffold report REPORT.json...``: join per-repository score reports into one view.

Each repository's CI runs ``mlscaffold score --format json``; this command only reads those
files (it never scores or runs anything), so an organisation view needs no server.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlscaffold.errors import PathError, UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "reports",
        nargs="+",
        metavar="REPORT.json",
        help="JSON reports from `mlscaffold score --format json` (one report, or the list that "
        "scoring several repositories prints); several dated reports of one repository become "
        "its trend",
    )
    parser.add_argument(
        "--html", metavar="FILE", help="write a self-contained HTML page (works offline)"
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=("markdown", "json"),
        help="also print a summary to standard output (the default when --html is not given: "
        "markdown)",
    )
    parser.add_argument(
        "--title", default="ML repositories", help="title of the HTML page (default: %(default)s)"
    )
    parser.add_argument(
        "--top",
        type=int,
        default=10,
        metavar="N",
        help="how many of the most often failing checks to list (default: %(default)s)",
    )


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PathError(f"cannot write {path}: {exc.strerror or exc}") from exc


def run(args: argparse.Namespace) -> int:
    from mlscaffold.score.report.orgview import build_org_view
    from mlscaffold.score.report.reportload import load_reports

    if args.top < 1:
        raise UsageError("--top must be at least 1")
    view = build_org_view(load_reports(args.reports))
    if args.html:
        from mlscaffold.score.report.render.html import render_org_html

        _write(args.html, render_org_html(view, title=args.title, top=args.top))
    if args.html and args.verbosity >= 0:
        print(
            f"mlscaffold: wrote {args.html} ({len(view.repos)} repositories from "
            f"{view.report_count} reports)",
            file=sys.stderr,
        )
    summary = args.format or (None if args.html else "markdown")
    if summary == "json":
        import json

        from mlscaffold.score.report.orgview import org_view_to_dict

        sys.stdout.write(json.dumps(org_view_to_dict(view, args.top), indent=2) + "\n")
    elif summary == "markdown":
        from mlscaffold.score.report.orgsummary import render_org_markdown

        sys.stdout.write(render_org_markdown(view, args.top))
    sys.stdout.flush()
    return 0
