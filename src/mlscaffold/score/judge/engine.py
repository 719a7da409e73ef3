"""Run the checklist over a repository index: verdicts -> findings -> scores -> Report."""

from __future__ import annotations

import dataclasses
import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from mlscaffold import __version__
from mlscaffold.errors import ConfigError, PathError, UsageError
from mlscaffold.score import budget
from mlscaffold.score.config import ScoreConfig, load_config
from mlscaffold.score.judge.checklist import Check, Checklist, load_checklist
from mlscaffold.score.judge.levels import level_for
from mlscaffold.score.model import (
    STAGES,
    Evidence,
    Finding,
    Note,
    Report,
    StageScore,
    Status,
    Verdict,
)
from mlscaffold.score.read.index import RepoIndex


def check_root(path: str) -> str:
    if not path:
        raise PathError("an empty path names no directory")
    if not os.path.exists(path):
        raise PathError(f"{path}: no such directory")
    if not os.path.isdir(path):
        raise PathError(f"{path}: not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise PathError(f"{path}: permission denied")
    return os.path.realpath(path)


def _selected(check: Check, select: list[str]) -> bool:
    if not select:
        return True
    for item in select:
        item_l = item.lower()
        if item_l == check.stage or check.id.lower().startswith(item_l) or item_l == check.name:
            return True
    return False


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a repository is scored.

    Scoring builds hundreds of thousands of small acyclic objects (file entries, imports,
    matches). Each full collection walks all of them, so with the collector on, time grows
    faster than the repository (4 of 9 seconds at 100,000 files). Reference counting still
    frees everything; the collector runs again as soon as the report is built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_no_cyclic_gc()
def score_repo(
    path: str,
    *,
    config: ScoreConfig | None = None,
    select: list[str] | None = None,
    debug: bool = False,
    checklist: Checklist | None = None,
    project_label: str | None = None,
    clock: Callable[[], float] = time.perf_counter,
    ignore: dict[str, str] | None = None,
    use_cache: bool = False,
    shared: Any = None,
    exclude: frozenset[str] = frozenset(),
) -> Report:
    """Score the repository at ``path``. ``select`` and ``ignore`` come from the command line,
    on top of the configuration's. ``use_cache``: reuse what an earlier run found in unchanged
    files, and its verdicts when nothing changed (see ``read.cache``). ``shared``: what the
    runs over one repository's folders share (see ``read.sharing``). ``exclude``: folders
    (relative, POSIX) whose files are left out: a monorepo's sub-projects, when its root's own
    code is scored."""
    started = clock()
    root = check_root(path)
    cfg = config if config is not None else load_config(root)
    checks = checklist if checklist is not None else load_checklist(cfg.checklists)
    wanted = list(select or []) + cfg.select
    unknown = [s for s in (select or []) if not any(_selected(c, [s]) for c in checks)]
    if unknown:
        raise UsageError(f"--select {', '.join(unknown)} matches no check")
    unknown = [s for s in cfg.select if not any(_selected(c, [s]) for c in checks)]
    if unknown:  # a typo here would otherwise select nothing and score 100
        raise ConfigError(f"{cfg.source}: select {', '.join(unknown)} matches no check")
    ids = {c.id for c in checks}
    unknown = sorted(set(ignore or ()) - ids)
    if unknown:  # a typo would otherwise leave the check running, unignored
        raise UsageError(f"--ignore {', '.join(unknown)} matches no check")
    unknown = sorted(set(cfg.ignore) - ids)
    if unknown:
        raise ConfigError(f"{cfg.source}: ignore {', '.join(unknown)} matches no check")
    if ignore:
        cfg = dataclasses.replace(cfg, ignore={**cfg.ignore, **ignore})
    selected = [c for c in checks if _selected(c, wanted)]
    index = RepoIndex(
        root,
        **({"max_parse_bytes": cfg.max_file_size} if cfg.max_file_size else {}),
        shared=shared,
        exclude=exclude,
    )
    if cfg.shadowed:
        index.note(cfg.source or ".", f"used instead of {cfg.shadowed}, which is ignored")
    walk_notes = len(index.notes)
    cache = fingerprint = None
    if use_cache:
        from mlscaffold.score.read.cache import RepoCache

        cache = RepoCache.open(root)
        if cache is not None:
            context = _context(checks, wanted, cfg, index.max_parse_bytes)
            fingerprint = cache.fingerprint(index.files, context)
    memo = cache.load_report(fingerprint) if cache is not None and fingerprint else None
    findings = _from_memo(memo, checks) if memo is not None else None
    if findings is not None:
        index.notes.extend(Note(path, message) for path, message in memo["notes"])  # type: ignore[index]
    else:
        index.cache = cache
        findings = _judge(index, checks, selected, cfg, debug)
        _note_after_judging(index)
        if cache is not None:
            cache.save_facts(index.fresh_facts, index.files)
            if fingerprint:
                cache.save_report(
                    fingerprint,
                    [_to_memo(f) for f in findings],
                    [[n.path, n.message] for n in index.notes[walk_notes:]],
                )
    order = {c.id: i for i, c in enumerate(checks)}
    findings.sort(key=lambda f: order[f.check_id])
    stages, overall, maturity = summarise(findings)
    return Report(
        root=root,
        project=project_label or os.path.basename(root) or root,
        tool_version=__version__,
        checklist_version=checks.version,
        findings=findings,
        stages=stages,
        score=overall,
        maturity=maturity,
        notes=list(index.notes),
        files_scanned=len(index.files),
        duration_seconds=round(clock() - started, 3),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        anchor_file=_anchor(index),
    )


# What a run's verdicts depend on besides the files, by the identity of the objects (kept
# beside it): the checks' and configuration's reprs are long, and a monorepo's runs share them.
_CONTEXTS: dict[tuple[int, int, tuple[str, ...], int], tuple[object, object, str]] = {}


def _context(checks: Checklist, wanted: list[str], cfg: ScoreConfig, max_bytes: int) -> str:
    key = (id(checks), id(cfg), tuple(wanted), max_bytes)
    known = _CONTEXTS.get(key)
    if known is None or known[0] is not checks or known[1] is not cfg:
        known = _CONTEXTS[key] = (checks, cfg, repr((list(checks), wanted, cfg, max_bytes)))
    return known[2]


def _judge(
    index: RepoIndex, checks: Checklist, selected: list[Check], cfg: ScoreConfig, debug: bool
) -> list[Finding]:
    """Every selected check's finding, the content pass done first (shared by the checks,
    so charged to none of their budgets)."""
    # The rules register the content pass's patterns when imported, so they load before the
    # pass (and the cached facts it reuses, which are keyed by those patterns). A run whose
    # verdicts all come from the cache never loads them: a fifth of its time beyond the walk.
    import mlscaffold.score.judge.rules  # noqa: F401

    if any(_reads_contents(c) for c in selected):
        index.read_contents()
    per_check, left = check_budget(len(index.files))
    chosen = {c.id for c in selected}
    results: dict[str, Status] = {}
    findings: list[Finding] = []
    # A check another one requires is judged even when it is ignored or not selected: ignoring
    # DE004 (no serving entry point to look for) leaves DE006 not applicable, as it would be.
    by_id = {c.id: c for c in checks}
    unignored = dataclasses.replace(cfg, ignore={})
    for req in sorted({r for c in selected for r in c.requires} & set(by_id)):
        if req not in chosen or req in cfg.ignore:
            results[req] = _evaluate(by_id[req], index, results, unignored, debug, per_check).status
    # The built-in checks first, each within its own budget; then an organisation's, which
    # share the run's budget: a hostile checklist can spend its own time, never theirs.
    ordered = _ordered(checks)
    for check in [c for c in ordered if c.builtin] + [c for c in ordered if not c.builtin]:
        if check.id not in chosen:
            continue
        spent = time.process_time()
        if not check.builtin and left <= 0:
            verdict = Verdict.not_applicable("not evaluated: the run's time for checks was spent")
            index.note(
                ".", "the time for organisation checks was spent; later ones were not evaluated"
            )
        else:
            seconds = per_check if check.builtin else min(per_check, left)
            verdict = _evaluate(check, index, results, cfg, debug, seconds)
        if not check.builtin:
            left -= time.process_time() - spent
        if verdict.status is not Status.IGNORED or check.id not in results:
            results[check.id] = verdict.status
        findings.append(_finding(check, verdict.status, verdict.reason, verdict.evidence))
    return findings


def _finding(check: Check, status: Status, reason: str, evidence: list[Evidence]) -> Finding:
    return Finding(
        check.id,
        check.name,
        check.title,
        check.stage,
        check.severity,
        status,
        reason,
        evidence,
        check.fix,
        list(check.why),
        check.description,
    )


def _note_after_judging(index: RepoIndex) -> None:
    from mlscaffold.score.judge.rules.facts import scaffold_stubs

    if not index.files:
        index.note(".", "no files found: is this the repository you meant to score?")
    stubs = scaffold_stubs(index)
    if len(stubs) >= 3:
        shown = ", ".join(stubs[:4]) + (" ..." if len(stubs) > 4 else "")
        index.note(
            ".",
            f"an unfilled scaffold: its {len(stubs)} step modules are empty stubs "
            f"({shown}); they count as missing, not as a pipeline",
        )


def _to_memo(finding: Finding) -> dict[str, object]:
    return {
        "id": finding.check_id,
        "status": finding.status.value,
        "reason": finding.reason,
        "evidence": [[e.path, e.line, e.note] for e in finding.evidence],
    }


def _from_memo(memo: dict, checks: Checklist) -> list[Finding] | None:
    """Findings from a cached run (already validated as data), or None if they do not fit
    this checklist."""
    by_id = {c.id: c for c in checks}
    statuses = {s.value: s for s in Status}
    out = []
    for raw in memo["findings"]:
        check, status = by_id.get(raw["id"]), statuses.get(raw["status"])
        if check is None or status is None:
            return None
        evidence = [Evidence(path, line, note) for path, line, note in raw["evidence"]]
        out.append(_finding(check, status, raw["reason"], evidence))
    return out


def summarise(findings: list[Finding]) -> tuple[list[StageScore], int, int]:
    """Stage scores, the overall score and the maturity level of a set of findings (each
    weighted by its severity; not applicable and ignored checks do not count)."""
    from mlscaffold.score.judge.checklist import SEVERITY_WEIGHT

    stages = [_stage_score(stage, [f for f in findings if f.stage == stage]) for stage in STAGES]
    counted = [f for f in findings if f.status in _CREDIT]
    total = sum(SEVERITY_WEIGHT[f.severity] for f in counted)
    earned = sum(SEVERITY_WEIGHT[f.severity] * _CREDIT[f.status] for f in counted)
    overall = round(100 * earned / total) if total else 100
    maturity = min((s.level for s in stages if s.score is not None), default=0)
    return stages, overall, maturity


def selected_checks(checks: Checklist, select: list[str]) -> list[Check]:
    """The checks that ``select`` (ids, id prefixes, names or stages; empty: all) names."""
    return [c for c in checks if _selected(c, select)]


def _anchor(index: RepoIndex) -> str | None:
    for name in ("README.md", "README.rst", "README", "README.txt", "pyproject.toml", "setup.py"):
        if name in index.by_path:
            return name
    top = [f.path for f in index.files if "/" not in f.path]
    return (top or [f.path for f in index.files] or [None])[0]


def _ordered(checks: Checklist) -> list[Check]:
    """Checks with their prerequisites first (a stable topological order)."""
    by_id = {c.id: c for c in checks}
    done: set[str] = set()
    out: list[Check] = []

    def visit(check: Check, trail: tuple[str, ...]) -> None:
        if check.id in done or check.id in trail:
            return
        for req in check.requires:
            if req in by_id:
                visit(by_id[req], (*trail, check.id))
        done.add(check.id)
        out.append(check)

    for check in checks:
        visit(check, ())
    return out


# Detector kinds that answer from the file list and the files they name, never from the
# content pass (imports, headings, rule patterns, secrets).
_LIST_ONLY_KINDS = frozenset({"files", "config_key"})


def _reads_contents(check: Check) -> bool:
    """Whether evaluating ``check`` may ask for the content pass (when unsure: yes)."""
    return bool(check.applies_if) or _detector_reads_contents(check.detector)


def _detector_reads_contents(spec: dict) -> bool:
    kind = spec.get("kind")
    if kind == "any":
        return any(_detector_reads_contents(sub) for sub in spec.get("detectors", ()))
    if kind == "rule":
        from mlscaffold.score.judge.rules import LIST_ONLY

        return spec.get("name") not in LIST_ONLY
    return kind not in _LIST_ONLY_KINDS


# Processor time a check may take, and an organisation's checks together: generous for the
# built-in checks on the largest repositories (a few hundredths of a second each), a bound for
# hostile checklists.
CHECK_SECONDS = 0.5
RUN_SECONDS = 5.0
SECONDS_PER_FILE = 10e-6  # a larger repository is given proportionally more


def check_budget(files: int) -> tuple[float, float]:
    """(seconds per check, seconds for all checks) for a repository of ``files`` files."""
    extra = SECONDS_PER_FILE * files
    return CHECK_SECONDS + extra, RUN_SECONDS + 10 * extra


def _evaluate(
    check: Check,
    index: RepoIndex,
    results: dict[str, Status],
    cfg: ScoreConfig,
    debug: bool,
    seconds: float = CHECK_SECONDS,
) -> Verdict:
    from mlscaffold.score.judge.detectors import run_detector

    if check.id in cfg.ignore:
        return Verdict(Status.IGNORED, f"ignored: {cfg.ignore[check.id]}")
    for req in check.requires:
        status = results.get(req)
        if status in (Status.FAIL, Status.NOT_APPLICABLE):
            said = "fails" if status is Status.FAIL else "is not applicable"
            return Verdict.not_applicable(f"requires {req}, which {said}")
    try:
        with budget.limited(seconds):
            if check.applies_if:
                from mlscaffold.score.judge.rules.facts import (
                    SOFT_CONDITIONS,
                    not_applicable_because,
                )

                why_not = not_applicable_because(index, check.applies_if)
                if why_not:
                    narrows = SOFT_CONDITIONS.get(check.applies_if)
                    if narrows and not not_applicable_because(index, narrows):
                        # A guess from the libraries used: a check that finds what it wants
                        # shows the guess wrong (a CT classifier's declared radiomics features).
                        verdict = run_detector(index, check.detector)
                        if verdict.status is Status.PASS:
                            return verdict
                    return Verdict.not_applicable(why_not)
            return run_detector(index, check.detector)
    except budget.BudgetExceeded:
        index.note(".", f"check {check.id} was stopped after {seconds:.1f} s of processor time")
        return Verdict.not_applicable(f"not evaluated: stopped after {seconds:.1f} s")
    except Exception as exc:  # a detector bug must not cost the user the whole report
        if debug:
            raise
        index.notes.append(
            Note(".", f"check {check.id} could not run ({type(exc).__name__}: {exc})")
        )
        return Verdict.not_applicable(f"could not be evaluated ({type(exc).__name__})")


_STATUS_VALUES = tuple(s.value for s in Status)
# By member: an enum's .value and properties are slow to read, and a monorepo's roll-up sums
# tens of thousands of findings.
_VALUE = {s: s.value for s in Status}
_CREDIT = {s: s.credit for s in (Status.PASS, Status.PARTIAL, Status.FAIL)}


def _stage_score(stage: str, findings: list[Finding]) -> StageScore:
    from mlscaffold.score.judge.checklist import SEVERITY_WEIGHT

    counts = dict.fromkeys(_STATUS_VALUES, 0)
    for f in findings:
        counts[_VALUE[f.status]] += 1
    applicable = [f for f in findings if f.status in _CREDIT]
    if not applicable:
        return StageScore(stage, None, level_for(None), counts)
    total = sum(SEVERITY_WEIGHT[f.severity] for f in applicable)
    earned = sum(SEVERITY_WEIGHT[f.severity] * _CREDIT[f.status] for f in applicable)
    score = round(100 * earned / total)
    return StageScore(stage, score, level_for(score), counts)
