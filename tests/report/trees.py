"""Generated repositories of varied maturity, built from the passing cases of every check.

Repository ``i`` satisfies each check with a probability that depends on ``i`` and the check's
stage, so the organisation has strong and weak repositories and each stage a different profile.
"""

from __future__ import annotations

import random

from mlscaffold.score.model import STAGES
from tests.score.cases import CASES

STAGE_OF = {"SC": "scoping", "DA": "data", "MO": "modeling", "DE": "deployment"}


def _first_pass_cases() -> dict[str, dict[str, str | bytes]]:
    files: dict[str, dict[str, str | bytes]] = {}
    for case in CASES:
        if case.status == "pass":
            files.setdefault(case.check, case.files)
    return files


PASS_FILES = _first_pass_cases()


def merge(parts: list[dict[str, str | bytes]]) -> dict[str, str | bytes]:
    """Join several cases' files; READMEs are concatenated so every section survives."""
    merged: dict[str, str | bytes] = {}
    for files in parts:
        for path, content in files.items():
            old = merged.get(path)
            if path == "README.md" and isinstance(old, str) and isinstance(content, str):
                body = content.split("\n", 1)[1] if content.startswith("# ") else content
                merged[path] = old.rstrip("\n") + "\n\n" + body
            else:
                merged[path] = content
    return merged


def stage_odds(i: int) -> dict[str, float]:
    """A different probability of meeting each stage's checks for every repository."""
    return {stage: ((i * (k + 3) + k) % 11) / 10 for k, stage in enumerate(STAGES)}


def repo_files(i: int, checks: list[str] | None = None) -> dict[str, str | bytes]:
    rng = random.Random(i)  # noqa: S311 - reproducible trees, not secrets
    odds = stage_odds(i)
    if checks is None:
        checks = [c for c in sorted(PASS_FILES) if rng.random() < odds[STAGE_OF[c[:2]]]]
    base: dict[str, str | bytes] = {"README.md": f"# Service {i}\n"}
    return merge([base, *(PASS_FILES[c] for c in checks)])
