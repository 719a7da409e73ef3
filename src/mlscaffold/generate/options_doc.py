"""Render docs/options.md from the template's copier.yml, so the options doc cannot drift.

Regenerate with: ``python -m mlscaffold.generate.options_doc --write docs/options.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from mlscaffold.resources import data_dir

HEADER = (
    "<!-- Generated from template/copier.yml by "
    "`python -m mlscaffold.generate.options_doc --write docs/options.md`; do not edit. -->\n"
)


def _code(value: Any, in_table: bool = True) -> str:
    """``value`` as inline code; a pipe is escaped only inside a table, where it would end
    the cell (elsewhere the backslash would show)."""
    if value is None or value == "":
        return ""
    text = str(value).replace("\n", " ").strip()
    if in_table:
        text = text.replace("|", "\\|")
    if isinstance(value, bool):
        text = "yes" if value else "no"
    return f"`{text}`"


def _templated(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _choices(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    choices = spec.get("choices")
    if isinstance(choices, dict):
        return [(str(label), value) for label, value in choices.items()]
    if isinstance(choices, list):
        return [(str(value), value) for value in choices]
    return []


def render(copier_yml: Path | None = None) -> str:
    """The Markdown page documenting every question of the template."""
    path = copier_yml or data_dir("template") / "copier.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = {k: v for k, v in config.items() if not str(k).startswith("_")}
    lines = [
        HEADER,
        "# Template options",
        "",
        "`mlscaffold new DEST` asks these questions in a terminal; scripts answer them with",
        "`--data KEY=VALUE` (repeatable), `--data-file answers.yml` and `--defaults`.",
        "mlscaffold defaults `project_name` to the name of DEST and `python_version` to the",
        "Python it runs on, when that version is one of the choices. Without a terminal, a",
        "question `--data` does not answer takes its default only with `--defaults`.",
        "",
        "| option | type | default | choices | asked when |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, spec in questions.items():
        choices = ", ".join(_code(value) for _, value in _choices(spec))
        default = "computed" if _templated(spec.get("default")) else _code(spec.get("default"))
        lines.append(
            f"| [`{name}`](#{name.replace('_', '-')}) | {spec.get('type', 'str')} "
            f"| {default} | {choices} | {_code(spec.get('when'))} |"
        )
    for name, spec in questions.items():
        lines += ["", f"## {name.replace('_', '-')}", "", str(spec.get("help", "")).strip()]
        labelled = [(label, value) for label, value in _choices(spec) if label != str(value)]
        if labelled:
            lines.append("")
            lines += [f"- `{value}`: {label}" for label, value in labelled]
        if _templated(spec.get("default")):
            default = _code(spec["default"], in_table=False)
            lines += ["", f"Default, computed from earlier answers: {default}"]
        if spec.get("validator"):
            lines += ["", "Answers are validated; an invalid one stops generation with exit 2."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, default=None, help="write here instead of stdout")
    args = parser.parse_args(argv)
    text = render()
    if args.write is None:
        sys.stdout.write(text)
    else:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
