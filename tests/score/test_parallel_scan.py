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
from mlscaffold.score.judge import engine
from mlscaffold.score.read import index, sharing
from mlscaffold.score.report.render.jsonout import report_to_dict

forks = []
sys.addaudithook(lambda event, args: forks.append(event) if event == "os.fork" else None)
sharing.PARALLEL_MIN_WEIGHT = 1  # fork even for this small tree
sharing.BATCH = 3  # and hand it over in many small batches
index.MAX_MARKDOWN_FILES = 3  # the pass during the walk cannot know which files the cap leaves
if sys.argv[2] == "dying-copy":
    sharing.SharedScan._serve = lambda *args: os._exit(3)
if sys.argv[2] == "garbage-copy":  # reads all it is fed, then answers nonsense
    def garbage(self, feed, replies):
        with os.fdopen(feed, "rb") as pipe:
            while (size := int.from_bytes(pipe.read(4) or b"\0", "big")):
                pipe.read(size)
        os.write(replies, b"not a pickle")
        os._exit(0)
    sharing.SharedScan._serve = garbage
if sys.argv[2] == "no-fork":  # a process limit or no memory: os.fork raises
    def refuse():
        raise OSError(11, "Resource temporarily unavailable")
    os.fork = refuse
fds = len(os.listdir("/proc/self/fd"))
facts, reports = {}, {}
for workers in (1, 2, 3):
    idx = index.RepoIndex(sys.argv[1], workers=workers)
    c = idx._content
    # Looked up by path (or sorted when listed): compared in path order. What the checks
    # see in order (a scanner's findings, the index's notes) must come in order already.
    prose = set(idx.prose_files)
    facts[workers] = repr((
        sorted(c.imports.items()),
        [sorted(table.items()) for table in c.matches],
        sorted((p, h) for p, h in c.headings.items() if p in prose),
        sorted((top, sorted(paths)) for top, paths in c.by_top.items()),
        [list(table.items()) for table in c.scanned],
        idx.notes,
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
    (root / "zz").mkdir()  # past the cap on Markdown files: not read, so no note about it
    (root / "zz" / "bad.md").write_bytes(b"\x00\x01" * 600_000)


def _run(tree: Path, mode: str) -> dict:
    return json.loads(_python(SCRIPT, tree, mode))


def _python(script: str, *args: object) -> str:
    """Standard output of ``script`` run in a fresh interpreter (forks and patches stay there)."""
    proc = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.parametrize("mode", ["normal", "dying-copy", "garbage-copy", "no-fork"])
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


LATE_RULES = r"""
import sys
from mlscaffold.score.read import index, sharing

sharing.PARALLEL_MIN_WEIGHT = 1
shared = index.RepoIndex(sys.argv[1], workers=2)  # read during the walk, before any rule exists
from mlscaffold.score.judge import engine  # imports the rules: their patterns register now
from mlscaffold.score.judge.rules import facts

plain = index.RepoIndex(sys.argv[1], workers=1)
for idx in (shared, plain):
    trains = facts.text_search(idx, idx.pattern_code, facts.TRAIN_CALL)
    print(len(trains), len(idx.scanned("secrets")))
"""


def test_rules_imported_after_the_walk_get_their_facts(tmp_path: Path) -> None:
    """A library caller may build the index before importing the rules: the facts read
    during the walk lack their tables, so they are read again, not indexed past the end."""
    _tree(tmp_path)
    shared, plain = _python(LATE_RULES, tmp_path).splitlines()
    assert shared == plain
    assert int(shared.split()[0]) > 50  # the training calls were found


LIST_ONLY = r"""
import json, sys
from mlscaffold.score.judge import engine
from mlscaffold.score.read import index, sharing
from mlscaffold.score.judge.rules import LIST_ONLY, RULES

forks = []
sys.addaudithook(lambda event, args: forks.append(event) if event == "os.fork" else None)
sharing.PARALLEL_MIN_WEIGHT = 1
report = engine.score_repo(sys.argv[1], select=["DE001"], workers=2)
idx = index.RepoIndex(sys.argv[1], workers=2, read_contents=False)
for name in sorted(LIST_ONLY):
    RULES[name](idx, {})
print(json.dumps({
    "forks": len(forks),
    "notes": [n.message for n in report.notes],
    "content_read": "_content" in idx.__dict__,
    "list_only": sorted(LIST_ONLY),
}))
"""


def test_checks_that_read_no_contents_do_not_start_the_content_pass(tmp_path: Path) -> None:
    """`--select` of checks that judge from the file list alone reads no code, forks no copy
    and reports nothing about files it did not need (a binary module, here)."""
    _tree(tmp_path)
    # What the list-only rules look at, so that they run past their early returns.
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: pytest\n      - run: docker push x\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_steps.py").write_text("def test_a():\n    assert 1 + 1 == 2\n")
    (tmp_path / ".gitattributes").write_text("*.parquet filter=lfs diff=lfs merge=lfs -text\n")
    (tmp_path / "requirements.txt").write_text("pandas==2.2.3\nscikit-learn>=1.4\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "churn"\n[tool.ruff]\n')
    (tmp_path / "mlruns").mkdir()
    (tmp_path / "mlruns" / "meta.yaml").write_text("name: churn\n")
    result = json.loads(_python(LIST_ONLY, tmp_path))
    assert "container_defined" in result["list_only"]
    assert result["forks"] == 0
    assert not any("binary" in note for note in result["notes"])
    assert not result["content_read"]  # the rules declared list-only really are
