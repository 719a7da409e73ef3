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
