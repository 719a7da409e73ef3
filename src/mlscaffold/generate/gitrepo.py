"""The git calls that ``update`` and ``adopt`` make in the user's own repository.

Both commands change files a person must review, so both insist on a committed tree first: the
last commit is then always the way back. (``score`` never runs git: it reads untrusted
repositories, whose git config could run commands.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from mlscaffold.errors import TemplateError, UsageError


def git(
    *args: str, cwd: Path, check: bool = True, text: bool = True
) -> subprocess.CompletedProcess:
    """Run git with arguments built here (no shell), outside any caller's GIT_* environment.
    ``text=False``: the output as bytes (a file's content, compared byte for byte)."""
    exe = shutil.which("git")
    if exe is None:
        raise TemplateError("git is needed here but is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(  # noqa: S603 - git with arguments built here, no shell
        [exe, *args], cwd=cwd, env=env, capture_output=True, text=text, check=False
    )
    if check and done.returncode != 0:
        stderr = done.stderr if text else done.stderr.decode("utf-8", "replace")
        detail = " ".join(stderr.split()) or f"exit {done.returncode}"
        raise TemplateError(f"git {args[0]} failed in {cwd}: {detail}")
    return done


def committed_top_level(path: Path, purpose: str) -> Path:
    """The git top level of ``path``, refusing a path outside git or a tree with changes.

    ``purpose`` ends the refusal's sentence: "commit it to git first so that {purpose}".
    """
    top = git("rev-parse", "--show-toplevel", cwd=path, check=False)
    if top.returncode != 0:
        raise UsageError(f"{path} is not in a git repository; commit it to git first so {purpose}")
    # --no-optional-locks: only look; a plain `git status` may rewrite the index.
    dirty = git("--no-optional-locks", "status", "--porcelain", cwd=path).stdout.splitlines()
    if dirty:
        raise UsageError(
            f"{path} has uncommitted changes ({len(dirty)} path(s), e.g. "
            f"{dirty[0][3:]}); commit or stash them first"
        )
    return Path(top.stdout.strip())
