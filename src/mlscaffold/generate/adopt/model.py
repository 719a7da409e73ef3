"""The data adopt passes around: what to act on, what each piece proposes, what the plan does."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlscaffold.repofacts import RepoFacts


@dataclass(frozen=True)
class Target:
    """A check that does not pass, as the scorer reported it, and the template file it names."""

    check_id: str
    template: str  # from the checklist, e.g. docs/charter.md or src/{{package_name}}/monitor.py
    fix: str = ""
    evidence: tuple[str, ...] = ()  # paths the scorer pointed at


@dataclass(frozen=True)
class DocCheck:
    """A check judged on a document's sections: which headings count, and whether adopt acts on
    it. Sections of checks it does not act on are left out of the documents it writes: an
    unfilled copy could only hide what the repository already has."""

    check_id: str
    headings: tuple[str, ...]
    acted: bool


@dataclass(frozen=True)
class Request:
    facts: RepoFacts
    targets: tuple[Target, ...]
    doc_checks: tuple[DocCheck, ...] = ()
    score: int = 0  # the overall score before adopting
    branch: str = "main"  # the branch CI runs on


@dataclass
class Proposal:
    """A file a piece wants. ``base`` is set when the piece built ``content`` from the file as it
    is (e.g. lines appended to .gitignore): then that is the merge base; otherwise a file that
    already exists is merged with nothing in common (both sides added it)."""

    path: str
    content: str
    checks: tuple[str, ...]
    base: str | None = None


@dataclass
class PieceResult:
    proposals: list[Proposal] = field(default_factory=list)
    done: dict[str, str] = field(default_factory=dict)  # check id -> what the piece does for it
    skipped: dict[str, str] = field(default_factory=dict)  # check id -> why nothing is added
    untrack: list[str] = field(default_factory=list)  # tracked files to remove from the index
    notes: list[str] = field(default_factory=list)

    def merge(self, other: PieceResult) -> None:
        self.proposals += other.proposals
        self.done.update(other.done)
        self.skipped.update(other.skipped)
        self.untrack += [p for p in other.untrack if p not in self.untrack]
        self.notes += other.notes


@dataclass(frozen=True)
class Change:
    """One file's change: ``before`` is None for a new file; ``conflict`` when the merge left
    markers in ``after``."""

    path: str
    before: str | None
    after: str
    checks: tuple[str, ...]
    conflict: bool = False

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "conflict" if self.conflict else "merged"


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    untrack: list[str] = field(default_factory=list)
    done: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[str]:
        return [c.path for c in self.changes if c.conflict]
