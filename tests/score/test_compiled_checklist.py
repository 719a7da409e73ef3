"""The built-in checklist is read from its compiled JSON only while that matches the YAML."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from mlscaffold.resources import data_dir
from mlscaffold.score.judge import checklist


def test_compiled_checklist_is_fresh() -> None:
    compiled = json.loads((data_dir("checklist") / checklist.COMPILED).read_text("utf-8"))
    paths = checklist.builtin_files()
    assert compiled["fingerprint"] == checklist._fingerprint(paths), (
        "checklist/compiled.json is stale: run python -m mlscaffold.score.judge.checklist --write"
    )
    assert compiled["files"] == {p.name: checklist._parse_yaml(p) for p in paths}


def test_a_stale_compiled_checklist_is_ignored(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "checklist"
    shutil.copytree(data_dir("checklist"), copy)
    monkeypatch.setattr(checklist, "data_dir", lambda _name: copy)
    from_json = checklist.load_checklist()
    first = sorted(copy.glob("*.yaml"))[0]
    first.write_text(
        first.read_text("utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8"
    )
    edited = checklist.load_checklist()
    assert [c.title for c in edited] != [c.title for c in from_json]
    assert any(c.title.startswith("Edited ") for c in edited)


def test_scoring_imports_no_yaml_when_the_repository_has_none(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Churn\n\n## Problem statement\n\nWe predict churn.\n")
    (tmp_path / "train.py").write_text("import pandas as pd\n")
    code = (
        "import sys\nfrom mlscaffold.cli import main\n"
        "main(['score', sys.argv[1], '-f', 'json', '-o', '-'])\n"
        "print('yaml' in sys.modules, file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert out.returncode in (0, 1), out.stderr
    assert out.stderr.strip().splitlines()[-1] == "False"


def test_each_check_compiles_its_patterns_once_across_runs(tmp_path: Path) -> None:
    """The patterns of a detector are kept by its parameters' identity: a run (a sub-project
    of a monorepo) must reuse them, not compile and keep another copy of every pattern (an
    organisation's 10,000 checks over 128 sub-projects took 4.9 GB)."""
    from mlscaffold.score.judge import detectors
    from mlscaffold.score.read.index import RepoIndex

    (tmp_path / "README.md").write_text("# x\n\n## Data\n\nFrom the CRM.\n")
    (tmp_path / "train.py").write_text("from sklearn.svm import SVC\nSVC().fit(X, y)\n")
    checks = checklist.load_checklist().checks
    for _ in range(2):
        index = RepoIndex(str(tmp_path))
        for check in checks:
            detectors.run_detector(index, check.detector)
        if _ == 0:
            compiled = len(detectors._BY_SOURCE)
            remembered = len(detectors._SPEC_PATTERNS)
    assert len(detectors._BY_SOURCE) == compiled
    # each rule's parameters built anew are remembered by identity, within a bound
    assert len(detectors._SPEC_PATTERNS) - remembered <= 10
