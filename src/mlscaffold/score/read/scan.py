"""The one read of a repository's contents.

Every file that some check looks inside is read once, in a single pass over the file list:
Python modules and notebooks (their imports and the first match of every registered code
pattern), prose (its heading-like lines) and whatever the registered text scanners want (the
secrets rule). Only those facts are kept, never the texts, so memory does not grow with the
size of the code. The pass is a pure function of the file list and its result is plain data,
so the list can be split between processes (see ``sharing``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from sys import intern
from typing import Any, NamedTuple

from mlscaffold.score.read import safeio
from mlscaffold.score.read.leading import StartFinder, leading_literals
from mlscaffold.score.read.readers import markdown, notebooks, python
from mlscaffold.score.read.walk import FileEntry

BINARY_SNIFF = 8192
# Generated reference pages ("<!-- Generated from ...; do not edit -->") are not the team's prose.
_GENERATED = re.compile(
    r"generated (from|by)\b.{0,200}\bdo not edit|do not edit.{0,80}generated", re.I | re.S
)


class Located(NamedTuple):
    """A fact found at a place in the repo (a named tuple: a large repo has many)."""

    path: str
    line: int | None
    value: str


class Gated:
    """A regex plus fixed substrings of which every match contains at least one. Testing the
    substrings with ``in`` (C speed) skips most files before the regex engine runs; when it
    does run, it tries only the places where a match can start (see ``leading``). Every Gated
    pattern joins the single pass over code, so asking for its matches reads nothing."""

    __slots__ = ("_budget", "_fast", "literals", "regex")

    def __init__(self, regex: re.Pattern[str], *literals: str) -> None:
        self.regex = regex
        self.literals = literals
        self._fast: Callable[[str, int], re.Match[str] | None] | None = None
        self._budget = _PLAIN_BUDGET
        CODE_PATTERNS.append(self)

    def find(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """``regex.search(text, pos)``. The faster search costs about half a millisecond to
        set up, so a pattern is searched the plain way until it has seen enough text."""
        if self._fast is None:
            self._budget -= len(text)
            if self._budget > 0:
                return self.regex.search(text, pos)
            self._fast = self.fast()
        return self._fast(text, pos)

    def fast(self) -> Callable[[str, int], re.Match[str] | None]:
        """The search that tries only where a match can start (the plain one if unknown)."""
        starts = leading_literals(self.regex.pattern, self.regex.flags)
        return StartFinder(self.regex, starts).search if starts else self.regex.search

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        for literal in self.literals:  # a plain loop: any(<genexpr>) costs more than the test
            if literal in text:
                return self.find(text, pos)
        return None


# Characters a pattern searches the plain way before it sets up the faster search: about what
# the plain way takes in the time the setting up costs.
_PLAIN_BUDGET = 50_000


class TextScanner(NamedTuple):
    """A rule's reader of raw file text: ``scan(path, text)`` returns facts (or a falsy
    value) for every listed file that ``wants(entry)`` accepts."""

    name: str
    wants: Callable[[Any], bool]
    scan: Callable[[str, str], Any]


# Filled at import time by the rule modules; a forked worker inherits them.
CODE_PATTERNS: list[Gated] = []
TEXT_SCANNERS: list[TextScanner] = []

# What the pass does with a file.
CODE = 1
NOTEBOOK = 2
PROSE = 4


class ContentFacts:
    """What the pass found. Plain dicts and tuples, cheap to send between processes."""

    __slots__ = ("by_top", "headings", "imports", "matches", "notes", "scanned")

    def __init__(self) -> None:
        self.imports: dict[str, list[python.ImportRef]] = {}
        # Files by the top-level modules they import ("sklearn"), lower case (in file order
        # from one process; the answers built from it are sorted).
        self.by_top: dict[str, list[str]] = {}
        self.matches: list[dict[str, Located]] = [{} for _ in CODE_PATTERNS]
        self.headings: dict[str, list[str]] = {}
        self.scanned: list[dict[str, Any]] = [{} for _ in TEXT_SCANNERS]
        self.notes: list[tuple[str, str]] = []

    def fits_registry(self) -> bool:
        """Whether these facts have a table for each registered pattern and scanner (rules
        imported after the pass add some)."""
        return len(self.matches) == len(CODE_PATTERNS) and len(self.scanned) == len(TEXT_SCANNERS)

    def merge(self, other: ContentFacts) -> None:
        self.imports.update(other.imports)
        for top, paths in other.by_top.items():
            self.by_top.setdefault(top, []).extend(paths)
        for mine, theirs in zip(self.matches, other.matches, strict=True):
            mine.update(theirs)
        self.headings.update(other.headings)
        for mine, theirs in zip(self.scanned, other.scanned, strict=True):
            mine.update(theirs)
        self.notes.extend(other.notes)

    # Sent between processes as plain tuples: pickling named tuples calls Python code for
    # each of them, which made the transfer cost a third of what the second process saved.
    # Shared imports stay shared across the trip (one plain tuple per ImportRef object).
    def __getstate__(self) -> tuple:
        plain: dict[int, tuple] = {}
        imports = {
            path: [plain.get(id(ref)) or plain.setdefault(id(ref), tuple(ref)) for ref in refs]
            for path, refs in self.imports.items()
        }
        matches = [{path: tuple(loc) for path, loc in table.items()} for table in self.matches]
        return (imports, matches, self.by_top, self.headings, self.scanned, self.notes)

    def __setstate__(self, state: tuple) -> None:
        imports, matches, self.by_top, self.headings, self.scanned, self.notes = state
        new, ref_type = tuple.__new__, python.ImportRef
        refs_of: dict[int, python.ImportRef] = {}
        self.imports = {
            path: [refs_of.get(id(r)) or refs_of.setdefault(id(r), new(ref_type, r)) for r in refs]
            for path, refs in imports.items()
        }
        self.matches = [{path: new(Located, t) for path, t in table.items()} for table in matches]


def decode(data: bytes) -> tuple[str | None, str | None]:
    """(text, None), or (None, why it is not text)."""
    if data.find(b"\x00", 0, BINARY_SNIFF) != -1:
        return None, "binary content; not parsed"
    text = data.decode("utf-8", errors="replace")
    if text.find("\ufffd", 0, BINARY_SNIFF) != -1:
        sample = text[:BINARY_SNIFF]
        if sample.count("\ufffd") >= max(8, len(sample) // 100):
            return None, "not valid text; not parsed"
    return text, None


def read_text(root: str, path: str, size: int, max_bytes: int) -> tuple[str | None, str | None]:
    """Decoded content of a listed file, or (None, the note to record about it)."""
    if size > max_bytes:
        return None, f"larger than {max_bytes // 1024} KiB; not parsed"
    data = safeio.read_regular_file(os.path.join(root, path), max_bytes)
    if data is None:
        return None, "unreadable or no longer a regular file; skipped"
    return decode(data)


def scan_files(
    root: str,
    files: list[FileEntry],
    prose: set[str],
    max_bytes: int,
    production: Callable[[str], bool] | None = None,
) -> ContentFacts:
    """Read once each file that some check looks inside and gather what the checks want:
    code facts for Python and notebooks, headings for the ``prose`` paths, and whatever the
    registered text scanners want. The rule patterns run on notebooks and on the modules
    ``production`` accepts (all modules when it is None): no rule asks about tests or docs."""
    scanner = ContentScanner(root, max_bytes, production)
    scanner.scan(files, prose)
    return scanner.facts


class ContentScanner:
    """``scan_files`` in instalments: each ``scan`` adds to the same facts (and to the same
    caches of module names), so files can be handed over as a walk lists them."""

    def __init__(
        self, root: str, max_bytes: int, production: Callable[[str], bool] | None = None
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.production = production
        self.facts = ContentFacts()
        self._top_of: dict[str, str] = {}
        self._shared_refs: dict[tuple, python.ImportRef] = {}

    def scan(self, files: list[FileEntry], prose: set[str]) -> None:
        facts = self.facts
        root, max_bytes, production = self.root, self.max_bytes, self.production
        imports, headings, notes, by_top = facts.imports, facts.headings, facts.notes, facts.by_top
        top_of, shared_refs = self._top_of, self._shared_refs
        scan_imports = python.scan_imports
        patterns = [
            (p.literals, p.find, table)
            for p, table in zip(CODE_PATTERNS, facts.matches, strict=True)
        ]
        scanners = [
            (s.wants, s.scan, table) for s, table in zip(TEXT_SCANNERS, facts.scanned, strict=True)
        ]
        for entry in files:
            suffix = entry.suffix
            path = entry.path
            wanted = [(scan, table) for wants, scan, table in scanners if wants(entry)]
            flags = 0
            if suffix == ".py":
                flags = CODE
            elif suffix == ".ipynb":
                flags = CODE | NOTEBOOK
            elif path in prose:
                flags = PROSE
            elif not wanted:
                continue
            text, why_not = read_text(root, path, entry.size, max_bytes)
            if text is None:
                notes.append((path, why_not or "not read"))
                continue
            for scan, table in wanted:
                found = scan(path, text)
                if found:
                    table[path] = found
            if flags & PROSE:
                if not _GENERATED.search(text, 0, 400):
                    headings[path] = markdown.heading_candidates(text)
                continue
            if not flags & CODE:
                continue
            code = text
            if flags & NOTEBOOK:
                code, err = notebooks.code_cells(text)
                if err is not None:
                    notes.append((path, f"malformed notebook ({err})"))
                if not code:
                    continue
            refs = imports[path] = scan_imports(code, shared_refs)
            tops = set()
            for ref in refs:
                module = ref[0]
                top = top_of.get(module)
                if top is None:  # module names repeat: split and lower each one once
                    top = top_of[module] = (
                        "" if module[0] == "." else module.split(".", 1)[0].lower()
                    )
                tops.add(top)
            for top in tops:
                if top:
                    if top in by_top:
                        by_top[top].append(path)
                    else:
                        by_top[top] = [path]
            if not (flags & NOTEBOOK or production is None or production(path)):
                continue
            for literals, find, table in patterns:
                for literal in literals:
                    if literal in code:
                        m = find(code, 0)
                        if m:
                            start = m.start()
                            line = code.count("\n", 0, start) + 1
                            table[path] = Located(path, line, intern(m.group()))  # values repeat
                        break
