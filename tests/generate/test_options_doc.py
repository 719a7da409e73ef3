"""docs/options.md is generated from template/copier.yml; CI fails when it drifts."""

from __future__ import annotations

from gen_helpers import REPO

from mlscaffold.generate.options_doc import render

REGENERATE = "python -m mlscaffold.generate.options_doc --write docs/options.md"


def test_options_doc_has_not_drifted() -> None:
    assert (REPO / "docs" / "options.md").read_text() == render(), f"stale; run: {REGENERATE}"


def test_every_question_is_documented_with_help() -> None:
    text = render()
    for name in ("project_name", "package_name", "serving", "container", "monitoring", "licence"):
        assert f"## {name.replace('_', '-')}" in text
    assert "REST API (FastAPI)" in text


def test_pipes_are_escaped_in_table_cells_only() -> None:
    lines = render().splitlines()
    prose = [line for line in lines if not line.startswith("|")]
    assert not any("\\|" in line for line in prose), [p for p in prose if "\\|" in p]
    default = next(line for line in prose if "regex_replace('^_+|_+$'" in line)
    assert default.startswith("Default, computed from earlier answers:")
