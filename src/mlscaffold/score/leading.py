"""Where a regular expression's matches can start, so a search need not try every position.

Python's regex engine skips quickly to a pattern's literal prefix, but a pattern such as
``\\b(read_csv|read_parquet|...)`` or ``\\.(fit|train)\\s*\\(|\\bTrainer\\s*\\(`` has none: the
search tries a match at every character, about 25 ns each, or 0.1 to 0.3 ms for a 5 KB module,
per pattern. When every alternative begins (after zero-width assertions such as ``\\b``) with
literal text, a match can only start where one of those texts occurs. ``leading_literals``
finds them from the parsed pattern, and ``StartFinder`` searches for them with one alternation
of plain strings (which the engine does skip to), trying the full pattern only there.

The parse tree is the ``re`` module's own; if it is unavailable or unlike what this expects,
the analysis answers None and callers search the plain way.
"""

from __future__ import annotations

import re
from typing import Any

MAX_STARTS = 64  # a pattern with more starting texts than this is searched the plain way


def leading_literals(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Texts one of which begins every match of ``pattern``, or None when that cannot be shown
    (a case-insensitive pattern, an alternative that starts with a class or a repeat...)."""
    if flags & re.IGNORECASE:
        return None
    try:
        from re import _constants as c
        from re import _parser

        tree = _parser.parse(pattern, flags)
        if tree.state.flags & c.SRE_FLAG_IGNORECASE:  # also set inline: "(?i)foo"
            return None
        starts = _starts(list(tree.data), c)
    except Exception:  # a private API: any surprise means "not shown"
        return None
    if not starts:
        return None
    # A text that begins with another one adds no start: keep the shortest.
    kept: list[str] = []
    for text in sorted(starts, key=len):
        if not any(text.startswith(k) for k in kept):
            kept.append(text)
    return tuple(sorted(kept))


def _starts(items: list[tuple[Any, Any]], c: Any) -> set[str] | None:
    """Leading texts of the sequence ``items`` (each alternative through groups), or None."""
    prefix: list[str] = []
    for i, (op, av) in enumerate(items):
        if op is c.LITERAL:
            prefix.append(chr(av))
            continue
        if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
            continue  # zero width: the text goes on at the same place
        head = "".join(prefix)
        shown = {head} if head else None  # what is known if the rest cannot be followed
        if op is c.SUBPATTERN:
            if av[1] & c.SRE_FLAG_IGNORECASE:
                return shown
            alternatives = [av[3]]
        elif op is c.BRANCH:
            alternatives = av[1]
        else:
            return shown  # a class, a repeat, any character...: the literal text ends here
        rest = items[i + 1 :]
        found: set[str] = set()
        for alternative in alternatives:
            starts = _starts(list(alternative.data) + rest, c)
            if starts is None:
                return shown
            found |= {head + s for s in starts}
            if len(found) > MAX_STARTS:
                return shown
        return found
    return {"".join(prefix)} if prefix else None


class StartFinder:
    """``regex.search(text, pos)``, trying the full pattern only where a leading text occurs.

    Exact: every match starts at such a place, and ``regex.match`` at a position gives the
    match that ``search`` would find there (same string, so look-behinds and ``^`` see the
    same text); the first place where it matches is therefore the first match."""

    __slots__ = ("_find", "_match")

    def __init__(self, regex: re.Pattern[str], starts: tuple[str, ...]) -> None:
        longest_first = sorted(starts, key=len, reverse=True)
        self._find = re.compile("|".join(re.escape(s) for s in longest_first)).search
        self._match = regex.match

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        find, match = self._find, self._match
        while True:
            candidate = find(text, pos)
            if candidate is None:
                return None
            start = candidate.start()
            m = match(text, start)
            if m is not None:
                return m
            pos = start + 1
