"""``mlscaffold score [PATH...]``: rate repositories against the checklist (never runs them)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlscaffold.errors import PathError, UsageError

FORMATS = ("table", "json", "markdown", "sarif", "badge")


class _CommaList(argparse.Action):
    """A repeatable option whose values may also be listed with commas (``DE001,DE002``)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        items = [*getattr(namespace, self.dest), *(v for v in str(values).split(",") if v)]
        setattr(namespace, self.dest, items)


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
        help="where the matching --format goes ('-' is standard output); with "
        "several repositories, a directory",
    )
    parser.add_argument(
        "--fail-under",
        type=int,
        metavar="N",
        help="exit 1 when the overall score is below N (0-100)",
    )
    parser.add_argument(
        "--select",
        action=_CommaList,
        default=[],
        metavar="ID",
        help="only run these checks (id, id prefix such as DE, or stage; repeat or list them "
        "with commas: DE001,DE002)",
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
        help="score a monorepo as one project instead of one report per subproject",
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
        help="score several repositories in N parallel processes",
    )


def _pairs(args: argparse.Namespace) -> list[tuple[str, str]]:
    formats = args.formats or ["table"]
    outputs = args.outputs or []
    if len(outputs) > len(formats):
        if len(formats) == 1 and not args.formats:
            formats = formats * len(outputs)
        else:
            raise UsageError(
                "more --output than --format options; pair each --format with one --output"
            )
    pairs = [(fmt, outputs[i] if i < len(outputs) else "-") for i, fmt in enumerate(formats)]
    if sum(1 for _, out in pairs if out == "-") > 1:
        raise UsageError("only one --format can go to standard output; give the others --output")
    return pairs


def run(args: argparse.Namespace) -> int:
    from mlscaffold.score.config import parse_fail_under
    from mlscaffold.score.judge.engine import check_root

    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError("--fail-under must be between 0 and 100")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.fail_on_regression and not args.diff:
        raise UsageError("--fail-on-regression needs --diff BASE.json")
    pairs = _pairs(args)
    roots = _targets([check_root(p) for p in args.paths], args)
    ignores = _cli_ignores(args.ignore)
    base = None
    if args.diff:
        from mlscaffold.score.report.diff import load_base_report

        base = load_base_report(args.diff)
    if len(roots) > 1 and args.diff:
        raise UsageError(
            "--diff compares one repository with its base report; give one PATH (or --project)"
        )
    reports = _score_all(roots, ignores, args)
    if base is not None:
        from mlscaffold.score.report.diff import compare

        report = reports[0][0]
        report.diff = compare(base, report)
        if base.get("project") != report.project:
            from mlscaffold.score.model import Note

            # Comparing two different projects is allowed (a rename, a fork), but not silently.
            report.notes.append(
                Note(
                    args.diff,
                    f"base report is for project {base.get('project')!r}, "
                    f"not {report.project!r}: the differences may not be changes",
                )
            )
    for fmt, out in pairs:
        _write(fmt, out, [r for r, _ in reports])
    failures: list[str] = []
    for report, config in reports:
        thresholds = dict(config.fail_under)
        if args.fail_under is not None:
            thresholds.update(parse_fail_under(args.fail_under, "--fail-under"))
        prefix = f"{report.project}: " if len(reports) > 1 else ""
        failures += [prefix + m for m in _policy_failures(report, thresholds)]
        if args.fail_on_regression and report.diff is not None and report.diff.regressions:
            names = ", ".join(c.check_id for c in report.diff.regressions)
            failures.append(f"{prefix}regressions since the base report: {names}")
    for message in failures:
        print(f"mlscaffold: {message}", file=sys.stderr)
    return 1 if failures else 0


def _cli_ignores(items: list[str]) -> dict[str, str]:
    ignores = {}
    for item in items:
        check_id, sep, reason = item.partition("=")
        if not sep or not reason.strip():
            raise UsageError(f"--ignore {item}: give a reason, e.g. --ignore DE004='a library'")
        ignores[check_id.strip().upper()] = reason.strip()
    return ignores


def _targets(roots: list[str], args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(directory, report label) pairs: a monorepo becomes one target per subproject."""
    from mlscaffold.score.read.projects import find_projects, project_path

    if args.project:
        if len(roots) > 1:
            raise UsageError("--project selects a subproject of one repository; give one PATH")
        root = roots[0]
        return [(project_path(root, args.project), f"{os.path.basename(root)}/{args.project}")]
    targets: list[tuple[str, str | None]] = []
    for root in roots:
        subprojects = [] if args.whole else find_projects(root)
        if subprojects:
            name = os.path.basename(root)
            targets += [(os.path.join(root, sub), f"{name}/{sub}") for sub in subprojects]
        else:
            targets.append((root, None))
    return targets


def _score_one(
    target: tuple[str, str | None],
    ignores: dict[str, str],
    select: list[str],
    debug: bool,
    use_cache: bool = True,
):
    from mlscaffold.score.config import load_config
    from mlscaffold.score.judge.engine import score_repo

    root, label = target
    config = load_config(root)
    config.ignore.update(ignores)
    report = score_repo(
        root, config=config, select=select, debug=debug, project_label=label, use_cache=use_cache
    )
    return report, config


def _score_all(
    roots: list[tuple[str, str | None]], ignores: dict[str, str], args: argparse.Namespace
):
    if len(roots) == 1 or args.jobs == 1:
        return _progress_each(
            roots, lambda r: _score_one(r, ignores, args.select, args.debug, not args.no_cache)
        )
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(args.jobs, len(roots))) as pool:
        futures = [
            pool.submit(_score_one, r, ignores, args.select, args.debug, not args.no_cache)
            for r in roots
        ]
        return _progress_each(futures, lambda f: f.result())


def _progress_each(items, work):
    """Run ``work`` on each item, with a progress bar on a terminal when there are several."""
    if len(items) > 1 and sys.stderr.isatty() and not os.environ.get("NO_COLOR"):
        from rich.progress import Progress

        results = []
        with Progress(transient=True) as progress:
            task = progress.add_task("scoring", total=len(items))
            for item in items:
                results.append(work(item))
                progress.advance(task)
        return results
    return [work(item) for item in items]


def _write(fmt: str, out: str, reports: list) -> None:
    from mlscaffold.score.report.render import get_renderer

    if len(reports) > 1 and out != "-":
        directory = Path(out)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PathError(f"cannot create output directory {out}: {exc.strerror}") from exc
        ext = {
            "table": "txt",
            "json": "json",
            "markdown": "md",
            "sarif": "sarif",
            "badge": "badge.json",
        }[fmt]
        used: set[str] = set()
        for report in reports:
            name = _unique(report.project, used)
            _write_file(directory / f"{name}.{ext}", get_renderer(fmt)(report))
        return
    if fmt == "table" and out == "-" and len(reports) == 1:
        from mlscaffold.score.report.render.terminal import print_rich, use_colour

        if use_colour():
            print_rich(reports[0])
            return
    renderer = get_renderer(fmt)
    if len(reports) == 1:
        text = renderer(reports[0])
    elif fmt in ("json", "sarif", "badge"):
        import json

        text = (
            json.dumps([json.loads(renderer(r)) for r in reports], indent=2, ensure_ascii=False)
            + "\n"
        )
    else:
        text = "\n".join(renderer(r) for r in reports)
    if out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_file(Path(out), text)


def _unique(name: str, used: set[str]) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".") or "repo"
    candidate, n = safe, 2
    while candidate in used:
        candidate, n = f"{safe}-{n}", n + 1
    used.add(candidate)
    return candidate


def _write_file(path: Path, text: str) -> None:
    try:
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
