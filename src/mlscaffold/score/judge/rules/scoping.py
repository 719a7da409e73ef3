"""Scoping rules beyond plain section matching."""

from __future__ import annotations

from typing import Any

from mlscaffold.score.judge.detectors import markdown_section
from mlscaffold.score.judge.rules import rule
from mlscaffold.score.model import Evidence, Status, Verdict
from mlscaffold.score.read.index import RepoIndex
from mlscaffold.score.read.readers.structured import dig


@rule("named_owners")
def named_owners(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    owners = index.glob(["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"])
    if owners:
        return Verdict.passed(f"{owners[0].path} names owners", [Evidence(owners[0].path)])
    section = markdown_section(index, {"topic": "owners", "headings": params["headings"]})
    if section.status is not Status.FAIL or section.evidence:
        return section  # a written section, or one present but not filled in
    authors = dig(index.pyproject, "project", "authors") or dig(
        index.pyproject, "tool", "poetry", "authors"
    )
    if authors:
        return Verdict.partial(
            "only author metadata in pyproject.toml; it names who wrote the code, not who owns "
            "the system",
            [Evidence("pyproject.toml", None, "authors")],
        )
    return section
