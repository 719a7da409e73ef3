"""Named rules: checks whose judgement is more than a generic detector kind can express.

Each rule is a function ``(index, params) -> Verdict`` registered under the name a checklist
entry uses (``detector: {kind: rule, name: ...}``). A test proves every registered rule is used
by the checklist and every rule the checklist names exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlscaffold.score.model import Verdict
from mlscaffold.score.read.index import RepoIndex

Rule = Callable[[RepoIndex, dict[str, Any]], Verdict]
RULES: dict[str, Rule] = {}
# Rules that judge from the file list and the few files they name, never from the content
# pass: a run of only such checks does not read the repository's code (a test holds them to it).
LIST_ONLY: set[str] = set()


def rule(name: str, reads_contents: bool = True) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        if not reads_contents:
            LIST_ONLY.add(name)
        return fn

    return register


# Registration happens on import of the stage modules.
from mlscaffold.score.judge.rules import (  # noqa: E402,F401
    data,
    deployment,
    modeling,
    notebooks,
    pins,
    scoping,
    secrets,
    skew,
)
