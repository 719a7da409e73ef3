"""One self-contained HTML page for an organisation view: heat map, weakest stage, failing checks,
trends.

The page must open from a CI artifact, a file share or an air-gapped laptop, so it carries its
CSS inline, draws charts as inline SVG, uses no script at all, and forbids every network load
with a Content-Security-Policy. Every string from a report is untrusted (another repository
chose its project name) and goes through ``html.escape``.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Iterable

from mlscaffold import __version__
from mlscaffold.score.judge.levels import LEVEL_BANDS, LEVEL_NAMES, level_for
from mlscaffold.score.model import STAGES
from mlscaffold.score.read import linear
from mlscaffold.score.report.orgview import OrgView, RepoRow

_CODE_SPAN = linear.lazy(r"`([^`]+)`")  # the text is the repositories' (check reasons quote it)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;
--l0:#f28b82;--l1:#fbbc74;--l2:#fde68a;--l3:#b7e4a7;--l4:#6cc28a;--na:#eceff1}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
header{padding:20px 32px 12px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{margin:0 0 4px;font-size:22px}h2{font-size:17px;margin:28px 0 8px}
main{padding:0 32px 32px;max-width:1400px}
.meta,.sub,.note{color:var(--muted)}.note{margin:4px 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:20px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:170px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:600}
.card.alert{border-color:#d93025;background:#fff5f4}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.num{text-align:right;font-variant-numeric:tabular-nums}
.heatmap td.cell{text-align:center;font-weight:600;min-width:92px;border:2px solid #fff}
.heatmap th.weak{color:#b42318}
.heatmap tfoot th,.heatmap tfoot td{border-top:2px solid var(--fg)}
.l0{background:var(--l0)}.l1{background:var(--l1)}.l2{background:var(--l2)}
.l3{background:var(--l3)}.l4{background:var(--l4)}.na{background:var(--na);color:var(--muted)}
.chip{display:inline-block;padding:1px 8px;border-radius:10px;margin-right:6px;font-size:12px}
.up{color:#1a7f37}.down{color:#b42318}.same{color:var(--muted)}
.delta{font-size:11px;font-weight:400;margin-left:4px}
.bar{display:inline-block;height:8px;background:#d93025;border-radius:4px;vertical-align:middle}
.bar.partial{background:#f0a030}
.sev{font-size:12px;color:var(--muted)}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.trends{display:flex;flex-wrap:wrap;gap:16px}
.trend{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:0}
.trend h3{margin:0 0 4px;font-size:14px}
.trend table{font-size:12px;margin-top:6px}
svg text{font:10px system-ui,sans-serif;fill:#59636e}
footer{padding:12px 32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{.scroll{overflow:visible}header{background:none}}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fix(text: str) -> str:
    """Escape a fix, then show its `code spans` as code (safe: the backticks survive escaping)."""
    return _CODE_SPAN.sub(r"<code>\1</code>", _e(text))


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _when(generated_at: str) -> str:
    """'2025-03-01T09:30:00+00:00' -> '2025-03-01 09:30': minutes are enough to tell runs apart."""
    return generated_at[:16].replace("T", " ")


def _cell(stage: str, score: float | None, level: int, extra: str = "") -> str:
    if score is None:
        return (
            f'<td class="cell na" data-stage="{stage}" data-score="" '
            f'title="no applicable check"{extra}>&ndash;</td>'
        )
    shown = f"{score:g}"
    return (
        f'<td class="cell l{level}" data-stage="{stage}" data-score="{shown}" '
        f'title="{stage}: {shown}/100, level {level} ({LEVEL_NAMES[level]})"{extra}>{shown}</td>'
    )


def _delta(delta: int | None) -> str:
    if delta is None:
        return ""
    if delta == 0:
        return '<span class="delta same" title="unchanged since the previous report">=</span>'
    css, arrow = ("up", "▲") if delta > 0 else ("down", "▼")
    return (
        f'<span class="delta {css}" title="{delta:+d} since the previous report">'
        f"{arrow}{abs(delta)}</span>"
    )


def _cards(view: OrgView) -> str:
    scores = [r.score for r in view.repos]
    median = f"{statistics.median(scores):g}" if scores else "-"
    cards = [
        ("Repositories", str(len(view.repos)), f"{view.report_count} reports", "", ""),
        ("Median score", median, "out of 100", "", ""),
    ]
    if view.weakest_stage:
        mean = view.stage_means[view.weakest_stage]
        cards.append(
            (
                "Weakest stage",
                view.weakest_stage.capitalize(),
                f"mean {mean:g} / 100 across repositories",
                " alert",
                f' id="weakest-stage" data-stage="{view.weakest_stage}"',
            )
        )
    if view.failing_checks:
        top = view.failing_checks[0]
        cards.append(
            (
                "Most failing check",
                top.id,
                f"fails in {len(top.failing)} of {len(view.repos)} repositories",
                "",
                "",
            )
        )
    return (
        '<section class="cards">'
        + "".join(
            f'<div class="card{css}"{attrs}><div class="label">{_e(label)}</div>'
            f'<div class="value">{_e(value)}</div><div class="sub">{_e(sub)}</div></div>'
            for label, value, sub, css, attrs in cards
        )
        + "</section>"
    )


def _legend() -> str:
    floors = (0, *reversed(LEVEL_BANDS))  # level 0 starts at 0, level 1 at 25, ...
    chips = "".join(
        f'<span class="chip l{level}">{level} {LEVEL_NAMES[level]} (≥{floor})</span>'
        for level, floor in enumerate(floors)
    )
    return f'<p class="note">Cell colour is the stage level: {chips}</p>'


def _row_title(repo: RepoRow) -> str:
    parts = [repo.remote or repo.root]
    if repo.commit:
        parts.append(repo.commit[:12])
    parts.append(_when(repo.generated_at))
    if repo.subprojects:
        parts.append(f"{len(repo.subprojects)} sub-projects rolled up")
    return " · ".join(parts)


def _heatmap_row(repo: RepoRow) -> str:
    cells = "".join(_cell(c.stage, c.score, c.level) for c in repo.cells)
    return (
        f'<tr data-project="{_e(repo.project)}">'
        f'<th scope="row" title="{_e(_row_title(repo))}">{_e(repo.label)}</th>'
        f'<td class="num overall" data-score="{repo.score}">{repo.score}{_delta(repo.delta)}</td>'
        f'<td class="level" data-level="{repo.maturity}">{repo.maturity} '
        f'<span class="sev">{_e(repo.maturity_name)}</span></td>{cells}</tr>'
    )


def _heatmap(view: OrgView) -> str:
    heads = "".join(
        f'<th scope="col" data-stage="{s}"{" class=weak" if s == view.weakest_stage else ""}>'
        f"{s.capitalize()}</th>"
        for s in STAGES
    )
    rows = "".join(_heatmap_row(r) for r in view.repos)
    means = "".join(
        _cell(s, view.stage_means[s], level_for(view.stage_means[s]), " data-mean") for s in STAGES
    )
    return (
        "<section><h2>Repositories &times; stages</h2>"
        '<p class="note">Newest report of each repository, weakest first. The maturity level is '
        "the level of its weakest stage.</p>"
        f'{_legend()}<div class="scroll"><table id="heatmap" class="heatmap"><thead><tr>'
        '<th scope="col">Repository</th><th scope="col" class="num">Score</th>'
        f'<th scope="col">Level</th>{heads}</tr></thead><tbody>{rows}</tbody>'
        f'<tfoot><tr><th scope="row">Organisation mean</th><td></td><td></td>{means}</tr>'
        "</tfoot></table></div></section>"
    )


def _failing(view: OrgView, top: int) -> str:
    checks = view.failing_checks[:top]
    if not checks:
        return (
            '<section id="failing-checks"><h2>Checks failing most often</h2>'
            '<p class="note">No check fails or passes only in part in any repository.</p></section>'
        )
    total = max(len(view.repos), 1)
    rows = []
    for check in checks:
        names = ", ".join(sorted(set(check.failing + check.partial), key=str.lower))
        fail_w, part_w = 100 * len(check.failing) // total, 100 * len(check.partial) // total
        rows.append(
            f'<tr data-check="{_e(check.id)}" data-failing="{len(check.failing)}" '
            f'data-partial="{len(check.partial)}">'
            f"<td><code>{_e(check.id)}</code></td><td>{_e(check.title)}<br>"
            f'<span class="sev">{_e(check.stage)} · {_e(check.severity)}</span></td>'
            f'<td class="num">{len(check.failing)}</td><td class="num">{len(check.partial)}</td>'
            f'<td><span class="bar" style="width:{fail_w}px"></span>'
            f'<span class="bar partial" style="width:{part_w}px"></span></td>'
            f'<td class="fix">{_fix(check.fix or "")}'
            f'<details><summary class="sev">where</summary>{_e(names)}</details></td></tr>'
        )
    return (
        '<section id="failing-checks"><h2>Checks failing most often</h2>'
        f'<p class="note">Across the newest report of each of {len(view.repos)} repositories; '
        "fix these first for the widest effect.</p>"
        '<div class="scroll"><table><thead><tr><th>Check</th><th>What</th>'
        '<th class="num">Fails</th><th class="num">Partial</th><th>Share</th><th>Fix</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _sparkline(repo: RepoRow, width: int = 300, height: int = 96) -> str:
    pad_x, pad_y = 26, 10
    times = [p.timestamp for p in repo.history]
    span = (max(times) - min(times)) or 1.0

    def x(t: float) -> float:
        return pad_x + (t - min(times)) / span * (width - 2 * pad_x)

    def y(score: float) -> float:
        return pad_y + (100 - score) / 100 * (height - 2 * pad_y)

    grid = "".join(
        f'<line x1="{pad_x}" x2="{width - pad_x}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
        f'stroke="#d1d9e0" stroke-dasharray="2 3"/><text x="2" y="{y(v) + 3:.1f}">{v}</text>'
        for v in (0, 50, 100)
    )
    coords = " ".join(f"{x(p.timestamp):.1f},{y(p.score):.1f}" for p in repo.history)
    dots = "".join(
        f'<circle cx="{x(p.timestamp):.1f}" cy="{y(p.score):.1f}" r="3.5" fill="#0969da">'
        f"<title>{_e(_when(p.generated_at))}: {p.score}</title></circle>"
        for p in repo.history
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="score of {_e(repo.project)} over time">{grid}'
        f'<polyline points="{coords}" fill="none" stroke="#0969da" stroke-width="2"/>{dots}</svg>'
    )


def _trend_table(repo: RepoRow) -> str:
    heads = "".join(f'<th class="num">{s.capitalize()}</th>' for s in STAGES)
    rows = "".join(
        f'<tr data-generated-at="{_e(p.generated_at)}" data-score="{p.score}">'
        f'<td>{_e(_when(p.generated_at))}</td><td class="num">{p.score}</td>'
        + "".join(
            f'<td class="num">{"&ndash;" if p.stages.get(s) is None else p.stages[s]}</td>'
            for s in STAGES
        )
        + "</tr>"
        for p in repo.history
    )
    return (
        f'<table><thead><tr><th>Report</th><th class="num">Score</th>{heads}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _trends(view: OrgView) -> str:
    tracked = [r for r in view.repos if len(r.history) > 1]
    if not tracked:
        return (
            '<section id="trend"><h2>Trend</h2><p class="note">Give several dated reports of the '
            "same repository (for example one per week from its CI) to see its score over time."
            "</p></section>"
        )
    figures = "".join(
        f'<figure class="trend" data-project="{_e(r.project)}"><h3>{_e(r.label)} '
        f'<span class="sev">{r.history[0].score} → {r.history[-1].score}</span></h3>'
        f"{_sparkline(r)}{_trend_table(r)}</figure>"
        for r in sorted(tracked, key=lambda r: r.label.lower())
    )
    return (
        '<section id="trend"><h2>Trend</h2><p class="note">Overall score of each repository with '
        f'several dated reports, oldest to newest.</p><div class="trends">{figures}</div></section>'
    )


def _join(parts: Iterable[str]) -> str:
    return "\n".join(parts)


def render_org_html(view: OrgView, *, title: str = "ML repositories", top: int = 10) -> str:
    meta = (
        f"{_n(len(view.repos), 'repository', 'repositories')} · "
        f"{_n(view.report_count, 'report', 'reports')} · newest report "
        f"{_when(view.latest)} · built by mlscaffold {__version__}"
    )
    return _join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="mlscaffold {_e(__version__)}">',
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
            f'<header><h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p></header><main>',
            _cards(view),
            _heatmap(view),
            _failing(view, top),
            _trends(view),
            "</main><footer>Scores from <code>mlscaffold score --format json</code>; each "
            "stage scores 0-100 and the weakest stage sets a repository's maturity level."
            "</footer></body></html>",
            "",
        ]
    )
