"""Atomic generation: render into a hidden sibling of DEST, then rename it into place.

An error, Ctrl-C or SIGTERM at any point removes the staging directory (and any parent
directories created for DEST), so a failed ``new`` leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from mlscaffold.errors import PathError

STAGING_SUFFIX = ".mlscaffold-tmp"


def check_destination(dest: Path) -> None:
    """DEST may be missing, an empty directory, or a fresh clone holding only ``.git`` (create
    the repository on the forge, clone it, generate into it); anything else is refused."""
    if dest.is_symlink() and not dest.exists():
        raise PathError(f"{dest} is a dangling symbolic link")
    if dest.exists():
        if not dest.is_dir():
            raise PathError(f"{dest} exists and is not a directory")
        if any(entry.name != ".git" for entry in dest.iterdir()):
            raise PathError(f"{dest} exists and is not empty")


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends; they are delivered right after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        with _signals_recorded():
            yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    # Read the mask before changing it: pthread_sigmask runs pending Python handlers after it
    # changes the mask, so a KeyboardInterrupt raised by the blocking call itself must still
    # find the finally that restores the mask.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def cleanup_uninterrupted(cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` with signals held. A signal that lands before the mask is in place (or
    is delivered when it lifts) still lets the cleanup finish, then propagates; ``cleanup``
    must therefore be safe to run twice."""
    try:
        with signals_deferred():
            cleanup()
    except KeyboardInterrupt:
        cleanup()
        raise


@contextlib.contextmanager
def _signals_recorded() -> Iterator[None]:
    """Where signals cannot be masked: handlers note SIGINT/SIGTERM during the block, and the
    first one noted is raised again once the previous handlers are back."""
    caught: list[int] = []
    names = [s for s in ("SIGINT", "SIGTERM") if hasattr(signal, s)]
    previous = {}
    for name in names:
        signum = getattr(signal, name)
        previous[signum] = signal.signal(signum, lambda n, _frame: caught.append(n))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextlib.contextmanager
def staged(dest: Path) -> Iterator[Path]:
    """Yield an empty staging directory; on success it becomes ``dest``, otherwise it vanishes."""
    dest = dest.absolute()
    check_destination(dest)
    created: list[Path] = []
    committed = False
    holder: Path | None = None
    # SIGTERM is an interrupt from the first folder made to the end of the cleanup, and one try
    # covers them all: a signal held during mkdtemp is delivered as the mask lifts, and must
    # still find the cleanup below.
    with sigterm_as_interrupt():
        try:
            for parent in reversed(dest.parents):
                if not parent.exists():
                    try:
                        parent.mkdir()
                    except OSError as exc:
                        raise PathError(f"cannot create {parent}: {exc.strerror or exc}") from exc
                    created.append(parent)
            try:
                with signals_deferred():
                    # The staging folder has DEST's own name, inside a hidden holder beside
                    # DEST: a template asking for the project's folder name (copier's
                    # _folder_name) gets "churn", not the holder's ".churn.x1y2.mlscaffold-tmp".
                    holder = Path(
                        tempfile.mkdtemp(
                            prefix=f".{dest.name}.", suffix=STAGING_SUFFIX, dir=dest.parent
                        )
                    )
                    stage = holder / dest.name
                    stage.mkdir()
            except OSError as exc:
                raise PathError(f"cannot write in {dest.parent}: {exc.strerror or exc}") from exc
            yield stage
            with signals_deferred():  # the commit and its bookkeeping are one step
                check_destination(dest)  # someone may have written there meanwhile
                stage.chmod(0o777 & ~_umask())
                if dest.exists() and (dest.samefile(Path.cwd()) or (dest / ".git").exists()):
                    # Replacing the directory a shell sits in would strand that shell, and
                    # replacing a clone would lose its .git: the files move in instead.
                    _move_contents(stage, dest)
                else:
                    os.replace(stage, dest)  # an empty directory is replaced atomically
                committed = True
                with contextlib.suppress(OSError):
                    holder.rmdir()
        finally:
            if not committed:

                def cleanup() -> None:
                    if holder is not None:
                        shutil.rmtree(holder, ignore_errors=True)
                    _remove_created(created)

                cleanup_uninterrupted(cleanup)


def _move_contents(stage: Path, dest: Path) -> None:
    """Move the staged entries into an (empty) ``dest``; on failure take back what was moved."""
    moved: list[Path] = []
    try:
        for name in sorted(os.listdir(stage)):
            os.rename(stage / name, dest / name)
            moved.append(dest / name)
        stage.rmdir()
    except OSError as exc:
        for path in moved:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise PathError(f"cannot move the project into {dest}: {exc.strerror or exc}") from exc


def _remove_created(created: list[Path]) -> None:
    for path in reversed(created):
        with contextlib.suppress(OSError):
            path.rmdir()
