"""The one read of a repository's contents.

Every file that some check looks inside is read once, in a single pass over the file list:
Python modules and notebooks (their imports and the first match of every registered code
pattern), prose (its heading-like lines) and whatever the registered text scanners want (the
secrets rule). The pass works on the raw bytes with linear-time patterns (see ``linear``): no
file is decoded unless a fact is taken from it, and one automaton pass tells which code patterns
occur in a file at all. Only facts are kept, never the texts, so memory does not grow with the
size of the code. The facts of each file depend on its bytes alone, so they can be cached
between runs (see ``cache``) and the list split between processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from sys import intern
from typing import Any, NamedTuple

from mlscaffold.score.read import linear, safeio
from mlscaffold.score.read.readers import markdown, notebooks, python
from mlscaffold.score.read.walk import FileEntry

BINARY_SNIFF = 8192
# Generated reference pages ("<!-- Generated from ...; do not edit -->") are not the team's prose.
_GENERATED = linear.lazy(
    r"generated (from|by)\b.{0,200}\bdo not edit|do not edit.{0,80}generated", linear.I | linear.S
)


class Located(NamedTuple):
    """A fact found at a place in the repo (a named tuple: a large repo has many)."""

    path: str
    line: int | None
    value: str


class CodePattern:
    """A rule's pattern over the project's code: every one is registered at import, and the
    content pass records its first match in each production module and notebook, so asking
    for its matches there reads nothing. ``search`` answers for any other text."""

    __slots__ = ("regex",)

    def __init__(self, regex: linear.Pattern) -> None:
        self.regex = regex
        CODE_PATTERNS.append(self)

    def search(self, text: str, pos: int = 0) -> linear.Match | None:
        return self.regex.search(text, pos)


class TextScanner(NamedTuple):
    """A rule's reader of raw file bytes: ``scan(path, data)`` returns facts as plain lists,
    tuples, strings and numbers (they are cached as JSON), or a falsy value, for every listed
    file that ``wants(entry)`` accepts; with ``production_only``, only among the production
    modules and notebooks (where the rule patterns run), when its rule asks about no others."""

    name: str
    wants: Callable[[Any], bool]
    scan: Callable[[str, bytes], Any]
    production_only: bool = False


# Filled at import time by the rule modules; a forked worker inherits them.
CODE_PATTERNS: list[CodePattern] = []
TEXT_SCANNERS: list[TextScanner] = []

# What the pass does with a file.
CODE = 1
NOTEBOOK = 2
PROSE = 4


def registry_key() -> str:
    """What the facts of a file depend on besides its bytes: the registered patterns and
    scanners (a cache made with others is not used)."""
    import hashlib

    parts = [p.regex.pattern + "\0" + str(p.regex.flags) for p in CODE_PATTERNS]
    parts += [f"{s.name}\0{s.production_only}" for s in TEXT_SCANNERS]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


class FileFacts(NamedTuple):
    """What the pass found in one file (plain data: cached as JSON, sent between processes).
    ``matches``: (pattern index, line, text) of each code pattern's first match;
    ``scanned``: (scanner index, facts); ``notes``: messages about the file."""

    imports: list[python.ImportRef] | None
    matches: list[tuple[int, int, str]]
    headings: list[str] | None
    scanned: list[tuple[int, Any]]
    notes: list[str]


class ContentFacts:
    """What the pass found over the file list, by fact and path."""

    __slots__ = (
        "by_top", "fresh", "headings", "imports", "matches", "notebook_code", "notes", "scanned",
    )  # fmt: skip

    def __init__(self) -> None:
        self.imports: dict[str, list[python.ImportRef]] = {}
        # Files by the top-level modules they import ("sklearn"), lower case.
        self.by_top: dict[str, list[str]] = {}
        self.matches: list[dict[str, Located]] = [{} for _ in CODE_PATTERNS]
        self.headings: dict[str, list[str]] = {}
        self.scanned: list[dict[str, Any]] = [{} for _ in TEXT_SCANNERS]
        self.notes: list[tuple[str, str]] = []
        # Files read in this pass (not taken from the cache), for the cache to keep:
        # path -> (entry, what the pass did with it, whether patterns ran, facts).
        self.fresh: dict[str, tuple[FileEntry, int, bool, FileFacts]] = {}
        # The code cells of the notebooks read, up to NOTEBOOK_CODE_KEPT characters in all:
        # the checks that read a notebook again (seeds, saved model files) take them from
        # here instead of parsing its JSON a second time.
        self.notebook_code: dict[str, str] = {}

    def fits_registry(self) -> bool:
        """Whether these facts have a table for each registered pattern and scanner (rules
        imported after the pass add some)."""
        return len(self.matches) == len(CODE_PATTERNS) and len(self.scanned) == len(TEXT_SCANNERS)


def sniff(data: bytes) -> str | None:
    """Why ``data`` is not text (binary, or mostly not UTF-8), or None if it is."""
    if data.find(b"\x00", 0, BINARY_SNIFF) != -1:
        return "binary content; not parsed"
    head = data[:BINARY_SNIFF]
    if not head.isascii():
        sample = head.decode("utf-8", errors="replace")
        if sample.count("\ufffd") >= max(8, len(sample) // 100):
            return "not valid text; not parsed"
    return None


def decode(data: bytes) -> tuple[str | None, str | None]:
    """(text, None), or (None, why it is not text)."""
    why_not = sniff(data)
    if why_not:
        return None, why_not
    return data.decode("utf-8", errors="replace"), None


# A notebook's size is mostly its outputs (plots as base64): one whose code is a few hundred
# lines often weighs several MiB, and its code cells are where a notebook project's modelling
# is. Notebooks are read up to this multiple of the parse limit (16 MiB by default).
NOTEBOOK_SIZE_FACTOR = 16


def size_limit(path: str, max_bytes: int) -> int:
    """The most bytes of ``path`` that are read, for a parse limit of ``max_bytes``."""
    return max_bytes * NOTEBOOK_SIZE_FACTOR if path.endswith(".ipynb") else max_bytes


def read_bytes(root: str, path: str, size: int, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The content of a listed text file, or (None, the note to record about it)."""
    max_bytes = size_limit(path, max_bytes)
    if size > max_bytes:
        return None, f"larger than {max_bytes // 1024} KiB; not parsed"
    data = safeio.read_regular_file(os.path.join(root, path), max_bytes)
    if data is None:
        return None, "unreadable or no longer a regular file; skipped"
    if data[:2] in _UTF16_BOMS:
        # Windows PowerShell writes `pip freeze > requirements.txt` as UTF-16 with a byte
        # order mark: text, read as UTF-8 like every other file.
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    why_not = sniff(data)
    return (None, why_not) if why_not else (data, None)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_text(root: str, path: str, size: int, max_bytes: int) -> tuple[str | None, str | None]:
    """Decoded content of a listed file, or (None, the note to record about it)."""
    data, why_not = read_bytes(root, path, size, max_bytes)
    if data is None:
        return None, why_not
    return data.decode("utf-8", errors="replace"), None


