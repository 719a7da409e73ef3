"""Regular expressions that run in linear time on untrusted text, whatever the pattern.

Every pattern the scorer applies to a repository's text or file names, built-in or from an
organisation's checklist, is compiled here by RE2 (google-re2), an automaton engine: a search
costs time linear in the text, so no pattern and no input can make it backtrack (a 133-byte
README once hung Python's ``re`` for minutes). The price is RE2's syntax: no look-around, no
back-references, and ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII-only. Patterns are written in
Python's spelling (``\\Z``, ``re.I``-style flags) and translated.

``Pattern`` offers the part of ``re.Pattern``'s interface the scorer uses, on ``str`` or
``bytes``; on bytes, positions are byte offsets (the content pass searches raw file bytes, with
no decoding). ``PatternSet`` tells in one pass over a text which of many patterns match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

# Flags, with the values of the ``re`` module's own (so ``re.I`` may be passed too).
I = IGNORECASE = re.IGNORECASE  # noqa: E741 - the name the re module gives it
M = MULTILINE = re.MULTILINE
S = DOTALL = re.DOTALL
_SUPPORTED_FLAGS = I | M | S | re.UNICODE

# Memory for one compiled pattern (RE2's program and its DFA cache). A pattern whose automaton
# outgrows it still runs in linear time, on RE2's slower NFA.
DEFAULT_MAX_MEM = 8 << 20
_NO_SPAN = (-1, -1)


# Every (pattern, flags) compiled in this process: the tests check each for linear time.
COMPILED: set[tuple[str, int]] = set()


class PatternError(ValueError):
    """A pattern RE2 cannot compile: invalid, unsupported (look-around, back-references) or too
    large. The message is one line."""


_engine: Any = None


def _re2() -> Any:
    global _engine
    if _engine is None:
        from re2 import _re2 as engine  # the compiled module alone (1.5 ms), not its wrapper

        _engine = engine
    return _engine


def translate(pattern: str, flags: int = 0) -> str:
    """Python's spelling of ``pattern`` with ``flags`` -> RE2's (inline flags, ``\\z``)."""
    if flags & ~_SUPPORTED_FLAGS:
        raise PatternError("only the I, M and S flags are supported (no verbose patterns)")
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append("\\z" if nxt == "Z" else c + nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    inline = "".join(f for f, bit in (("i", I), ("m", M), ("s", S)) if flags & bit)
    body = "".join(out)
    return f"(?{inline}){body}" if inline else body


def _options(max_mem: int) -> Any:
    options = _re2().RE2.Options()
    options.log_errors = False  # errors are raised here, never printed by the C library
    options.max_mem = max_mem
    return options


def _text_bytes(text: str | bytes) -> tuple[bytes, bool]:
    """(UTF-8 bytes, whether byte offsets are the text's own offsets)."""
    if isinstance(text, bytes):
        return text, True
    if text.isascii():
        return text.encode("ascii"), True
    # "replace" turns an unencodable character (a lone surrogate) into one byte: offsets hold.
    return text.encode("utf-8", "replace"), False


class Pattern:
    """A compiled pattern; methods mirror ``re.Pattern``'s (``search``, ``match``,
    ``fullmatch``, ``finditer``, ``findall``, ``sub``) on ``str`` or ``bytes``."""

    __slots__ = ("_names", "_re", "flags", "groupindex", "groups", "pattern", "source")

    def __init__(self, pattern: str, flags: int = 0, max_mem: int = DEFAULT_MAX_MEM) -> None:
        if not isinstance(pattern, str):
            raise PatternError("a pattern must be a string")
        self.pattern = pattern
        self.flags = flags
        self.source = translate(pattern, flags)
        _load()
        compiled = _re2().RE2(self.source.encode("utf-8", "replace"), _options(max_mem))
        if not compiled.ok():
            raise PatternError(_describe(compiled.error(), self.source, pattern))
        self._re = compiled
        COMPILED.add((pattern, flags))
        self.groups: int = compiled.NumberOfCapturingGroups()
        self.groupindex: dict[str, int] = {
            name.decode("utf-8", "replace"): index
            for name, index in compiled.NamedCapturingGroups()
        }
        self._names = {index: name for name, index in self.groupindex.items()}

    @property
    def program_size(self) -> int:
        """RE2's measure of the automaton (time per byte of text grows with it)."""
        return self._re.ProgramSize()

    def __repr__(self) -> str:
        return f"linear.Pattern({self.pattern!r})"

    # ----- the re.Pattern interface --------------------------------------------------------
    def search(self, text: str | bytes, pos: int = 0, endpos: int | None = None) -> Match | None:
        return next(self._iter(0, text, pos, endpos), None)

    def match(self, text: str | bytes, pos: int = 0, endpos: int | None = None) -> Match | None:
        return next(self._iter(1, text, pos, endpos), None)

    def fullmatch(self, text: str | bytes, pos: int = 0, endpos: int | None = None) -> Match | None:
        return next(self._iter(2, text, pos, endpos), None)

    def finditer(
        self, text: str | bytes, pos: int = 0, endpos: int | None = None
    ) -> Iterator[Match]:
        return self._iter(0, text, pos, endpos)

    def finditer_lines(self, text: str) -> Iterator[tuple[int, Match]]:
        """``finditer`` with the 1-based line each match starts on, the newlines counted from
        the previous match rather than from the start (linear in the text)."""
        line, last = 1, 0
        for m in self._iter(0, text, 0, None):
            start = m.start()
            line += text.count("\n", last, start)
            last = start
            yield line, m

    def findall(self, text: str | bytes, pos: int = 0, endpos: int | None = None) -> list[Any]:
        out = []
        for m in self._iter(0, text, pos, endpos):
            if self.groups == 0:
                out.append(m.group())
            elif self.groups == 1:
                out.append(m.groups(text[:0])[0])
            else:
                out.append(m.groups(text[:0]))
        return out

    def sub(
        self, repl: str | bytes | Callable[[Match], Any], text: str | bytes, count: int = 0
    ) -> Any:
        pieces: list[Any] = []
        last = 0
        for done, m in enumerate(self._iter(0, text, 0, None), 1):
            start, end = m.span()
            pieces.append(text[last:start])
            pieces.append(repl(m) if callable(repl) else m.expand(repl))
            last = end
            if count and done >= count:
                break
        pieces.append(text[last:])
        return text[:0].join(pieces)

    def split(self, text: str | bytes, maxsplit: int = 0) -> list[Any]:
        pieces: list[Any] = []
        last = 0
        for done, m in enumerate(self._iter(0, text, 0, None), 1):
            start, end = m.span()
            pieces.append(text[last:start])
            pieces.extend(m.groups())
            last = end
            if maxsplit and done >= maxsplit:
                break
        pieces.append(text[last:])
        return pieces

    # ----- fast paths (no Match object) ----------------------------------------------------
    def matches_whole(self, text: str) -> bool:
        """Whether the whole of ``text`` matches (``fullmatch(text) is not None``)."""
        data = text.encode("utf-8", "replace")
        return self._re.Match(_ANCHORS[2], data, 0, len(data))[0][0] != -1

    def matches_start(self, text: str) -> bool:
        """Whether a match starts at the start of ``text`` (``match(text) is not None``)."""
        data = text.encode("utf-8", "replace")
        return self._re.Match(_ANCHORS[1], data, 0, len(data))[0][0] != -1

    def occurs_in(self, text: str | bytes) -> bool:
        """Whether the pattern matches somewhere in ``text`` (``search(text) is not None``)."""
        data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
        return self._re.Match(_UNANCHORED, data, 0, len(data))[0][0] != -1

    def first_span(self, data: bytes, pos: int = 0) -> tuple[int, int] | None:
        """(start, end) of the first match in ``data`` from ``pos``, or None."""
        span = self._re.Match(_UNANCHORED, data, pos, len(data))[0]
        return None if span[0] == -1 else span

    def match_at(self, data: bytes, pos: int, end: int) -> list[tuple[int, int]] | None:
        """The group spans of a match that starts exactly at ``pos``, or None."""
        spans = self._re.Match(_ANCHORS[1], data, pos, end)
        return None if spans[0][0] == -1 else spans

    def spans(self, data: bytes) -> Iterator[list[tuple[int, int]]]:
        """The group spans of every match in ``data`` (as ``finditer``), without Match objects."""
        match_at, end = self._re.Match, len(data)
        pos = 0
        while pos <= end:
            spans = match_at(_UNANCHORED, data, pos, end)
            start, stop = spans[0]
            if start == -1:
                return
            yield spans
            pos = stop if stop > start else stop + 1

    # ----- internals -----------------------------------------------------------------------
    def _iter(
        self, anchor: int, text: str | bytes, pos: int, endpos: int | None
    ) -> Iterator[Match]:
        data, same_units = _text_bytes(text)
        length = len(text)
        pos = max(0, min(pos, length))
        endpos = length if endpos is None else max(0, min(endpos, length))
        if pos > endpos:
            return
        to_chars: _Offsets | None = None
        if same_units:
            bpos, bend = pos, endpos
        else:
            to_chars = _Offsets(data)
            bpos = _re2().CharLenToBytes(data, 0, pos)
            bend = bpos + _re2().CharLenToBytes(data, bpos, endpos - pos)
        how = _ANCHORS[anchor]
        match_at = self._re.Match
        while True:
            spans = match_at(how, data, bpos, bend)
            start, stop = spans[0]
            if start == -1:
                return
            shown = spans if to_chars is None else [to_chars.span(s) for s in spans]
            yield Match(self, text, shown)
            if anchor or bpos >= bend:
                return
            if stop > start:
                bpos = stop
            elif to_chars is None:
                bpos = stop + 1
            else:  # an empty match: step over one whole character
                bpos = stop + max(1, _re2().CharLenToBytes(data, stop, 1))
            if bpos > bend:
                return


class _Offsets:
    """Byte offsets of a UTF-8 text -> character offsets, computed forward from the last one
    asked (matches come in order), so finding every match stays linear in the text."""

    __slots__ = ("_byte", "_char", "_data")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._byte = 0
        self._char = 0

    def at(self, offset: int) -> int:
        if offset < self._byte:  # a group that starts before the last end asked: count again
            self._byte = self._char = 0
        self._char += _re2().BytesToCharLen(self._data, self._byte, offset)
        self._byte = offset
        return self._char

    def span(self, span: tuple[int, int]) -> tuple[int, int]:
        if span == _NO_SPAN:
            return span
        return self.at(span[0]), self.at(span[1])


class Match:
    """One match: ``group``, ``groups``, ``groupdict``, ``start``, ``end``, ``span``,
    ``lastindex``, ``lastgroup`` and ``expand``, as in ``re.Match``."""

    __slots__ = ("_spans", "re", "string")

    def __init__(self, pattern: Pattern, text: str | bytes, spans: Sequence[tuple[int, int]]):
        self.re = pattern
        self.string = text
        self._spans = spans

    def _index(self, group: int | str) -> int:
        if isinstance(group, str):
            if group not in self.re.groupindex:
                raise IndexError(f"no such group {group!r}")
            return self.re.groupindex[group]
        if not 0 <= group <= self.re.groups:
            raise IndexError(f"no such group {group}")
        return group

    def __getitem__(self, group: int | str) -> Any:
        start, end = self._spans[self._index(group)]
        return None if start == -1 else self.string[start:end]

    def group(self, *groups: int | str) -> Any:
        if len(groups) <= 1:
            return self[groups[0] if groups else 0]
        return tuple(self[g] for g in groups)

    def groups(self, default: Any = None) -> tuple[Any, ...]:
        out = []
        for g in range(1, self.re.groups + 1):
            value = self[g]
            out.append(default if value is None else value)
        return tuple(out)

    def groupdict(self, default: Any = None) -> dict[str, Any]:
        out = {}
        for name, index in self.re.groupindex.items():
            value = self[index]
            out[name] = default if value is None else value
        return out

    def start(self, group: int | str = 0) -> int:
        return self._spans[self._index(group)][0]

    def end(self, group: int | str = 0) -> int:
        return self._spans[self._index(group)][1]

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return tuple(self._spans[self._index(group)])  # type: ignore[return-value]

    @property
    def lastindex(self) -> int | None:
        """The group that closed last (on a tie, the outer one), as in ``re``."""
        best, best_end = None, -1
        for g in range(1, self.re.groups + 1):
            end = self._spans[g][1]
            if end > best_end:
                best, best_end = g, end
        return best

    @property
    def lastgroup(self) -> str | None:
        index = self.lastindex
        return None if index is None else self.re._names.get(index)

    def expand(self, template: str | bytes) -> Any:
        """``template`` with ``\\1``..``\\99`` and ``\\g<name>`` replaced (no other escapes)."""
        if isinstance(template, bytes):
            text = template.decode("latin-1")
            return _expand(self, text, lambda v: v.decode("latin-1")).encode("latin-1")
        return _expand(self, template, lambda v: v)


_GROUP_REF = re.compile(r"\\(\d{1,2})|\\g<(\w+)>")  # our own template syntax, not repo text


def _expand(m: Match, template: str, as_text: Callable[[Any], str]) -> str:
    if "\\" not in template:
        return template

    def ref(r: re.Match[str]) -> str:
        key: int | str = int(r.group(1)) if r.group(1) else r.group(2)
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        value = m[key]
        return "" if value is None else as_text(value)

    return _GROUP_REF.sub(ref, template)


def _describe(error: bytes, source: str, pattern: str) -> str:
    text = error.decode("utf-8", "replace").splitlines()[0] if error else "invalid pattern"
    text = text.replace(source, pattern)  # RE2 quotes what it compiled, not what was written
    if "pattern too large" in text:
        return "pattern too large for the linear-time engine"
    if "invalid perl operator: (?<" in text or "invalid perl operator: (?=" in text:
        return f"look-around is not supported ({text})"
    if "invalid perl operator: (?!" in text:
        return f"look-around is not supported ({text})"
    if "invalid escape sequence: \\" in text and any(c.isdigit() for c in text[-2:]):
        return f"back-references are not supported ({text})"
    return text[:200]


_UNANCHORED: Any = None
_ANCHORS: tuple[Any, Any, Any] = (None, None, None)  # unanchored, at the start, at both ends


def _load() -> None:
    """Fetch RE2's anchor constants (the engine itself is imported on first use)."""
    global _UNANCHORED, _ANCHORS
    if _UNANCHORED is None:
        kinds = _re2().RE2.Anchor
        _ANCHORS = (kinds.UNANCHORED, kinds.ANCHOR_START, kinds.ANCHOR_BOTH)
        _UNANCHORED = kinds.UNANCHORED


@lru_cache(maxsize=1024)
def compile(pattern: str, flags: int = 0) -> Pattern:
    """A compiled pattern (cached: checks repeat patterns across runs of one process)."""
    return Pattern(pattern, flags)


def escape(text: str) -> str:
    """``text`` as a pattern matching it literally."""
    return re.escape(text)  # the escapes Python writes (\\ before punctuation) are valid RE2


class LazyPattern:
    """A pattern compiled on its first use: the rules hold about a hundred, and a run on a
    small repository uses fewer than half. ``.pattern`` and ``.flags`` are known at once."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: Pattern | None = None

    @property
    def compiled(self) -> Pattern:
        if self._compiled is None:
            self._compiled = compile(self.pattern, self.flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


def compiled(pattern: Pattern | LazyPattern) -> Pattern:
    """The compiled pattern behind a lazy one (or the pattern itself)."""
    return pattern.compiled if isinstance(pattern, LazyPattern) else pattern


def lazy(pattern: str, flags: int = 0) -> Pattern:
    """``compile`` deferred to the first use (typed as the pattern it stands for)."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]


class PatternSet:
    """Which of several patterns match a text, from one pass over it (RE2's Set).

    RE2 gives up a set search whose automaton outgrows its memory; a pattern that always
    matches is added last, so its absence tells that the answer is incomplete, and ``matching``
    then answers None (callers search pattern by pattern instead)."""

    __slots__ = ("_sentinel", "_set", "size")

    def __init__(self, patterns: Sequence[Pattern], max_mem: int = 4 * DEFAULT_MAX_MEM) -> None:
        _load()
        engine = _re2()
        self._set = engine.Set(_UNANCHORED, _options(max_mem))
        for pattern in patterns:
            if self._set.Add(pattern.source.encode("utf-8", "replace")) < 0:
                raise PatternError(f"cannot add {pattern.pattern!r} to a set")
        self._sentinel = self._set.Add(b"")
        if not self._set.Compile():
            raise PatternError("the pattern set does not compile")
        self.size = len(patterns)

    def matching(self, data: bytes) -> list[int] | None:
        """Indices of the patterns that match somewhere in ``data``, or None if unknown."""
        found = self._set.Match(data)
        if self._sentinel not in found:
            return None
        found.remove(self._sentinel)
        return found
