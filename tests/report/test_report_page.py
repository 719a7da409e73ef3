"""`mlscaffold report --html` over an organisation of real reports, checked by parsing the page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from mlscaffold.score.model import STAGES
from tests.conftest import run_cli
from tests.report.conftest import EVIL, REPOS, TREND_DATES, TREND_PROJECT
from tests.report.htmltree import parse
from tests.score.markdown_render import render_as_github

TOP = 10


@pytest.fixture(scope="module")
def page(org, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "org.html"
    done = run_cli("report", *map(str, org.reports), "--html", str(out), "--top", str(TOP))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # --html alone prints no summary
    assert f"wrote {out}" in done.stderr
    text = out.read_text(encoding="utf-8")
    return out, text, parse(text)


def _stage_means(newest: list[dict]) -> dict[str, float]:
    means = {}
    for stage in STAGES:
        scores = [
            s["score"]
            for d in newest
            for s in d["stages"]
            if s["stage"] == stage and s["score"] is not None
        ]
        means[stage] = sum(scores) / len(scores)
    return means


def test_the_organisation_is_varied(org) -> None:
    newest = org.newest()
    assert len(org.reports) >= 20 and len(newest) == REPOS + 1
    assert len({d["score"] for d in newest}) >= 10, "trees should score differently"
    for stage in STAGES:
        scores = {s["score"] for d in newest for s in d["stages"] if s["stage"] == stage}
        assert len(scores) >= 4, f"{stage} scores hardly vary: {scores}"


def test_heatmap_has_one_row_per_repository_and_four_stage_columns(org, page) -> None:
    _, _, doc = page
    table = doc.find("table", id="heatmap")
    stage_heads = [
        th.attrs["data-stage"] for th in table.find("thead").iter("th") if "data-stage" in th.attrs
    ]
    assert stage_heads == list(STAGES)
    rows = table.find("tbody").find_all("tr")
    newest = {d["project"]: d for d in org.newest()}
    assert sorted(r.attrs["data-project"] for r in rows) == sorted(newest)
    for row in rows:
        report = newest[row.attrs["data-project"]]
        assert row.find("th").text == report["project"]
        assert row.find("td", class_="num overall").attrs["data-score"] == str(report["score"])
        assert row.find("td", class_="level").attrs["data-level"] == str(
            report["maturity"]["level"]
        )
        cells = [td for td in row.iter("td") if "cell" in td.classes()]
        assert [c.attrs["data-stage"] for c in cells] == list(STAGES)
        for cell, stage in zip(cells, report["stages"], strict=True):
            if stage["score"] is None:
                assert cell.text == "\u2013" and "na" in cell.classes()
            else:
                assert cell.text == str(stage["score"])
                assert f"l{stage['level']}" in cell.classes()
    overall = [int(r.find("td", class_="num overall").attrs["data-score"]) for r in rows]
    assert overall == sorted(overall), "weakest repositories come first"


def test_weakest_stage_is_named(org, page) -> None:
    _, _, doc = page
    means = _stage_means(org.newest())
    weakest = min(means, key=means.get)
    card = doc.find("div", id="weakest-stage")
    assert card.attrs["data-stage"] == weakest
    assert weakest.capitalize() in card.text
    assert f"mean {round(means[weakest], 1):g}" in card.text
    footer = doc.find("table", id="heatmap").find("tfoot")
    for cell in footer.iter("td"):
        if "data-stage" in cell.attrs:
            assert float(cell.attrs["data-score"]) == round(means[cell.attrs["data-stage"]], 1)
    weak_heads = [th for th in doc.iter("th") if "weak" in th.classes()]
    assert [th.attrs["data-stage"] for th in weak_heads] == [weakest]


def test_checks_failing_most_often_are_listed_with_their_fix(org, page) -> None:
    _, _, doc = page
    newest = org.newest()
    failing = Counter(f["id"] for d in newest for f in d["findings"] if f["status"] == "fail")
    partial = Counter(f["id"] for d in newest for f in d["findings"] if f["status"] == "partial")
    fixes = {f["id"]: f["fix"] for d in newest for f in d["findings"] if f["fix"]}
    rows = doc.find("section", id="failing-checks").find("tbody").find_all("tr")
    assert len(rows) == TOP
    counts = [int(r.attrs["data-failing"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(failing.values())
    listed = {r.attrs["data-check"] for r in rows}
    # every check failing more often than the last listed one is listed
    assert {c for c, n in failing.items() if n > counts[-1]} <= listed
    for row in rows:
        check = row.attrs["data-check"]
        assert int(row.attrs["data-failing"]) == failing[check]
        assert int(row.attrs["data-partial"]) == partial[check]
        cell = row.find("td", class_="fix")
        shown = "".join(c if isinstance(c, str) else c.text for c in cell.children[:-1])
        assert shown == re.sub(r"`([^`]+)`", r"\1", fixes[check])  # `code` becomes <code>
        assert len(cell.find_all("code")) == fixes[check].count("`") // 2
        assert cell.children[-1].tag == "details"


def test_trend_of_a_repository_with_dated_reports(org, page) -> None:
    _, _, doc = page
    figure = doc.find("section", id="trend").find("figure", data_project=TREND_PROJECT)
    points = figure.find("tbody").find_all("tr")
    scores = [org.data[p]["score"] for p in org.trend_reports]
    assert [p.attrs["data-generated-at"] for p in points] == list(TREND_DATES)
    assert [int(p.attrs["data-score"]) for p in points] == scores
    assert scores[0] < scores[-1], "the trend repository should improve over time"
    polyline = figure.find("svg").find("polyline")
    assert len(polyline.attrs["points"].split()) == len(TREND_DATES)
    assert len(figure.find_all("circle")) == len(TREND_DATES)
    row = doc.find("tr", data_project=TREND_PROJECT)
    assert row.find("td", class_="num overall").attrs["data-score"] == str(scores[-1])
    delta = scores[-1] - scores[-2]
    arrow = row.find("span")
    assert arrow.text == ("=" if delta == 0 else f"{'▲' if delta > 0 else '▼'}{abs(delta)}")
    # only the repository with several reports has a trend
    assert len(doc.find("section", id="trend").find_all("figure")) == 1


def test_page_loads_nothing_from_the_network(page) -> None:
    _, text, doc = page
    assert not list(doc.iter("script")), "the page needs no script"
    assert not list(doc.iter("link")) and not list(doc.iter("img")) and not list(doc.iter("iframe"))
    for element in doc.iter():
        for name in ("src", "href", "srcset", "action", "data", "xlink:href", "poster"):
            value = element.attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (element.tag, name, value)
    for style in doc.iter("style"):
        assert "@import" not in style.text and "url(" not in style.text
    csp = doc.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in csp
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text)


def test_untrusted_project_names_are_escaped(page) -> None:
    _, text, doc = page
    assert "<b " not in text and "onmouseover=" not in text.replace("onmouseover=&quot;", "")
    assert "&lt;b onmouseover=&quot;alert(1)&quot;&gt;evil &amp; &#x27;quoted&#x27; repo" in text
    row = doc.find("tr", data_project=EVIL)
    assert row.find("th").text == EVIL
    assert not list(doc.iter("b"))


def test_page_title_is_escaped(org, tmp_path) -> None:
    out = tmp_path / "t.html"
    title = "</title><script>alert(1)</script> & Co"
    done = run_cli("report", str(org.reports[0]), "--html", str(out), "--title", title)
    assert done.returncode == 0, done.stderr
    doc = parse(out.read_text(encoding="utf-8"))
    assert doc.find("title").text == title and doc.find("h1").text == title
    assert not list(doc.iter("script"))


def test_builds_a_page_from_over_20_reports_in_under_a_second(org, tmp_path) -> None:
    assert len(org.reports) >= 20
    import resource

    def child_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    best = float("inf")
    for attempt in range(3):  # CPU time of the command, best of three: other jobs sharing
        out = tmp_path / f"org{attempt}.html"  # the two cores do not decide the result
        started = child_cpu()
        done = run_cli("report", *map(str, org.reports), "--html", str(out))
        best = min(best, child_cpu() - started)
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 10_000
    print(f"report over {len(org.reports)} reports: {best:.3f} s")
    assert best < 1.0, f"{best:.2f} s for {len(org.reports)} reports"


def test_markdown_and_json_summaries_agree_with_the_page(org, tmp_path) -> None:
    newest = {d["project"]: d for d in org.newest()}
    done = run_cli("report", *map(str, org.reports), "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["reports"] == len(org.reports)
    assert {r["project"]: r["score"] for r in summary["repositories"]} == {
        p: d["score"] for p, d in newest.items()
    }
    means = _stage_means(list(newest.values()))
    assert summary["weakest_stage"] == min(means, key=means.get)
    trend = next(r for r in summary["repositories"] if r["project"] == TREND_PROJECT)
    assert [h["generated_at"] for h in trend["history"]] == list(TREND_DATES)

    md = run_cli("report", *map(str, org.reports))  # markdown is the default summary
    assert md.returncode == 0, md.stderr
    table_rows = [line for line in md.stdout.splitlines() if line.startswith("| ")]
    for project, report in newest.items():
        if project != EVIL:
            assert any(line.startswith(f"| {project} | {report['score']}") for line in table_rows)
    rendered = render_as_github(md.stdout)  # raw HTML let through: none may come from a name
    assert "<b " not in rendered and "&lt;b onmouseover" in rendered
    assert f"**{summary['weakest_stage']}**" in md.stdout

    both = run_cli(
        "report", *map(str, org.reports), "--html", str(tmp_path / "p.html"), "-f", "markdown"
    )
    assert both.returncode == 0 and (tmp_path / "p.html").exists()
    assert both.stdout == md.stdout


def test_levels_follow_the_documented_bands_without_loading_the_engine() -> None:
    import subprocess
    import sys

    from mlscaffold.score.judge.levels import level_for

    expected = {None: 4, 0: 0, 24: 0, 25: 1, 49: 1, 50: 2, 69: 2, 70: 3, 89: 3, 90: 4, 100: 4}
    assert {score: level_for(score) for score in expected} == expected
    code = (
        "import sys, mlscaffold.score.report.render.html, mlscaffold.score.report.orgview; "
        "print('mlscaffold.score.judge.engine' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # the page needs levels, not every reader


CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


@pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt install chromium)"
)
def test_page_renders_in_a_headless_browser(page, tmp_path) -> None:
    out, _, _ = page
    shot = tmp_path / "org.png"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,900",
        out.resolve().as_uri(),
    ]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert shot.exists(), "Chromium wrote no screenshot"
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 900)
    # A blank page compresses to a few KiB; a rendered heat map and tables do not.
    assert len(png) > 30_000, len(png)


def test_reads_the_array_that_scoring_several_repositories_prints(tmp_path) -> None:
    from tests.conftest import make_tree
    from tests.report.trees import repo_files

    roots = [str(make_tree(tmp_path / f"repo-{i}", repo_files(i))) for i in (1, 2, 3)]
    scored = run_cli("score", *roots, "--format", "json")  # several reports: one JSON array
    assert scored.returncode == 0, scored.stderr
    (tmp_path / "all.json").write_text(scored.stdout, encoding="utf-8")
    batch = json.loads(scored.stdout)
    assert isinstance(batch, list) and len(batch) == 3
    done = run_cli("report", str(tmp_path / "all.json"), "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["reports"] == 3
    assert {r["project"]: r["score"] for r in summary["repositories"]} == {
        r["project"]: r["score"] for r in batch
    }
    assert {r["source"] for r in summary["repositories"]} == {
        f"{tmp_path / 'all.json'}[{i}]" for i in range(3)
    }
