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
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        remaining = max_bytes
        while remaining > 0:
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
