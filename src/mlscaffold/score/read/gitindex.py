"""The paths git tracks, read from ``.git/index`` without running git.

``.gitignore`` rules say what git leaves untracked, not what a repository holds: a file added
before its rule, or with ``git add -f`` (a committed model, a workflow folder under ``.*``), is
in every clone. The walk lists such files anyway when this index names them.

The index is the repository's (untrusted) binary file: it is size-capped, opened without
following links, read only through a ``.git`` that is a real folder, and parsed with every
length checked; anything unexpected means "unknown" (None), and the walk then honours the
ignore rules alone, as it always did. Versions 2, 3 and 4 (path-prefix compression) of the
format are read, for SHA-1 and SHA-256 object names.
"""

from __future__ import annotations

import os
import stat

from mlscaffold.score.identity import find_repository_root
from mlscaffold.score.read.safeio import read_regular_file

MAX_INDEX_BYTES = 64 << 20
MAX_ENTRIES = 300_000
# git refuses longer paths (PATH_MAX); version 4 builds each name from the one before, so an
# index of growing names would otherwise hold gigabytes of paths in a few megabytes.
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 64 << 20  # names of all entries together, at the least
_FIXED = 40  # ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 bytes each)


def tracked_paths(root: str) -> set[str] | None:
    """Paths relative to ``root`` (POSIX) of the files git tracks under it, or None when no
    readable index says so (no repository, a worktree's ``.git`` file, a malformed index)."""
    top = find_repository_root(root)
    try:
        if top is None or not stat.S_ISDIR(os.lstat(os.path.join(top, ".git")).st_mode):
            return None
    except OSError:
        return None
    data = read_regular_file(os.path.join(top, ".git", "index"), MAX_INDEX_BYTES + 1)
    if data is None or len(data) > MAX_INDEX_BYTES:
        return None
    paths = parse_index(data)
    if paths is None:
        return None
    prefix = os.path.relpath(os.path.realpath(root), top).replace(os.sep, "/")
    if prefix == ".":
        return paths
    below = prefix + "/"
    return {p[len(below) :] for p in paths if p.startswith(below)}


def parse_index(data: bytes) -> set[str] | None:
    """The paths of a git index file's entries, or None if it is not one this reads."""
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version = int.from_bytes(data[4:8], "big")
    count = int.from_bytes(data[8:12], "big")
    if version not in (2, 3, 4) or count > MAX_ENTRIES:
        return None
    for id_size in (20, 32):  # SHA-1, then SHA-256 if the first reading fails
        paths = _entries(data, version, count, id_size)
        if paths is not None:
            return paths
    return None


def _entries(data: bytes, version: int, count: int, id_size: int) -> set[str] | None:
    paths: set[str] = set()
    pos, end = 12, len(data)
    previous = b""
    # Version 4 shares prefixes: a real index of long paths holds several times its bytes in
    # names (2,000 paths of 318 bytes in 138 KB), never gigabytes.
    total, most = 0, max(8 * len(data), MAX_NAME_BYTES)
    for _ in range(count):
        start = pos
        flags_at = pos + _FIXED + id_size
        if flags_at + 2 > end:
            return None
        flags = int.from_bytes(data[flags_at : flags_at + 2], "big")
        pos = flags_at + 2
        if flags & 0x4000:  # extended flags (version 3 and later)
            if version < 3 or pos + 2 > end:
                return None
            pos += 2
        if version == 4:
            strip, pos = _varint(data, pos)
            if strip is None or strip > len(previous):
                return None
            nul = data.find(b"\0", pos)
            if nul < 0:
                return None
            kept = len(previous) - strip
            if kept + nul - pos > MAX_PATH_BYTES:
                return None
            name = previous[:kept] + data[pos:nul]
            pos = nul + 1
        else:
            nul = data.find(b"\0", pos)
            if nul < 0:
                return None
            name = data[pos:nul]
            # Entries are padded with NULs to a multiple of eight bytes.
            pos = start + ((nul - start) // 8 + 1) * 8
            if pos > end:
                return None
        previous = name
        total += len(name)
        if total > most:
            return None
        mode = int.from_bytes(data[start + 24 : start + 28], "big")
        if mode >> 12 == 0o10 and name:  # a regular file (not a link or a submodule)
            try:
                paths.add(name.decode("utf-8"))
            except UnicodeDecodeError:
                continue
    return paths


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    """git's offset encoding of version 4 (each continuation adds one)."""
    value = 0
    for i in range(10):
        if pos >= len(data):
            return None, pos
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F) if i == 0 else ((value + 1) << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos
    return None, pos
