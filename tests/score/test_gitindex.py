"""``.git/index`` is read without git, agrees with ``git ls-files``, and survives any bytes."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlscaffold.score.read.gitindex import parse_index, tracked_paths
from mlscaffold.score.read.walk import walk_repo

FILES = {
    "README.md": "# r\n",
    "src/pkg/__init__.py": "",
    "src/pkg/train.py": "print(1)\n",
    "src/pkg/very/deep/nested/module_with_a_long_name.py": "x = 1\n",
    "data/raw/sample.csv": "a,b\n1,2\n",
    "models/model.pkl": "not really a pickle\n",
    "ünïcode/naïve.txt": "é\n",
    ".github/workflows/ci.yml": "on: push\n",
    ".gitignore": "data/\n*.pkl\n",
}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        ["git", "-c", "user.email=t@e", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout


def _repo(tmp_path: Path, version: int, object_format: str = "sha1") -> Path:
    repo = tmp_path / f"v{version}-{object_format}"
    repo.mkdir()
    _git(repo, "init", "-q", f"--object-format={object_format}")
    for rel, text in FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    (repo / "link").symlink_to("README.md")
    _git(repo, "add", "-A")
    _git(repo, "add", "-f", "data/raw/sample.csv", "models/model.pkl")
    if version == 3:  # an extended flag (skip-worktree) makes git write version 3
        _git(repo, "update-index", "--skip-worktree", "src/pkg/train.py")
    _git(repo, "update-index", f"--index-version={version}")
    return repo


def _ls_files(repo: Path) -> set[str]:
    out = _git(repo, "-c", "core.quotePath=false", "ls-files", "-s", "-z")
    return {
        line.split("\t", 1)[1]
        for line in out.split("\0")
        if line and line.startswith("100")  # regular files, not links (120000) or submodules
    }


@pytest.mark.parametrize("version", [2, 3, 4])
def test_index_versions_agree_with_git_ls_files(tmp_path: Path, version: int) -> None:
    repo = _repo(tmp_path, version)
    raw = (repo / ".git" / "index").read_bytes()
    assert int.from_bytes(raw[4:8], "big") == version
    expected = _ls_files(repo)
    assert "models/model.pkl" in expected and "link" not in expected
    assert parse_index(raw) == expected
    assert tracked_paths(str(repo)) == expected
    assert tracked_paths(str(repo / "src")) == {
        p.removeprefix("src/") for p in expected if p.startswith("src/")
    }


def test_sha256_repositories_are_read(tmp_path: Path) -> None:
    try:
        repo = _repo(tmp_path, 2, "sha256")
    except subprocess.CalledProcessError:
        pytest.skip("this git cannot create SHA-256 repositories")  # pragma: no cover
    assert parse_index((repo / ".git" / "index").read_bytes()) == _ls_files(repo)


def test_walk_lists_tracked_files_that_gitignore_excludes(tmp_path: Path) -> None:
    repo = _repo(tmp_path, 2)
    (repo / "data" / "raw" / "untracked.csv").write_text("a\n")
    (repo / "models" / "other.pkl").write_text("x\n")
    listed = {f.path for f in walk_repo(str(repo)).files}
    assert {"data/raw/sample.csv", "models/model.pkl"} <= listed  # added with -f: in every clone
    assert "data/raw/untracked.csv" not in listed and "models/other.pkl" not in listed


def test_without_a_readable_index_the_ignore_rules_alone_decide(tmp_path: Path) -> None:
    repo = _repo(tmp_path, 2)
    (repo / ".git" / "index").write_bytes(b"DIRC\0\0\0\2\0\0\0\5garbage")
    assert tracked_paths(str(repo)) is None
    listed = {f.path for f in walk_repo(str(repo)).files}
    assert "models/model.pkl" not in listed and "src/pkg/train.py" in listed


def test_an_index_reached_through_links_is_not_read(tmp_path: Path) -> None:
    real = _repo(tmp_path, 2)
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (scanned / "models").mkdir()
    (scanned / "models" / "model.pkl").write_text("x\n")
    (scanned / ".gitignore").write_text("*.pkl\n")
    (scanned / ".git").symlink_to(real / ".git")  # .git a link out of the tree
    assert tracked_paths(str(scanned)) is None
    os.remove(scanned / ".git")
    (scanned / ".git").mkdir()
    (scanned / ".git" / "index").symlink_to(real / ".git" / "index")  # the index a link
    assert tracked_paths(str(scanned)) is None
    assert "models/model.pkl" not in {f.path for f in walk_repo(str(scanned)).files}


def test_a_worktree_git_file_means_unknown(tmp_path: Path) -> None:
    tree = tmp_path / "wt"
    tree.mkdir()
    (tree / ".git").write_text("gitdir: /somewhere/else\n")
    assert tracked_paths(str(tree)) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_indexes_never_raise(tmp_path_factory, data) -> None:
    seed = _seed_index(tmp_path_factory)
    raw = bytearray(seed)
    edits = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255))))
    for at, byte in edits:
        raw[at] = byte
    cut = data.draw(st.integers(0, len(raw)))
    result = parse_index(bytes(raw[:cut]))
    assert result is None or all(isinstance(p, str) for p in result)


_SEED: dict[str, bytes] = {}


def _seed_index(factory) -> bytes:
    if "v4" not in _SEED:
        _SEED["v4"] = (_repo(factory.mktemp("seed"), 4) / ".git" / "index").read_bytes()
    return _SEED["v4"]


def test_hostile_counts_and_lengths_are_bounded() -> None:
    header = b"DIRC" + (2).to_bytes(4, "big")
    assert parse_index(header + (10**9).to_bytes(4, "big")) is None  # absurd entry count
    assert parse_index(header + (5).to_bytes(4, "big") + b"\0" * 30) is None  # truncated
    # One entry whose name runs to the end of a large buffer: no NUL, so unknown, quickly.
    entry = b"\0" * 24 + (0o100644).to_bytes(4, "big") + b"\0" * 32 + b"\x0f\xff"
    blob = header + (1).to_bytes(4, "big") + entry + b"a/" * (4 << 20)
    started = time.process_time()
    assert parse_index(blob) is None
    assert time.process_time() - started < 1.0


def test_a_version_4_index_of_growing_names_is_unknown_not_gigabytes() -> None:
    """Version 4 builds each name from the one before: 40,000 entries that each keep it all
    and add a byte would make 800 MB of names from 2.6 MB; a name longer than git allows (or
    names far larger than the index) make the index unknown."""
    fixed = bytearray(40)
    fixed[24:28] = (0o100644).to_bytes(4, "big")
    entry = bytes(fixed) + bytes(20) + (1).to_bytes(2, "big") + b"\x00" + b"a\x00"
    header = b"DIRC" + (4).to_bytes(4, "big")
    started = time.process_time()
    assert parse_index(header + (40_000).to_bytes(4, "big") + entry * 40_000) is None
    assert time.process_time() - started < 1.0
    # A few such entries are a real (if odd) index: names of 1 to 100 bytes.
    assert parse_index(header + (100).to_bytes(4, "big") + entry * 100) == {
        "a" * n for n in range(1, 101)
    }


def test_a_version_4_index_of_long_shared_paths_is_read(tmp_path: Path) -> None:
    """Version 4 shares prefixes, so a real index of long paths holds several times its bytes
    in names (2,000 paths of 300 bytes): it is read, not taken for a hostile one."""
    repo = tmp_path / "long"
    repo.mkdir()
    _git(repo, "init", "-q")
    deep = "/".join(["a_rather_long_folder_name"] * 11)
    lines = "".join(
        f"100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\t{deep}/f{i:05d}.csv\n"
        for i in range(2000)
    )
    subprocess.run(
        ["git", "update-index", "--add", "--index-info"],
        cwd=repo, input=lines, text=True, check=True, capture_output=True,
    )  # fmt: skip
    _git(repo, "update-index", "--index-version", "4")
    raw = (repo / ".git" / "index").read_bytes()
    assert int.from_bytes(raw[4:8], "big") == 4
    names = sum(len(p) for p in _ls_files(repo))
    assert names > 4 * len(raw)  # what the first cap refused
    assert parse_index(raw) == _ls_files(repo)


def test_deep_tracked_paths_do_not_slow_the_walk(tmp_path: Path) -> None:
    """Thousands of tracked paths, each hundreds of folders deep, in a .git/index of a few MB:
    the walk asks "anything tracked below this ignored folder?" by bisection, not by listing
    every ancestor of every path."""
    repo = tmp_path / "deep"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".gitignore").write_text("ignored/\n")
    (repo / "ignored").mkdir()
    (repo / "ignored" / "kept.txt").write_text("k\n")
    deep = "/".join(["d"] * 400)
    lines = "".join(
        f"100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\t{i}/{deep}/f\n" for i in range(3000)
    )
    subprocess.run(
        ["git", "update-index", "--add", "--index-info"],
        cwd=repo, input=lines, text=True, check=True, capture_output=True,
    )  # fmt: skip
    _git(repo, "add", "-f", "ignored/kept.txt")
    started = time.process_time()
    listed = {f.path for f in walk_repo(str(repo)).files}
    assert time.process_time() - started < 2.0
    assert "ignored/kept.txt" in listed
