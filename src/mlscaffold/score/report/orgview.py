"""Join many repositories' score reports into one organisation view (the data behind `report`).

Each repository's CI produces its own JSON report; this module only aggregates them, so scoring
an organisation needs no server. The newest report of a repository is its current state; older
ones of the same repository become its trend.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from mlscaffold.score.model import STAGES
from mlscaffold.score.report.reportload import LoadedReport

FAILING = ("fail", "partial")


@dataclass(frozen=True)
class StageCell:
    stage: str
    score: int | None  # None when every check of the stage was not applicable or ignored
    level: int


@dataclass(frozen=True)
class Point:
    generated_at: str
    timestamp: float  # seconds since the epoch, to place the point on a time axis
    score: int
    stages: dict[str, int | None]


@dataclass
class RepoRow:
    """A repository as its newest report shows it, with its earlier reports as history."""

    project: str
    root: str
    source: str
    generated_at: str
    score: int
    maturity: int
    maturity_name: str
    cells: list[StageCell]
    history: list[Point]  # oldest first, including the newest report
    label: str = ""  # the project, told apart from another repository of the same name
    remote: str | None = None
    commit: str | None = None
    subprojects: list[str] = field(default_factory=list)  # a monorepo's, by project name

    @property
    def delta(self) -> int | None:
        """Change of the overall score since the previous report, when there is one."""
        if len(self.history) < 2:
            return None
        return self.history[-1].score - self.history[-2].score


@dataclass
class FailingCheck:
    id: str
    title: str
    stage: str
    severity: str
    fix: str | None
    failing: list[str] = field(default_factory=list)  # projects where the check fails
    partial: list[str] = field(default_factory=list)  # projects where it passes in part


@dataclass
class OrgView:
    repos: list[RepoRow]
    stage_means: dict[str, float | None]
    weakest_stage: str | None
    failing_checks: list[FailingCheck]  # most often failing first
    report_count: int

    @property
    def latest(self) -> str:
        return max((r.generated_at for r in self.repos), default="")


def _row(newest: LoadedReport, history: list[LoadedReport], label: str) -> RepoRow:
    data = newest.data
    repository = data.get("repository") or {}
    cells = [StageCell(s["stage"], s["score"], s["level"]) for s in data["stages"]]
    cells.sort(key=lambda c: STAGES.index(c.stage))
    points = [
        Point(
            r.data["generated_at"],
            r.when.timestamp(),
            r.data["score"],
            {s["stage"]: s["score"] for s in r.data["stages"]},
        )
        for r in history
    ]
    return RepoRow(
        project=newest.project,
        root=data["root"],
        source=newest.source,
        generated_at=data["generated_at"],
        score=data["score"],
        maturity=data["maturity"]["level"],
        maturity_name=data["maturity"]["name"],
        cells=cells,
        history=points,
        label=label,
        remote=repository.get("remote"),
        commit=repository.get("commit"),
        subprojects=[sub["project"] for sub in data.get("subprojects", [])],
    )


def _group(reports: list[LoadedReport]) -> list[list[LoadedReport]]:
    """Reports per repository, oldest first; the same repository and time given twice count
    once. A repository is its identity (LoadedReport.key), not its name: two repositories
    called ``churn`` stay two rows."""
    by_key: dict[Any, dict[Any, LoadedReport]] = defaultdict(dict)
    for report in reports:
        by_key[report.key][report.when] = report  # a later argument replaces a duplicate
    return [sorted(runs.values(), key=lambda r: r.when) for runs in by_key.values()]


def _labels(groups: list[list[LoadedReport]]) -> list[str]:
    """Each repository's name; where names repeat, with what tells them apart."""
    names = Counter(runs[-1].project for runs in groups)
    labels = []
    for runs in groups:
        newest = runs[-1]
        if names[newest.project] == 1:
            labels.append(newest.project)
            continue
        kind, *rest = newest.key
        where = rest[0] if kind == "remote" else newest.data["root"]
        if kind == "remote" and rest[1] != ".":
            where += f":{rest[1]}"
        labels.append(f"{newest.project} ({where})")
    return labels


def _stage_means(repos: list[RepoRow]) -> dict[str, float | None]:
    means: dict[str, float | None] = {}
    for stage in STAGES:
        scores = [
            c.score for r in repos for c in r.cells if c.stage == stage and c.score is not None
        ]
        means[stage] = round(sum(scores) / len(scores), 1) if scores else None
    return means


def _failing_checks(newest: list[LoadedReport], labels: list[str]) -> list[FailingCheck]:
    checks: dict[str, FailingCheck] = {}
    fixes: dict[str, Counter[str]] = defaultdict(Counter)
    for report, label in zip(newest, labels, strict=True):
        for finding in report.data["findings"]:
            if finding["status"] not in FAILING:
                continue
            check = checks.setdefault(
                finding["id"],
                FailingCheck(
                    finding["id"], finding["title"], finding["stage"], finding["severity"], None
                ),
            )
            bucket = check.failing if finding["status"] == "fail" else check.partial
            bucket.append(label)
            if finding["fix"]:
                fixes[finding["id"]][finding["fix"]] += 1
    for check_id, check in checks.items():
        # Reports may come from different mlscaffold versions; show the fix most of them give.
        if fixes[check_id]:
            check.fix = fixes[check_id].most_common(1)[0][0]
    severity_rank = {"critical": 0, "major": 1, "minor": 2}
    return sorted(
        checks.values(),
        key=lambda c: (-len(c.failing), -len(c.partial), severity_rank[c.severity], c.id),
    )


def build_org_view(reports: list[LoadedReport]) -> OrgView:
    groups = _group(reports)
    labels = _labels(groups)
    repos = [_row(runs[-1], runs, label) for runs, label in zip(groups, labels, strict=True)]
    # Weakest repositories first: that is where a platform team starts.
    repos.sort(key=lambda r: (r.score, r.label.lower(), r.label))
    means = _stage_means(repos)
    scored = {stage: mean for stage, mean in means.items() if mean is not None}
    weakest = min(scored, key=lambda s: (scored[s], STAGES.index(s))) if scored else None
    return OrgView(
        repos=repos,
        stage_means=means,
        weakest_stage=weakest,
        failing_checks=_failing_checks([runs[-1] for runs in groups], labels),
        report_count=len(reports),
    )


def org_view_to_dict(view: OrgView, top: int) -> dict[str, Any]:
    """The JSON summary: the same numbers as the page, for scripts and dashboards."""
    return {
        "reports": view.report_count,
        "repositories": [
            {
                "project": r.project,
                "label": r.label,
                "root": r.root,
                "remote": r.remote,
                "commit": r.commit,
                "subprojects": r.subprojects,
                "source": r.source,
                "generated_at": r.generated_at,
                "score": r.score,
                "maturity": {"level": r.maturity, "name": r.maturity_name},
                "stages": {c.stage: {"score": c.score, "level": c.level} for c in r.cells},
                "history": [{"generated_at": p.generated_at, "score": p.score} for p in r.history],
            }
            for r in view.repos
        ],
        "stage_means": view.stage_means,
        "weakest_stage": view.weakest_stage,
        "failing_checks": [
            {
                "id": c.id,
                "title": c.title,
                "stage": c.stage,
                "severity": c.severity,
                "failing": len(c.failing),
                "partial": len(c.partial),
                "repositories": sorted(set(c.failing + c.partial)),
                "fix": c.fix,
            }
            for c in view.failing_checks[:top]
        ],
    }