class _Compiled:
    """The registered code patterns, compiled once per process, with the set that tells
    which of them occur in a text."""

    def __init__(self) -> None:
        self.patterns = [linear.compiled(p.regex) for p in CODE_PATTERNS]
        self.any_of = linear.PatternSet(self.patterns) if self.patterns else None

    def first_matches(self, code: bytes) -> list[tuple[int, int, str]]:
        if self.any_of is None:
            return []
        hits = self.any_of.matching(code)
        if hits is None:  # the set gave up on this text: ask each pattern
            hits = range(len(self.patterns))
        found = []
        for i in sorted(hits):
            span = self.patterns[i].first_span(code)
            if span is not None:
                start, end = span
                value = intern(code[start:end].decode("utf-8", "replace"))  # values repeat
                found.append((i, code.count(b"\n", 0, start) + 1, value))
        return found


_COMPILED: dict[int, _Compiled] = {}


def _compiled() -> _Compiled:
    key = len(CODE_PATTERNS)  # rules only ever add patterns
    if key not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[key] = _Compiled()
    return _COMPILED[key]


NOTEBOOK_CODE_KEPT = 32 << 20


def scan_file(
    entry: FileEntry,
    flags: int,
    data: bytes,
    scanners: list[tuple[int, Any]],
    patterns: bool,
    max_code: int | None = None,
    keep: dict[str, str] | None = None,
) -> FileFacts:
    """The facts of one file's ``data``: the ``scanners`` (index, scan) that want it, then by
    ``flags`` its headings (PROSE) or its imports and, with ``patterns``, the first match of
    each code pattern (CODE, NOTEBOOK)."""
    scanned = []
    for i, scan in scanners:
        found = scan(entry.path, data)
        if found:
            scanned.append((i, found))
    notes: list[str] = []
    if flags & PROSE:
        headings = None if _GENERATED.search(data[:400]) else markdown.heading_candidates(data)
        return FileFacts(None, [], headings, scanned, notes)
    if not flags & CODE:
        return FileFacts(None, [], None, scanned, notes)
    code = data
    headings = None
    if flags & NOTEBOOK:
        cells, prose, err = notebooks.cells_by_kind(data, max_code)
        if err is not None:
            notes.append(f"malformed notebook ({err})")
        if keep is not None and cells is not None:
            keep[entry.path] = cells
        # the markdown cells' heading lines, so that a check asking for a notebook's data
        # dictionary reads again only the notebooks that have such a heading
        headings = markdown.heading_candidates(prose[: markdown.MAX_PROSE_CHARS]) if prose else None
        if not cells:
            return FileFacts(None, [], headings, scanned, notes)
        code = cells.encode("utf-8", "replace")
    matches = _compiled().first_matches(code) if patterns else []
    return FileFacts(python.scan_imports(code), matches, headings, scanned, notes)


