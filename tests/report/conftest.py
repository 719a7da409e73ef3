"""An organisation of generated repositories, each scored by the real scorer into a JSON report.

Most reports are produced in-process (the same score_repo + JSON renderer the CLI calls) to keep
the suite fast on two cores; the dated reports of the trend repository go through the real CLI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import make_tree, run_cli
from tests.report.trees import PASS_FILES, repo_files

REPOS = 22
# A project name chosen by someone else (a directory name, so it cannot hold a slash).
EVIL = "<b onmouseover=\"alert(1)\">evil & 'quoted' repo"
TREND_PROJECT = "trend-service"
TREND_DATES = (
    "2025-01-06T09:00:00+00:00",
    "2025-02-03T09:00:00+00:00",
    "2025-03-03T09:00:00+00:00",
)
# Each dated run of the trend repository satisfies more checks than the one before.
TREND_CHECKS = (
    ["SC001"],
    ["SC001", "SC002", "SC003", "DA001", "DA002", "MO001"],
    ["SC001", "SC002", "SC003", "SC004", "DA001", "DA002", "DA003", "MO001", "MO002", "DE001"],
)


@dataclass
class Org:
    reports: list[Path]  # every report, the trend repository's three included
    trend_reports: list[Path]
    data: dict[Path, dict]

    def newest(self) -> list[dict]:
        """The newest report of each project, as the page should show it."""
        by_project: dict[str, dict] = {}
        for path in self.reports:
            d = self.data[path]
            seen = by_project.get(d["project"])
            if seen is None or d["generated_at"] > seen["generated_at"]:
                by_project[d["project"]] = d
        return list(by_project.values())


def _score_in_process(root: Path, out: Path) -> None:
    from mlscaffold.score.judge.engine import score_repo
    from mlscaffold.score.report.render.jsonout import render_json

    out.write_text(render_json(score_repo(str(root))), encoding="utf-8")


@pytest.fixture(scope="session")
def org(tmp_path_factory) -> Org:
    base = tmp_path_factory.mktemp("org")
    (base / "repos").mkdir()
    (base / "reports").mkdir()
    reports: list[Path] = []
    for i in range(REPOS):
        name = EVIL if i == 7 else f"service-{i:02d}"
        root = make_tree(base / "repos" / name, repo_files(i))
        out = base / "reports" / f"r{i:02d}.json"
        _score_in_process(root, out)
        reports.append(out)
    trend_root = base / "repos" / TREND_PROJECT
    trend_reports = []
    for n, (checks, when) in enumerate(zip(TREND_CHECKS, TREND_DATES, strict=True)):
        make_tree(trend_root, repo_files(100, [c for c in checks if c in PASS_FILES]))
        out = base / "reports" / f"trend-{n}.json"
        done = run_cli("score", str(trend_root), "--format", "json", "--output", str(out))
        assert done.returncode == 0, done.stderr
        # The runs happen within a second; CI would have produced them weeks apart.
        data = json.loads(out.read_text(encoding="utf-8"))
        data["generated_at"] = when
        out.write_text(json.dumps(data), encoding="utf-8")
        trend_reports.append(out)
    reports += trend_reports
    return Org(
        reports=reports,
        trend_reports=trend_reports,
        data={p: json.loads(p.read_text(encoding="utf-8")) for p in reports},
    )
