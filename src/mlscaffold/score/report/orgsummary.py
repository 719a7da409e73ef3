"""Markdown summary of an organisation view: fits $GITHUB_STEP_SUMMARY or a chat message."""

from __future__ import annotations

from mlscaffold.score.model import STAGES
from mlscaffold.score.report.orgview import OrgView


def _cell(text: str, *, code_spans: bool = False) -> str:
    """Text from another repository's report, made inert for one Markdown table cell (see
    mdtext); fixes keep their `code spans`."""
    from mlscaffold.score.report.render.mdtext import inline, with_code_spans

    return with_code_spans(text) if code_spans else inline(text)


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render_org_markdown(view: OrgView, top: int) -> str:
    out = [
        "## mlscaffold: organisation report",
        "",
        f"{_n(len(view.repos), 'repository', 'repositories')} from "
        f"{_n(view.report_count, 'report', 'reports')}.",
    ]
    if view.weakest_stage:
        mean = view.stage_means[view.weakest_stage]
        out.append(f"Weakest stage across the organisation: **{view.weakest_stage}** ({mean:g}).")
    out += [
        "",
        "| Repository | Score | Level | " + " | ".join(s.capitalize() for s in STAGES) + " |",
        "|---|---:|---:|" + "---:|" * len(STAGES),
    ]
    for repo in view.repos:
        trend = "" if repo.delta is None else f" ({repo.delta:+d})"
        stages = " | ".join(_score(c.score) for c in repo.cells)
        out.append(f"| {_cell(repo.label)} | {repo.score}{trend} | {repo.maturity} | {stages} |")
    means = " | ".join(_score(view.stage_means[s]) for s in STAGES)
    out.append(f"| *mean* | | | {means} |")
    if view.failing_checks:
        out += ["", "| Check | Fails in | Partial in | Fix |", "|---|---:|---:|---|"]
        for check in view.failing_checks[:top]:
            out.append(
                f"| **{_cell(check.id)}** {_cell(check.title)} | {len(check.failing)} "
                f"| {len(check.partial)} | {_cell(check.fix or '', code_spans=True)} |"
            )
    return "\n".join(out) + "\n"
