"""The content pass of a large repository, shared with forked copies of the scorer while the
walk is still listing files.

The walk hands over each folder's files as it lists them. Until the repository proves large
(PARALLEL_MIN_WEIGHT), this process keeps them; then it forks copies (one per further core, at
most three) and from there on gives each batch to a copy that has room for it, keeping the
rest. Once the walk is done, it reads what it kept, still giving batches to any copy that runs
dry, then collects the copies' facts. So the second core reads files while the first still
walks, and both finish together.

Pipes to the copies are small and written without blocking: a copy holds at most a few
batches it has not read yet, so none is left with a long queue at the end. A copy that cannot
be started, stops, or sends something unreadable is replaced by reading its batches here;
merged, the facts are those of ``scan.scan_files`` over the whole list (the tables whose order
the checks see are put in path order). Used only on Linux, from a process with no other
threads.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from operator import itemgetter

from mlscaffold.score.read.scan import ContentFacts, ContentScanner
from mlscaffold.score.read.walk import FileEntry

# Below this much weighted work a second process costs more (fork, transfer) than it saves.
PARALLEL_MIN_WEIGHT = 3000
_CODE_WEIGHT = 4  # a code file costs about four times a prose or config file to scan
_CODE_SUFFIXES = frozenset({".py", ".ipynb"})
BATCH = 32  # files per message to a copy
_PIPE_BYTES = 16384  # what a copy may have waiting: a few batches


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _Copy:
    """A forked copy: its pid, the pipe that feeds it batches, the one it answers on, the
    bytes of a batch not yet taken by the pipe, and every batch it was given."""

    __slots__ = ("feed", "pending", "pid", "replies", "sent")

    def __init__(self, pid: int, feed: int, replies: int) -> None:
        self.pid = pid
        self.feed: int | None = feed
        self.replies = replies
        self.pending = b""
        self.sent: list[list[FileEntry]] = []

    def has_room(self) -> bool:
        """Writes what is pending as far as the pipe takes it; True when nothing is left."""
        if self.feed is None:
            return False
        try:
            while self.pending:
                written = os.write(self.feed, self.pending)
                self.pending = self.pending[written:]
        except BlockingIOError:
            return False
        except OSError:  # the copy is gone: its batches will be read here
            self.close_feed()
            return False
        return True

    def give(self, batch: list[FileEntry]) -> None:
        import pickle

        data = pickle.dumps([(f.path, f.size) for f in batch], pickle.HIGHEST_PROTOCOL)
        self.pending = len(data).to_bytes(4, "big") + data
        self.sent.append(batch)
        self.has_room()

    def close_feed(self, finish: bool = False) -> None:
        """Close the feed; with ``finish``, first write what is pending and the end mark."""
        if self.feed is None:
            return
        if finish:
            try:
                os.set_blocking(self.feed, True)
                data = self.pending + b"\0\0\0\0"
                while data:
                    data = data[os.write(self.feed, data) :]
            except OSError:
                pass  # gone: its answer will be missing and its batches read here
        with contextlib.suppress(OSError):
            os.close(self.feed)
        self.feed = None


class SharedScan:
    """The content pass of one repository, fed by its walk (see the module docstring)."""

    def __init__(
        self,
        root: str,
        max_bytes: int,
        workers: int,
        production: Callable[[str], bool],
        is_prose: Callable[[FileEntry], bool],
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.production = production
        self.is_prose = is_prose
        self.workers = workers
        self.may_fork = (
            workers >= 2 and sys.platform.startswith("linux") and threading.active_count() == 1
        )
        self.kept: list[list[FileEntry]] = []
        self.copies: list[_Copy] = []
        self.weight = 0

    @property
    def forked(self) -> bool:
        return bool(self.copies)

    def offer(self, files: list[FileEntry]) -> None:
        """A folder's files, as the walk lists them."""
        if not self.copies and not self.may_fork:
            return  # read later, in one pass, if a check asks
        for i in range(0, len(files), BATCH):
            batch = files[i : i + BATCH]
            if not self.copies:
                self.kept.append(batch)
                if self.may_fork:
                    self.weight += sum(
                        _CODE_WEIGHT if f.suffix in _CODE_SUFFIXES else 1 for f in batch
                    )
                    if self.weight >= PARALLEL_MIN_WEIGHT:
                        self.may_fork = False  # one attempt
                        self._start_copies()
            elif not self._hand_over(batch):
                self.kept.append(batch)

    def _hand_over(self, batch: list[FileEntry]) -> bool:
        for copy in self.copies:
            if copy.has_room():
                copy.give(batch)
                return True
        return False

    def finish(self) -> ContentFacts:
        """Read the kept files (handing batches to copies that run dry), then merge."""
        try:
            mine = ContentScanner(self.root, self.max_bytes, self.production)
            while self.kept:
                batch = self.kept.pop()
                if not self._hand_over(batch):
                    mine.scan(batch, self._prose(batch))
            for copy in self.copies:
                copy.close_feed(finish=True)
            facts = mine.facts
            while self.copies:
                copy = self.copies.pop(0)  # _receive reaps it, whatever happens
                theirs = _receive(copy)
                if theirs is None or not theirs.fits_registry():
                    for batch in copy.sent:  # it failed: read its batches here
                        mine.scan(batch, self._prose(batch))
                else:
                    facts.merge(theirs)
            return _in_path_order(facts)
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop and reap any copy still running (interrupted, or the walk failed)."""
        for copy in self.copies:
            copy.close_feed()
            with contextlib.suppress(OSError):
                os.close(copy.replies)
            _reap(copy.pid, kill=True)
        self.copies.clear()

    def _prose(self, batch: list[FileEntry]) -> set[str]:
        return {f.path for f in batch if self.is_prose(f)}

    def _start_copies(self) -> None:
        import fcntl
        import pickle  # noqa: F401 - before the fork, so that no copy imports it again

        for _ in range(self.workers - 1):
            try:
                feed_read, feed_write = os.pipe()
            except OSError:
                return
            try:
                reply_read, reply_write = os.pipe()
            except OSError:
                _close(feed_read, feed_write)
                return
            try:
                pid = os.fork()
            except OSError:  # a process limit, no memory: this process reads it all
                _close(feed_read, feed_write, reply_read, reply_write)
                return
            if pid != 0:
                self.copies.append(_Copy(pid, feed_write, reply_read))  # tracked at once
            else:  # the copy: whatever happens, it leaves through os._exit
                try:
                    for other in self.copies:  # not its own: they would keep those open
                        _close(other.replies, *([other.feed] if other.feed is not None else []))
                    self.copies = []
                    _close(feed_write, reply_read)
                    self._serve(feed_read, reply_write)
                finally:
                    os._exit(1)
            _close(feed_read, reply_write)
            with contextlib.suppress(OSError):  # small, so that no copy queues much work
                fcntl.fcntl(feed_write, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
            os.set_blocking(feed_write, False)

    def _serve(self, feed: int, replies: int) -> None:
        """The copy's work: scan each batch it is fed until the end mark, send the facts."""
        import pickle

        scanner = ContentScanner(self.root, self.max_bytes, self.production)
        with os.fdopen(feed, "rb") as pipe:
            while True:
                head = pipe.read(4)
                if len(head) < 4:
                    os._exit(2)  # the scorer went away
                size = int.from_bytes(head, "big")
                if not size:
                    break
                listed = pickle.loads(pipe.read(size))  # noqa: S301 - our own scorer wrote it
                batch = [FileEntry(path, length) for path, length in listed]
                scanner.scan(batch, self._prose(batch))
        data = pickle.dumps(scanner.facts, pickle.HIGHEST_PROTOCOL)
        with os.fdopen(replies, "wb") as out:
            out.write(data)
        os._exit(0)


def _receive(copy: _Copy) -> ContentFacts | None:
    """The copy's facts, or None if it failed; the copy is reaped in any case (killed first
    if this is interrupted before it is done)."""
    data: bytes | None = None
    try:
        with os.fdopen(copy.replies, "rb", closefd=False) as pipe:
            data = pipe.read()
    except OSError:
        data = b""
    finally:
        _close(copy.replies)
        ok = _reap(copy.pid, kill=data is None)
    if not ok or not data:
        return None
    import pickle

    try:
        facts = pickle.loads(data)  # noqa: S301 - bytes our own forked copy just wrote to a pipe
    except Exception:  # a copy that went wrong: its batches are read here instead
        return None
    return facts if isinstance(facts, ContentFacts) else None


def _in_path_order(facts: ContentFacts) -> ContentFacts:
    """What a check may see in order (a scanner's findings, notes) as one pass would list it;
    the other tables are looked up by path, and answers built from them are sorted."""
    facts.scanned = [dict(sorted(table.items())) for table in facts.scanned]
    facts.notes.sort(key=itemgetter(0))
    return facts


def _close(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def _reap(pid: int, kill: bool) -> bool:
    if kill:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0
