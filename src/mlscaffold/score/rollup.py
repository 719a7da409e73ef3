"""A monorepo as one report: each sub-project scored on its own, then rolled up.

Each check says in the checklist (``rollup``) how its sub-projects' verdicts combine:

- ``best``: a practice that one sub-project has, the repository has (its best verdict);
- ``worst``: hygiene (committed secrets, raw data in git): one offender fails the repository,
  and files outside every sub-project count too (the whole repository is scanned for it);
- ``shared``: like ``best``, and what the repository holds outside its sub-projects (CI,
  README, docs, tests, lint config) counts for every sub-project as well as its own files do.

The root's part comes from one extra scan of the whole repository that runs only the
``shared`` and ``worst`` checks. A ``shared`` verdict of that scan is credited to a sub-project
when some of its evidence lies outside every sub-project (at the root), and only when it is
better than the sub-project's own.

Code at the root beside the sub-projects (a ``model/`` and ``backend/`` next to an
``airflow/`` folder with its own requirements) is scored as one more sub-project: the
repository minus the sub-project folders (see ``plan``; ``OWN_CODE`` in a roll-up).
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
from datetime import UTC, datetime

from mlscaffold.score.model import STAGES, Evidence, Finding, Note, Report, Status

RANK = {Status.FAIL: 0, Status.PARTIAL: 1, Status.PASS: 2}
ROOT = "."  # the whole repository's own scan, in a finding's roll-up
OWN_CODE = "(root)"  # the root's own code beside the sub-projects, scored as one more of them
MAX_EVIDENCE = 20


def root_check_ids(checks) -> list[str]:
    """The checks the whole-repository scan runs: what the root shares, and hygiene."""
    return [c.id for c in checks if c.rollup in ("shared", "worst")]


def is_at_root(path: str, subprojects: frozenset[str]) -> bool:
    """Whether a repository-relative path lies outside every sub-project folder: the path and
    each folder above it looked up in a set (a monorepo may have hundreds of sub-projects)."""
    while path:
        if path in subprojects:
            return False
        path = path.rpartition("/")[0]
    return True


def inherit_root(
    sub: Report, sub_rel: str, whole: Report, subprojects: list[str], rules: dict[str, str]
) -> Report:
    """``sub`` with the root's ``shared`` verdicts credited where they beat its own.

    ``whole`` is the whole-repository scan, whose evidence paths are relative to the
    repository; ``sub_rel`` is the sub-project's folder in it. Credited evidence is given
    relative to the sub-project (``../../.github/workflows/ci.yml``), like its other paths."""
    from mlscaffold.score.judge.engine import summarise

    at_root = {f.check_id: f for f in whole.findings if rules.get(f.check_id) == "shared"}
    folders = frozenset(subprojects)
    findings = []
    for finding in sub.findings:
        root = at_root.get(finding.check_id)
        own = RANK.get(finding.status)
        if (
            root is None
            or own is None  # not applicable or ignored in this sub-project: it stays so
            or RANK.get(root.status, -1) <= own
        ):
            findings.append(finding)
            continue
        evidence = [e for e in root.evidence if is_at_root(e.path, folders)]
        if not evidence:
            findings.append(finding)
            continue
        up = posixpath.relpath(".", sub_rel)
        findings.append(
            dataclasses.replace(
                finding,
                status=root.status,
                reason=f"outside the sub-projects: {root.reason}",
                evidence=[
                    Evidence(posixpath.normpath(posixpath.join(up, e.path)), e.line, e.note)
                    for e in evidence
                ],
            )
        )
    stages, score, maturity = summarise(findings)
    return dataclasses.replace(
        sub, findings=findings, stages=stages, score=score, maturity=maturity
    )


def _prefixed(rel: str, path: str) -> str:
    if rel in (ROOT, OWN_CODE):  # paths already relative to the repository
        return path
    return posixpath.normpath(posixpath.join(rel, path)) if path not in ("", ".") else rel


def _label(rel: str) -> str:
    if rel == OWN_CODE:
        return "the code outside the sub-projects"
    return "the whole repository" if rel == ROOT else rel


def _combine(check_id: str, rule: str, sources: list[tuple[str, Finding]]) -> Finding:
    """One rolled-up finding from the sub-projects' (and the root's) findings of a check."""
    first = sources[0][1]
    statuses = {rel: f.status.value for rel, f in sources}
    counting = [(rel, f) for rel, f in sources if f.status in RANK]
    if not counting:
        status = (
            Status.IGNORED
            if any(f.status is Status.IGNORED for _, f in sources)
            else Status.NOT_APPLICABLE
        )
        picked = [(rel, f) for rel, f in sources if f.status is status]
    else:
        pick = min if rule == "worst" else max
        status = pick((f.status for _, f in counting), key=RANK.__getitem__)
        picked = [(rel, f) for rel, f in counting if f.status is status]
        if rule != "worst":
            picked = picked[:1]  # the best is one sub-project's; say which
    evidence: list[Evidence] = []
    # The quoted source's evidence first, so "first at X" in the reason is the first listed.
    shown: set[Evidence] = set()  # (a list's `in` made 1,990 sub-projects take 104 s)
    for rel, f in sorted(picked, key=lambda p: p[0] != ROOT):
        if len(evidence) >= MAX_EVIDENCE:
            break
        for e in f.evidence:
            moved = Evidence(_prefixed(rel, e.path), e.line, e.note)
            if moved not in shown:
                shown.add(moved)
                evidence.append(moved)
    where = ", ".join(_label(rel) for rel, _ in picked[:3]) + (" ..." if len(picked) > 3 else "")
    if status is Status.FAIL and rule != "worst" and len(counting) > 1:
        where = f"fails in every sub-project; {where}"
    # The whole-repository scan's reason speaks for all its files ("7 notebooks" where a
    # sub-project has none), so it is the one quoted when it is among the picked.
    quoted = next((f for rel, f in picked if rel == ROOT), picked[0][1])
    reason = f"{where}: {quoted.reason}"
    return dataclasses.replace(
        first,
        status=status,
        reason=reason,
        evidence=evidence[:MAX_EVIDENCE],
        rollup={"rule": rule, "subprojects": statuses},
    )


def roll_up(
    root: str,
    project: str,
    subs: list[tuple[str, Report]],
    whole: Report | None,
    rules: dict[str, str],
    duration: float,
) -> Report:
    """The repository's report: one finding per check, rolled up from ``subs`` (folder, report)
    by each check's rule; ``whole`` (the whole-repository scan) counts for ``worst`` checks."""
    from mlscaffold.score.judge.engine import summarise

    by_check: dict[str, list[tuple[str, Finding]]] = {}
    for rel, report in subs:
        for finding in report.findings:
            if rel == OWN_CODE and whole is not None and rules.get(finding.check_id) == "worst":
                continue  # the whole-repository scan has looked at the same files
            by_check.setdefault(finding.check_id, []).append((rel, finding))
    if whole is not None:
        for finding in whole.findings:
            if rules.get(finding.check_id) == "worst":
                by_check.setdefault(finding.check_id, []).append((ROOT, finding))
    order = {stage: i for i, stage in enumerate(STAGES)}
    findings = [
        _combine(check_id, rules.get(check_id, "best"), sources)
        for check_id, sources in by_check.items()
    ]
    findings.sort(key=lambda f: (order.get(f.stage, 99), f.check_id))
    stages, score, maturity = summarise(findings)
    notes: list[Note] = []
    seen: set[tuple[str, str]] = set()
    for rel, report in ([(ROOT, whole)] if whole else []) + list(subs):
        for note in report.notes:
            moved = Note(_prefixed(rel, note.path), note.message)
            if (moved.path, moved.message) not in seen:
                seen.add((moved.path, moved.message))
                notes.append(moved)
    reference = whole or subs[0][1]
    return Report(
        root=root,
        project=project,
        tool_version=reference.tool_version,
        checklist_version=reference.checklist_version,
        findings=findings,
        stages=stages,
        score=score,
        maturity=maturity,
        notes=notes,
        files_scanned=(whole.files_scanned if whole else sum(r.files_scanned for _, r in subs)),
        duration_seconds=round(duration, 3),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        anchor_file=whole.anchor_file if whole else None,
        subprojects=[report for _, report in subs],
    )


def subproject_folder(doc: Report, sub: Report) -> str:
    """A sub-project's folder relative to its monorepo report's root, POSIX."""
    return os.path.relpath(sub.root, doc.root).replace(os.sep, "/")
