"""Ctrl-C at random moments of `mlscaffold update`: the project is always recoverable with the
command the tool prints (update refuses a dirty tree, so the last commit is the way back)."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from upd_helpers import (
    apply_user_edits,
    base_env,
    commit_all,
    generate,
    git,
    make_template_repo,
    release_v2,
)

TRIALS = int(os.environ.get("MLSCAFFOLD_INTERRUPT_TRIALS", "6"))


def _work_tree(root: Path) -> dict[str, bytes]:
    """Every file outside .git, with its bytes (git's own bookkeeping may change)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.mark.slow
def test_interrupted_update_is_recoverable_with_the_printed_command(tmp_path: Path) -> None:
    template = make_template_repo(tmp_path / "template-repo")
    env = base_env(tmp_path / "home", template)
    project = generate(tmp_path / "proj", env)
    apply_user_edits(project)
    commit_all(project, "our edits")
    release_v2(template)
    before = _work_tree(project)

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mlscaffold", "update", "--dry-run"],
        cwd=project,
        env=env,
        capture_output=True,
        check=False,
        timeout=300,
    )
    duration = time.perf_counter() - start
    rng = random.Random(7)  # noqa: S311 - reproducible timing, not security
    interrupted = 0
    for _trial in range(TRIALS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlscaffold", "update"],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.2, duration * 0.9))
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=300)
        assert "Traceback" not in err, err[-2000:]
        if proc.returncode == 130:
            interrupted += 1
            match = re.search(r"^  (git -C .+ reset --hard && git -C .+ clean -fd)$", err, re.M)
            if match:  # interrupted inside the merge: follow the printed advice, literally
                subprocess.run(match.group(1), shell=True, check=True, cwd=tmp_path)  # noqa: S602
                assert git(project, "status", "--porcelain") == ""
        # whatever happened, the last commit is the pre-update state
        git(project, "reset", "--hard", "--quiet")
        git(project, "clean", "-fdxq")  # -x: nothing the update wrote may stay, ignored or not
        assert git(project, "status", "--porcelain") == ""
        assert _work_tree(project) == before
    assert interrupted >= 1
