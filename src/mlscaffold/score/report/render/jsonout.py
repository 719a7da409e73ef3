"""JSON report, versioned by ``schema_version`` and described by schemas/report.schema.json.

``schema_version`` is MAJOR.MINOR. A minor version only adds optional fields, so a reader
takes a report of any minor version of its major one, ignoring the fields it does not know;
a new major version may remove or change fields, and readers refuse it (see reportload).
"""

from __future__ import annotations

import json
from typing import Any

from mlscaffold.score.model import Report

SCHEMA_VERSION = "1.2"  # 1.1: repository identity, monorepo roll-up; 1.2: stages' "ran"


def report_to_dict(report: Report, *, nested: bool = False) -> dict[str, Any]:
    from mlscaffold.score.judge.levels import LEVEL_NAMES
    from mlscaffold.score.report.diff import diff_to_dict

    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlscaffold", "version": report.tool_version},
        "checklist_version": report.checklist_version,
        "project": report.project,
        "root": report.root,
        "generated_at": report.generated_at,
        "score": report.score,
        "maturity": {"level": report.maturity, "name": LEVEL_NAMES[report.maturity]},
        "stages": [
            {
                "stage": s.stage,
                "score": s.score,
                "level": s.level,
                "counts": s.counts,
                # false for a stage none of whose checks ran (--select): its score and level
                # say nothing (schema 1.2; a 1.x reader that ignores the field still works)
                "ran": any(s.counts.values()),
            }
            for s in report.stages
        ],
        "findings": [f.to_dict() for f in report.findings],
        "notes": [n.to_dict() for n in report.notes],
        "files_scanned": report.files_scanned,
        "duration_seconds": report.duration_seconds,
        "anchor_file": report.anchor_file,
    }
    if report.repository is not None:
        doc["repository"] = report.repository.to_dict()
    if report.diff is not None:
        doc["diff"] = diff_to_dict(report)
    if report.subprojects and not nested:  # one level: a sub-project has none of its own
        doc["subprojects"] = [report_to_dict(sub, nested=True) for sub in report.subprojects]
    return doc


def render_json(report: Report) -> str:
    return dumps_records(report_to_dict(report)) + "\n"


def render_json_reports(reports: list[Report]) -> str:
    """Several repositories' reports: one JSON array of them."""
    return dumps_records([report_to_dict(r) for r in reports]) + "\n"


def dumps_records(doc: Any, indent: str = "") -> str:
    """JSON laid out for reading and diffing, written by the json module's C encoder: a
    document's fields one a line, a list of records (findings, notes, results) one record a
    line, nested documents (a monorepo's sub-projects, SARIF runs) laid out the same way.
    ``indent=2`` would print every field of every finding on a line of its own, through the
    json module's pure-Python encoder: seconds and megabytes for a large monorepo."""
    inner = indent + "  "
    if isinstance(doc, dict) and doc:
        lay = {"subprojects": _records}
        fields = (
            f"{inner}{_dump(k)}: {lay.get(k, dumps_records)(v, inner)}" for k, v in doc.items()
        )
        return "{\n" + ",\n".join(fields) + "\n" + indent + "}"
    if isinstance(doc, list) and doc and all(isinstance(v, dict) for v in doc):
        if not _is_document(doc[0]):
            return _records(doc, indent)
        items = (inner + dumps_records(v, inner) for v in doc)
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return _dump(doc)


def _records(items: Any, indent: str) -> str:
    """A list one item a line (a monorepo's sub-projects: hundreds of reports, one each)."""
    if not isinstance(items, list) or not items:
        return _dump(items)
    inner = indent + "  "
    return "[\n" + ",\n".join(inner + _dump(v) for v in items) + "\n" + indent + "]"


def _is_document(value: dict[str, Any]) -> bool:
    """A report, a SARIF run or log: laid out field by field rather than on one line."""
    return "findings" in value or "results" in value or "runs" in value


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
