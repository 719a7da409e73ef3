"""The incremental cache: an unchanged repository is re-scored from it with the same report,
a changed file is read again, and a missing, corrupt or hostile cache is ignored."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.conftest import make_tree, run_cli

FILES = {
    "README.md": "# Churn\n\n## Problem statement\n\nWe predict who leaves next month.\n",
    "src/churn/train.py": "import logging\nfrom sklearn.linear_model import LogisticRegression\n\n"
    "def train(X, y):\n    return LogisticRegression(random_state=0).fit(X, y)\n",
    "configs/train.yaml": "seed: 0\nlr: 0.1\n",
    "docs/data.md": "# Data\n\n## Data sources\n\nThe CRM export, refreshed nightly.\n",
    # Read by the content pass alone (no check reads them again): from the cache once seen.
    "notes/misc.md": "# Miscellaneous\n\nAssorted remarks.\n",
    "src/churn/util.py": "import os\n\nHOME = os.environ.get('HOME')\n",
}


def _settle(root: Path) -> None:
    """Date every file (or one) a minute back: files younger than two seconds are never
    cached. (This changes their change time, which the cache keys on too.)"""
    past = time.time() - 60
    for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
        os.utime(path, (past, past), follow_symlinks=False)


def _score(root: Path, cache: Path, *extra: str) -> dict:
    proc = run_cli("score", str(root), "-f", "json", *extra,
                   env={"MLSCAFFOLD_CACHE_DIR": str(cache)})  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    for volatile in ("generated_at", "duration_seconds"):
        report.pop(volatile)
    return report


def _in_process(script: str, repo: Path, cache: Path):
    """The JSON the script prints last, run in a fresh interpreter against ``repo`` with
    ``cache`` as the cache folder (what it imports or opens is seen from inside)."""
    import subprocess
    import sys

    env = {**os.environ, "MLSCAFFOLD_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", script, str(repo)], capture_output=True,
                         text=True, check=True, env=env)  # fmt: skip
    return json.loads(out.stdout.splitlines()[-1])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_tree(tmp_path / "repo", FILES)
    _settle(root)
    return root


def test_an_unchanged_repository_is_scored_again_from_the_cache(repo: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    first = _score(repo, cache)
    assert sorted(p.name.rsplit(".", 2)[1] for p in cache.iterdir()) == ["facts", "report"]
    # The verdicts come back from the cache: poison the facts file to prove it is not read.
    (facts,) = cache.glob("*.facts.json")
    facts.write_text("not json")
    assert _score(repo, cache) == first
    assert _score(repo, cache, "--no-cache") == first


def test_verdicts_from_the_cache_load_no_rule(repo: Path, tmp_path: Path):
    """A run whose verdicts all come from the cache judges nothing, so it never imports the
    rules (a fifth of a warm run's time beyond the walk); the next cold run still finds
    every pattern (rules loaded before the content pass)."""
    cache = tmp_path / "cache"
    first = _score(repo, cache)
    script = (
        "import sys, json\n"
        "from mlscaffold.cli import main\n"
        "main(['score', sys.argv[1], '-f', 'json', '-o', '/dev/null'])\n"
        "print(json.dumps(sorted(m for m in sys.modules if '.judge.rules' in m)))\n"
    )
    assert _in_process(script, repo, cache) == []
    (repo / "README.md").write_text(FILES["README.md"] + "\nMore words.\n")
    _settle(repo / "README.md")
    assert "mlscaffold.score.judge.rules.facts" in _in_process(script, repo, cache)
    again = _score(repo, cache)
    assert [f["status"] for f in again["findings"]] == [f["status"] for f in first["findings"]]


def test_a_changed_file_is_read_again(repo: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    before = {f["id"]: f["status"] for f in _score(repo, cache)["findings"]}
    assert before["DE008"] == "pass"
    key = "AKIA" + "Q3EGRY7T2LMXAB4Z"
    (repo / "configs" / "train.yaml").write_text(f"seed: 0\nlr: 0.1\naws_key: {key}\n")
    _settle(repo)
    after = {f["id"]: f for f in _score(repo, cache)["findings"]}
    assert after["DE008"]["status"] == "fail"
    assert key not in json.dumps(after)  # redacted, from the cache or not
    (repo / "configs" / "train.yaml").unlink()  # and a removed file is forgotten
    assert {f["id"]: f["status"] for f in _score(repo, cache)["findings"]}["DE008"] == "pass"


def test_unchanged_files_are_not_read_when_another_changed(repo: Path, tmp_path: Path):
    """Only the changed file is read again by the content pass: its neighbours' facts come
    from the cache (checks still open the few files they parse themselves)."""
    cache = tmp_path / "cache"
    _score(repo, cache)
    (repo / "README.md").write_text(FILES["README.md"] + "\nMore words.\n")
    _settle(repo / "README.md")
    script = (
        "import sys, json\n"
        "opened = []\n"
        "sys.addaudithook(lambda e, a: opened.append(str(a[0])) if e == 'open' and a else None)\n"
        "from mlscaffold.cli import main\n"
        "main(['score', sys.argv[1], '-f', 'json', '-o', '/dev/null'])\n"
        "print(json.dumps([p for p in opened if p.startswith(sys.argv[1])]))\n"
    )
    opened = {os.path.relpath(p, repo) for p in _in_process(script, repo, cache)}
    assert "README.md" in opened
    assert "notes/misc.md" not in opened and "src/churn/util.py" not in opened


@pytest.mark.parametrize(
    "poison",
    [
        b"\x00\xff garbage",
        b'{"format": 1, "files": {"README.md": [1, 2, 3]}}',
        b"[" * 100_000,
        "HOSTILE",  # a well-formed file whose entries lie about their content
    ],
)
def test_a_corrupt_or_hostile_cache_is_ignored(repo: Path, tmp_path: Path, poison):
    cache = tmp_path / "cache"
    clean = _score(repo, cache, "--no-cache")
    _score(repo, cache)
    for path in cache.glob("*.json"):
        if poison == "HOSTILE":
            doc = json.loads(path.read_text())
            if "files" in doc:  # out-of-range pattern indices, wrong types, nested junk
                for entry in doc["files"].values():
                    entry[6] = [[10_000, "x", 3]]
                    entry[8] = [{"__class__": "os.system"}]
            else:
                doc["findings"] = [{"id": "DE008", "status": "pass", "reason": 3, "evidence": 1}]
            path.write_text(json.dumps(doc))
        else:
            path.write_bytes(poison)
    assert _score(repo, cache) == clean


def test_a_repository_is_never_given_a_cache_inside_itself(repo: Path):
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    _score(repo, repo / ".cache")
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")) == before


def test_files_written_just_now_are_not_trusted_to_the_cache(tmp_path: Path):
    """A file edited within its time stamp's resolution could change unseen: a tree with one
    is scored in full and its verdicts are not kept."""
    root = make_tree(tmp_path / "fresh", FILES)
    cache = tmp_path / "cache"
    _score(root, cache)
    assert not list(cache.glob("*.report.json"))
