"""shields.io endpoint JSON (https://shields.io/badges/endpoint-badge) for a README badge."""

from __future__ import annotations

import json

from mlscaffold.score.model import Report

COLOUR = {0: "red", 1: "orange", 2: "yellow", 3: "yellowgreen", 4: "brightgreen"}


def render_badge(report: Report) -> str:
    doc = {
        "schemaVersion": 1,
        "label": "ML maturity",
        "message": f"maturity {report.maturity} · {report.score}/100"
        + (" (a selection)" if report.selection_note() else ""),
        "color": COLOUR[report.maturity],
    }
    return json.dumps(doc, ensure_ascii=False) + "\n"
