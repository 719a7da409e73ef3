"""The pre-commit hook (.pre-commit-hooks.yaml) as a user of another repository runs it.

`pre-commit try-repo` clones the hook repository at HEAD, so the working tree is first copied
into a temp git repository and committed. pre-commit then builds its own virtualenv and pip-
installs mlscaffold into it (once per test session: PRE_COMMIT_HOME is shared by both runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, make_tree
from tests.score import snippets as s

HOOKS = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c",
       "commit.gpgsign=false", "-c", "init.defaultBranch=main"]  # fmt: skip


def test_hook_manifest() -> None:
    assert isinstance(HOOKS, list) and len(HOOKS) == 1
    hook = HOOKS[0]
    assert hook["id"] == "mlscaffold-score"
    assert hook["name"]
    assert hook["entry"] == "mlscaffold score"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False  # the score reads the whole repository
    assert hook["always_run"] is True


def _git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, timeout=120)


def _commit_all(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--no-verify", "-m", message)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """The working tree (tracked and new files, not ignored ones) committed to a temp repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    dest = tmp_path_factory.mktemp("hook-repo")
    for rel in filter(None, listed):
        src = REPO_ROOT / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, "init", "-q")
    _commit_all(dest, "snapshot of the working tree")
    return dest


def _try_repo(hook_repo: Path, target: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        ["pre-commit", "try-repo", str(hook_repo), "mlscaffold-score", "--all-files", "--verbose"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.mark.slow
def test_try_repo_passes_then_fails_under_a_minimum(hook_repo, tmp_path) -> None:
    target = make_tree(
        tmp_path / "ml-project",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n## Problem statement\n\nWe predict which customers "
            "will cancel next month so retention can call them.\n",
        },
    )
    _git(target, "init", "-q")
    _commit_all(target, "initial")
    home = tmp_path / "pre-commit-home"

    passed = _try_repo(hook_repo, target, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "mlscaffold score" in passed.stdout and "Passed" in passed.stdout
    assert "SCOPING" in passed.stdout  # --verbose shows the real report: the hook scored

    (target / ".mlscaffold.toml").write_text("fail_under = 100\n", encoding="utf-8")
    _commit_all(target, "require a perfect score")
    failed = _try_repo(hook_repo, target, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "below the minimum 100" in failed.stdout
