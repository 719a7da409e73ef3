"""Turn proposals into changes (3-way merges for files that exist), show them as a diff, and
apply them atomically.

A file that exists is never overwritten: the proposal is merged into it with ``git merge-file``
(the merge base is the file as the piece read it, or nothing when both sides wrote the whole
file), and same-line conflicts are written inline between ``<<<<<<< before adopting`` and
``>>>>>>> after adopting``. Applying stages every new file first, then moves them all into place
with signals held, and puts back whatever it had moved if a move fails: an error or Ctrl-C leaves
the repository as it was, or (Ctrl-C during the moves) fully adopted.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from mlscaffold.errors import PathError, TemplateError, UsageError
from mlscaffold.generate.adopt.model import Change, Proposal
from mlscaffold.generate.gitrepo import git
from mlscaffold.generate.staging import (
    cleanup_uninterrupted,
    signals_deferred,
    sigterm_as_interrupt,
)

MARKERS = ("before adopting", "merge base", "after adopting")


def check_writable_path(root: Path, rel: str) -> None:
    """Refuse to write through a symbolic link or outside the repository."""
    parts = Path(rel).parts
    if Path(rel).is_absolute() or ".." in parts:
        raise TemplateError(f"adopt would write outside the repository: {rel}")
    here = root
    for part in parts:
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return
        if stat.S_ISLNK(mode):
            raise UsageError(
                f"{here.relative_to(root)} is a symbolic link; adopt does not write through links"
            )
        if here != root / rel and not stat.S_ISDIR(mode):
            raise UsageError(
                f"{here.relative_to(root)} is a file; adopt wants to write {rel} inside it"
            )


def read_existing(root: Path, rel: str) -> str | None:
    """The text of a repository file adopt will merge into, or None when it does not exist."""
    check_writable_path(root, rel)
    path = root / rel
    if not path.exists():
        return None
    if not path.is_file():
        raise UsageError(f"{rel} exists and is not a regular file; adopt cannot merge into it")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{rel} is not UTF-8 text; adopt cannot merge into it") from exc
    except OSError as exc:
        raise PathError(f"cannot read {rel}: {exc.strerror or exc}") from exc


def merge_file(root: Path, ours: str, base: str, theirs: str) -> tuple[str, bool]:
    """``git merge-file`` of the three texts: (result, whether it left conflicts)."""
    with tempfile.TemporaryDirectory(prefix="mlscaffold-merge-") as tmp:
        names = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            names.append(str(path))
        args = ["merge-file", "-p", "-L", MARKERS[0], "-L", MARKERS[1], "-L", MARKERS[2], *names]
        done = git(*args, cwd=root, check=False)
    if done.returncode < 0 or done.returncode > 127:
        raise TemplateError(f"git merge-file failed: {' '.join(done.stderr.split())}")
    return done.stdout, done.returncode > 0


def to_change(root: Path, proposal: Proposal) -> Change | None:
    """The change a proposal makes, or None when the file already reads that way."""
    current = read_existing(root, proposal.path)
    if current is None:
        return Change(proposal.path, None, proposal.content, proposal.checks)
    if current == proposal.content:
        return None
    if proposal.base is not None and proposal.base == current:
        return Change(proposal.path, current, proposal.content, proposal.checks)
    merged, conflict = merge_file(root, current, proposal.base or "", proposal.content)
    if merged == current:
        return None
    return Change(proposal.path, current, merged, proposal.checks, conflict)


def unified_diff(changes: list[Change], untrack: list[str]) -> str:
    out = []
    for change in changes:
        before = (change.before or "").splitlines(keepends=True)
        after = change.after.splitlines(keepends=True)
        source = "/dev/null" if change.before is None else f"a/{change.path}"
        out.append(f"diff --git a/{change.path} b/{change.path}\n")
        if change.before is None:
            out.append("new file mode 100644\n")
        for line in difflib.unified_diff(before, after, source, f"b/{change.path}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    for path in untrack:
        out.append(f"# untracked from git (the file stays on disk): {path}\n")
    return "".join(out)


KEEP = "KEEP"  # in a staging folder: it holds originals that could not be put back


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _staging_dir(root: Path) -> Path:
    """A private folder on the repository's file system: inside .git when it is there, so that
    even a kill -9 leaves nothing in the work tree."""
    done = git("rev-parse", "--absolute-git-dir", cwd=root, check=False)
    git_dir = Path(done.stdout.strip()) if done.returncode == 0 else None
    parent = root
    if git_dir is not None and git_dir.is_dir() and os.stat(git_dir).st_dev == os.stat(root).st_dev:
        parent = git_dir
    return Path(tempfile.mkdtemp(prefix="mlscaffold-adopt-", dir=parent))


def apply_changes(root: Path, changes: list[Change], untrack: list[str]) -> None:
    """Write every change, or none of them."""
    stage: Path | None = None
    # SIGTERM is an interrupt throughout, and one try starts before mkdtemp: a signal held
    # during mkdtemp is delivered as the mask lifts, and must still find the cleanup below.
    with sigterm_as_interrupt():
        try:
            try:
                with signals_deferred():
                    stage = _staging_dir(root)
            except OSError as exc:
                raise PathError(f"cannot write in {root}: {exc.strerror or exc}") from exc
            staged = []
            for i, change in enumerate(changes):
                check_writable_path(root, change.path)
                new = stage / "new" / str(i)
                new.parent.mkdir(parents=True, exist_ok=True)
                new.write_bytes(change.after.encode("utf-8"))
                target = root / change.path
                mode = (
                    stat.S_IMODE(os.stat(target).st_mode) if target.exists() else 0o666 & ~_umask()
                )
                new.chmod(mode)
                staged.append((new, target))
            with signals_deferred():  # the moves and the index update are one step
                _commit(root, stage, staged, untrack)
        finally:
            if stage is not None and not (stage / KEEP).exists():
                cleanup_uninterrupted(lambda: shutil.rmtree(stage, ignore_errors=True))


def _commit(root: Path, stage: Path, staged: list[tuple[Path, Path]], untrack: list[str]) -> None:
    moved: list[tuple[Path, Path | None]] = []
    created: list[Path] = []
    try:
        for i, (new, target) in enumerate(staged):
            for parent in reversed(target.relative_to(root).parents):
                folder = root / parent
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            backup = None
            if target.exists():
                backup = stage / "old" / str(i)
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
            moved.append((target, backup))
            os.replace(new, target)
        if untrack:
            git("rm", "--cached", "--quiet", "--", *untrack, cwd=root)
    except (OSError, TemplateError) as exc:
        unrestored = []
        for target, backup in reversed(moved):
            try:
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                unrestored.append(target)
        if unrestored:
            # The originals stay in the staging folder, which is then kept: never delete the
            # only copy of a user's file.
            (stage / KEEP).write_text("\n".join(str(t) for t in unrestored) + "\n")
            raise PathError(
                f"cannot write {exc.filename or root} ({exc.strerror or exc}), nor put back "
                f"{len(unrestored)} file(s); their originals are in {stage / 'old'}"
            ) from exc
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, TemplateError):
            raise
        raise PathError(f"cannot write {exc.filename or root}: {exc.strerror or exc}") from exc