def scan_files(
    root: str,
    files: list[FileEntry],
    prose: set[str],
    max_bytes: int,
    production: Callable[[str], bool] | None = None,
    cache: Any = None,
) -> ContentFacts:
    """Read once each file that some check looks inside and gather what the checks want:
    code facts for Python and notebooks, headings for the ``prose`` paths, and whatever the
    registered text scanners want. The rule patterns run on notebooks and on the modules
    ``production`` accepts (all modules when it is None): no rule asks about tests or docs.
    ``cache``: facts of unchanged files from an earlier run (see ``cache``)."""
    scanner = ContentScanner(root, max_bytes, production, cache)
    scanner.scan(files, prose)
    return scanner.facts


class ContentScanner:
    """``scan_files`` in instalments: each ``scan`` adds to the same facts, so files can be
    handed over as a walk lists them."""

    def __init__(
        self,
        root: str,
        max_bytes: int,
        production: Callable[[str], bool] | None = None,
        cache: Any = None,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.production = production
        self.cache = cache
        self.facts = ContentFacts()
        self._top_of: dict[str, str] = {}
        self._shared_refs: dict[tuple, python.ImportRef] = {}
        self._kept_chars = 0  # of notebook code kept in the facts

    def scan(self, files: list[FileEntry], prose: set[str]) -> None:
        root, max_bytes, production, cache = self.root, self.max_bytes, self.production, self.cache
        wants = [(i, s.wants, s.scan, s.production_only) for i, s in enumerate(TEXT_SCANNERS)]
        # The facts read now are kept for a cache to store; with none, nothing keeps them
        # beyond the tables below (a file's own lists would hold a second copy of everything).
        fresh = self.facts.fresh if cache is not None else None
        for entry in files:
            suffix = entry.suffix
            path = entry.path
            if suffix == ".py":
                flags = CODE
            elif suffix == ".ipynb":
                flags = CODE | NOTEBOOK
            elif path in prose:
                flags = PROSE
            else:
                flags = 0
            patterns = bool(
                flags & CODE and (flags & NOTEBOOK or production is None or production(path))
            )
            wanted = [
                (i, scan) for i, want, scan, only in wants if want(entry) and (patterns or not only)
            ]
            if not flags and not wanted:
                continue
            cached = cache.get(entry, flags, patterns) if cache is not None else None
            if cached is not None:
                self.add(path, cached)
                continue
            data, why_not = read_bytes(root, path, entry.size, max_bytes)
            if data is None:
                found = FileFacts(None, [], None, [], [why_not or "not read"])
            else:
                kept = self.facts.notebook_code
                keep = kept if self._kept_chars < NOTEBOOK_CODE_KEPT else None
                found = scan_file(entry, flags, data, wanted, patterns, max_bytes, keep)
                if keep is not None and entry.path in kept:
                    self._kept_chars += len(kept[entry.path])
            found = self.add(path, found)
            if fresh is not None:
                fresh[path] = (entry, flags, patterns, found)

    def add(self, path: str, found: FileFacts) -> FileFacts:
        """Record one file's facts (read now or taken from the cache); returns them with the
        imports shared with other files' (equal imports are one object)."""
        facts = self.facts
        for message in found.notes:
            facts.notes.append((path, message))
        for i, value in found.scanned:
            facts.scanned[i][path] = value
        if found.headings is not None:
            facts.headings[path] = found.headings
        for i, line, value in found.matches:
            facts.matches[i][path] = Located(path, line, value)
        if found.imports is None:
            return found
        shared = self._shared_refs
        refs = facts.imports[path] = [shared.setdefault(ref, ref) for ref in found.imports]
        found = found._replace(imports=refs)
        top_of, by_top = self._top_of, facts.by_top
        tops = set()
        for ref in refs:
            module = ref[0]
            top = top_of.get(module)
            if top is None:  # module names repeat: split and lower each one once
                top = top_of[module] = "" if module[0] == "." else module.split(".", 1)[0].lower()
            tops.add(top)
        for top in tops:
            if top:
                if top in by_top:
                    by_top[top].append(path)
                else:
                    by_top[top] = [path]
        return found
