"""Open repository files without following links, blocking on FIFOs, or reading unbounded data."""

from __future__ import annotations

import os
import stat

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0)


def read_regular_file(path: str, max_bytes: int) -> bytes | None:
    """Return up to ``max_bytes`` of a regular file, or None if it is anything else or unreadable.

    O_NOFOLLOW refuses a symlink in the last component; O_NONBLOCK keeps a FIFO from blocking
    the open; fstat on the opened descriptor then refuses anything that is not a regular file.
    """
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        # One read of the size fstat reports (plus one byte): when exactly that size comes
        # back, the file is whole, so the usual file costs one read call and no over-sized
        # buffer. A shorter read (some file systems return partial reads) or a file that grew
        # is read on until the end.
        want = min(max_bytes, st.st_size + 1)
        data = os.read(fd, want)
        if len(data) == st.st_size or len(data) >= max_bytes or not data:
            return data[:max_bytes]
        chunks = [data]
        remaining = max_bytes - len(data)
        while remaining > 0:  # the file grew after fstat
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def regular_file_mentions(path: str, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether a regular file holds ``needle`` anywhere, read a chunk at a time (a file of any
    size costs its reading, not its size in memory). False for anything else."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        tail = b""
        while True:
            data = os.read(fd, chunk)
            if not data:
                return False
            if needle in tail + data:
                return True
            tail = data[-(len(needle) - 1) :] if len(needle) > 1 else b""
    except OSError:
        return False
    finally:
        os.close(fd)
