"""DE003 reads CI text without its branch, tag and path filter lists: the reading that finds
the lists with one search agrees with the line-by-line reading it replaced, on generated CI."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mlscaffold.score.judge.rules.deployment import _without_filters

_KEY = re.compile(r"([ \t]*)(branches|branches-ignore|tags|tags-ignore|paths|paths-ignore)[ \t]*:")
_FLAG = re.compile(r"--[\w-]+")


def _line_by_line(text: str) -> str:
    """The reading DE003 used before (each line tested in turn)."""
    kept: list[str] = []
    indent: int | None = None
    for line in text.split("\n"):
        if indent is not None:
            stripped = line.lstrip(" \t")
            if stripped.startswith("-") and len(line) - len(stripped) > indent:
                kept.append("")
                continue
            indent = None
        m = _KEY.match(line)
        if m:
            indent = len(m.group(1))
            kept.append("")
            continue
        kept.append(line)
    return _FLAG.sub(" ", "\n".join(kept))


LINES = [
    "on:", "  push:", "    branches:", "      - main", "      - release/*", "    tags: [v*]",
    "  paths:", "  - src/**", "- docs", "\tbranches :", "\t\t- x", "jobs:", "  deploy:",
    "    runs-on: ubuntu", "    steps:", "      - run: docker push img --all-tags",
    "      - run: python train.py --epochs 3", "paths-ignore:", "  -   a", "", "   ",
    "branches-ignore:", "tags:", "    - v1", "  - not more indented",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=30))
def test_filter_lists_are_removed_as_line_by_line(lines: list[str]) -> None:
    text = "\n".join(lines)
    _without_filters.cache_clear()
    assert _without_filters(text) == _line_by_line(text)
