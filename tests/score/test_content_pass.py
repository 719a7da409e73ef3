"""The one read of a repository's contents: done only when a check needs it, and complete
for rules that register their patterns after it ran."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _tree(root: Path) -> None:
    (root / "README.md").write_text("# Churn\n\n## Problem statement\n\nWe predict churn.\n")
    pkg = root / "src" / "churn"
    pkg.mkdir(parents=True)
    for i in range(12):
        (pkg / f"step_{i}.py").write_text(
            "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n\n"
            f"def train_{i}(df, seed=0):\n    np.random.seed(seed)\n"
            "    return LogisticRegression().fit(df, df)\n"
        )
    (pkg / "blob.py").write_bytes(b"\x00\x01binary")
    (root / "configs").mkdir()
    (root / "configs" / "prod.yaml").write_text("aws_key: AKIA" + "Q3EGRY7T2LMXAB4Z" + "\n")


def _python(script: str, *args: object) -> str:
    """Standard output of ``script`` run in a fresh interpreter (patches stay there)."""
    proc = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


LATE_RULES = r"""
import sys
from mlscaffold.score.read import index

early = index.RepoIndex(sys.argv[1])
early.read_contents()  # before any rule exists: no table for their patterns yet
from mlscaffold.score.judge import engine  # imports the rules: their patterns register now
from mlscaffold.score.judge.rules import facts

late = index.RepoIndex(sys.argv[1])
for idx in (early, late):
    trains = facts.text_search(idx, idx.pattern_code, facts.TRAIN_CALL)
    print(len(trains), len(idx.scanned("secrets")))
"""


def test_rules_imported_after_the_content_pass_get_their_facts(tmp_path: Path) -> None:
    """A library caller may read contents before importing the rules: the facts lack their
    tables, so the pass is done again, not indexed past the end."""
    _tree(tmp_path)
    early, late = _python(LATE_RULES, tmp_path).splitlines()
    assert early == late
    assert early == "12 1"  # the training calls and the committed key were found


LIST_ONLY = r"""
import json, sys
from mlscaffold.score.judge import engine
from mlscaffold.score.read import index
from mlscaffold.score.judge.rules import LIST_ONLY, RULES

opened = []
sys.addaudithook(lambda e, a: opened.append(str(a[0])) if e == "open" and a else None)
report = engine.score_repo(sys.argv[1], select=["DE002"])
idx = index.RepoIndex(sys.argv[1])
for name in sorted(LIST_ONLY):
    RULES[name](idx, {})
print(json.dumps({
    "opened_code": sorted(p for p in opened if p.endswith(".py") and sys.argv[1] in p),
    "notes": [n.message for n in report.notes],
    "content_read": "_content" in idx.__dict__,
    "list_only": sorted(LIST_ONLY),
}))
"""


def test_checks_that_read_no_contents_do_not_start_the_content_pass(tmp_path: Path) -> None:
    """`--select` of checks that judge from the file list alone reads no code and reports
    nothing about files it did not need (a binary module, here)."""
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
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nRUN pip install .\n")
    result = json.loads(_python(LIST_ONLY, tmp_path))
    # DE001 reads code (nothing served makes it not applicable), so it is not among them.
    assert "ci_runs_checks" in result["list_only"]
    assert "container_defined" not in result["list_only"]
    assert result["content_read"] is False
    # Only the test files the test rule reads by name (never the production modules).
    assert all("/tests/" in p for p in result["opened_code"]), result["opened_code"]
    assert not any("binary" in n for n in result["notes"])


NOTEBOOK_READS = r"""
import json, sys
from mlscaffold.score.judge import engine

opened = []
sys.addaudithook(lambda e, a: opened.append(str(a[0])) if e == "open" and a else None)
engine.score_repo(sys.argv[1])
print(json.dumps(sorted(p for p in opened if p.endswith(".ipynb"))))
"""


def test_a_notebook_is_read_once_whatever_the_checks_ask(tmp_path: Path) -> None:
    # MO007 (seeds), MO004 (saved model files) and the content pass all want a notebook's
    # code; a large notebook's JSON cost most of MO007's time when parsed again.
    cell = {
        "cell_type": "code",
        "source": ["import numpy as np\n", "np.random.seed(0)\n", "model.fit(X, y)\n",
                   "joblib.dump(model, 'models/m.pkl')\n"],
        "outputs": [{"output_type": "display_data", "data": {"image/png": "A" * 2_000_000}}],
    }  # fmt: skip
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "train.ipynb").write_text(json.dumps({"cells": [cell]}))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "serve.py").write_text("import joblib\nm = joblib.load('models/m.pkl')\n")
    opened = json.loads(_python(NOTEBOOK_READS, tmp_path))
    assert len(opened) == 1, opened
