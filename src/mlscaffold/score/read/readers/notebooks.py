"""Jupyter notebooks: the code of their code cells, read as JSON (never executed)."""

from __future__ import annotations

from mlscaffold.score.read.readers.structured import load_json


def code_cells(text: str | bytes) -> tuple[str | None, str | None]:
    """(joined source of the code cells, None) or (None, why the notebook is malformed)."""
    doc, err = load_json(text)
    if err is not None or not isinstance(doc, dict):
        return None, err or "not a JSON object"
    cells = doc.get("cells")
    if not isinstance(cells, list):
        return "", None
    chunks = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            if isinstance(source, list):
                chunks.append("".join(s for s in source if isinstance(s, str)))
            elif isinstance(source, str):
                chunks.append(source)
    return "\n".join(chunks), None
