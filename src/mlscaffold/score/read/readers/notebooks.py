"""Jupyter notebooks: the source of their code or markdown cells, read as JSON (never
executed)."""

from __future__ import annotations

from mlscaffold.score.read.readers.structured import load_json

# A notebook's bulk is its outputs' long strings; a large one made of millions of tiny
# objects ({"cells": [{}, {}, ...]}: 5.6 million dicts in 16 MiB, 446 MB of memory) is not
# a notebook, and is not parsed.
_LARGE = 1 << 20
_MAX_CONTAINERS = 200_000


def code_cells(text: str | bytes, max_chars: int | None = None) -> tuple[str | None, str | None]:
    """(joined source of the code cells, None) or (None, why the notebook is malformed).
    ``max_chars``: the most code kept (a notebook is read to 16 times the parse limit for its
    outputs; its code is held to the limit)."""
    code, _prose, err = cells_by_kind(text, max_chars)
    return code, err


def cells_by_kind(
    text: str | bytes, max_chars: int | None = None
) -> tuple[str | None, str | None, str | None]:
    """(joined code cells, joined markdown cells, None) from one parse, or (None, None, why
    the notebook is malformed); each kept to ``max_chars``."""
    if len(text) > _LARGE:
        brace, bracket = ("{", "[") if isinstance(text, str) else (b"{", b"[")
        containers = text.count(brace) + text.count(bracket)  # type: ignore[arg-type]
        if containers > _MAX_CONTAINERS:
            return None, None, f"{containers} JSON objects and arrays: not a notebook's structure"
    if not text or text.isspace():  # (strip() would copy a notebook of megabytes)
        return None, None, "an empty file"
    doc, err = load_json(text)
    if err is not None:  # json's own exception name says nothing to a user
        return None, None, err.replace("JSONDecodeError:", "not valid JSON:", 1)
    if not isinstance(doc, dict):
        return None, None, "not a JSON object"
    cells = doc.get("cells")
    if not isinstance(cells, list):
        return "", "", None
    chunks: dict[str, list[str]] = {"code": [], "markdown": []}
    for cell in cells:
        if isinstance(cell, dict) and (kind := cell.get("cell_type")) in ("code", "markdown"):
            source = cell.get("source", "")
            if isinstance(source, list):
                chunks[kind].append("".join(s for s in source if isinstance(s, str)))
            elif isinstance(source, str):
                chunks[kind].append(source)
    code, prose = "\n".join(chunks["code"]), "\n\n".join(chunks["markdown"])
    if max_chars is not None:
        code, prose = code[:max_chars], prose[:max_chars]
    return code, prose, None
