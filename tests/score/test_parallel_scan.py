"""The read of a large repository shared, while the walk lists it, between the scorer and
forked copies of it finds exactly what one process finds, and survives a copy that dies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import json, os, sys
from mlscaffold.score import engine, index, sharing
from mlscaffold.score.render.jsonout import report_to_dict

forks = []
sys.addaudithook(lambda event, args: forks.append(event) if event == "os.fork" else None)
sharing.PARALLEL_MIN_WEIGHT = 1  # fork even for this small tree
sharing.BATCH = 3  # and hand it over in many small batches
if sys.argv[2] == "dying-copy":
    sharing.SharedScan._serve = lambda *args: os._exit(3)
if sys.argv[2] == "no-fork":  # a process limit or no memory: os.fork raises
    def refuse():
        raise OSError(11, "Resource temporarily unavailable")
    os.fork = refuse
fds = len(os.listdir("/proc/self/fd"))
facts, reports = {}, {}
for workers in (1, 2, 3):
    c = index.RepoIndex(sys.argv[1], workers=workers)._content
    # Looked up by path (or sorted when listed): compared in path order. What the checks
    # see in order (a scanner's findings, notes) must come in path order already.
    facts[workers] = repr((
        sorted(c.imports.items()),
        [sorted(table.items()) for table in c.matches],
        sorted(c.headings.items()),
        sorted((top, sorted(paths)) for top, paths in c.by_top.items()),
        [list(table.items()) for table in c.scanned],
        c.notes,
    ))
    report = report_to_dict(engine.score_repo(sys.argv[1], workers=workers))
    for volatile in ("duration_seconds", "generated_at"):
        report.pop(volatile, None)
    reports[workers] = json.dumps(report, sort_keys=True)
print(json.dumps({
    "same_facts": facts[1] == facts[2] == facts[3],
    "same_reports": reports[1] == reports[2] == reports[3],
    "forks": len(forks),
    "imports": facts[1].count("ImportRef("),
    "leaked_fds": len(os.listdir("/proc/self/fd")) - fds,
}))
"""


def _tree(root: Path) -> None:
    (root / "README.md").write_text("# Churn\n\n## Problem statement\n\nWe predict churn.\n")
    for i in range(60):
        pkg = root / "src" / "churn" / f"part{i % 6}"
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / f"step_{i}.py").write_text(
            "import logging\nimport numpy as np\n"
            "from sklearn.linear_model import LogisticRegression\n"
            f"from churn.features import build_{i}\n\nlog = logging.getLogger(__name__)\n\n"
            f"def train_{i}(df, seed=0):\n    np.random.seed(seed)\n"
            "    return LogisticRegression().fit(df, df)\n"
        )
        (pkg / f"notes_{i}.md").write_text(f"# Step {i}\n\n## Data sources\n\nThe CRM export.\n")
        (pkg / f"config_{i}.yaml").write_text(f"lr: 0.{i}\n")
    (root / "notebooks").mkdir()
    cell = {"cell_type": "code", "source": ["import pandas as pd\n", "model.fit(x, y)\n"]}
    (root / "notebooks" / "explore.ipynb").write_text(json.dumps({"cells": [cell]}))
    (root / "notebooks" / "broken.ipynb").write_text("{not json")
    (root / "configs").mkdir()
    (root / "configs" / "prod.yaml").write_text("aws_key: AKIA" + "Q3EGRY7T2LMXAB4Z" + "\n")
    (root / "src" / "churn" / "blob.py").write_bytes(b"\x00\x01binary")
    (root / "docs").mkdir()
    (root / "docs" / "charter.md").write_text("# Charter\n\n## Owners\n\nThe retention team.\n")


def _run(tree: Path, mode: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tree), mode],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("mode", ["normal", "dying-copy", "no-fork"])
def test_forked_copies_find_what_one_process_finds(tmp_path: Path, mode: str) -> None:
    _tree(tmp_path)
    result = _run(tmp_path, mode)
    if mode == "no-fork":
        assert result["forks"] == 0
    else:
        assert result["forks"] >= 6  # 1 + 2 for the facts, 1 + 2 for the reports
    assert result["leaked_fds"] <= 0
    assert result["imports"] > 200  # the tree was really read
    assert result["same_facts"], "forked scan differs from the single-process scan"
    assert result["same_reports"], "report differs with forked copies"
