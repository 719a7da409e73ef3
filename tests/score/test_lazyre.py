"""Lazily compiled rule patterns behave as the compiled pattern and compile only when used."""

from __future__ import annotations

import re

from mlscaffold.score.judge.rules import facts
from mlscaffold.score.read import lazyre


def test_lazy_pattern_answers_as_the_compiled_one() -> None:
    source, flags = r"^\s*(import\s+logging|getLogger\s*\()", re.M
    lazy, eager = lazyre.lazy(source, flags), re.compile(source, flags)
    assert lazy.pattern == source and "search" not in vars(lazy)  # not compiled yet
    text = "x = 1\n  import logging\nlog = getLogger(__name__)\n"
    assert lazy.search(text).span() == eager.search(text).span()
    assert "search" in vars(lazy)  # compiled once, then the compiled pattern's own methods
    assert [m.group(1) for m in lazy.finditer(text)] == [m.group(1) for m in eager.finditer(text)]
    assert lazy.sub("-", text) == eager.sub("-", text)
    assert lazy.flags == eager.flags and lazy.groups == eager.groups


def test_rule_patterns_are_lazy_and_still_match() -> None:
    assert isinstance(facts.TRAIN_CALL_RE, lazyre.LazyPattern)
    assert facts.TRAIN_CALL.search("model.fit(X, y)\n")
    assert not facts.TRAIN_CALL.search("print('fitting')\n")
