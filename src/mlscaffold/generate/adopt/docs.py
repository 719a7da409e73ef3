"""The scoping documents: charter, model card, data dictionary.

Each is the template's document rendered with what the survey found, written as TODO lines:
facts to check and complete, never the team's own words, so the scorer keeps reporting every
section "present but not filled in" until people write it. Sections are matched to checks by the
checks' own heading patterns: a section of a check adopt does not act on (it passes, or its
section exists elsewhere) is left out; a document that exists gets only its missing sections,
appended.
"""

from __future__ import annotations

import re
from pathlib import Path

from mlscaffold.generate.adopt.model import DocCheck, PieceResult, Proposal, Request, Target

_SECTION = re.compile(r"^## ", re.M)
_EXISTING_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)


def split_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(preamble, [(heading, section text)]) at level-2 headings."""
    starts = [m.start() for m in _SECTION.finditer(text)]
    if not starts:
        return text, []
    sections = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunk = text[start:end]
        sections.append((chunk.split("\n", 1)[0][3:].strip(), chunk))
    return text[: starts[0]], sections


def _checks_of(heading: str, doc_checks: tuple[DocCheck, ...]) -> list[DocCheck]:
    found = []
    for check in doc_checks:
        try:
            if any(re.search(h, heading, re.I) for h in check.headings):
                found.append(check)
        except re.error:
            continue  # an organisation's pattern Python cannot read: it matches nothing here
    return found


def _keep(heading: str, doc_checks: tuple[DocCheck, ...], acted: set[str]) -> bool | None:
    """True: the section serves a check adopt acts on; None: it serves no check; False: it
    serves only checks adopt leaves alone."""
    checks = _checks_of(heading, doc_checks)
    if not checks:
        return None
    return any(c.check_id in acted for c in checks)


def build_document(
    path: str, rendered: str, root: Path, targets: list[Target], request: Request
) -> PieceResult:
    result = PieceResult()
    ids = tuple(t.check_id for t in targets)
    acted = {c.check_id for c in request.doc_checks if c.acted} | set(ids)
    preamble, sections = split_sections(rendered)
    current = root / path
    if current.is_file():
        existing = current.read_text(encoding="utf-8", errors="replace")
        have = {h.strip().lower() for h in _EXISTING_HEADING.findall(existing)}
        missing = [
            chunk
            for heading, chunk in sections
            if _keep(heading, request.doc_checks, acted) and heading.lower() not in have
        ]
        if not missing:
            for check_id in ids:
                result.skipped[check_id] = f"{path} already has the sections it needs"
            return result
        joined = existing.rstrip("\n") + "\n\n" + "".join(missing).rstrip("\n") + "\n"
        result.proposals.append(Proposal(path, joined, ids, base=existing))
        verb = "appended to"
    else:
        kept = [
            chunk
            for heading, chunk in sections
            if _keep(heading, request.doc_checks, acted) is not False
        ]
        text = preamble + "".join(kept)
        result.proposals.append(Proposal(path, text.rstrip("\n") + "\n", ids))
        verb = "in"
    for check_id in ids:
        result.done[check_id] = f"prompts {verb} {path} (to fill in: they stay 'not filled in')"
    return result
