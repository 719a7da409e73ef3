"""Builds the adversarial corpus: repositories crafted to crash, hang, trick or escape a scanner.

Nothing big is committed: every case is built in a temp dir by the function named for it.
Each builder gets the repository root, a directory *outside* it (the scanner must never read
from there) and the path of a marker file that appears only if something executed repo code.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

Builder = Callable[[Path, Path, Path], None]
CASES: dict[str, Builder] = {}
SLOW = {"many_files"}


def case(fn: Builder) -> Builder:
    CASES[fn.__name__] = fn
    return fn


def _w(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def _touch_marker(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('executed')\n"


@case
def symlinks(root: Path, outside: Path, marker: Path) -> None:
    _w(outside / "secret.py", "KEY = 'AKIA" + "Q3EGRY7T2LMXAB4Z'\nimport mlflow\n")
    _w(outside / "README.md", "## Problem statement\n\nA problem stated outside the repo.\n")
    _w(outside / "pyproject.toml", "[tool.ruff]\nline-length = 1\n")
    _w(root / "README.md", "# linked\n")
    os.symlink(outside / "secret.py", root / "train.py")
    os.symlink(outside, root / "docs")
    os.symlink(outside / "pyproject.toml", root / "pyproject.toml")
    os.symlink(outside / "README.md", root / ".gitignore")
    os.symlink(root / "loop_a", root / "loop_b")
    os.symlink(root / "loop_b", root / "loop_a")
    os.symlink(root / "self", root / "self")
    os.symlink("/nonexistent/target", root / "dangling.yaml")
    os.symlink("/", root / "rootfs")


@case
def special_files(root: Path, outside: Path, marker: Path) -> None:
    _w(root / "README.md", "# special\n")
    os.mkfifo(root / "params.yaml")
    (root / "data").mkdir()
    os.mkfifo(root / "data" / "train.csv")
    os.mkfifo(root / "requirements.txt")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(root / "serve.py"))
    finally:
        sock.close()
    try:  # a device node where the kernel allows it (root in most containers)
        os.mknod(root / "model.pt", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    except (PermissionError, OSError):
        os.mkfifo(root / "model.pt")


@case
def deep_tree(root: Path, outside: Path, marker: Path) -> None:
    _w(root / "README.md", "# deep\n")
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(1500):  # relative to a descriptor: no PATH_MAX limit while building
            os.mkdir("d", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        leaf = os.open("train.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(leaf, b"model.fit(X, y)\n")
        os.close(leaf)
    finally:
        os.close(fd)


def remove_deep_tree(root: Path) -> None:
    """Remove the 1,500-level tree without recursion: shutil.rmtree (and so pytest's own
    temp-dir cleanup) raises RecursionError on it. Each round lifts the tree one level."""
    import shutil

    while (root / "d").is_dir():
        os.rename(root / "d", root / "_top")
        if (root / "_top" / "d").is_dir():
            os.rename(root / "_top" / "d", root / "d")
        shutil.rmtree(root / "_top")


@case
def many_files(root: Path, outside: Path, marker: Path) -> None:
    _w(root / "README.md", "# many\n")
    for i in range(100):
        sub = root / f"pkg{i}"
        sub.mkdir()
        for j in range(1000):
            (sub / f"m{j}.py").write_bytes(b"x = 1\n")


@case
def sparse_and_huge(root: Path, outside: Path, marker: Path) -> None:
    _w(root / "README.md", "# huge\n")
    for name in ("data/big.csv", "model.py", "docs/giant.md", "configs/huge.yaml"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.truncate(2 << 30)  # 2 GiB, sparse: no disk used
    _w(root / "oneline.py", "x = [" + "1," * 5_000_000 + "]\n")  # 10 MB, one line
    _w(root / "oneline.md", "# t\n\n" + "word " * 200_000 + "\n")  # 1 MB, just under the cap
    _w(root / "oneline.yaml", "k: [" + "1, " * 300_000 + "]\n")


@case
def binary_and_bad_text(root: Path, outside: Path, marker: Path) -> None:
    noise = bytes(range(256)) * 64
    for name in (
        "train.py",
        "README.md",
        "configs/params.yaml",
        "pyproject.toml",
        "notebooks/a.ipynb",
        "requirements.txt",
        "Dockerfile",
        "setup.py",
        ".github/workflows/ci.yml",
        ".gitignore",
        "data.csv",
    ):
        _w(root / name, noise)
    _w(root / "bad_utf8.py", b"import os\n\xff\xfe\xfa def train():\n    pass\n")
    _w(
        root / "docs/latin1.md",
        "## Problème\n\nDonnées énormes et clients fidèles.\n".encode("latin-1"),
    )
    _w(root / "bom.py", "\ufeffimport mlflow\n")
    raw_root = os.fsencode(root)
    for bad in (b"caf\xe9.py", b"\xff\xfe.md", b"dir\x80/x.yaml"):
        path = os.path.join(raw_root, bad)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(b"import os\n")


@case
def malformed_structured(root: Path, outside: Path, marker: Path) -> None:
    _w(root / "README.md", "# malformed\n")
    _w(root / "configs/deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    _w(root / "configs/deep2.yaml", "".join(f"{' ' * i}k{i}:\n" for i in range(3000)))
    _w(root / "configs/deep.json", "[" * 200_000 + "]" * 200_000)
    _w(root / "configs/bignum.json", '{"seed": ' + "9" * 5000 + "}")
    _w(root / "configs/bignum.toml", "seed = " + "9" * 5000 + "\n")
    _w(root / "configs/bom.toml", "\ufeff[model]\nseed = 1\n")
    _w(root / "configs/deep.toml", "a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    _w(root / "configs/unclosed.yaml", "a: [1, 2\nb: {c\n")
    _w(root / "configs/tabs.yaml", "a:\n\t- b\n")
    _w(root / "pyproject.toml", "[project\nname = ")
    _w(root / "setup.cfg", "[options\ninstall_requires =\n  x\n%(")
    _w(root / "environment.yml", "dependencies: {pip: 7}\n")
    _w(root / "Pipfile", "[packages]\nx = {version = [1, {}]}\n")
    _w(root / "requirements.txt", "numpy==\n===\n-r nonexistent.txt\n" + "a" * 100_000 + "\n")
    _w(root / "notebooks/bad.ipynb", "{not json")
    _w(root / "notebooks/cells.ipynb", '{"cells": 7}')
    _w(root / "notebooks/source.ipynb", '{"cells": [{"cell_type": "code", "source": 5}, 3, null]}')
    _w(root / "notebooks/deep.ipynb", '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _w(root / "train.py", "x = " + "(" * 100_000 + ")" * 100_000 + "\nmodel.fit(X, y)\n")
    _w(root / "deep_ast.py", "x = " + "-" * 500_000 + "1\n")
    _w(root / "docs/nested.md", ">" * 100_000 + " deep\n\n" + "- " * 50_000 + "x\n")
    _w(root / "docs/headings.md", "".join(f"## Problem {i}\n\nTODO\n\n" for i in range(20_000)))


@case
def yaml_bombs(root: Path, outside: Path, marker: Path) -> None:
    laughs = "a: &a [" + ",".join(["lol"] * 10) + "]\n"
    prev = "a"
    for i in range(1, 12):
        laughs += f"l{i}: &l{i} [" + ",".join([f"*{prev}"] * 10) + "]\n"
        prev = f"l{i}"
    laughs += "features: *l11\n"
    _w(root / "configs/laughs.yaml", laughs)
    _w(root / "params.yaml", laughs)
    _w(
        root / "configs/evil.yaml",
        f"x: !!python/object/apply:os.system ['touch {marker}']\n"
        f"y: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
    )
    _w(
        root / "environment.yml",
        f"dependencies: !!python/object/apply:os.system ['touch {marker}']\n",
    )
    _w(root / "dvc.yaml", "stages: &s\n  a: *s\n")


@case
def executes_nothing(root: Path, outside: Path, marker: Path) -> None:
    code = _touch_marker(marker)
    for name in (
        "setup.py",
        "conftest.py",
        "noxfile.py",
        "src/pkg/__init__.py",
        "train.py",
        "docs/conf.py",
        "tests/conftest.py",
        "sitecustomize.py",
        "usercustomize.py",
    ):
        _w(root / name, code + "from setuptools import setup\nsetup(install_requires=['a==1'])\n")
    _w(
        root / "notebooks/run.ipynb",
        '{"cells": [{"cell_type": "code", "source": ["'
        + code.strip().replace("'", "\\u0027")
        + '"]}]}',
    )
    _w(root / "Makefile", f"all:\n\ttouch {marker}\n")
    _w(
        root / ".pre-commit-config.yaml",
        f"repos: [{{repo: local, hooks: [{{id: x, entry: touch {marker}}}]}}]\n",
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    git = root / ".git"
    for hook in ("post-checkout", "pre-commit", "post-index-change", "fsmonitor-watchman"):
        _w(git / "hooks" / hook, f"#!/bin/sh\ntouch {marker}\n")
        os.chmod(git / "hooks" / hook, 0o755)  # noqa: S103 - a hook must be executable to tempt git
    with open(git / "config", "a", encoding="utf-8") as cfg:
        cfg.write(
            f"[core]\n\tfsmonitor = touch {marker}\n\thooksPath = .git/hooks\n"
            f'[filter "x"]\n\tclean = touch {marker}\n\tsmudge = touch {marker}\n'
            f'[diff "x"]\n\ttextconv = touch {marker}\n'
        )
    _w(root / ".gitattributes", "* filter=x diff=x\n")


@case
def pathological_gitignore(root: Path, outside: Path, marker: Path) -> None:
    patterns = [
        "**/" * 200 + "*a*a*a*a*a*a*a*a*a*b",
        "[",
        "[z-a]",
        "!",
        "\\",
        "***",
        "a/**/b/**/c/**/d",
        "*" * 5000,
        "!" * 100 + "x",
        "/" * 1000,
    ]
    patterns += [f"gen{i}_*.py" for i in range(10_000)]
    _w(root / ".gitignore", "\n".join(patterns) + "\n")
    _w(root / "sub/.gitignore", "\x00\xff\n" + "[[[[[\n")
    long_dir = root / ("a" * 200) / ("a" * 200) / ("a" * 200)
    _w(long_dir / ("a" * 200 + ".py"), "x = 1\n")
    _w(root / "README.md", "# gitignore\n")
    for i in range(200):
        _w(root / f"src/gen{i}_x.py", "x = 1\n")


@case
def hostile_markdown_and_secrets(root: Path, outside: Path, marker: Path) -> None:
    _w(
        root / "README.md",
        "## Problem statement\n\n" + "<!-- " * 50_000 + "\n" + "`" * 100_000 + "\n",
    )
    _w(root / "docs/table.md", "| a |\n|---|\n" + "| x |\n" * 100_000)
    _w(root / "docs/links.md", "[x](" * 50_000 + ")" * 50_000)
    _w(root / "secrets.yaml", "password: " + "p" * 1_000_000 + "\n")
    _w(root / "urls.txt", "https://user:" + "x" * 200 + "@host/\n" * 10_000)
    _w(root / ".env", "API_KEY=" + "k" * 100_000 + "\n")
