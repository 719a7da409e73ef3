"""Shared test helpers: build file trees in temp dirs and drive the real CLI."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

# A shell that starts the tests as a background job ignores SIGINT in them, and an ignored
# signal stays ignored in every process they start: the Ctrl-C tests would test nothing.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# `mlscaffold score` keeps a cache in the user's cache folder: the tests keep theirs apart,
# in a folder made here and removed when this process ends (each xdist worker has its own).
if "MLSCAFFOLD_CACHE_DIR" not in os.environ:
    _TEST_CACHE = tempfile.mkdtemp(prefix="mlscaffold-test-cache-")
    os.environ["MLSCAFFOLD_CACHE_DIR"] = _TEST_CACHE
    atexit.register(shutil.rmtree, _TEST_CACHE, ignore_errors=True)


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root`` and return root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def build_wheel(source: Path, out: Path) -> Path:
    """Build mlscaffold's wheel from ``source`` into ``out`` (no isolation: offline)."""
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)]
    done = subprocess.run(
        [*command, str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (wheel,) = out.glob("mlscaffold-*.whl")
    return wheel


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    stdin=subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mlscaffold ARGS`` in a subprocess, as a user would."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mlscaffold", *args],
        cwd=cwd,
        env=full_env,
        text=True,
        capture_output=True,
        timeout=timeout,
        stdin=stdin,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path):
    def build(files: dict[str, str | bytes], name: str = "repo") -> Path:
        return make_tree(tmp_path / name, files)

    return build
