"""Which repository a report is about: its top folder, the scored folder inside it, the HEAD
commit and the origin remote, read from ``.git`` without running git.

git's own config can make it run programs (fsmonitor, filters), so the few files needed are
parsed here instead: ``HEAD``, a loose ref or ``packed-refs``, and ``config``. The scanned
repository is hostile, so each file is size-capped and opened without following a symbolic
link, every folder on the way must be a real folder, a ``.git`` file (a worktree's or a
submodule's pointer to a git folder elsewhere) is not followed, and the remote URL loses any
user name, password or token before it reaches a report.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from mlscaffold.score.read import linear
from mlscaffold.score.read.safeio import read_regular_file

MAX_SMALL = 4096  # HEAD, a loose ref
MAX_CONFIG = 256 * 1024
MAX_PACKED_REFS = 8 * 1024 * 1024
MAX_LEVELS = 64  # folders walked up from the scored one in search of .git
MAX_URL = 2048

# The files read here are the repository's (untrusted): linear-time patterns only.
_OBJECT_ID = linear.lazy(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
_REF = linear.lazy(r"refs/(?:[A-Za-z0-9_+-][A-Za-z0-9._+-]*/)*[A-Za-z0-9_+-][A-Za-z0-9._+-]*")
_SECTION = linear.lazy(r'\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](.*)')
_KEY = linear.lazy(r"([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?")
_SCP = linear.lazy(r"(?:[^@/]+@)?([^@/:]+):(.+)")  # git@host:owner/name.git
_LETTER = linear.lazy(r"[A-Za-z]")
_HOST = linear.lazy(r"[^/]+:")


@dataclass(frozen=True)
class RepoIdentity:
    """``root``: the folder holding ``.git`` (None outside a git repository, where ``path`` is
    relative to the folder that was given to score instead); ``path``: the scored folder
    relative to it, POSIX, ``.`` for the top."""

    root: str | None
    path: str
    commit: str | None = None
    branch: str | None = None
    remote: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "root": self.root,
            "path": self.path,
            "commit": self.commit,
            "branch": self.branch,
            "remote": self.remote,
        }


def identify(folder: str, base: str | None = None) -> RepoIdentity:
    """The identity of the repository that holds ``folder`` (a real, absolute path).
    ``base``: where relative paths start when ``folder`` is in no git repository."""
    top = find_repository_root(folder)
    if top is None:
        start = base or folder
        return RepoIdentity(None, _relative(folder, start))
    gitdir = os.path.join(top, ".git")
    commit = branch = remote = None
    if _is_real_dir(gitdir):
        commit, branch = _head(gitdir)
        remote = _origin_url(gitdir)
    return RepoIdentity(top, _relative(folder, top), commit, branch, remote)


def find_repository_root(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` with a ``.git`` entry, on the same device."""
    current = os.path.realpath(folder)
    try:
        device = os.lstat(current).st_dev
    except OSError:
        return None
    for _ in range(MAX_LEVELS):
        try:
            os.lstat(os.path.join(current, ".git"))
            return current
        except OSError:
            pass
        parent = os.path.dirname(current)
        if parent == current:
            return None
        try:
            if os.lstat(parent).st_dev != device:  # git, too, stops at a mount point
                return None
        except OSError:
            return None
        current = parent
    return None


def _relative(folder: str, start: str) -> str:
    rel = os.path.relpath(os.path.realpath(folder), os.path.realpath(start))
    return "." if rel in (".", "") else rel.replace(os.sep, "/")


def _is_real_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _read(gitdir: str, rel: str, limit: int) -> str | None:
    """A file under ``gitdir`` whose every folder on the way is a real folder (no link)."""
    parts = rel.split("/")
    current = gitdir
    for part in parts[:-1]:
        current = os.path.join(current, part)
        if not _is_real_dir(current):
            return None
    data = read_regular_file(os.path.join(current, parts[-1]), limit)
    if data is None:
        return None
    return data.decode("ascii", errors="replace")


def _head(gitdir: str) -> tuple[str | None, str | None]:
    text = _read(gitdir, "HEAD", MAX_SMALL)
    if text is None:
        return None, None
    head = text.strip()
    if _OBJECT_ID.fullmatch(head):
        return head, None  # a detached HEAD
    for _ in range(5):  # a symbolic ref may point at another symbolic ref
        if not head.startswith("ref:"):
            return None, None
        ref = head[4:].strip()
        if not _valid_ref(ref):
            return None, None
        branch = ref[len("refs/heads/") :] if ref.startswith("refs/heads/") else None
        loose = _read(gitdir, ref, MAX_SMALL)
        if loose is None:
            return _packed(gitdir, ref), branch
        head = loose.strip()
        if _OBJECT_ID.fullmatch(head):
            return head, branch
    return None, None


def _valid_ref(ref: str) -> bool:
    return bool(_REF.fullmatch(ref)) and ".." not in ref and not ref.endswith(".lock")


def _packed(gitdir: str, ref: str) -> str | None:
    text = _read(gitdir, "packed-refs", MAX_PACKED_REFS)
    if text is None:
        return None
    for line in text.splitlines():
        object_id, _, name = line.partition(" ")
        if name == ref and _OBJECT_ID.fullmatch(object_id):
            return object_id
    return None


def _origin_url(gitdir: str) -> str | None:
    text = _read(gitdir, "config", MAX_CONFIG)
    if text is None:
        return None
    in_origin = False
    for raw in text.splitlines():
        line = raw.strip()
        section = _SECTION.match(line)
        if section:
            name, sub = section[1].lower(), section[2]
            in_origin = (name, sub) == ("remote", "origin") or name == "remote.origin"
            line = section[3].strip()
        if not in_origin or not line or line[0] in "#;":
            continue
        key = _KEY.fullmatch(line)
        if key and key[1].lower() == "url" and key[2] is not None:
            return clean_remote(_config_value(key[2]))  # fetches use the first url
    return None


def _config_value(raw: str) -> str:
    """A git config value: quotes removed, escapes resolved, an inline comment dropped."""
    out: list[str] = []
    quoted = False
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\" and i + 1 < len(raw):
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(raw[i + 1], raw[i + 1]))
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
        i += 1
    return "".join(out).strip()


def clean_remote(url: str) -> str | None:
    """The remote URL without user name, password, token, query or fragment; None when it
    is not a plausible URL (control characters, far too long)."""
    url = url.strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        try:
            host, port = parts.hostname or "", parts.port
        except ValueError:
            return None
        if ":" in host:
            host = f"[{host}]"  # IPv6
        netloc = host + (f":{port}" if port else "")
        return urlunsplit((parts.scheme.lower(), netloc, parts.path, "", ""))
    scp = _SCP.fullmatch(url)  # git@host:owner/name.git
    if scp and not _LETTER.fullmatch(scp[1]):  # not a Windows drive letter
        return f"{scp[1]}:{scp[2]}"
    return url  # a local path: nothing secret in it


def remote_key(remote: str) -> str:
    """One spelling of a remote for comparing reports: ``host/owner/name`` in lower case, with
    no scheme, ``.git`` or trailing slash (https and ssh clones of a repository agree)."""
    parts = urlsplit(remote)
    if parts.scheme and parts.netloc:
        host, path = (parts.hostname or "").lower(), parts.path
    else:
        host, _, path = remote.partition(":") if _HOST.match(remote) else ("", "", remote)
        host = host.rpartition("@")[2].lower()  # git@github.com:o/r
    path = posixpath.normpath("/" + path.strip("/")).lstrip("/")
    path = path[:-4] if path.endswith(".git") else path
    return f"{host}/{path}".strip("/").lower()
