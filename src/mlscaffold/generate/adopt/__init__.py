"""``mlscaffold adopt``: bring an existing repository up to the bar with pieces of the template.

The command module hands over what the scorer found (the checks that do not pass, each naming
its template file in the checklist) and what the survey read (``RepoFacts``). Each template file
has a piece here that adapts the rendered template to the repository, or says why it cannot:
the scoping documents, the CI workflow, the Dockerfile, pre-commit and ruff, drift monitoring,
and .gitignore. Other template files are the project's own code, which only its team can write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlscaffold.generate.adopt import ci, docker, docs, files, monitor
from mlscaffold.generate.adopt.apply import apply_changes, to_change, unified_diff
from mlscaffold.generate.adopt.model import (
    Change,
    DocCheck,
    PieceResult,
    Plan,
    Proposal,
    Request,
    Target,
)
from mlscaffold.generate.adopt.render import answers_for, render_template
from mlscaffold.generate.gitrepo import git

__all__ = [
    "Change",
    "DocCheck",
    "Plan",
    "Request",
    "Target",
    "apply_plan",
    "current_branch",
    "plan_adoption",
    "unified_diff",
]


@dataclass
class _Context:
    root: Path
    request: Request
    rendered: dict[str, str]
    tracked: list[str]

    def exists(self, rel: str) -> bool:
        return (self.root / rel).exists()

    def text(self, rel: str) -> str:
        path = self.root / rel
        try:
            return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        except OSError:
            return ""


def _document(path: str) -> Callable[[_Context, list[Target]], PieceResult]:
    def build(ctx: _Context, targets: list[Target]) -> PieceResult:
        return docs.build_document(path, ctx.rendered[path], ctx.root, targets, ctx.request)

    return build


def _workflow(ctx: _Context, targets: list[Target]) -> PieceResult:
    return ci.workflow(ctx.rendered, ctx.request, targets)


def _dockerfile(ctx: _Context, targets: list[Target]) -> PieceResult:
    app = ctx.request.facts.web_app
    source = ctx.text(app.path) if app else ""
    existing = {p for p in (docker.DOCKERIGNORE, *docker.ENV_EXAMPLES) if ctx.exists(p)}
    return docker.dockerfile(ctx.rendered, ctx.request, targets, source, existing)


def _lint(ctx: _Context, targets: list[Target]) -> PieceResult:
    existing = {p for p in (files.RUFF, ".ruff.toml") if ctx.exists(p)}
    return files.lint(ctx.rendered, ctx.request, targets, existing)


def _monitoring(ctx: _Context, targets: list[Target]) -> PieceResult:
    package = answers_for(ctx.request.facts)["package_name"]
    return monitor.drift(ctx.rendered, ctx.request, targets, f"src/{package}/monitor.py")


def _gitignore(ctx: _Context, targets: list[Target]) -> PieceResult:
    return files.gitignore(ctx.rendered, ctx.request, targets, ctx.root, ctx.tracked)


# Template file (as checks name it in the checklist) -> the piece that adapts it.
PIECES: dict[str, Callable[[_Context, list[Target]], PieceResult]] = {
    "docs/charter.md": _document("docs/charter.md"),
    "docs/model_card.md": _document("docs/model_card.md"),
    "docs/data.md": _document("docs/data.md"),
    ".github/workflows/ci.yml": _workflow,
    "Dockerfile": _dockerfile,
    ".pre-commit-config.yaml": _lint,
    "src/{{package_name}}/monitor.py": _monitoring,
    ".gitignore": _gitignore,
}


def current_branch(root: Path) -> str:
    done = git("symbolic-ref", "--quiet", "--short", "HEAD", cwd=root, check=False)
    return done.stdout.strip() or "main"


def _tracked(root: Path) -> list[str]:
    out = git("ls-files", "-z", "--full-name", "--", ".", cwd=root).stdout
    prefix = git("rev-parse", "--show-prefix", cwd=root).stdout.strip()
    return [p.removeprefix(prefix) for p in out.split("\0") if p]


def plan_adoption(root: Path | str, request: Request) -> Plan:
    """What adopting would change in ``root``; nothing is written."""
    root = Path(root).resolve()
    by_template: dict[str, list[Target]] = {}
    for target in request.targets:
        by_template.setdefault(target.template, []).append(target)
    result = PieceResult()
    wanted = [t for t in by_template if t in PIECES]
    for template, targets in by_template.items():
        if template not in PIECES:
            for target in targets:
                result.skipped[target.check_id] = (
                    f"the project's own code or config "
                    f"({template.replace('{{package_name}}', '<package>')} in a generated "
                    "project); "
                    f"only its team can write it: {target.fix}"
                )
    if wanted:
        ctx = _Context(root, request, render_template(request.facts), _tracked(root))
        for template in wanted:
            result.merge(PIECES[template](ctx, by_template[template]))
    plan = Plan(done=result.done, skipped=result.skipped, notes=result.notes)
    for proposal in _one_per_path(result.proposals):
        change = to_change(root, proposal)
        if change is not None:
            plan.changes.append(change)
    plan.untrack = list(result.untrack)
    return plan


def _one_per_path(proposals: list[Proposal]) -> list[Proposal]:
    """Two pieces may want the same file: the first one's content, both pieces' checks."""
    by_path: dict[str, Proposal] = {}
    for proposal in proposals:
        first = by_path.get(proposal.path)
        if first is None:
            by_path[proposal.path] = proposal
        else:
            checks = tuple(dict.fromkeys(first.checks + proposal.checks))
            by_path[proposal.path] = Proposal(first.path, first.content, checks, first.base)
    return list(by_path.values())


def apply_plan(root: Path | str, plan: Plan) -> None:
    apply_changes(Path(root).resolve(), plan.changes, plan.untrack)
