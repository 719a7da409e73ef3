"""The data that flows from detectors to renderers: verdicts, findings, stage scores, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlscaffold.score.identity import RepoIdentity

STAGES = ("scoping", "data", "modeling", "deployment")


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a result, not a password
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    IGNORED = "ignored"

    @property
    def credit(self) -> float:
        return {"pass": 1.0, "partial": 0.5}.get(self.value, 0.0)


@dataclass(frozen=True)
class Evidence:
    """Where a verdict comes from: a repo-relative path, an optional 1-based line, a short note."""

    path: str
    line: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        # A notebook's code is read from its cells: a line there is no line of the JSON file,
        # and a code-scanning annotation on it would land elsewhere. The path is the evidence.
        if self.line is not None and self.path.endswith(".ipynb"):
            object.__setattr__(self, "line", None)
        object.__setattr__(self, "note", closed(self.note))

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "note": self.note}


def closed(text: str) -> str:
    """A matched call ends at its bracket ("read_csv("): shown closed, "read_csv(…)", in
    evidence and in reasons that quote it ("(train.py: log_artifact(…))")."""
    return text + "…)" if text.endswith("(") else text


@dataclass
class Verdict:
    """What one detector concluded about one check."""

    status: Status
    reason: str
    evidence: list[Evidence] = field(default_factory=list)

    @classmethod
    def passed(cls, reason: str, evidence: list[Evidence] | None = None) -> Verdict:
        return cls(Status.PASS, reason, evidence or [])

    @classmethod
    def partial(cls, reason: str, evidence: list[Evidence] | None = None) -> Verdict:
        return cls(Status.PARTIAL, reason, evidence or [])

    @classmethod
    def failed(cls, reason: str, evidence: list[Evidence] | None = None) -> Verdict:
        return cls(Status.FAIL, reason, evidence or [])

    @classmethod
    def not_applicable(cls, reason: str) -> Verdict:
        return cls(Status.NOT_APPLICABLE, reason, [])


@dataclass
class Finding:
    """A verdict attached to its check, ready for scoring and rendering."""

    check_id: str
    name: str
    title: str
    stage: str
    severity: str
    status: Status
    reason: str
    evidence: list[Evidence]
    fix: str
    why: list[str]
    description: str = ""
    # In a monorepo's roll-up: the rule ("best", "worst", "shared") and each sub-project's
    # status, by its folder ("." for the whole repository's own scan).
    rollup: dict[str, object] | None = None

    def to_dict(self) -> dict[str, object]:
        extra: dict[str, object] = {"rollup": self.rollup} if self.rollup is not None else {}
        return {
            "id": self.check_id,
            "name": self.name,
            "title": self.title,
            "stage": self.stage,
            "severity": self.severity,
            "status": self.status.value,
            "reason": self.reason,
            "evidence": [e.to_dict() for e in self.evidence],
            "fix": self.fix if self.status in (Status.FAIL, Status.PARTIAL) else None,
            "why": list(self.why),
            "description": self.description,
            **extra,
        }


@dataclass
class StageScore:
    stage: str
    score: int | None  # None when no check of the stage applies
    level: int
    counts: dict[str, int]


@dataclass
class Note:
    """Something the reader skipped or could not parse; reported, never fatal."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass
class Report:
    root: str
    project: str
    tool_version: str
    checklist_version: str
    findings: list[Finding]
    stages: list[StageScore]
    score: int
    maturity: int
    notes: list[Note]
    files_scanned: int
    duration_seconds: float
    generated_at: str
    # A real file that repo-level findings can point at (README.md, pyproject.toml...).
    anchor_file: str | None = None
    diff: ReportDiff | None = None
    # Which repository and folder this is (read from .git by score.identity), when known.
    repository: RepoIdentity | None = None
    # A monorepo's report is the repository's roll-up; these are its sub-projects' reports.
    subprojects: list[Report] = field(default_factory=list)

    def by_stage(self, stage: str) -> list[Finding]:
        return [f for f in self.findings if f.stage == stage]

    def shown_stages(self) -> list[StageScore]:
        """The stages with at least one check run (``--select MO004`` runs one stage's): a
        stage none of whose checks was selected has no result to show, not "n/a, level 4"."""
        return [s for s in self.stages if any(s.counts.values())]

    def selection_note(self) -> str | None:
        """Said beside the headline score when some stages ran no check (``--select``, or a
        configuration's ``select``): the score then covers only the stages that ran."""
        shown = self.shown_stages()
        if not shown or len(shown) == len(self.stages):
            return None
        n = len(self.findings)  # "2 checks", not "the deployment stage": a stage may be partly run
        return (
            f"a selection: {n} check{'s' if n != 1 else ''} of the "
            f"{', '.join(s.stage for s in shown)} stage{'s' if len(shown) > 1 else ''} ran, and "
            f"the score covers {'them' if n != 1 else 'it'} alone"
        )


@dataclass
class CheckChange:
    check_id: str
    title: str
    before: str | None  # status in the base report, None when the check is new
    after: str | None  # status now, None when the check no longer runs

    @property
    def direction(self) -> str:
        if self.before is None:
            return "new"
        if self.after is None:
            return "removed"
        return "better" if _RANK[self.after] > _RANK[self.before] else "worse"


_RANK = {"fail": 0, "partial": 1, "pass": 2, "not_applicable": 1, "ignored": 1}


@dataclass
class ReportDiff:
    base_score: int
    base_generated_at: str
    stage_before: dict[str, int | None]
    changes: list[CheckChange]

    @property
    def regressions(self) -> list[CheckChange]:
        return [c for c in self.changes if c.direction == "worse"]
