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
_MAX_TRIES = 64  # failed tries after which a search goes on the plain way


def leading_literals(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Texts one of which begins every match of ``pattern``, or None when that cannot be shown
    (a case-insensitive pattern, an alternative that starts with a class or a repeat...)."""
    try:
        from re import _constants as c
        from re import _parser

        tree = _parser.parse(pattern, flags)
        if tree.state.flags & c.SRE_FLAG_IGNORECASE:  # also set inline: "(?i)foo"
            return None
        found = _starts(list(tree.data), c)
    except Exception:  # a private API: any surprise means "not shown"
        return None
    if found is None or "" in found[0]:  # some match may start anywhere
        return None
    # A text that begins with another one adds no start: keep the shortest.
    kept: list[str] = []
    for text in sorted(found[0], key=len):
        if not any(text.startswith(k) for k in kept):
            kept.append(text)
    return tuple(sorted(kept))


def _starts(items: list[tuple[Any, Any]], c: Any) -> tuple[set[str], bool] | None:
    """(texts, whole) for the sequence ``items``: every match of it begins with one of the
    texts; ``whole`` when each text is a complete match of it (so what follows the sequence
    continues the text). None when no match is known to begin with literal text."""
    prefix: list[str] = []
    for i, (op, av) in enumerate(items):
        if op is c.LITERAL:
            prefix.append(chr(av))
            continue
        if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
            continue  # zero width: the text goes on at the same place
        head = "".join(prefix)
        cut: tuple[set[str], bool] | None = ({head}, False) if head else None
        if op is c.SUBPATTERN:
            if av[1] & c.SRE_FLAG_IGNORECASE:
                return cut
            alternatives = [av[3]]
        elif op is c.BRANCH:
            alternatives = av[1]
        else:
            return cut  # a class, a repeat, any character...: the literal text ends here
        rest: tuple[set[str], bool] | None = None
        rest_known = False
        found: set[str] = set()
        whole = True
        for alternative in alternatives:
            own = _starts(list(alternative.data), c)
            if own is None:
                return cut
            texts, complete = own
            if complete:  # the text goes on into what follows the group
                if not rest_known:  # worked out once, not once per alternative
                    rest, rest_known = _starts(items[i + 1 :], c), True
                if rest is not None:
                    texts = {t + r for t in texts for r in rest[0]}
                    complete = rest[1]
            found |= {head + t for t in texts}
            whole = whole and complete
            if len(found) > MAX_STARTS:
                return cut
        return found, whole
    return {"".join(prefix)}, True


class StartFinder:
    """``regex.search(text, pos)``, trying the full pattern only where a leading text occurs.

    Exact: every match starts at such a place, and ``regex.match`` at a position gives the
    match that ``search`` would find there (same string, so look-behinds and ``^`` see the
    same text); the first place where it matches is therefore the first match."""

    __slots__ = ("_find", "_match", "_search")

    def __init__(self, regex: re.Pattern[str], starts: tuple[str, ...]) -> None:
        longest_first = sorted(starts, key=len, reverse=True)
        self._find = re.compile("|".join(re.escape(s) for s in longest_first)).search
        self._match = regex.match
        self._search = regex.search

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        find, match = self._find, self._match
        for _ in range(_MAX_TRIES):
            candidate = find(text, pos)
            if candidate is None:
                return None
            start = candidate.start()
            m = match(text, start)
            if m is not None:
                return m
            pos = start + 1
        # A text full of near misses: each try costs a step of Python, so let the engine
        # search the rest (no match starts before ``pos``: the answer is the same).
        return self._search(text, pos)
