"""Documentation generated from the checklist (docs/checks.md and `mlscaffold checks ID`)."""

from __future__ import annotations

from mlscaffold.score.judge.checklist import Check, Checklist
from mlscaffold.score.model import STAGES

_BUILTIN_SOURCES = {f"{stage}.yaml" for stage in STAGES}
HEADER = (
    "<!-- Generated from checklist/*.yaml by `mlscaffold checks --format markdown`; "
    "do not edit. -->\n"
)


def _detector_summary(spec: dict) -> str:
    kind = spec["kind"]
    if kind == "any":
        return "any of: " + "; ".join(_detector_summary(s) for s in spec["detectors"])
    if kind == "rule":
        return f"rule `{spec['name']}`"
    return f"`{kind}`"


ROLLUP = {
    "best": "the repository takes its best sub-project's result",
    "worst": "the repository takes its worst sub-project's result, or the root's (hygiene)",
    "shared": "the repository takes its best sub-project's result, and what the repository "
    "holds outside its sub-projects (the root's CI, README, docs) counts for every sub-project",
}


def check_to_dict(check: Check) -> dict:
    """Every field of a check, for ``mlscaffold checks --format json``."""
    return {
        "id": check.id,
        "name": check.name,
        "title": check.title,
        "stage": check.stage,
        "severity": check.severity,
        "why": list(check.why),
        "description": check.description,
        "fix": check.fix,
        "example": check.example,
        "references": list(check.references),
        "requires": list(check.requires),
        "template": check.template,
        "applies_if": check.applies_if,
        "rollup": check.rollup,
        "detector": check.detector,
        "source": check.source,
    }


def describe_check(check: Check) -> str:
    lines = [
        f"{check.id} {check.name}: {check.title}",
        f"stage: {check.stage} · severity: {check.severity} · practices: {', '.join(check.why)}",
        "",
        "What it checks:",
        f"  {check.description}",
        "",
        "How to fix:",
        f"  {check.fix}",
    ]
    if check.example:
        lines += ["", "Example:"] + [f"  {ln}" for ln in check.example.rstrip().splitlines()]
    if check.requires:
        lines += ["", f"Requires: {', '.join(check.requires)} (not applicable without it)"]
    if check.template:
        where = check.template.replace("{{package_name}}", "<package>")
        lines += ["", f"In a generated project: {where}"]
    lines += ["", f"In a monorepo ({check.rollup}): {ROLLUP[check.rollup]}"]
    if check.source and check.source not in _BUILTIN_SOURCES:
        lines += [f"From: {check.source}"]
    lines += [
        "",
        f"Detector: {_detector_summary(check.detector)}",
        "References: docs/practices.md "
        + " ".join(check.why)
        + ("".join(f"\n  {r}" for r in check.references)),
    ]
    return "\n".join(lines) + "\n"


def render_checks_markdown(checklist: Checklist) -> str:
    out = [
        HEADER,
        "# Checks",
        "",
        f"{len(checklist)} checks in four stages. Each yields pass, partial, fail or not "
        "applicable, with evidence. Practice ids refer to [practices.md](practices.md).",
        "",
    ]
    for stage in STAGES:
        checks = [c for c in checklist if c.stage == stage]
        out += [
            f"## {stage.capitalize()}",
            "",
            "| Id | Name | Title | Severity | Practices |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| [{c.id}](#{c.id.lower()}-{c.name}) | `{c.name}` | {c.title} | {c.severity} | "
            f"{', '.join(c.why)} |"
            for c in checks
        ]
        out.append("")
        for c in checks:
            out += [
                f"### {c.id} {c.name}",
                "",
                f"**{c.title}** · {c.severity} · practices {', '.join(c.why)}",
                "",
                c.description,
                "",
                f"**Fix.** {c.fix}",
                "",
            ]
            if c.example:
                out += ["```", c.example.rstrip(), "```", ""]
            if c.requires:
                out += [f"Requires {', '.join(c.requires)}; not applicable without it.", ""]
            if c.rollup != "best":
                out += [f"In a monorepo ({c.rollup}): {ROLLUP[c.rollup]}.", ""]
            if c.template:
                out += [
                    f"Generated projects: `{c.template}`. Detector: "
                    f"{_detector_summary(c.detector)}.",
                    "",
                ]
    return "\n".join(out).rstrip() + "\n"
