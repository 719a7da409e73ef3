"""Documentation generated from the checklist (docs/checks.md and `mlscaffold checks ID`)."""

from __future__ import annotations

from mlscaffold.score.judge.checklist import Check, Checklist
from mlscaffold.score.model import STAGES

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
        lines += ["", f"In a generated project: {check.template}"]
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
            if c.template:
                out += [
                    f"Generated projects: `{c.template}`. Detector: "
                    f"{_detector_summary(c.detector)}.",
                    "",
                ]
    return "\n".join(out).rstrip() + "\n"
