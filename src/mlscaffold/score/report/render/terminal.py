"""Terminal report: grouped by stage, failing first, evidence and fixes. Colour only on a TTY
and never when NO_COLOR is set (https://no-color.org)."""

from __future__ import annotations

import os
import sys

from mlscaffold.score.model import Report, Status

LABEL = {
    Status.PASS: "PASS",
    Status.PARTIAL: "PART",
    Status.FAIL: "FAIL",
    Status.NOT_APPLICABLE: "N/A ",
    Status.IGNORED: "IGN ",
}
STYLE = {
    Status.PASS: "green",
    Status.PARTIAL: "yellow",
    Status.FAIL: "bold red",
    Status.NOT_APPLICABLE: "dim",
    Status.IGNORED: "dim",
}
_RANK = {
    Status.FAIL: 0,
    Status.PARTIAL: 1,
    Status.PASS: 2,
    Status.NOT_APPLICABLE: 3,
    Status.IGNORED: 4,
}


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


# Control characters a repository may put in its file names, headings and checklists (ESC
# starts a sequence that clears the screen or retitles the window): shown, never sent.
_CONTROLS = {
    c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (0x09, 0x0A)
}


def printable(text: str) -> str:
    """``text`` with every control character but tab and line break written out (\\x1b)."""
    return text.translate(_CONTROLS)


def render_plain(report: Report, footer: bool = True) -> str:
    """The same layout as the coloured view, as plain text (for pipes, files and NO_COLOR).
    ``footer``: the closing line (files, time, a hint), left out by ``-q``."""
    from mlscaffold.score.judge.levels import LEVEL_NAMES

    lines = [
        f"mlscaffold score: {report.project}  {report.score}/100  maturity "
        f"{report.maturity} ({LEVEL_NAMES[report.maturity]})",
        "",
    ]
    note = report.selection_note()
    if note:
        lines[-1:] = [f"({note})", ""]
    if report.subprojects:
        lines[-1:] = [
            f"a monorepo of {len(report.subprojects)} sub-projects, rolled up: a practice counts "
            "when one sub-project has it, hygiene fails when one fails",
            "",
        ]
    for stage in report.shown_stages():
        score = "n/a" if stage.score is None else f"{stage.score}/100"
        lines.append(f"{stage.stage.upper()}  {score}  level {stage.level}")
        for f in sorted(report.by_stage(stage.stage), key=lambda f: (_RANK[f.status], f.check_id)):
            lines.append(f"  {LABEL[f.status]} {f.check_id} {f.title}")
            lines.append(f"       {f.reason}")
            for e in f.evidence[:3]:
                where = f"{e.path}:{e.line}" if e.line else e.path
                lines.append(f"       at {where}" + (f" ({e.note})" if e.note else ""))
            if f.status in (Status.FAIL, Status.PARTIAL):
                lines.append(f"       fix: {f.fix}")
        lines.append("")
    if report.subprojects:
        lines += _subproject_lines(report)
    if report.notes:
        lines.append(f"{len(report.notes)} note(s) from reading the repository:")
        lines += [f"  {n.path}: {n.message}" for n in report.notes[:20]]
        if len(report.notes) > 20:
            lines.append(f"  ... and {len(report.notes) - 20} more (see --format json)")
        lines.append("")
    if report.diff is not None:
        from mlscaffold.score.report.diff import render_diff_text

        lines.append(render_diff_text(report))
    if footer:
        lines.append(
            f"{report.files_scanned} file(s) in {report.duration_seconds:.2f} s · "
            "`mlscaffold checks ID` explains a check"
        )
    return printable("\n".join(lines).rstrip("\n") + "\n")


def _subproject_lines(report: Report) -> list[str]:
    from mlscaffold.score.rollup import subproject_folder

    lines = ["SUB-PROJECTS  (`--project FOLDER` shows one in full)"]
    for sub in report.subprojects:
        stages = "  ".join(
            f"{s.stage} {'n/a' if s.score is None else s.score}" for s in sub.shown_stages()
        )
        failing = sum(1 for f in sub.findings if f.status is Status.FAIL)
        lines.append(
            f"  {subproject_folder(report, sub)}  {sub.score}/100  maturity {sub.maturity}  "
            f"({stages}; {failing} failing)"
        )
    return [*lines, ""]


def print_rich(report: Report, footer: bool = True) -> None:
    """Coloured output for a terminal, same content as render_plain."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=False)
    colours = {"PASS": "green", "PART": "yellow", "FAIL": "bold red", "N/A ": "dim", "IGN ": "dim"}
    for line in render_plain(report, footer).splitlines():
        tag = line[2:6]
        if line.startswith("  ") and tag in colours:
            console.print(f"  [{colours[tag]}]{escape(tag)}[/]{escape(line[6:])}")
        elif line and line[0].isupper() and "level" in line:
            console.print(f"[bold]{escape(line)}[/]")
        else:
            console.print(escape(line))
