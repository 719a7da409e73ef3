"""Maturity levels: the bands that turn a 0-100 score into a level 0-4 (docs/scoring.md).

A module of its own, without imports, so the report page can colour cells without loading the
scoring engine and every reader it pulls in.
"""

from __future__ import annotations

LEVEL_BANDS = (90, 70, 50, 25)  # a score >= 90 is level 4, >= 70 level 3, ...
LEVEL_NAMES = ("ad hoc", "initial", "repeatable", "managed", "optimised")


def level_for(score: float | None) -> int:
    """The level of a stage score; a stage with no applicable check does not limit (4)."""
    if score is None:
        return 4
    for level, floor in zip((4, 3, 2, 1), LEVEL_BANDS, strict=True):
        if score >= floor:
            return level
    return 0
