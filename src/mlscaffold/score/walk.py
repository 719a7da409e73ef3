"""List a repository's files safely, in one pass, honouring .gitignore.

Safety rules (the scanned repository is untrusted): symlinks are recorded and never followed,
only regular files are listed, the walk is iterative (a 1,500-level tree cannot exhaust the
stack), depth and entry counts are capped, and nothing is executed (not even ``git``).
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field

from mlscaffold.score.model import Note

# Folders that are never part of a project's own sources: tool caches, virtualenvs, VCS data.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "site-packages",
        ".eggs",
        ".dvc/cache",
        ".dvc/tmp",
    }
)
MAX_DEPTH = 64
MAX_ENTRIES = 300_000
GITIGNORE_MAX_BYTES = 256 * 1024


class FileEntry:
    """A listed file: repo-relative POSIX path, size and suffix (computed once, interned)."""

    __slots__ = ("path", "size", "suffix")

    def __init__(self, path: str, size: int) -> None:
        self.path = path
        self.size = size
        name = path.rsplit("/", 1)[-1]
        dot = name.rfind(".")
        self.suffix = sys.intern(name[dot:].lower()) if dot > 0 else ""

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def __repr__(self) -> str:
        return f"FileEntry({self.path!r}, {self.size})"


@dataclass
class WalkResult:
    files: list[FileEntry] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    symlinks: list[str] = field(default_factory=list)


def _load_ignore_spec(dir_fd_path: str, rel_dir: str, notes: list[Note]):
    """Parse ``<dir>/.gitignore`` if it is a regular file; return a pathspec or None."""
    path = os.path.join(dir_fd_path, ".gitignore")
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    if st.st_size > GITIGNORE_MAX_BYTES:
        notes.append(
            Note(_join(rel_dir, ".gitignore"), "too large to parse; its rules were ignored")
        )
        return None
    from mlscaffold.score.safeio import read_regular_file

    data = read_regular_file(path, GITIGNORE_MAX_BYTES)
    if data is None:
        return None
    import pathspec

    lines = data.decode("utf-8", errors="replace").splitlines()
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception as exc:  # pathspec raises assorted errors on odd patterns
        notes.append(Note(_join(rel_dir, ".gitignore"), f"unparseable rules ignored ({exc})"))
        return None


def _join(rel_dir: str, name: str) -> str:
    return f"{rel_dir}/{name}" if rel_dir else name


def walk_repo(root: str) -> WalkResult:
    """Walk ``root`` iteratively and return its non-ignored regular files."""
    result = WalkResult()
    # Stack items: (absolute dir, relative dir, depth, active ignore specs as (base_rel, spec)).
    stack: list[tuple[str, str, int, tuple]] = [(root, "", 0, ())]
    entries = 0
    while stack:
        abs_dir, rel_dir, depth, specs = stack.pop()
        spec = _load_ignore_spec(abs_dir, rel_dir, result.notes)
        if spec is not None:
            specs = (*specs, (rel_dir, spec))
        try:
            scan = os.scandir(abs_dir)
        except OSError as exc:
            result.notes.append(
                Note(rel_dir or ".", f"unreadable directory skipped ({exc.strerror})")
            )
            continue
        with scan:
            children = []
            for entry in scan:
                entries += 1
                if entries > MAX_ENTRIES:
                    result.notes.append(
                        Note(rel_dir or ".", f"stopped listing after {MAX_ENTRIES} entries")
                    )
                    stack.clear()
                    break
                name = entry.name
                rel = _join(rel_dir, name)
                if not _valid_utf8(name):
                    # Reports are UTF-8 (JSON, SARIF): a name that is not cannot be shown as is.
                    result.notes.append(Note(_printable(rel), "name is not valid UTF-8; skipped"))
                    continue
                try:
                    if entry.is_symlink():
                        result.symlinks.append(rel)
                        continue
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    result.notes.append(Note(rel, "could not be inspected; skipped"))
                    continue
                if _ignored(rel, is_dir, specs):
                    continue
                if is_dir:
                    if name in SKIP_DIRS or rel in SKIP_DIRS:
                        continue
                    if depth + 1 > MAX_DEPTH:
                        result.notes.append(Note(rel, f"deeper than {MAX_DEPTH} levels; skipped"))
                        continue
                    children.append((entry.path, rel, depth + 1, specs))
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    result.notes.append(Note(rel, "could not be inspected; skipped"))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    result.notes.append(
                        Note(rel, "not a regular file (FIFO, socket or device); skipped")
                    )
                    continue
                result.files.append(FileEntry(rel, st.st_size))
            # Reverse so that the walk visits directories in listing order (stable output).
            stack.extend(reversed(children))
    result.files.sort(key=lambda f: f.path)
    if result.symlinks:
        shown = ", ".join(result.symlinks[:5]) + (" ..." if len(result.symlinks) > 5 else "")
        result.notes.append(
            Note(".", f"{len(result.symlinks)} symbolic link(s) not followed: {shown}")
        )
    return result


def _valid_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir hands undecodable bytes back as lone surrogates
        return False
    return True


def _printable(rel: str) -> str:
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _ignored(rel: str, is_dir: bool, specs: tuple) -> bool:
    for base, spec in specs:
        sub = rel[len(base) + 1 :] if base else rel
        candidate = sub + "/" if is_dir else sub
        try:
            if spec.match_file(candidate):
                return True
        except Exception:  # noqa: S112 - a pathological pattern must not stop the scan
            continue
    return False
