"""Markdown report: fits a pull-request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from mlscaffold.score.model import Finding, Report, Status

ICON = {
    Status.PASS: "✅",
    Status.PARTIAL: "🟡",
    Status.FAIL: "❌",
    Status.NOT_APPLICABLE: "➖",  # noqa: RUF001 - an icon, on purpose
    Status.IGNORED: "🙈",
}
MAX_BYTES = 1024 * 1024 - 4096  # GitHub refuses step summaries over 1 MiB


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _where(f: Finding) -> str:
    if not f.evidence:
        return ""
    e = f.evidence[0]
    return f"`{_cell(e.path)}{':' + str(e.line) if e.line else ''}`"


def render_markdown(report: Report) -> str:
    from mlscaffold.score.judge.levels import LEVEL_NAMES

    out = [
        f"## mlscaffold score: {report.project}",
        "",
        f"**{report.score}/100**, maturity level **{report.maturity}** "
        f"({LEVEL_NAMES[report.maturity]}): the weakest stage sets the level.",
        "",
        "| Stage | Score | Level | Pass | Partial | Fail | N/A |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report.stages:
        c = s.counts
        score = "-" if s.score is None else str(s.score)
        out.append(
            f"| {s.stage} | {score} | {s.level} | {c['pass']} | {c['partial']} | {c['fail']} "
            f"| {c['not_applicable'] + c['ignored']} |"
        )
    out += ["", "| | Check | Result | Evidence | Fix |", "|---|---|---|---|---|"]
    rank = {
        Status.FAIL: 0,
        Status.PARTIAL: 1,
        Status.PASS: 2,
        Status.NOT_APPLICABLE: 3,
        Status.IGNORED: 4,
    }
    rows = sorted(report.findings, key=lambda f: (rank[f.status], f.check_id))
    for f in rows:
        fix = _cell(f.fix) if f.status in (Status.FAIL, Status.PARTIAL) else ""
        out.append(
            f"| {ICON[f.status]} | **{f.check_id}** {_cell(f.title)} | {_cell(f.reason)} "
            f"| {_where(f)} | {fix} |"
        )
    if report.diff is not None:
        from mlscaffold.score.report.diff import render_diff_text

        out += ["", render_diff_text(report, markdown=True).rstrip()]
    if report.notes:
        out += [
            "",
            f"<details><summary>{len(report.notes)} note(s) from reading the repository</summary>",
            "",
        ]
        out += [f"- `{_cell(n.path)}`: {_cell(n.message)}" for n in report.notes[:200]]
        if len(report.notes) > 200:
            out.append(f"- … and {len(report.notes) - 200} more")
        out += ["", "</details>"]
    out += [
        "",
        f"<sub>mlscaffold {report.tool_version} · {report.files_scanned} files · "
        f"{report.duration_seconds:.2f} s</sub>",
        "",
    ]
    text = "\n".join(out)
    if len(text.encode()) > MAX_BYTES:
        cut = text.encode()[:MAX_BYTES].decode(errors="ignore").rsplit("\n", 1)[0]
        text = cut + "\n\n> Report truncated to fit the 1 MiB limit; use `--format json` for all.\n"
    return text
