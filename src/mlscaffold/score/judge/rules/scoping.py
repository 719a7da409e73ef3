"""Scoping rules beyond plain section matching."""

from __future__ import annotations

from typing import Any

from mlscaffold.score.judge.detectors import markdown_section
from mlscaffold.score.judge.rules import rule
from mlscaffold.score.model import Evidence, Status, Verdict
from mlscaffold.score.read.index import RepoIndex
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.readers.structured import dig


@rule("named_owners")
def named_owners(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    for entry in index.glob(["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"]):
        rule_line = _owner_rule(index.text(entry.path) or "")
        if rule_line:
            return Verdict.passed(
                f"{entry.path} names owners", [Evidence(entry.path, None, rule_line)]
            )
    excluded = params.get("exclude_headings")
    section = markdown_section(
        index,
        {"topic": "owners", "headings": params["headings"]}
        | ({"exclude_headings": excluded} if excluded else {}),
    )
    if section.status is Status.PASS and not _names_someone(index, section.evidence):
        where = section.evidence[0].note if section.evidence else "owners"
        return Verdict.partial(
            f"section '{where}' names no person, handle or address (roles, or a pointer to "
            "the issue tracker, own nothing)",
            section.evidence,
        )
    if section.status is Status.PASS:
        return section
    # A contact for questions counts when it names someone; an Authors or Credits section is
    # authorship (partial): both are looked at only when no owners section passes.
    for key, passes in (("contact_headings", True), ("author_headings", False)):
        if not params.get(key):
            continue
        found = markdown_section(index, {"topic": "owners", "headings": params[key]})
        if found.status is Status.PASS and _names_someone(index, found.evidence):
            if passes:
                return found
            where = found.evidence[0].note if found.evidence else "Authors"
            return Verdict.partial(
                f"section '{where}' names the authors: who wrote it, not who owns the system today",
                found.evidence,
            )
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


# Someone named: a handle (@ml-team), an address, or a person's name (two capitalised words
# that are not a role, a product or a place to ask: "Priya Shah", not "ML Engineer" or
# "GitHub Issues").
_HANDLE = lazy(r"(^|[\s(\[,;:])@[A-Za-z0-9][\w-]+|[\w.+-]+@[\w-]+\.[A-Za-z]{2,}")
_CAPITALISED_PAIR = lazy(r"\b([A-Z][a-z]+)(?: [A-Z]\.)? ([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_NOT_NAMES = frozenset(
    "ai ml data model models team teams lead leads owner owners officer manager managers "
    "engineer engineers engineering scientist scientists science analyst analysts committee "
    "group groups sponsor sponsors board working cross functional compliance incident product "
    "products business operations ops support platform research researchers github gitlab "
    "issues issue discussions discord slack server forum stack overflow mailing list email "
    "contact contacts maintainers maintainer contributors contributor core community project "
    "projects open source software foundation university institute lab labs inc ltd corp "
    "company google microsoft amazon meta facebook apple nvidia hugging face pull requests "
    "request requests documentation docs readme license code conduct security policy new "
    "please the for and our your this see twitter linkedin youtube tiktok instagram reddit "
    "bilibili medium blog website newsletter wechat telegram".split()
)


def _owner_rule(text: str) -> str | None:
    """The first line of a CODEOWNERS file that gives a path an owner (comments and blank
    lines own nothing)."""
    for line in text.splitlines()[:1000]:
        line = line.strip()
        if line and not line.startswith("#") and _HANDLE.search(line):
            return line[:120]
    return None


def _names_someone(index: RepoIndex, evidence: list[Evidence]) -> bool:
    """Whether the section shown by ``evidence`` names someone (see above)."""
    section = index.section_at(evidence[0].path, evidence[0].line) if evidence else None
    if section is None:
        return True  # nothing to look at again: judged as found
    if _HANDLE.search(section.body):
        return True
    body = section.body
    return any(
        m.group(1).lower() not in _NOT_NAMES
        and m.group(2).lower() not in _NOT_NAMES
        and not _COMPANY_SUFFIX.search(body[m.end() : m.end() + 24])  # "Ready Tensor, Inc."
        for m in _CAPITALISED_PAIR.finditer(body)
    )


_COMPANY_SUFFIX = lazy(r"^,?[ \t]*(Inc|Ltd|LLC|GmbH|Corp|Corporation|Co|S\.?A|AG|PLC)\b")
