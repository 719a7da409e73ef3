"""Time budgets for checks, so that no single check can hold a run.

Patterns run in linear time and files are size-capped, so every check finishes; but an
organisation's checklist (untrusted, it may come from the scanned repository) can still ask for
a lot of bounded work: fifty ``**`` globs over a hundred thousand paths, a content search of
every file. The engine runs each check within a budget of processor time; the loops that such
work goes through call ``tick()``, which raises ``BudgetExceeded`` once the budget is spent, and
the check becomes a note instead of a verdict. Outside a budget ``tick()`` costs one comparison.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class BudgetExceeded(Exception):
    """The running check spent its time budget."""


_deadline: float | None = None
_count = 0
_EVERY = 64  # ticks between two looks at the clock (a look costs about a tenth of a µs)


def tick() -> None:
    """Raise BudgetExceeded if the current budget is spent (cheap: the clock is read once in
    every 64 calls)."""
    global _count
    if _deadline is None:
        return
    _count += 1
    if _count % _EVERY == 0 and time.process_time() > _deadline:
        raise BudgetExceeded


@contextmanager
def limited(seconds: float) -> Iterator[None]:
    """Run the body within ``seconds`` of processor time (budgets do not nest)."""
    global _deadline, _count
    previous = _deadline
    _deadline, _count = time.process_time() + seconds, 0
    try:
        yield
    finally:
        _deadline = previous
