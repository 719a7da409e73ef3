"""Adopt is atomic: Ctrl-C at any moment, or a failing write, leaves the repository as it was,
or (a Ctrl-C during the final moves, held until they end) fully adopted; never half-way."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlscaffold.errors import PathError
from mlscaffold.generate.adopt import apply as apply_mod
from mlscaffold.generate.adopt.model import Change
from tests.adopt.repos import git, notebook_project
from tests.adopt.test_adopt_cli import work_tree
from tests.conftest import run_cli

TRIALS = int(os.environ.get("MLSCAFFOLD_INTERRUPT_TRIALS", "6"))


def _state(repo: Path) -> tuple[dict[str, bytes], str]:
    return work_tree(repo), git(repo, "ls-files")


def _restore(repo: Path) -> None:
    git(repo, "reset", "--hard", "--quiet")
    git(repo, "clean", "-fdxq")


@pytest.mark.slow
def test_ctrl_c_leaves_the_repository_before_or_after_never_between(tmp_path: Path) -> None:
    repo = notebook_project(tmp_path / "explore")
    before = _state(repo)
    start = time.perf_counter()
    full = run_cli("adopt", str(repo))
    duration = time.perf_counter() - start
    assert full.returncode == 0, full.stderr
    after = _state(repo)
    assert after != before
    _restore(repo)
    assert _state(repo) == before
    rng = random.Random(16)  # noqa: S311 - reproducible timing, not security
    outcomes = []
    for trial in range(TRIALS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlscaffold", "adopt", str(repo)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        # Every other trial aims at the end, where the files move and the repository is re-scored.
        low = 0.2 if trial % 2 else max(0.2, duration * 0.7)
        time.sleep(rng.uniform(low, duration))
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=300)
        assert "Traceback" not in err, err[-2000:]
        state = _state(repo)
        assert state in (before, after), f"half-adopted after exit {proc.returncode}: {err}"
        if proc.returncode == 130:
            assert err.strip().splitlines()[-1] == "mlscaffold: interrupted"
        elif proc.returncode == -signal.SIGINT:
            pass  # the signal came before the interpreter's handler, or during its shutdown
        else:
            assert proc.returncode == 0 and state == after, (proc.returncode, err[-2000:])
        leftovers = list((repo / ".git").glob("mlscaffold-adopt-*"))
        assert leftovers == []
        outcomes.append((proc.returncode, state == before))
        _restore(repo)
    assert any(code == 130 for code, _ in outcomes), outcomes


def test_a_failing_move_puts_everything_back(tmp_path: Path, monkeypatch) -> None:
    repo = notebook_project(tmp_path / "explore")
    (repo / "docs").mkdir()
    (repo / "docs/keep.md").write_text("# ours\n")
    before = work_tree(repo)
    changes = [
        Change("docs/keep.md", "# ours\n", "# ours\n\nmore\n", ("SC001",)),
        Change("docs/new/charter.md", None, "# charter\n", ("SC001",)),
        Change(".github/workflows/ci.yml", None, "name: ci\n", ("DE002",)),
    ]
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("ci.yml"):
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(apply_mod.os, "replace", failing_replace)
    with pytest.raises(PathError, match="No space left on device"):
        apply_mod.apply_changes(repo, changes, ["data/customers.csv"])
    monkeypatch.setattr(apply_mod.os, "replace", real_replace)
    assert work_tree(repo) == before
    assert not (repo / "docs/new").exists() and not (repo / ".github").exists()
    assert "data/customers.csv" in git(repo, "ls-files")  # the index was not touched
    assert list((repo / ".git").glob("mlscaffold-adopt-*")) == []


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("masks", [True, False], ids=["signal-mask", "no-signal-mask"])
def test_a_ctrl_c_held_while_staging_is_made_removes_it(
    tmp_path: Path, monkeypatch, masks: bool, signum: str
) -> None:
    """CI once found .git/mlscaffold-adopt-* after a Ctrl-C: the signal held during mkdtemp was
    delivered as the mask lifted, before the cleanup's try began."""
    repo = notebook_project(tmp_path / "explore")
    before = work_tree(repo)
    if not masks:
        monkeypatch.delattr(signal, "pthread_sigmask")
    real_mkdtemp = apply_mod.tempfile.mkdtemp

    def mkdtemp_then_ctrl_c(*args, **kwargs):
        made = real_mkdtemp(*args, **kwargs)
        signal.raise_signal(getattr(signal, signum))
        return made

    monkeypatch.setattr(apply_mod.tempfile, "mkdtemp", mkdtemp_then_ctrl_c)
    changes = [Change("docs/charter.md", None, "# charter\n", ("SC001",))]
    with pytest.raises(KeyboardInterrupt):
        apply_mod.apply_changes(repo, changes, [])
    assert work_tree(repo) == before
    assert list((repo / ".git").glob("mlscaffold-adopt-*")) == []


def test_an_original_that_cannot_be_put_back_is_kept(tmp_path: Path, monkeypatch) -> None:
    """When the rollback itself fails, the staging folder holds the only copy of the user's
    file: it is kept, and the error says where."""
    repo = notebook_project(tmp_path / "explore")
    (repo / "docs").mkdir()
    (repo / "docs/keep.md").write_text("# ours\n")
    changes = [
        Change("docs/keep.md", "# ours\n", "# ours\n\nmore\n", ("SC001",)),
        Change(".github/workflows/ci.yml", None, "name: ci\n", ("DE002",)),
    ]
    real_replace = os.replace

    def failing_replace(src, dst):
        restoring = str(dst).endswith("docs/keep.md") and "/old/" in str(src)
        if str(dst).endswith("ci.yml") or restoring:
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(apply_mod.os, "replace", failing_replace)
    with pytest.raises(PathError, match="nor put back 1 file"):
        apply_mod.apply_changes(repo, changes, [])
    monkeypatch.setattr(apply_mod.os, "replace", real_replace)
    kept = list((repo / ".git").glob("mlscaffold-adopt-*/old/*"))
    assert [k.read_text() for k in kept] == ["# ours\n"]


def test_writing_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    repo = notebook_project(tmp_path / "explore")
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "docs").symlink_to(outside)
    git(repo, "add", "docs")
    git(repo, "commit", "-qm", "a link")
    out = run_cli("adopt", str(repo))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "symbolic link" in out.stderr and "Traceback" not in out.stderr
    assert list(outside.iterdir()) == []
