"""mlscaffold as a repo-review plugin: its entry points, and repo-review's own CLI running the
ML checks on a real tree."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys

import pytest

from mlscaffold.score.judge.checklist import load_checklist
from tests.score import snippets as s

REPO_REVIEW = shutil.which("repo-review")


def _entry_points(group: str) -> dict[str, str]:
    return {ep.name: ep.value for ep in importlib.metadata.entry_points(group=group)}


def test_entry_points_name_the_plugin() -> None:
    assert _entry_points("repo_review.checks")["mlscaffold"] == (
        "mlscaffold.score.repo_review:repo_review_checks"
    )
    assert _entry_points("repo_review.families")["mlscaffold"] == (
        "mlscaffold.score.repo_review:repo_review_families"
    )
    assert "mlscaffold_report" in _entry_points("repo_review.fixtures")


def test_checks_follow_repo_reviews_protocol(tree) -> None:
    from mlscaffold.score.repo_review import (
        mlscaffold_report,
        repo_review_checks,
        repo_review_families,
    )

    checks = repo_review_checks()
    assert set(checks) == {c.id for c in load_checklist()}
    families = repo_review_families()
    for check_id, check in checks.items():
        assert (
            check.family in families
            and check.__doc__
            and check.url.endswith(check_id.lower() + "-" + load_checklist().get(check_id).name)
        )
    assert checks["DE005"].requires == {"DE004"}
    root = tree({**s.SERVING, "README.md": "# x\n", "src/churn/serve.py": s.SERVE_COPY})
    report = mlscaffold_report(root)
    assert checks["MO003"].check(report) is True  # a pipeline of steps
    message = checks["DE005"].check(report)
    assert isinstance(message, str) and "src/churn/serve.py" in message  # reason, where, fix
    assert checks["DE001"].check(None) is None  # not a folder on disk (gh:org/repo): skipped


def test_importing_the_plugin_loads_neither_repo_review_nor_the_scorer() -> None:
    code = (
        "import sys, mlscaffold.score.repo_review, mlscaffold.cli;"
        "bad = [m for m in sys.modules if m.startswith(('repo_review', 'mlscaffold.score.read'))];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(REPO_REVIEW is None, reason="repo-review[cli] is a test dependency")
def test_repo_review_runs_the_ml_checks(tree) -> None:
    root = tree(
        {
            **s.SERVING,
            "README.md": "# Churn\n\n## Problem statement\n\nWe predict which customers "
            "will cancel next month so retention can call them.\n",
            "requirements.txt": "pandas==2.2.3\n",
        }
    )
    done = subprocess.run(
        [REPO_REVIEW, str(root), "--format", "json", "--select", "SC,DE,MO"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr  # repo-review's code for "some checks fail"
    result = json.loads(done.stdout)
    assert result["status"] == "errors"
    assert {"mlscaffold-scoping", "mlscaffold-deployment"} <= set(result["families"])
    checks = result["checks"]
    assert checks["SC001"]["result"] is True and checks["MO003"]["result"] is True
    assert checks["DE001"]["result"] is False
    assert "Dockerfile" in checks["DE001"]["err_msg"]
    assert checks["SC001"]["description"] == load_checklist().get("SC001").title
