"""``mlscaffold adopt [PATH]``: add the template pieces that satisfy the checks a repository fails.

The two halves meet here: the scorer says which checks fail (and each check names the template
file that satisfies it), the survey reads the facts to adapt the pieces to, and the generator
renders, merges and applies them. Adopt runs on the user's own committed repository: it calls
git there (status, ls-files, merge-file, rm --cached), which ``score`` never does.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlscaffold.commands.score import CommaList
from mlscaffold.errors import AdoptConflict, UsageError

_PROSE = (".md", ".markdown", ".rst")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        metavar="PATH",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the repository (default: the current directory); it must be committed to git",
    )
    parser.add_argument(
        "--only",
        action=CommaList,
        default=[],
        metavar="ID",
        help="adopt for these checks only (ids or names; repeat or list with commas: "
        "DE001,DE002); partial checks count too when named",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the diff adopting would make, and write nothing",
    )


def _where(path: Path) -> str:
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


def _unfilled(finding) -> bool:
    """A failing check whose section exists but is not filled in: only people can fix that."""
    return finding.status.value == "fail" and any(
        e.path.lower().endswith(_PROSE) and e.note for e in finding.evidence
    )


def _targets(report, checklist, only: list[str]):
    """(checks to act on, {check id: why not}) from the report and --only."""
    from mlscaffold.generate.adopt import Target

    by_id = {f.check_id: f for f in report.findings}
    checks = {c.id: c for c in checklist}
    skipped: dict[str, str] = {}
    if only:
        wanted = []
        for key in only:
            check = checklist.get(key)
            if check is None:
                raise UsageError(f"--only {key}: no such check (see `mlscaffold checks`)")
            wanted.append(check.id)
    else:
        wanted = [f.check_id for f in report.findings if f.status.value == "fail"]
    targets = []
    for check_id in dict.fromkeys(wanted):
        finding = by_id.get(check_id)
        check = checks[check_id]
        if finding is None:
            skipped[check_id] = "not selected by the repository's configuration"
            continue
        status = finding.status.value
        if status == "pass":
            skipped[check_id] = "already passes"
        elif status in ("not_applicable", "ignored"):
            skipped[check_id] = f"{status.replace('_', ' ')}: {finding.reason}"
        elif _unfilled(finding):
            skipped[check_id] = f"{finding.reason}: only people can write it"
        elif not check.template:
            skipped[check_id] = "its check names no template file"
        else:
            targets.append(
                Target(
                    check_id,
                    check.template,
                    check.fix,
                    tuple(dict.fromkeys(e.path for e in finding.evidence)),
                )
            )
    return targets, skipped


def _doc_checks(checklist, acted: set[str]):
    from mlscaffold.generate.adopt import DocCheck

    out = []
    for check in checklist:
        headings = check.detector.get("headings")
        if isinstance(headings, list) and all(isinstance(h, str) for h in headings):
            out.append(DocCheck(check.id, tuple(headings), check.id in acted))
    return tuple(out)


def run(args: argparse.Namespace) -> int:
    from mlscaffold.generate.adopt import (
        Request,
        apply_plan,
        current_branch,
        plan_adoption,
        unified_diff,
    )
    from mlscaffold.generate.gitrepo import committed_top_level
    from mlscaffold.score.config import load_config
    from mlscaffold.score.judge.checklist import load_checklist
    from mlscaffold.score.judge.engine import check_root, score_repo
    from mlscaffold.score.survey import survey

    root = Path(check_root(str(args.path)))  # PathError (exit 2) for a missing path or a file
    committed_top_level(root, "adopt's changes can be reviewed and undone")
    checklist = load_checklist(load_config(str(root)).checklists)
    before = score_repo(str(root), checklist=checklist)
    targets, skipped = _targets(before, checklist, args.only)
    facts = survey(str(root))
    request = Request(
        facts,
        tuple(targets),
        _doc_checks(checklist, {t.check_id for t in targets}),
        before.score,
        current_branch(root),
    )
    plan = plan_adoption(root, request) if targets else None
    if plan is not None:
        skipped.update(plan.skipped)
    where = _where(root)
    if args.dry_run:
        if plan is not None:
            sys.stdout.write(unified_diff(plan.changes, plan.untrack))
        print(f"Dry run: adopting in {where} (score {before.score}/100) would:")
    else:
        print(f"Adopting in {where} (score {before.score}/100):")
    _print_plan(plan, skipped, facts)
    if plan is None or not (plan.changes or plan.untrack):
        print("Nothing to adopt.")
        return 0
    if args.dry_run:
        _raise_on_conflicts(plan, dry_run=True)
        print("Nothing was written.")
        return 0
    apply_plan(root, plan)
    try:
        after = score_repo(str(root), checklist=checklist)
    except KeyboardInterrupt:
        print(
            "mlscaffold: adopt's changes were applied; interrupted while re-scoring",
            file=sys.stderr,
        )
        raise
    _print_flips(before, after, set(plan.done))
    _raise_on_conflicts(plan, dry_run=False)
    print("Review with `git status` and `git diff`, run the tests, then commit.")
    return 0


def _print_plan(plan, skipped: dict[str, str], facts) -> None:
    if plan is not None and (plan.changes or plan.untrack):
        print("Files:")
        for change in plan.changes:
            print(f"  {change.kind:9s} {change.path}  ({', '.join(change.checks)})")
        for path in plan.untrack:
            print(f"  untrack   {path}  (removed from the git index; the file stays on disk)")
    if plan is not None and plan.done:
        print("What it does:")
        for check_id, what in plan.done.items():
            print(f"  {check_id}  {what}")
    if skipped:
        print("Not adopted:")
        for check_id, why in skipped.items():
            print(f"  {check_id}  {why}")
    notes = [*(plan.notes if plan else []), *facts.notes]
    if notes:
        print("Notes:")
        for note in notes:
            print(f"  {note}")


def _print_flips(before, after, aimed: set[str]) -> None:
    """Which checks changed status; those adopt did not aim at are set apart: the scorer now
    credits (or blames) adopt's files for them, and their own fix may still be due."""
    old = {f.check_id: f.status.value for f in before.findings}
    flips = [
        (f.check_id, old.get(f.check_id) or "new", f.status.value, f.title)
        for f in after.findings
        if old.get(f.check_id) != f.status.value
    ]
    print(f"Re-scored: {before.score} -> {after.score}")
    if not flips:
        print("  no check changed status")
    for check_id, was, now, title in (f for f in flips if f[0] in aimed):
        print(f"  {check_id}  {was} -> {now}  {title}")
    others = [f for f in flips if f[0] not in aimed]
    if others:
        print("Also changed, as a side effect of the added files (check that their fix is done):")
        for check_id, was, now, title in others:
            print(f"  {check_id}  {was} -> {now}  {title}")


def _raise_on_conflicts(plan, dry_run: bool) -> None:
    if not plan.conflicts:
        return
    verb = "would conflict" if dry_run else "have conflicts"
    print(
        f"{len(plan.conflicts)} existing file(s) {verb} with adopt's version (between "
        "<<<<<<< before adopting and >>>>>>> after adopting):"
    )
    for path in plan.conflicts:
        print(f"  {path}")
    raise AdoptConflict(
        f"{len(plan.conflicts)} conflict(s) "
        + ("would be left" if dry_run else "left; resolve the markers, then commit")
        + f": {', '.join(plan.conflicts)}"
    )
