"""The incremental cache: what an earlier run found, kept in the user's cache folder.

Two files per scored repository (named by a hash of its real path), never inside it:

- ``<key>.facts.json``: the content pass's facts of each file (imports, code-pattern matches,
  headings, scanner findings, notes), keyed by path, size and modification and change times.
  A file whose key still matches is not read again.
- ``<key>.report.json``: the last run's verdicts with a fingerprint of everything they depend
  on: every listed file's key, the checks (all their fields), the configuration, the tool's
  version. When the fingerprint matches, the run is the walk plus this small file.

Both are JSON (never pickle: a cache is data, never code), size-capped and validated field by
field; anything unexpected makes the entry, or the file, count as absent. Files modified in
the last two seconds are not cached (their time stamp cannot yet tell a later edit apart).
Writes go to a temporary file renamed into place, so a crash leaves the old cache or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from mlscaffold import __version__
from mlscaffold.score.read.readers.python import ImportRef
from mlscaffold.score.read.safeio import read_regular_file
from mlscaffold.score.read.scan import FileFacts, registry_key
from mlscaffold.score.read.walk import FileEntry

FORMAT = 1
MAX_FACTS_BYTES = 512 << 20
MAX_REPORT_BYTES = 16 << 20
SETTLED_NS = 2_000_000_000  # a file younger than this may still change within its time stamp


_CODE: list[str] = []


def code_version() -> str:
    """mlscaffold's version and a digest of its own code's file sizes and times: an editable
    install changes its code without changing its version, and a cache made by other code
    must not answer for this one."""
    if not _CODE:
        package = Path(__file__).resolve().parents[2]
        digest = hashlib.sha256(__version__.encode())
        for path in sorted(package.rglob("*.py")):
            try:
                st = path.stat()
            except OSError:
                continue
            digest.update(f"{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        _CODE.append(digest.hexdigest()[:16])
    return _CODE[0]


def cache_dir() -> Path:
    """``MLSCAFFOLD_CACHE_DIR``, else the platform's user cache folder."""
    explicit = os.environ.get("MLSCAFFOLD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "mlscaffold" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "mlscaffold"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlscaffold"


class RepoCache:
    """The cache of one repository for one run: facts read from it, facts and verdicts to
    write back. ``None`` from ``open`` when no usable folder exists (or it lies inside the
    repository: the cache never writes into what it scores)."""

    def __init__(self, folder: Path, root: str) -> None:
        self.folder = folder
        self.name = hashlib.sha256(f"{FORMAT}\0{root}".encode()).hexdigest()[:32]
        self.facts_path = folder / f"{self.name}.facts.json"
        self.report_path = folder / f"{self.name}.report.json"
        self.root = root
        self.started_ns = time.time_ns()
        self._facts: dict[str, list[Any]] | None = None
        self.hits = 0

    @classmethod
    def open(cls, root: str) -> RepoCache | None:
        folder = cache_dir()
        try:
            real = os.path.realpath(folder)
        except (OSError, ValueError):
            return None
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return None
        return cls(Path(real), root)

    # ----- the content pass's facts, file by file -------------------------------------------
    def _entries(self) -> dict[str, list[Any]]:
        if self._facts is None:
            doc = _load(self.facts_path, MAX_FACTS_BYTES)
            ok = (
                isinstance(doc, dict)
                and doc.get("format") == FORMAT
                and doc.get("tool") == code_version()
                and doc.get("root") == self.root
                and doc.get("registry") == registry_key()
                and isinstance(doc.get("files"), dict)
            )
            self._facts = doc["files"] if ok else {}
        return self._facts

    def get(self, entry: FileEntry, flags: int, patterns: bool) -> FileFacts | None:
        """The cached facts of ``entry`` if its key matches and they were found the way this
        run would find them (the same kind of file, patterns run or not)."""
        raw = self._entries().get(entry.path)
        if not isinstance(raw, list) or len(raw) != 10:
            return None
        size, mtime, ctime, kind, with_patterns = raw[:5]
        if (size, mtime, ctime) != (entry.size, entry.mtime, entry.ctime) or not entry.mtime:
            return None
        if kind != flags or with_patterns is not patterns:
            return None
        facts = _facts_from(raw[5:])
        if facts is not None:
            self.hits += 1
        return facts

    def save_facts(self, fresh: dict[str, tuple[FileEntry, int, bool, FileFacts]],
                   files: Iterable[FileEntry]) -> None:  # fmt: skip
        """Keep the facts of the listed files: those read now, and the cached ones still
        valid (a file no longer listed is dropped)."""
        old = self._entries()

        def kept() -> Iterator[tuple[str, list[Any]]]:
            for entry in files:
                path = entry.path
                if path in fresh:
                    _, flags, patterns, facts = fresh[path]
                    if entry.mtime and entry.mtime < self.started_ns - SETTLED_NS:
                        yield path, [entry.size, entry.mtime, entry.ctime, flags, patterns,
                                     *_facts_to(facts)]  # fmt: skip
                elif path in old:
                    raw = old[path]
                    if isinstance(raw, list) and raw[:3] == [entry.size, entry.mtime, entry.ctime]:
                        yield path, raw

        head = {"format": FORMAT, "tool": code_version(), "root": self.root,
                "registry": registry_key()}  # fmt: skip
        _store(self.facts_path, lambda out: _write_files(out, head, kept()))

    # ----- the last run's verdicts ----------------------------------------------------------
    def fingerprint(self, files: list[FileEntry], context: str) -> str | None:
        """A digest of every listed file's key and of ``context`` (checks, configuration),
        or None when some file is too recent for its time stamp to be trusted."""
        # One report file per kind of run (a monorepo's sub-projects, its whole-repository
        # pass and a run with --select keep theirs apart).
        kind = hashlib.sha256(context.encode()).hexdigest()[:12]
        self.report_path = self.folder / f"{self.name}.{kind}.report.json"
        digest = hashlib.sha256(f"{FORMAT}\0{code_version()}\0{self.root}\0{context}".encode())
        settled = self.started_ns - SETTLED_NS
        parts = []
        for f in files:
            if not f.mtime or f.mtime >= settled:
                return None
            parts.append(f"{f.path}\0{f.size}\0{f.mtime}\0{f.ctime}")
        digest.update("\n".join(parts).encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def load_report(self, fingerprint: str) -> dict[str, Any] | None:
        doc = _load(self.report_path, MAX_REPORT_BYTES)
        if not isinstance(doc, dict) or doc.get("fingerprint") != fingerprint:
            return None
        findings, notes = doc.get("findings"), doc.get("notes")
        if not (isinstance(findings, list) and all(_is_finding(f) for f in findings)):
            return None
        if not (isinstance(notes, list) and all(_is_pair(n) for n in notes)):
            return None
        return doc

    def save_report(self, fingerprint: str, findings: list[dict[str, Any]],
                    notes: list[list[str]]) -> None:  # fmt: skip
        doc = {"fingerprint": fingerprint, "findings": findings, "notes": notes}
        _store(self.report_path, lambda out: out.write(json.dumps(doc, separators=(",", ":"))))


def _facts_to(facts: FileFacts) -> list[Any]:
    imports = None if facts.imports is None else [list(ref) for ref in facts.imports]
    return [imports, facts.matches, facts.headings, facts.scanned, facts.notes]


def _facts_from(raw: list[Any]) -> FileFacts | None:
    """FileFacts from their JSON form, or None if any part is not what a run writes."""
    imports, matches, headings, scanned, notes = raw
    refs: list[ImportRef] | None = None
    if imports is not None:
        if not isinstance(imports, list):
            return None
        refs = []
        for item in imports:
            if not (
                isinstance(item, list)
                and len(item) == 3
                and isinstance(item[0], str)
                and item[0]
                and _is_int(item[1])
                and isinstance(item[2], list)
                and all(isinstance(n, str) for n in item[2])
            ):
                return None
            refs.append(ImportRef(sys.intern(item[0]), item[1], tuple(item[2])))
    from mlscaffold.score.read import scan

    patterns, scanners = len(scan.CODE_PATTERNS), len(scan.TEXT_SCANNERS)
    if not isinstance(matches, list) or not all(
        isinstance(m, list) and len(m) == 3 and _index(m[0], patterns) and _is_int(m[1])
        and isinstance(m[2], str)
        for m in matches
    ):  # fmt: skip
        return None
    if headings is not None and not (
        isinstance(headings, list) and all(isinstance(h, str) for h in headings)
    ):
        return None
    if not isinstance(scanned, list) or not all(
        isinstance(s, list) and len(s) == 2 and _index(s[0], scanners) and _plain(s[1])
        for s in scanned
    ):
        return None
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        return None
    return FileFacts(
        refs,
        [(m[0], m[1], sys.intern(m[2])) for m in matches],
        headings,
        [(s[0], _tuples(s[1])) for s in scanned],
        notes,
    )


def _index(value: Any, size: int) -> bool:
    return _is_int(value) and 0 <= value < size


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain(value: Any, depth: int = 0) -> bool:
    """JSON of the kind a scanner returns: lists of strings and numbers, a few levels deep."""
    if isinstance(value, str) or _is_int(value):
        return True
    if isinstance(value, list) and depth < 3:
        return all(_plain(v, depth + 1) for v in value)
    return False


def _tuples(value: Any) -> Any:
    """Lists back into the tuples a scanner returned (JSON knows only lists)."""
    if isinstance(value, list):
        return [tuple(_tuples(v) for v in item) if isinstance(item, list) else item
                for item in value]  # fmt: skip
    return value


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _is_finding(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    evidence = value.get("evidence")
    return (
        isinstance(value.get("id"), str)
        and isinstance(value.get("status"), str)
        and isinstance(value.get("reason"), str)
        and isinstance(evidence, list)
        and all(
            isinstance(e, list)
            and len(e) == 3
            and isinstance(e[0], str)
            and (e[1] is None or _is_int(e[1]))
            and (e[2] is None or isinstance(e[2], str))
            for e in evidence
        )
    )


def _load(path: Path, cap: int) -> Any:
    data = read_regular_file(str(path), cap + 1)
    if data is None or len(data) > cap:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def _write_files(out: TextIO, head: dict[str, Any], files: Iterator[tuple[str, list[Any]]]) -> None:
    """``head`` with a ``files`` mapping, written a few thousand files at a time: the facts of
    a large repository would make a JSON text of tens of megabytes at once."""
    out.write(json.dumps(head, separators=(",", ":"))[:-1] + ',"files":{')
    first = True
    while batch := dict(itertools.islice(files, 2000)):
        text = json.dumps(batch, separators=(",", ":"))[1:-1]
        out.write(text if first else "," + text)
        first = False
    out.write("}}")


def _store(path: Path, write: Callable[[TextIO], Any]) -> None:
    """Write a file atomically with ``write``; a cache that cannot be written is simply not
    kept."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as out:
            write(out)
        os.replace(tmp, path)
    except (OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            tmp.unlink()
