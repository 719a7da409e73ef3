"""Several ML projects under one root (a monorepo): find them so each is scored on its own."""

from __future__ import annotations

import itertools
import os
import stat

from mlscaffold.errors import UsageError
from mlscaffold.score.read.walk import SKIP_DIRS

MARKERS = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "environment.yml",
    "environment.yaml",
    "Pipfile",
    "conda.yaml",
    "conda.yml",
    "MLproject",
)
MAX_DEPTH = 3
MAX_DIRS = 2_000


def _has_marker(path: str) -> bool:
    return any(_is_file(os.path.join(path, name)) for name in MARKERS)


def _builds_a_child(path: str) -> bool:
    """A folder whose Dockerfile builds the project in a folder below it (a service's
    Dockerfile beside app/requirements.txt): the service is the folder, image and all."""
    if not any(_is_file(os.path.join(path, n)) for n in ("Dockerfile", "Containerfile")):
        return False
    try:
        with os.scandir(path) as entries:
            children = sorted(
                e.path
                for e in itertools.islice(entries, _MAX_ENTRIES)
                if e.is_dir(follow_symlinks=False)
                and not e.name.startswith(".")
                and e.name not in SKIP_DIRS
                and e.name.lower() not in _NEVER_PROJECTS  # docs/ builds a site, not a service
            )
    except OSError:
        return False
    return any(_has_marker(child) for child in children[:_MAX_CHILDREN])


def _is_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


_MAX_CHILDREN = 50
_MAX_ENTRIES = 2_000  # entries of a folder listed to find its child folders
_NEVER_PROJECTS = frozenset(("notebooks", "notebook", "nbs", "docs", "doc"))


def find_projects(root: str) -> list[str]:
    """Subdirectories (relative, POSIX) that are projects of their own, when the root is not
    one itself. A root with its own pyproject or requirements is one project (a library with
    examples/ folders is still one library), so this returns [] for it."""
    if _has_marker(root):
        return []
    found: list[str] = []
    frontier = [("", root)]
    seen = 0
    for _depth in range(MAX_DEPTH):
        nxt = []
        for rel, path in frontier:
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                seen += 1
                if seen > MAX_DIRS:
                    return found if len(found) >= 2 else []
                name = entry.name
                if (
                    name.startswith(".")
                    or name in SKIP_DIRS
                    or not entry.is_dir(follow_symlinks=False)
                ):
                    continue
                sub_rel = f"{rel}/{name}" if rel else name
                if name.lower() in _NEVER_PROJECTS:
                    # notebooks/ with the requirements of its kernels explores the projects
                    # beside it; docs/ builds their site: neither is a project of its own
                    continue
                if _has_marker(entry.path) or _builds_a_child(entry.path):
                    found.append(sub_rel)  # a project: do not look for projects inside it
                else:
                    nxt.append((sub_rel, entry.path))
        frontier = nxt
    return found if len(found) >= 2 else []


# Code a monorepo's root holds outside its sub-projects, from this many files, is a project of
# its own (a model/ and backend/ beside an airflow/ folder with its own requirements): fewer
# are helper scripts. Tests, docs and examples are not counted.
MIN_OWN_CODE_FILES = 3
_NOT_OWN_CODE_DIRS = frozenset(
    ("tests", "test", "docs", "doc", "examples", "example", "scripts", "tools", "ci", "site")
)


def has_own_code(paths: list[str], subs: list[str]) -> bool:
    """Whether a monorepo's root holds Python modules or notebooks of its own outside the
    sub-project folders ``subs``: at least MIN_OWN_CODE_FILES of ``paths`` (the walk's list,
    so .gitignore'd build output does not count), tests, docs, examples and scripts aside."""
    skip = frozenset(subs)
    found = 0
    for path in paths:
        if not path.endswith((".py", ".ipynb")):
            continue
        *folders, name = path.split("/")
        if name.startswith(("test_", "setup.py")):
            continue
        if any(f.lower() in _NOT_OWN_CODE_DIRS for f in folders):
            continue
        if any("/".join(folders[: k + 1]) in skip for k in range(len(folders))):
            continue
        found += 1
        if found >= MIN_OWN_CODE_FILES:
            return True
    return False


def project_path(root: str, project: str) -> str:
    """``--project PATH``: a directory inside the repository, never outside it."""
    if os.path.isabs(project):
        raise UsageError(f"--project {project}: give a path relative to the repository")
    target = os.path.realpath(os.path.join(root, project))
    if os.path.commonpath([root, target]) != root:
        raise UsageError(f"--project {project}: points outside the repository")
    if os.path.islink(os.path.join(root, project)):
        raise UsageError(f"--project {project}: is a symbolic link; give the folder itself")
    if os.path.exists(target) and not os.path.isdir(target):
        raise UsageError(f"--project {project}: not a directory")
    if not os.path.isdir(target):
        raise UsageError(f"--project {project}: no such directory in the repository")
    return target
