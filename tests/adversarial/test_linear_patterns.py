"""Every regular expression the scorer applies to repository text runs in linear time.

The guarantee is the engine's (RE2, through mlscaffold.score.read.linear); these tests hold
the code to it and show it on the patterns themselves:
- no scoring module imports a backtracking engine (``re``, ``regex``, ``fnmatch``), so no pattern
  can bypass the linear one;
- every pattern (module-level ones, the built-in checklist's, and all those compiled while
  scoring real trees) is searched over hostile inputs of 400,000 characters built for it
  (regexploit's attacks included), in a fraction of a second each; a search long enough to
  time takes about four times as long as one over a quarter of the text;
- a fuzzer feeds random, pumped text to every pattern under the same limit.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlscaffold.score.read import linear
from tests.adversarial.patterns import (
    checklist_patterns,
    hostile_inputs,
    module_patterns,
    regexploit_attacks,
)
from tests.conftest import REPO_ROOT

SCORE = REPO_ROOT / "src" / "mlscaffold" / "score"
ENGINE = SCORE / "read" / "linear.py"
BIG = 400_000
SECONDS = 0.5  # for one search of 400,000 characters (RE2 takes milliseconds)


def _search_seconds(pattern: linear.Pattern, text: str, tries: int = 3) -> float:
    """The fastest of up to ``tries`` searches (one is enough when it is fast)."""
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        pattern.search(text)
        best = min(best, time.perf_counter() - started)
        if best < SECONDS / 10:
            break
    return best


def test_no_scoring_module_imports_a_backtracking_engine() -> None:
    offenders = []
    for path in SCORE.rglob("*.py"):
        if path == ENGINE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                if name.split(".")[0] in ("re", "regex", "fnmatch", "sre_compile", "glob"):
                    offenders.append(f"{path.relative_to(REPO_ROOT)}: import {name}")
    assert offenders == []


@pytest.fixture(scope="module")
def every_pattern() -> list[tuple[str, int]]:
    """Module-level and checklist patterns, plus every pattern compiled while scoring this
    repository and the template (globs, joined heading patterns, config keys...)."""
    from mlscaffold.score.judge.engine import score_repo

    for tree in (REPO_ROOT, REPO_ROOT / "template"):
        score_repo(str(tree))
    found = module_patterns() | checklist_patterns() | set(linear.COMPILED)
    assert len(found) > 100  # all of them, not a handful
    return sorted(found)


def test_every_pattern_is_linear_on_inputs_built_to_defeat_it(every_pattern) -> None:
    slow = []
    for source, flags in every_pattern:
        pattern = linear.compile(source, flags)
        for text in hostile_inputs(source, flags, BIG):
            big = _search_seconds(pattern, text)
            if big > SECONDS:
                slow.append(f"{source[:70]!r} on {text[:12]!r}...: {big:.2f} s")
            elif (
                big > SECONDS / 5
            ):  # long enough to time: four times the text, ~four times the time
                big = min(big, *(_search_seconds(pattern, text, 1) for _ in range(4)))
                small = min(_search_seconds(pattern, text[: len(text) // 4], 1) for _ in range(5))
                if big > 12 * small:
                    slow.append(f"{source[:70]!r}: {small:.3f} s -> {big:.3f} s (x4 text)")
    assert slow == []


def test_regexploit_finds_attacks_that_hang_python_but_not_the_engine() -> None:
    """The analyser's attack on a classic catastrophic pattern is what the engine shrugs off
    (and what Python's own engine would take hours on)."""
    attacks = regexploit_attacks(r"^(a+)+$", 0, BIG)
    assert attacks, "regexploit found no attack on ^(a+)+$"
    assert _search_seconds(linear.compile(r"^(a+)+$"), attacks[0]) < SECONDS


def test_an_organisation_pattern_the_engine_cannot_run_is_refused() -> None:
    for bad in (r"(?<!x)seed", r"(a)\1", r"(?=x)y", "(unclosed"):
        with pytest.raises(linear.PatternError):
            linear.compile(bad)


@pytest.mark.parametrize("kind", ["letters", "anything"])
def test_fuzzed_text_never_slows_any_pattern(every_pattern, kind: str) -> None:
    alphabet = (
        st.sampled_from(list("aAbz0_-./:=# \t\n\"'<>[](){}*?!@é…"))
        if kind == "letters"
        else st.characters(blacklist_categories=("Cs",))
    )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.sampled_from(every_pattern),
        st.text(alphabet=alphabet, min_size=1, max_size=30),
        st.text(alphabet=alphabet, max_size=10),
    )
    def search_pumped(entry: tuple[str, int], pump: str, tail: str) -> None:
        source, flags = entry
        text = pump * (BIG // len(pump)) + tail
        assert _search_seconds(linear.compile(source, flags), text) < SECONDS, source

    search_pumped()


def test_the_engine_agrees_with_python_on_ascii_code(tmp_path: Path) -> None:
    """Same matches as Python's engine on the code of this repository (ASCII, where RE2's
    classes equal Python's), for every pattern the content pass runs on code."""
    import re

    from mlscaffold.score.read import scan

    texts = [p.read_text(encoding="utf-8") for p in sorted(SCORE.rglob("*.py"))]
    texts = [t for t in texts if t.isascii()]
    for code_pattern in scan.CODE_PATTERNS:
        mine = linear.compiled(code_pattern.regex)
        theirs = re.compile(mine.pattern, mine.flags)
        for text in texts:
            a, b = mine.search(text), theirs.search(text)
            assert (a and a.span()) == (b and b.span()), mine.pattern
