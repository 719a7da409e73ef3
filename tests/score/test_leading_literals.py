"""Searching only where a match can start (score/leading.py) must find exactly what a plain
search finds: checked on random patterns and texts, and on every built-in code pattern."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import mlscaffold.score.judge.rules  # noqa: F401 - registers the built-in code patterns
from mlscaffold.score.read import scan
from mlscaffold.score.read.leading import StartFinder, leading_literals


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"\bfoo|bar", 0, ("bar", "foo")),
        (r"\.(fit|fit_transform|train)\s*\(", 0, (".fit", ".train")),
        (r"(?<![\w.])print\s*\(", 0, ("print",)),
        (r"^abc$", re.M, ("abc",)),
        (r"x(?i:y)", 0, ("x",)),
        (r"ab(c|d*)e", 0, ("ab",)),  # an alternative without literal start: keep what is known
        (r"a*b", 0, None),
        (r"[ab]c", 0, None),
        (r"foo|\s+bar", 0, None),
        (r"(?i)foo", 0, None),
        (r"foo", re.I, None),
        (r"", 0, None),
    ],
)
def test_leading_literals_of_known_patterns(pattern: str, flags: int, expected) -> None:
    assert leading_literals(pattern, flags) == expected


ATOMS = [
    "a", "b", "ab", "ba", r"\.", "[ab]", r"\b", r"\B", "^", "$", "(?<!a)", "(?<=b)", "(?=a)",
    "(?!b)", "a*", "b+", "a?", r"\s*", ".", r"\n", "[^a]",
]  # fmt: skip


def _regex(depth: int = 2) -> st.SearchStrategy[str]:
    atom = st.sampled_from(ATOMS)
    if depth:
        group = st.lists(_regex(depth - 1), min_size=1, max_size=3).map(
            lambda alts: "(" + "|".join(alts) + ")"
        )
        atom = st.one_of(atom, group)
    return st.lists(atom, min_size=1, max_size=4).map("".join)


patterns = st.lists(_regex(), min_size=1, max_size=2).map("|".join)
texts = st.text(alphabet="ab.\n", max_size=12)


@settings(max_examples=1000, deadline=None)
@given(patterns, texts, st.sampled_from([0, re.M, re.S]))
@example("a*b", "ab", 0)  # a repeat is no start: "b" would miss "ab"
@example("(a|b*)a", "ba", 0)
@example("(?<=b)a|b?b", "bba", 0)
@example(r"\bab|a$", "a.ab", re.M)
@example("ab$|ba", "aba", 0)  # a failed try at 0, a match at 1: no place may be skipped
def test_start_finder_finds_what_search_finds(pattern: str, text: str, flags: int) -> None:
    regex = re.compile(pattern, flags)
    starts = leading_literals(pattern, flags)
    if starts is None:
        return
    plain = regex.search(text)
    fast = StartFinder(regex, starts).search(text)
    assert (plain and (plain.start(), plain.group())) == (fast and (fast.start(), fast.group()))
    for pos in range(len(text) + 1):  # and from every position, as Gated.search allows
        plain = regex.search(text, pos)
        fast = StartFinder(regex, starts).search(text, pos)
        assert (plain and plain.span()) == (fast and fast.span())


CODE = [
    "model.fit(X, y)\n", "trainer.fit (m)\n", ".train(", "Trainer(", "SFTTrainer (", "print(x)\n",
    "xprint(", "self.print(", "seed(1)", "np.random.seed(0)\n", "random_state = 42", "joblib.load(",
    "pd.read_csv('a.csv')\n", "load_dataset(", "accuracy_score(y, p)\n", "f1_score", ".score(X)",
    "def fit(self, X):\n", "    def fit(self):\n", "import logging\n", "logger = x\n", "x", " ",
    "\n", "_", "(", ".", "FEATURES = [", "def validate_input(df):\n", "papermill a.ipynb", "%run x",
    "torch.save(m, p)", "mlflow.log_model(", "register_model(", "nbconvert --execute", "save_model",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CODE), max_size=12).map("".join))
def test_every_built_in_code_pattern_finds_what_a_plain_search_finds(code: str) -> None:
    for pattern in scan.CODE_PATTERNS:
        plain = pattern.regex.search(code)
        for found in (pattern.fast()(code, 0), pattern.find(code)):
            assert (plain and (plain.start(), plain.group())) == (
                found and (found.start(), found.group())
            ), pattern.regex.pattern


def test_the_slow_built_in_patterns_get_a_start_finder() -> None:
    """The patterns that cost the most (no literal prefix for the engine) are the ones sped up."""
    sped_up = {
        p.regex.pattern for p in scan.CODE_PATTERNS if isinstance(p.fast().__self__, StartFinder)
    }
    assert any(r"\.(fit|" in p for p in sped_up)
    assert any("print" in p for p in sped_up)
    assert any("random_state" in p for p in sped_up)


def test_a_text_full_of_near_misses_is_searched_the_plain_way_after_a_while() -> None:
    """Past a number of failed tries the engine searches the rest itself: same answer."""
    regex = re.compile(r"x\d")
    finder = StartFinder(regex, ("x",))
    text = "xa" * 500 + "x1" + "xb" * 10
    assert finder.search(text).span() == regex.search(text).span() == (1000, 1002)
    assert finder.search("xa" * 500) is None


def test_the_analysis_of_a_long_pattern_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each group's alternatives share one analysis of what follows: the work grows with the
    pattern, not exponentially (40 groups of two alternatives: 2**40 paths)."""
    from mlscaffold.score.read import leading

    calls = []
    analyse = leading._starts

    def counted(items, c):
        calls.append(1)
        return analyse(items, c)

    monkeypatch.setattr(leading, "_starts", counted)
    starts = leading_literals("(?:ab|cd)x" * 40)
    assert starts is not None
    assert all(s.startswith(("ab", "cd")) for s in starts)
    assert len(calls) < 40 * 4


def test_a_pattern_switches_to_the_faster_search_once_it_has_seen_enough_text() -> None:
    pattern = scan.Gated(re.compile(r"\bseed\s*\(|random_state="), "seed", "random_state")
    try:
        text = "x = 1\n" * 3000 + "np.random.seed(0)\n"
        assert pattern._fast is None
        first = pattern.find(text)  # 18 KB: under the budget, the plain way
        assert pattern._fast is None
        for _ in range(5):  # 90 KB in all: past the budget
            assert pattern.find(text).span() == first.span()
        assert isinstance(pattern._fast.__self__, StartFinder)
        assert pattern.find(text).span() == first.span() == pattern.regex.search(text).span()
    finally:
        scan.CODE_PATTERNS.remove(pattern)
