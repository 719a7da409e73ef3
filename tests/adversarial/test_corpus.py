"""Every adversarial case, with the same invariants: the scorer finishes in bounded time,
exits 0 or 1 (never 3), writes a report that validates, notes what it skipped, opens nothing
outside the repository (audit hook), starts no process and executes nothing (marker file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

import mlscaffold
from mlscaffold.resources import data_dir, schema_path
from tests.adversarial.corpus import CASES, SLOW, remove_deep_tree

HERE = Path(__file__).resolve().parent
REPORT_SCHEMA = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))
TIME_BOUND = {"many_files": 180.0}
DEFAULT_BOUND = 60.0


def _allowed_prefixes(*extra: Path) -> tuple[str, ...]:
    """Where the scorer may legitimately read: the Python installation (imports), mlscaffold
    itself and its shipped checklist, its own cache folder, and the paths given on the
    command line."""
    from mlscaffold.score.read.cache import cache_dir

    bases = {
        str(cache_dir()),
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(os.path.dirname(mlscaffold.__file__)),
        str(data_dir("checklist")),
    }
    bases |= {p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p}
    return tuple(os.path.realpath(b) for b in bases) + tuple(str(p) for p in extra)


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES],
)
def test_adversarial_case(name: str, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    marker = tmp_path / "MARKER"
    root.mkdir()
    outside.mkdir()
    CASES[name](root, outside, marker)
    try:
        _run_and_check(name, root, marker, tmp_path)
    finally:
        if name == "deep_tree":
            remove_deep_tree(root)


def _run_and_check(name: str, root: Path, marker: Path, tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    log_path = tmp_path / "audit.json"
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "audited_score.py"),
            str(root),
            str(report_path),
            str(log_path),
        ],
        capture_output=True,
        text=True,
        timeout=TIME_BOUND.get(name, DEFAULT_BOUND) * 2,
        stdin=subprocess.DEVNULL,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    elapsed = time.perf_counter() - started
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert elapsed < TIME_BOUND.get(name, DEFAULT_BOUND), f"{name} took {elapsed:.1f} s"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    jsonschema.validate(report, REPORT_SCHEMA)
    assert not marker.exists(), "repository code was executed"
    audit = json.loads(log_path.read_text(encoding="utf-8"))
    assert audit["spawned"] == [], "the scorer started or forked a process"
    allowed = _allowed_prefixes(root, report_path, log_path)
    escaped = [
        p
        for p, flags in audit["opened"]
        if not _resolved(p, flags).startswith(allowed) and p not in ("", ".")
    ]
    assert escaped == [], f"opened outside the repository: {escaped[:5]}"
    EXPECT_NOTES[name](report)
    text = json.dumps(report)
    assert "Q3EGRY7T2LMXAB4Z" not in text and "k" * 100 not in text  # no secret echoed


def _resolved(path: str, flags: int) -> str:
    """Where an open lands. With O_NOFOLLOW the kernel refuses a link in the last component,
    so only the directory part is resolved."""
    if flags != -1 and flags & os.O_NOFOLLOW:
        return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    return os.path.realpath(path)


def _notes(report: dict) -> str:
    return "\n".join(f"{n['path']}: {n['message']}" for n in report["notes"])


def _expect_symlinks(report: dict) -> None:
    notes = _notes(report)
    assert "symbolic link(s) not followed" in notes
    status = {f["id"]: f["status"] for f in report["findings"]}
    assert status["DE008"] == "pass"  # the secret behind train.py was never read
    assert status["SC001"] == "fail" and status["MO010"] == "fail"


def _expect_special(report: dict) -> None:
    notes = _notes(report)
    for name in ("params.yaml", "data/train.csv", "requirements.txt", "serve.py", "model.pt"):
        assert f"{name}: not a regular file" in notes, name


def _expect_deep(report: dict) -> None:
    assert "deeper than" in _notes(report)


def _expect_many(report: dict) -> None:
    assert report["files_scanned"] >= 100_000


def _expect_huge(report: dict) -> None:
    notes = _notes(report)
    assert "model.py: larger than" in notes and "oneline.py: larger than" in notes
    da002 = next(f for f in report["findings"] if f["id"] == "DA002")
    assert da002["status"] == "fail" and "data/big.csv" in da002["reason"]


def _expect_binary(report: dict) -> None:
    notes = _notes(report)
    assert "train.py: binary content" in notes
    assert "name is not valid UTF-8; skipped" in notes


def _expect_malformed(report: dict) -> None:
    notes = _notes(report)
    for path in ("configs/deep.yaml", "configs/deep.json", "notebooks/bad.ipynb", "pyproject.toml"):
        assert f"{path}: malformed" in notes, path


def _expect_bombs(report: dict) -> None:
    assert "configs/evil.yaml: malformed" in _notes(report)


def _expect_nothing(report: dict) -> None:
    deps = next(f for f in report["findings"] if f["id"] == "MO006")
    assert deps["status"] == "pass"  # setup.py read as text: install_requires found


def _expect_gitignore(report: dict) -> None:
    paths = {e["path"] for f in report["findings"] for e in f["evidence"]}
    assert not any(p.startswith("src/gen") for p in paths)  # ignored by gen*_*.py


def _expect_markdown(report: dict) -> None:
    de008 = next(f for f in report["findings"] if f["id"] == "DE008")
    assert de008["status"] == "fail"


EXPECT_NOTES = {
    "symlinks": _expect_symlinks,
    "special_files": _expect_special,
    "deep_tree": _expect_deep,
    "many_files": _expect_many,
    "sparse_and_huge": _expect_huge,
    "binary_and_bad_text": _expect_binary,
    "malformed_structured": _expect_malformed,
    "yaml_bombs": _expect_bombs,
    "executes_nothing": _expect_nothing,
    "pathological_gitignore": _expect_gitignore,
    "hostile_markdown_and_secrets": _expect_markdown,
}


def test_every_case_has_expectations() -> None:
    assert set(EXPECT_NOTES) == set(CASES)
