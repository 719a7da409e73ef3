"""Generation under hostile input: answers that try to inject templates or escape DEST, and
Ctrl-C at random moments. Nothing may be written outside DEST and nothing half-made may stay."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli

INTERRUPT_TRIALS = int(os.environ.get("MLSCAFFOLD_INTERRUPT_TRIALS", "16"))


def _in_interpreter_startup(err: str) -> bool:
    """A traceback all of whose frames are CPython's start-up (site, runpy, importlib) or the
    package's one-line `__init__`: the signal landed before any mlscaffold code could run, and
    reporting it is the interpreter's. How long that window lasts varies with the machine's
    load (up to 0.05 s measured here with two test workers), so no sleep can avoid it."""
    frames = [line for line in err.splitlines() if line.lstrip().startswith('File "')]
    ours = [f for f in frames if f"{os.sep}mlscaffold{os.sep}" in f and "__init__.py" not in f]
    return bool(frames) and not ours and err.rstrip().endswith("KeyboardInterrupt")


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize(
    "key, value",
    [
        ("project_name", "{{ 7*7 }}"),
        ("project_name", "../escape"),
        ("project_name", "a/b"),
        ("project_name", "x" * 500),
        ("project_name", "line\nbreak"),
        ("package_name", "../../pkg"),
        ("package_name", "os"),  # would shadow the standard library: still a valid identifier?
        ("package_name", "pkg/../../x"),
        ("package_name", "{% include '/etc/passwd' %}"),
        ("package_name", "é"),
        ("python_version", "3.11; rm -rf /"),
        ("serving", "rest\nmonitoring: false"),
    ],
)
def test_hostile_answers_are_rejected(tmp_path: Path, key: str, value: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    before = _snapshot(tmp_path)
    out = run_cli("new", "proj", "--defaults", "--data", f"{key}={value}", cwd=work)
    if key == "package_name" and value == "os":
        assert out.returncode == 0  # a valid identifier; it lives under src/ so it is inert
        return
    assert out.returncode == 2, out.stdout + out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert _snapshot(tmp_path) == before | {"work"} - {"work"} or _snapshot(tmp_path) == before


@pytest.mark.parametrize("key", ["description", "author"])
@pytest.mark.parametrize(
    "value",
    [
        "{{ 7*7 }}",
        "{% include '/etc/passwd' %}",
        "{{ ''.__class__.__mro__ }}",
        "a\nb = 'c'\n[x]",
        "\"quote' and \\ backslash",
        "../../../etc/passwd",
        "é日本語 " * 20,
    ],
)
def test_free_text_answers_render_inert(tmp_path: Path, key: str, value: str) -> None:
    out = run_cli(
        "new",
        str(tmp_path / "proj"),
        "--defaults",
        "--data",
        f"{key}={value}",
        "--data",
        "project_name=churn",
    )
    if out.returncode == 2:  # refused with one line: acceptable for multi-line values
        assert len(out.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "proj").exists()
        return
    assert out.returncode == 0, out.stderr
    assert _snapshot(tmp_path) - {p for p in _snapshot(tmp_path) if p.startswith("proj")} == set()
    texts = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (tmp_path / "proj").rglob("*")
        if p.is_file()
    )
    assert "49" not in texts.replace("2049", "") or "{{ 7*7 }}" not in value
    assert "root:x:0:0" not in texts  # /etc/passwd was not included
    assert "<class" not in texts
    import tomllib

    tomllib.loads((tmp_path / "proj" / "pyproject.toml").read_text(encoding="utf-8"))
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "-q", str(tmp_path / "proj")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout


def _complete(project: Path) -> bool:
    needed = (".copier-answers.yml", "pyproject.toml", "docs/charter.md", "tests/conftest.py")
    return all((project / rel).is_file() for rel in needed)


def test_interrupts_at_random_moments_leave_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261123)  # noqa: S311 - reproducible timing, not security
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    # Before the interpreter has started, a Ctrl-C is CPython's to report, not mlscaffold's.
    interpreter = time.perf_counter() - start
    start = time.perf_counter()
    assert run_cli("new", str(tmp_path / "timing"), "--defaults").returncode == 0
    duration = time.perf_counter() - start
    outcomes = {"interrupted": 0, "finished": 0}
    env = {**os.environ, "NO_COLOR": "1"}
    for trial in range(INTERRUPT_TRIALS):
        parent = tmp_path / f"t{trial}"
        parent.mkdir()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlscaffold", "new", "proj", "--defaults"],
            cwd=parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        time.sleep(rng.uniform(max(0.05, interpreter), duration * 0.8))
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=120)
        left = sorted(p.name for p in parent.iterdir())
        if _in_interpreter_startup(err):
            outcomes["interrupted"] += 1
            assert left == [], f"trial {trial}: left {left} (interrupted in start-up)"
            continue
        assert "Traceback" not in err, err[-1500:]
        if left == ["proj"]:  # finished (perhaps interrupted just after): complete, not partial
            outcomes["finished"] += 1
            assert _complete(parent / "proj"), f"trial {trial}: partial project left"
        else:
            outcomes["interrupted"] += 1
            assert proc.returncode in (130, -signal.SIGINT), err
            assert left == [], f"trial {trial}: left {left} (exit {proc.returncode})"
    assert outcomes["interrupted"] >= INTERRUPT_TRIALS // 4, outcomes  # the test bites
