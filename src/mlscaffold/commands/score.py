"""``mlscaffold score [PATH...]``: rate repositories against the checklist (never runs them)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlscaffold.errors import ConfigError, MlscaffoldError, PathError, UsageError

FORMATS = ("table", "json", "markdown", "sarif", "badge")


class CommaList(argparse.Action):
    """A repeatable option whose values may also be listed with commas (``DE001,DE002``)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        given = [v.strip() for v in str(values).split(",") if v.strip()]
        if not given:  # `--select ''` (an unset CI variable) would otherwise select everything
            parser.error(f"{option_string} needs a check id, id prefix or stage")
        setattr(namespace, self.dest, [*getattr(namespace, self.dest), *given])


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="repositories to score (default: .)"
    )
    parser.add_argument(
        "--format",
        "-f",
        action="append",
        choices=FORMATS,
        dest="formats",
        help="output format (default: table); repeat with --output to write "
        "several formats in one run",
    )
    parser.add_argument(
        "--output",
        "-o",
        action="append",
        dest="outputs",
        metavar="FILE",
        help="where the matching --format goes ('-' is standard output); one file per "
        "repository (a monorepo is one report), so with several PATHs a directory; without "
        "--format, a file's extension names it (.json, .md, .sarif); missing folders on the "
        "way are created",
    )
    parser.add_argument(
        "--fail-under",
        type=int,
        metavar="N",
        help="exit 1 when the overall score is below N (0-100)",
    )
    parser.add_argument(
        "--select",
        action=CommaList,
        default=[],
        metavar="ID",
        help="only run these checks (id, id prefix such as DE, or stage; repeat or list them "
        "with commas: DE001,DE002); added to a configuration's select, and the report says "
        "its score covers only the stages that ran",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID=REASON",
        help="ignore a check, with the reason shown in the report",
    )
    parser.add_argument(
        "--diff",
        metavar="BASE.json",
        help="compare with a previous JSON report and show what changed",
    )
    parser.add_argument(
        "--fail-on-regression",
        action="store_true",
        help="with --diff: exit 1 when any check got worse",
    )
    parser.add_argument(
        "--project",
        metavar="PATH",
        help="score only this subproject of a monorepo (a folder inside PATH)",
    )
    parser.add_argument(
        "--whole",
        action="store_true",
        help="score a monorepo as one project, not as sub-projects rolled up into one report",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every file again instead of reusing what an earlier run found in unchanged "
        "ones (the cache lives in the user cache folder, never in the repository)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="score several repositories (or a monorepo's sub-projects) in N parallel processes",
    )
    parser.add_argument(
        "--sarif-category",
        metavar="NAME",
        help="with --format sarif: the code scanning category (SARIF automationDetails.id); "
        "leave it out when the uploader sets one, as the GitHub Action does",
    )
    from mlscaffold.commands.checks import add_org_options

    add_org_options(parser)


def _pairs(args: argparse.Namespace) -> list[tuple[str, str]]:
    outputs = args.outputs or []
    # `-o report.json` alone means JSON, as its name says; a table is written only when asked.
    formats = args.formats or [_format_of(out) for out in outputs] or ["table"]
    if len(outputs) > len(formats):  # formats were given, fewer than the outputs
        raise UsageError(
            "more --output than --format options; pair each --format with one --output"
        )
    pairs = [(fmt, outputs[i] if i < len(outputs) else "-") for i, fmt in enumerate(formats)]
    if sum(1 for _, out in pairs if out == "-") > 1:
        raise UsageError("only one --format can go to standard output; give the others --output")
    if len(args.paths) > 1 and ("badge", "-") in pairs:
        raise UsageError("a badge describes one repository; with several PATHs give --output DIR")
    return pairs


def _format_of(output: str) -> str:
    """The format an output file's extension names (a table for any other name, a directory
    or standard output)."""
    name = output.rsplit("/", 1)[-1]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return next((fmt for fmt, ext in EXTENSIONS.items() if ext == suffix), "table")


def run(args: argparse.Namespace) -> int:
    from mlscaffold.commands.checks import org_options
    from mlscaffold.score.config import parse_fail_under
    from mlscaffold.score.judge.engine import check_root
    from mlscaffold.score.plan import Planner, run_all

    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError("--fail-under must be between 0 and 100")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.fail_on_regression and not args.diff:
        raise UsageError("--fail-on-regression needs --diff BASE.json")
    if args.diff and len(args.paths) > 1:
        raise UsageError(
            "--diff compares one repository with its base report; give one PATH (or --project)"
        )
    if args.project and len(args.paths) > 1:
        raise UsageError("--project selects a subproject of one repository; give one PATH")
    if args.project and args.whole:
        raise UsageError(
            "--project scores one sub-project and --whole the whole repository; give one"
        )
    pairs = _pairs(args)
    if args.sarif_category and not any(fmt == "sarif" for fmt, _ in pairs):
        raise UsageError("--sarif-category names a SARIF run; add --format sarif")
    roots = [check_root(p) for p in args.paths]
    ignores = _cli_ignores(args.ignore)
    base = None
    if args.diff:
        from mlscaffold.score.report.diff import load_base_report

        base = load_base_report(args.diff)
    org_config, extra = org_options(args)
    planner = Planner(args.select, org_config, extra)
    jobs = []
    refused: list[MlscaffoldError] = []
    for root in roots:
        try:
            jobs.append(planner.plan(root, args.project, args.whole))
        except ConfigError as exc:
            if len(roots) == 1:
                raise
            # One repository's broken configuration does not cost the others their reports.
            print(f"mlscaffold: error: {root}: {exc}", file=sys.stderr)
            refused.append(exc)
    reports = run_all(
        jobs, ignores, args.debug, args.jobs, _progress(args), use_cache=not args.no_cache
    )
    if base is not None:
        _compare(reports[0], base, args.diff)
    for fmt, out in pairs:
        _write(fmt, out, reports, args)
    if args.verbosity > 0:
        for job in jobs:
            _say_what_was_done(job)
    failures: list[str] = []
    cli_minimum = (
        parse_fail_under(args.fail_under, "--fail-under") if args.fail_under is not None else {}
    )
    checked = [
        (report, config)
        for job in jobs
        for report, config in [
            (job.report, job.config),
            *zip(job.report.subprojects, job.configs, strict=True),
        ]
    ]
    for report, config in checked:
        thresholds = {**config.fail_under, **cli_minimum}
        prefix = f"{report.project}: " if len(checked) > 1 else ""
        failures += [prefix + m for m in _policy_failures(report, thresholds)]
        if args.fail_on_regression and report.diff is not None and report.diff.regressions:
            names = ", ".join(c.check_id for c in report.diff.regressions)
            failures.append(f"{prefix}regressions since the base report: {names}")
    from mlscaffold.score.report.render.terminal import printable

    for message in failures:
        print(f"mlscaffold: {printable(message)}", file=sys.stderr)
    if refused:
        return refused[0].exit_code
    return 1 if failures else 0


def _compare(report, base: dict, base_path: str) -> None:
    """Attach the differences from the base report, sub-project by sub-project too."""
    from mlscaffold.score.model import Note
    from mlscaffold.score.report.diff import compare

    report.diff = compare(base, report)
    if base.get("project") != report.project:
        # Comparing two different projects is allowed (a rename, a fork), but not silently:
        # a note in the report, and a warning where a CI log shows it.
        message = (
            f"base report is for project {base.get('project')!r}, "
            f"not {report.project!r}: the differences may not be changes"
        )
        report.notes.append(Note(base_path, message))
        print(f"mlscaffold: warning: {base_path}: {message}", file=sys.stderr)
    before = {sub["project"]: sub for sub in base.get("subprojects", [])}
    for sub in report.subprojects:
        if sub.project in before:
            sub.diff = compare(before[sub.project], sub)


SUBPROJECTS_NAMED = 10  # a 300-project monorepo's names would make one unreadable line


def _say_what_was_done(job) -> None:
    report = job.report
    source = job.config.source or "no configuration"
    shown = ", ".join(job.subs[:SUBPROJECTS_NAMED])
    if len(job.subs) > SUBPROJECTS_NAMED:
        shown += f" and {len(job.subs) - SUBPROJECTS_NAMED} more"
    if job.own_code:  # counted and named as the report lists it
        shown += ", and '.' (the root's own code beside them)"
    count = len(job.subs) + bool(job.own_code)
    where = f" ({count} sub-projects: {shown})" if job.kind == "monorepo" else ""
    n = len(report.findings)
    from mlscaffold.score.report.render.terminal import printable

    print(
        printable(
            f"mlscaffold: scored {report.project}{where}: {report.files_scanned} file(s) in "
            f"{report.duration_seconds:.2f} s, {n} check{'' if n == 1 else 's'}, with {source}"
        ),
        file=sys.stderr,
    )


def _cli_ignores(items: list[str]) -> dict[str, str]:
    ignores = {}
    for item in items:
        check_id, sep, reason = item.partition("=")
        if not sep or not reason.strip():
            raise UsageError(f"--ignore {item}: give a reason, e.g. --ignore DE004='a library'")
        ignores[check_id.strip().upper()] = reason.strip()
    return ignores


def _progress(args: argparse.Namespace):
    def each(items, work):
        """Run ``work`` on each item, with a progress bar on a terminal when there are several."""
        if (
            len(items) > 1
            and args.verbosity >= 0
            and sys.stderr.isatty()
            and not os.environ.get("NO_COLOR")
        ):
            from rich.progress import Progress

            results = []
            with Progress(transient=True) as progress:
                task = progress.add_task("scoring", total=len(items))
                for item in items:
                    results.append(work(item))
                    progress.advance(task)
            return results
        return [work(item) for item in items]

    return each


EXTENSIONS = {
    "table": "txt",
    "json": "json",
    "markdown": "md",
    "sarif": "sarif",
    "badge": "badge.json",
}


# The suffixes the report files take (a badge's .badge.json ends in .json).
_REPORT_SUFFIXES = frozenset("." + ext.rsplit(".", 1)[-1] for ext in EXTENSIONS.values())


def _write(fmt: str, out: str, reports: list, args: argparse.Namespace) -> None:
    from mlscaffold.score.report.render import get_renderer

    renderer = get_renderer(fmt, sarif_category=args.sarif_category)
    quiet = args.verbosity < 0 and out == "-"  # a file written is the same, -q or not
    if fmt == "table" and quiet:  # -q: the findings, without the closing hint
        from functools import partial

        renderer = partial(renderer, footer=False)
    # A folder (an existing one, or a path ending in "/") holds one file per repository, one
    # repository included: a CI step that globs reports/*.json must not meet a file "reports".
    to_folder = out.endswith(("/", os.sep)) or Path(out).is_dir()
    if len(reports) > 1 and not to_folder and Path(out).suffix.lower() in _REPORT_SUFFIXES:
        raise UsageError(
            f"-o {out} names a file, but {len(reports)} repositories were scored: give a folder "
            "for one report each (e.g. -o reports/)"
        )
    if out != "-" and (len(reports) > 1 or to_folder):
        directory = Path(out)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PathError(f"cannot create output directory {out}: {exc.strerror}") from exc
        used: set[str] = set()
        for report in reports:
            name = _unique(report.project, used)
            _write_file(directory / f"{name}.{EXTENSIONS[fmt]}", renderer(report))
        if args.verbosity >= 0:
            print(f"mlscaffold: wrote {len(reports)} {fmt} report(s) in {out}", file=sys.stderr)
        return
    if fmt == "table" and out == "-" and len(reports) == 1:
        from mlscaffold.score.report.render.terminal import print_rich, use_colour

        if use_colour():
            print_rich(reports[0], footer=not quiet)
            return
    if len(reports) == 1:
        text = renderer(reports[0])
    elif fmt == "json":
        from mlscaffold.score.report.render.jsonout import render_json_reports

        text = render_json_reports(reports)
    elif fmt == "sarif":
        from mlscaffold.score.report.render.sarif import render_sarif_runs

        text = render_sarif_runs(reports, category=args.sarif_category)
    else:
        text = "\n".join(renderer(r) for r in reports)
    if out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_file(Path(out), text)
        if args.verbosity >= 0:
            print(f"mlscaffold: wrote {out} ({fmt})", file=sys.stderr)


def _unique(name: str, used: set[str]) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".") or "repo"
    candidate, n = safe, 2
    while candidate in used:
        candidate, n = f"{safe}-{n}", n + 1
    used.add(candidate)
    return candidate


def _write_file(path: Path, text: str) -> None:
    try:  # missing folders are made, as for an output folder of several reports
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PathError(f"cannot write {path}: {exc.strerror}") from exc


def _policy_failures(report, thresholds: dict[str, int]) -> list[str]:
    failures = []
    if "overall" in thresholds and report.score < thresholds["overall"]:
        failures.append(f"score {report.score} is below the minimum {thresholds['overall']}")
    for stage in report.stages:
        minimum = thresholds.get(stage.stage)
        if minimum is not None and stage.score is not None and stage.score < minimum:
            failures.append(f"{stage.stage} score {stage.score} is below the minimum {minimum}")
    return failures
