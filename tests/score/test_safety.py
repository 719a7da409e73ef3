"""Scoring an untrusted repository never executes it, never leaves it, and never crashes on it."""

from __future__ import annotations

import json
import os
import subprocess

from mlscaffold.score.config import ScoreConfig
from mlscaffold.score.judge.checklist import load_checklist
from mlscaffold.score.judge.engine import score_repo
from mlscaffold.score.read.index import RepoIndex
from tests.conftest import run_cli


def _marker_code(marker) -> str:
    return f"open({str(marker)!r}, 'w').write('executed')\n"


def test_never_executes_repo_code_or_git(tree, tmp_path) -> None:
    marker = tmp_path / "MARKER"
    root = tree(
        {
            "setup.py": _marker_code(marker)
            + "from setuptools import setup\nsetup(install_requires=['a==1'])\n",
            "conftest.py": _marker_code(marker),
            "src/pkg/__init__.py": _marker_code(marker),
            "noxfile.py": _marker_code(marker),
        }
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    hook = f"#!/bin/sh\ntouch {marker}\n"
    (root / ".git" / "hooks" / "post-checkout").write_text(hook, encoding="utf-8")
    with open(root / ".git" / "config", "a", encoding="utf-8") as cfg:
        cfg.write(f'[core]\n\tfsmonitor = touch {marker}\n[filter "x"]\n\tclean = touch {marker}\n')
    (root / ".gitattributes").write_text("* filter=x\n", encoding="utf-8")
    out = run_cli("score", str(root), "-f", "json")
    assert out.returncode == 0, out.stderr
    assert not marker.exists(), "scoring executed code from the repository"
    report = json.loads(out.stdout)
    deps = next(f for f in report["findings"] if f["id"] == "MO006")
    assert deps["status"] == "pass"  # setup.py was read with ast, not run


def test_symlinks_are_not_followed(tree, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("KEY = '" + "AKIA" + "Q3EGRY7T2LMXAB4Z'\n", encoding="utf-8")
    (outside / "Dockerfile").write_text("FROM python:3.11-slim\nRUN pip install x\n")
    root = tree({"README.md": "# x\n"})
    os.symlink(outside / "secret.py", root / "link.py")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "loop", root / "loop")
    os.symlink(outside / "Dockerfile", root / "Dockerfile")
    report = score_repo(str(root), config=ScoreConfig())
    status = {f.check_id: f.status.value for f in report.findings}
    # The linked Dockerfile is not the repository's: no container counts (and, as nothing is
    # served, none is needed).
    assert status["DE008"] == "pass" and status["DE001"] == "not_applicable"
    assert any("symbolic link" in n.message for n in report.notes)
    index = RepoIndex(str(root))
    assert {f.path for f in index.files} == {"README.md"}


def test_fifo_and_unreadable_files_do_not_block(tree) -> None:
    root = tree({"README.md": "# x\n"})
    os.mkfifo(root / "params.yaml")
    os.mkfifo(root / "data.csv")
    out = run_cli("score", str(root), "-f", "json", timeout=30)
    assert out.returncode == 0, out.stderr
    notes = json.loads(out.stdout)["notes"]
    assert any(n["path"] == "params.yaml" and "regular file" in n["message"] for n in notes)


def test_large_binary_and_malformed_files_become_notes(tree) -> None:
    root = tree(
        {
            "big.py": "x = 1\n" * 400_000,  # 2.4 MB: over the parse cap
            "binary.py": b"\x00\x01\x02import os\n" * 100,
            "configs/bad.yaml": "a: [unclosed\n",
            "configs/deep.json": "[" * 50_000 + "]" * 50_000,
            "configs/bom.toml": "\ufeff[x]\ny = 1\n",
            "configs/num.json": '{"n": ' + "9" * 5000 + "}",
            "pyproject.toml": "[project\nname=",
            "notebooks/broken.ipynb": "{not json",
            "docs/bad.md": "\udcff" if False else b"# T\xff\xfe\n\n## Problem\n\n\xc3\x28 bytes\n",
            "requirements.txt": "numpy==1.0\n!!!garbage line\n-e .\n",
            "setup.py": "def (:\n",
        }
    )
    report = score_repo(str(root), config=ScoreConfig(), debug=True)
    messages = {n.path: n.message for n in report.notes}
    assert "parsed" in messages["big.py"] or "larger" in messages["big.py"]
    assert "binary" in messages["binary.py"]
    assert "malformed" in messages["configs/bad.yaml"]
    assert "malformed" in messages["notebooks/broken.ipynb"]
    assert "malformed" in messages["pyproject.toml"]


def test_billion_laughs_and_python_tags(tree) -> None:
    laughs = "a: &a [" + ",".join(["x"] * 10) + "]\n"
    prev = "a"
    for i in range(1, 12):
        laughs += f"l{i}: &l{i} [" + ",".join([f"*{prev}"] * 10) + "]\n"
        prev = f"l{i}"
    root = tree(
        {
            "configs/laughs.yaml": laughs,
            "configs/evil.yaml": "x: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        }
    )
    report = score_repo(str(root), config=ScoreConfig(), debug=True)
    assert any(n.path == "configs/evil.yaml" for n in report.notes)


def test_deep_tree_is_walked_without_recursion_error(tmp_path) -> None:
    root = tmp_path / "deep"
    path = root
    for i in range(300):
        path = path / f"d{i}"
    path.mkdir(parents=True)
    (path / "x.py").write_text("print('deep')\n", encoding="utf-8")
    report = score_repo(str(root), config=ScoreConfig())
    assert any("deeper than" in n.message for n in report.notes)


def test_gitignore_is_respected_including_nested(tree) -> None:
    root = tree(
        {
            ".gitignore": "data/\n*.log\n!keep.log\n",
            "data/big.csv": b"x" * (2 << 20),
            "sub/.gitignore": "local_only.py\n",
            "sub/local_only.py": "x = 1\n",
            "sub/kept.py": "x = 1\n",
            "a.log": "x",
            "keep.log": "x",
        }
    )
    paths = {f.path for f in RepoIndex(str(root)).files}
    assert paths == {".gitignore", "sub/.gitignore", "sub/kept.py", "keep.log"}


def test_unreadable_file_is_a_note() -> None:
    """Permissions do not bind root, so as root the scoring runs in a forked child that has
    dropped to user 'nobody' (modules are imported before the fork, so it needs no other file)."""
    import shutil
    import tempfile

    base = tempfile.mkdtemp(prefix="mlscaffold-perm-", dir="/tmp")
    try:
        os.chmod(base, 0o755)  # noqa: S103 - user nobody must reach the repo
        root = os.path.join(base, "repo")
        os.mkdir(root)
        for name, text in (("README.md", "# x\n"), ("secret.md", "## Problem\n\nhidden words\n")):
            with open(os.path.join(root, name), "w", encoding="utf-8") as fh:
                fh.write(text)
        # Load the checklist and every lazily imported module now: after the fork the child
        # runs as 'nobody', who cannot read this checkout (CI clones it into a private dir).
        checklist = load_checklist()
        score_repo(root, config=ScoreConfig(), checklist=checklist)
        os.chmod(os.path.join(root, "secret.md"), 0)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            code = 1
            try:
                os.close(read_fd)
                if os.geteuid() == 0:
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                report = score_repo(root, config=ScoreConfig(), checklist=checklist)
                os.write(write_fd, json.dumps([n.path for n in report.notes]).encode())
                code = 0
            except BaseException as exc:  # report the child's failure to the parent
                os.write(write_fd, json.dumps({"error": repr(exc)}).encode())
            finally:
                os._exit(code)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, payload
        assert "secret.md" in json.loads(payload)
    finally:
        shutil.rmtree(base, ignore_errors=True)
