"""Regular expressions compiled on first use.

The rules hold about a hundred patterns; a run on a small repository uses fewer than half of
them, and compiling them all at import costs a tenth of such a run. A ``LazyPattern`` knows its
source at once (``.pattern``, for building other patterns from it) and compiles on the first
call; its methods then become the compiled pattern's own, so later calls cost nothing extra.
"""

from __future__ import annotations

import re
from typing import Any

_DELEGATED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_flags":
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for attr in _DELEGATED:
            setattr(self, attr, getattr(compiled, attr))
        self.flags = compiled.flags
        self.groups = compiled.groups
        self.groupindex = compiled.groupindex
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` deferred to the first use (typed as the pattern it stands for)."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]
