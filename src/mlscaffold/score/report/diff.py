"""Compare a report with a base report (e.g. from the target branch): what got better or worse."""

from __future__ import annotations

from typing import Any

from mlscaffold.errors import UsageError
from mlscaffold.score.model import CheckChange, Report, ReportDiff


def load_base_report(path: str) -> dict[str, Any]:
    """The base report for ``--diff``: exactly one validated JSON report."""
    from mlscaffold.score.report.reportload import load_report_file

    reports = load_report_file(path)
    if len(reports) != 1:
        raise UsageError(f"{path}: holds {len(reports)} reports; --diff needs one")
    return reports[0].data


def compare(base: dict[str, Any], report: Report) -> ReportDiff:
    before = {f["id"]: f for f in base["findings"]}
    after = {f.check_id: f for f in report.findings}
    changes: list[CheckChange] = []
    for check_id, finding in after.items():
        old = before.get(check_id)
        status = finding.status.value
        if old is None:
            changes.append(CheckChange(check_id, finding.title, None, status))
        elif old["status"] != status:
            changes.append(CheckChange(check_id, finding.title, old["status"], status))
    for check_id, old in before.items():
        if check_id not in after:
            changes.append(CheckChange(check_id, old["title"], old["status"], None))
    changes.sort(key=lambda c: c.check_id)
    return ReportDiff(
        base_score=int(base["score"]),
        base_generated_at=str(base["generated_at"]),
        stage_before={s["stage"]: s["score"] for s in base["stages"]},
        changes=changes,
    )


def diff_to_dict(report: Report) -> dict[str, Any] | None:
    d = report.diff
    if d is None:
        return None

    def rows(direction: str) -> list[dict[str, Any]]:
        return [
            {"id": c.check_id, "title": c.title, "before": c.before, "after": c.after}
            for c in d.changes
            if c.direction == direction
        ]

    stage_now = {s.stage: s.score for s in report.stages}
    return {
        "base_score": d.base_score,
        "base_generated_at": d.base_generated_at,
        "score_delta": report.score - d.base_score,
        "stage_deltas": {
            stage: (
                None
                if now is None or d.stage_before.get(stage) is None
                else now - d.stage_before[stage]
            )  # type: ignore[operator]
            for stage, now in stage_now.items()
        },
        "improved": rows("better"),
        "regressed": rows("worse"),
        "new": rows("new"),
        "removed": rows("removed"),
    }


def render_diff_text(report: Report, markdown: bool = False) -> str:
    d = diff_to_dict(report)
    if d is None:
        return ""
    sign = f"{d['score_delta']:+d}"
    head = (
        f"Compared with the base report ({d['base_generated_at']}): score {d['base_score']} → "
        f"{report.score} ({sign})"
    )
    lines = [f"### {head}" if markdown else head]
    labels = (
        ("regressed", "worse"),
        ("improved", "better"),
        ("new", "new"),
        ("removed", "removed"),
    )
    if markdown:
        from mlscaffold.score.report.render.mdtext import inline as text
    else:
        text = str
    for key, word in labels:
        for row in d[key]:
            before, after = row["before"] or "-", row["after"] or "-"
            bullet = "- " if markdown else "  "
            lines.append(
                f"{bullet}{word}: {text(row['id'])} {text(row['title'])} ({before} → {after})"
            )
    if not any(d[k] for k, _ in labels):
        lines.append("- no check changed" if markdown else "  no check changed")
    return "\n".join(lines) + "\n"
