"""SARIF 2.1.0 for GitHub code scanning: one rule per check, results for fail and partial only."""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
from typing import Any
from urllib.parse import quote

from mlscaffold.score.model import Finding, Report, Status

# Characters a URI path keeps as they are (RFC 3986 pchar and "/"); the rest is percent-encoded.
_URI_SAFE = "/-._~!$&'()*+,;=:@"

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


def _uri(prefix: str, path: str) -> str | None:
    """A path relative to the repository root (code scanning resolves it from the checkout),
    None when it would leave the repository."""
    uri = posixpath.normpath(posixpath.join(prefix, path)) if prefix not in ("", ".") else path
    return None if uri == ".." or uri.startswith("../") or uri.startswith("/") else uri


def _location(f: Finding, anchor: str | None, prefix: str) -> tuple[str, int] | None:
    for e in f.evidence:
        if e.path and e.path not in (".", "") and not e.path.endswith("/"):
            uri = _uri(prefix, e.path)
            if uri:
                return uri, e.line or 1
    uri = _uri(prefix, anchor) if anchor else None
    return (uri, 1) if uri else None


def _result(
    f: Finding, index: int, anchor: str | None, prefix: str = "", where: str = ""
) -> dict[str, Any]:
    text = f"{f.title}: {f.reason}" + (" (partial)" if f.status is Status.PARTIAL else "")
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": index,
        "level": _level(f),
        "kind": "fail",
        "message": {"text": f"[{where}] {text}" if where else text},
    }
    located = _location(f, anchor, prefix)
    if located:
        path, line = located
        result["locations"] = [
            {
                "physicalLocation": {
                    # a URI reference: spaces, braces and the like percent-encoded
                    # ("{{ cookiecutter.repo_name }}/pyproject.toml")
                    "artifactLocation": {
                        "uri": quote(path, safe=_URI_SAFE),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {"startLine": max(1, line)},
                }
            }
        ]
        key = f"{f.check_id}:{path}"
    else:
        key = f"{f.check_id}:{prefix}" if prefix not in ("", ".") else f.check_id
    # Stable across runs and line moves: the check and the file, not the line or the wording.
    result["partialFingerprints"] = {"mlscaffold/v1": hashlib.sha256(key.encode()).hexdigest()[:32]}
    return result


def _prefix(report: Report, fallback: str = "") -> str:
    """Where the report's folder lies in its repository (its paths are relative to it)."""
    return report.repository.path if report.repository is not None else fallback


def _failing(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.status in (Status.FAIL, Status.PARTIAL)]


def _run(report: Report, category: str | None) -> dict[str, Any]:
    """One run for one report; a monorepo's sub-projects' results all go in it."""
    from mlscaffold.score.rollup import is_at_root, subproject_folder

    rules: dict[str, dict[str, Any]] = {}
    located: list[tuple[Finding, str | None, str, str]] = []  # finding, anchor, prefix, where
    top = _prefix(report)
    if report.subprojects:
        folders = [subproject_folder(report, sub) for sub in report.subprojects]
        folder_set = frozenset(folders)
        # Hygiene ("worst") findings of the root's own code are the whole-repository scan's
        # too (reported once, below).
        hygiene = {
            f.check_id for f in report.findings if f.rollup and f.rollup.get("rule") == "worst"
        }
        for sub, folder in zip(report.subprojects, folders, strict=True):
            prefix = _prefix(sub, folder)
            for f in sub.findings:
                if f.status is not Status.IGNORED:
                    rules.setdefault(f.check_id, _rule(f))
            located += [
                (f, sub.anchor_file, prefix, folder)
                for f in _failing(sub)
                if folder != "." or f.check_id not in hygiene
            ]
        for f in report.findings:
            if f.status is not Status.IGNORED:
                rules.setdefault(f.check_id, _rule(f))
        # Hygiene found outside every sub-project (a key in a root .env) has no sub-project
        # to report it: the whole repository's scan does.
        for f in _failing(report):
            if f.rollup and f.rollup.get("rule") == "worst":
                outside = [e for e in f.evidence if is_at_root(e.path, folder_set)]
                if outside:
                    at_root = dataclasses.replace(f, evidence=outside)
                    located.append((at_root, None, top, "repository root"))
    else:
        for f in report.findings:
            if f.status is not Status.IGNORED:
                rules.setdefault(f.check_id, _rule(f))
        located = [(f, report.anchor_file, top, "") for f in _failing(report)]
    index = {check_id: i for i, check_id in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mlscaffold",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFO_URI,
                "rules": list(rules.values()),
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(f, index[f.check_id], anchor, prefix, where)
            for f, anchor, prefix, where in located
        ],
        "properties": {
            "project": report.project,
            "score": report.score,
            "maturity": report.maturity,
            **(
                {
                    "subprojects": {
                        subproject_folder(report, s): {"score": s.score, "maturity": s.maturity}
                        for s in report.subprojects
                    }
                }
                if report.subprojects
                else {}
            ),
        },
    }
    identity = report.repository
    if identity is not None and identity.commit and identity.remote and "://" in identity.remote:
        run["versionControlProvenance"] = [
            {
                "repositoryUri": identity.remote,
                "revisionId": identity.commit,
                **({"branch": identity.branch} if identity.branch else {}),
            }
        ]
    if category:
        # The category is the part of the id up to its last slash.
        run["automationDetails"] = {"id": category if category.endswith("/") else category + "/"}
    return run


def render_sarif(report: Report, category: str | None = None) -> str:
    return render_sarif_runs([report], category)


def render_sarif_runs(reports: list[Report], category: str | None = None) -> str:
    """One SARIF log; one run per repository."""
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            # Code scanning takes one run per category: several repositories, several.
            _run(
                report,
                f"{category.rstrip('/')}/{report.project}"
                if category and len(reports) > 1
                else category,
            )
            for report in reports
        ],
    }
    from mlscaffold.score.report.render.jsonout import dumps_records

    return dumps_records(doc) + "\n"
