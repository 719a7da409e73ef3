"""Markdown report: fits a pull-request comment or $GITHUB_STEP_SUMMARY.

Everything that comes from the repository (names, reasons quoting its headings, paths, notes,
the titles and fixes of its own checklists) goes through mdtext, so none of it renders as
markup or notifies anyone.
"""

from __future__ import annotations

from mlscaffold.score.model import STAGES, Finding, Report, Status
from mlscaffold.score.report.render.mdtext import code, html_text, inline, with_code_spans

ICON = {
    Status.PASS: "✅",
    Status.PARTIAL: "🟡",
    Status.FAIL: "❌",
    Status.NOT_APPLICABLE: "➖",  # noqa: RUF001 - an icon, on purpose
    Status.IGNORED: "🙈",
}
RANK = {
    Status.FAIL: 0,
    Status.PARTIAL: 1,
    Status.PASS: 2,
    Status.NOT_APPLICABLE: 3,
    Status.IGNORED: 4,
}
MAX_BYTES = 1024 * 1024 - 4096  # GitHub refuses step summaries over 1 MiB
MAX_NOTES = 200


def _where(f: Finding) -> str:
    if not f.evidence:
        return ""
    e = f.evidence[0]
    return code(f"{e.path}{':' + str(e.line) if e.line else ''}")


def _stage_table(report: Report) -> list[str]:
    out = [
        "| Stage | Score | Level | Pass | Partial | Fail | N/A |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report.shown_stages():
        c = s.counts
        score = "-" if s.score is None else str(s.score)
        out.append(
            f"| {s.stage} | {score} | {s.level} | {c['pass']} | {c['partial']} | {c['fail']} "
            f"| {c['not_applicable'] + c['ignored']} |"
        )
    return out


def _findings_table(findings: list[Finding], by_subproject: bool = False) -> list[str]:
    head = "| | Check | Result | Evidence | Fix |"
    rule = "|---|---|---|---|---|"
    if by_subproject:
        head, rule = head + " By sub-project |", rule + "---|"
    out = [head, rule]
    # Worst first, then in the lifecycle's order (scoping before data): one table, so the
    # failures lead (the terminal groups by stage instead).
    order = {stage: i for i, stage in enumerate(STAGES)}
    for f in sorted(findings, key=lambda f: (RANK[f.status], order.get(f.stage, 9), f.check_id)):
        fix = with_code_spans(f.fix) if f.status in (Status.FAIL, Status.PARTIAL) else ""
        row = (
            f"| {ICON[f.status]} | **{inline(f.check_id)}** {inline(f.title)} "
            f"| {inline(f.reason)} | {_where(f)} | {fix} |"
        )
        if by_subproject:
            statuses = (f.rollup or {}).get("subprojects", {})
            row += (
                " "
                + " ".join(
                    f"{ICON[Status(status)]} {code('(whole)' if folder == '.' else folder)}"
                    for folder, status in statuses.items()
                )
                + " |"
            )
        out.append(row)
    return out


def _subprojects(report: Report) -> list[str]:
    from mlscaffold.score.rollup import subproject_folder

    shown = [s.stage for s in report.shown_stages()]
    out = [
        "",
        "| Sub-project | Score | Level | " + " | ".join(shown) + " |",
        "|---|---:|---:|" + "---:|" * len(shown),
    ]
    for sub in report.subprojects:
        scores = {s.stage: s.score for s in sub.stages}
        stages = " | ".join("-" if scores.get(n) is None else str(scores[n]) for n in shown)
        out.append(
            f"| {code(subproject_folder(report, sub))} | {sub.score} | {sub.maturity} | {stages} |"
        )
    for sub in report.subprojects:
        failing = [f for f in sub.findings if f.status in (Status.FAIL, Status.PARTIAL)]
        out += [
            "",
            f"<details><summary>{html_text(subproject_folder(report, sub))}: {sub.score}/100, "
            f"{len(failing)} check(s) failing or partial</summary>",
            "",
            *(_findings_table(failing) if failing else ["Every check passes or does not apply."]),
            "",
            "</details>",
        ]
    return out


def render_markdown(report: Report) -> str:
    from mlscaffold.score.judge.levels import LEVEL_NAMES

    monorepo = bool(report.subprojects)
    note = report.selection_note()
    title = f"## mlscaffold score: {inline(report.project)}"
    if monorepo:
        title += f" (monorepo, {len(report.subprojects)} sub-projects)"
    out = [
        title,
        "",
        f"**{report.score}/100**, maturity level **{report.maturity}** "
        f"({LEVEL_NAMES[report.maturity]}): the weakest stage sets the level."
        + (f" ({note}.)" if note else "")
        + (
            " A practice counts when one sub-project has it; hygiene (secrets, data in git) "
            "fails when one sub-project or the root fails it."
            if monorepo
            else ""
        ),
        "",
        *_stage_table(report),
        "",
        *_findings_table(report.findings, by_subproject=monorepo),
    ]
    if monorepo:
        out += _subprojects(report)
    if report.diff is not None:
        from mlscaffold.score.report.diff import render_diff_text

        out += ["", render_diff_text(report, markdown=True).rstrip()]
    if report.notes:
        out += [
            "",
            f"<details><summary>{len(report.notes)} note(s) from reading the repository</summary>",
            "",
        ]
        out += [f"- {code(n.path)}: {inline(n.message)}" for n in report.notes[:MAX_NOTES]]
        if len(report.notes) > MAX_NOTES:
            out.append(f"- … and {len(report.notes) - MAX_NOTES} more")
        out += ["", "</details>"]
    out += [
        "",
        f"<sub>mlscaffold {inline(report.tool_version)} · {report.files_scanned} files · "
        f"{report.duration_seconds:.2f} s</sub>",
        "",
    ]
    text = "\n".join(out)
    if len(text.encode()) > MAX_BYTES:
        cut = text.encode()[:MAX_BYTES].decode(errors="ignore").rsplit("\n", 1)[0]
        text = cut + "\n\n> Report truncated to fit the 1 MiB limit; use `--format json` for all.\n"
    return text
