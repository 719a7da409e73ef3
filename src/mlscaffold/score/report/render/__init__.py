"""Renderers: pure functions from a Report to text. Each knows nothing of how it was computed."""

from __future__ import annotations

from collections.abc import Callable

from mlscaffold.score.model import Report


def get_renderer(name: str, sarif_category: str | None = None) -> Callable[[Report], str]:
    if name == "json":
        from mlscaffold.score.report.render.jsonout import render_json

        return render_json
    if name == "markdown":
        from mlscaffold.score.report.render.markdown import render_markdown

        return render_markdown
    if name == "sarif":
        from functools import partial

        from mlscaffold.score.report.render.sarif import render_sarif

        return partial(render_sarif, category=sarif_category)
    if name == "badge":
        from mlscaffold.score.report.render.badge import render_badge

        return render_badge
    if name == "table":
        from mlscaffold.score.report.render.terminal import render_plain

        return render_plain
    raise KeyError(name)


FORMATS = ("table", "json", "markdown", "sarif", "badge")
