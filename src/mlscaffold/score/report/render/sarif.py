"""SARIF 2.1.0 for GitHub code scanning: one rule per check, results for fail and partial only."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mlscaffold.score.model import Finding, Report, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/mlscaffold/mlscaffold"
LEVEL = {"critical": "error", "major": "warning", "minor": "note"}
_DOWNGRADE = {"error": "warning", "warning": "note", "note": "note"}
# GitHub files rules with a "security-severity" as security alerts: only the secrets check
# (practice DE7) is one; the others are engineering findings ranked by their level alone.
SECURITY_SEVERITY = {"critical": "8.0", "major": "5.0", "minor": "2.0"}


def _level(f: Finding) -> str:
    level = LEVEL[f.severity]
    return _DOWNGRADE[level] if f.status is Status.PARTIAL else level


def _rule(f: Finding) -> dict[str, Any]:
    return {
        "id": f.check_id,
        "name": "".join(part.capitalize() for part in f.name.split("-")),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f.description or f.title},
        "help": {
            "text": f"{f.fix}\n\nPractices: {', '.join(f.why)}. `mlscaffold checks {f.check_id}`",
            "markdown": f"**Fix.** {f.fix}\n\nPractices: {', '.join(f.why)}. "
            f"Run `mlscaffold checks {f.check_id}` for an example.",
        },
        "helpUri": f"{INFO_URI}/blob/main/docs/checks.md#{f.check_id.lower()}-{f.name}",
        "defaultConfiguration": {"level": LEVEL[f.severity]},
        "properties": {
            "tags": ["ml", f.stage, *f.why, *(["security"] if "DE7" in f.why else [])],
            "precision": "medium",
            **({"security-severity": SECURITY_SEVERITY[f.severity]} if "DE7" in f.why else {}),
        },
    }


def _location(f: Finding, anchor: str | None) -> tuple[str, int] | None:
    for e in f.evidence:
        if e.path and e.path not in (".", "") and not e.path.endswith("/"):
            return e.path, e.line or 1
    return (anchor, 1) if anchor else None


def _result(f: Finding, index: int, anchor: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": index,
        "level": _level(f),
        "kind": "fail",
        "message": {
            "text": f"{f.title}: {f.reason}" + (" (partial)" if f.status is Status.PARTIAL else "")
        },
    }
    where = _location(f, anchor)
    if where:
        path, line = where
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(1, line)},
                }
            }
        ]
        key = f"{f.check_id}:{path}"
    else:
        key = f.check_id
    # Stable across runs and line moves: the check and the file, not the line or the wording.
    result["partialFingerprints"] = {"mlscaffold/v1": hashlib.sha256(key.encode()).hexdigest()[:32]}
    return result


def render_sarif(report: Report) -> str:
    ran = [f for f in report.findings if f.status is not Status.IGNORED]
    rules = [_rule(f) for f in ran]
    index = {f.check_id: i for i, f in enumerate(ran)}
    results = [
        _result(f, index[f.check_id], report.anchor_file)
        for f in ran
        if f.status in (Status.FAIL, Status.PARTIAL)
    ]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlscaffold",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "informationUri": INFO_URI,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"mlscaffold/{report.project}/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"score": report.score, "maturity": report.maturity},
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
