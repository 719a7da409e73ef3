"""Property-based tests: every reader of repository content takes arbitrary text (and
structured garbage) without raising. Example counts are stated in SECURITY.md."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlscaffold.score.read.readers import deps, markdown, notebooks, python, structured

EXAMPLES = int(os.environ.get("MLSCAFFOLD_EXAMPLES", "300"))  # more locally to hunt
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Text that looks a little like the formats, so the parsers get past their first character.
FRAGMENTS = st.sampled_from(
    [
        "#",
        "## ",
        "\n",
        "---",
        "===",
        "[",
        "]",
        "{",
        "}",
        ":",
        "=",
        '"',
        "'",
        "`",
        "```",
        "<!--",
        "-->",
        "- ",
        "* ",
        "|",
        "\t",
        "    ",
        "TODO",
        "import ",
        "from ",
        " as ",
        ",",
        ".",
        "(",
        ")",
        "def ",
        "class ",
        "pass",
        "...",
        "&a",
        "*a",
        "!!python/object",
        "[project]",
        "dependencies",
        "==",
        ">=",
        "~=",
        ";",
        "@",
        "cells",
        "source",
        "cell_type",
        "code",
        "null",
        "1e999",
        "\ufeff",
        "\x00",
        "\udcff",
        "é",
        "\r",
        "\\",
        "%(",
        "${",
        "{{",
        "}}",
    ]
)
TEXT = st.one_of(
    st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=60).map("".join)
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _clean(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


@SETTINGS
@given(TEXT)
def test_markdown_readers_never_raise(text: str) -> None:
    for section in markdown.parse_markdown("a.md", text) + markdown.parse_rst("a.rst", text):
        assert section.line >= 1
        assert isinstance(section.filled, bool)
    assert isinstance(markdown.heading_candidates(text), list)
    reason = markdown.placeholder_reason(text)
    assert reason is None or isinstance(reason, str)


@SETTINGS
@given(
    st.sampled_from(
        [
            "pyproject.toml",
            "requirements.txt",
            "requirements/dev.in",
            "setup.cfg",
            "setup.py",
            "environment.yml",
            "Pipfile",
        ]
    ),
    TEXT,
)
def test_dependency_readers_never_raise(path: str, text: str) -> None:
    found, err = deps.parse_dependency_file(path, text)
    assert err is None or isinstance(err, str)
    for dep in found:
        assert dep.pin in (deps.EXACT, deps.RANGE, deps.UNPINNED)


@SETTINGS
@given(JSON_VALUE)
def test_dependency_readers_take_structured_garbage(value) -> None:
    as_toml_ish = "[project]\ndependencies = " + json.dumps(value) + "\n"
    deps.parse_dependency_file("pyproject.toml", as_toml_ish)
    deps.parse_dependency_file("environment.yml", "dependencies: " + json.dumps(value) + "\n")
    deps.parse_dependency_file("Pipfile", "[packages]\nx = " + json.dumps(value) + "\n")


@SETTINGS
@given(
    st.one_of(
        TEXT,
        JSON_VALUE.map(json.dumps),
        JSON_VALUE.map(lambda v: json.dumps({"cells": v})),
        st.lists(JSON_VALUE).map(
            lambda cells: json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]})
        ),
    )
)
def test_notebook_reader_never_raises(text: str) -> None:
    code, err = notebooks.code_cells(text)
    assert (code is None) != (err is None)


@SETTINGS
@given(TEXT)
def test_structured_readers_never_raise(text: str) -> None:
    for load in (structured.load_yaml, structured.load_toml, structured.load_json):
        doc, err = load(text)
        assert err is None or isinstance(err, str)
        for key, _value, depth in structured.iter_keys(doc):
            assert isinstance(key, str) and depth >= 0


@SETTINGS
@given(JSON_VALUE)
def test_key_walk_handles_any_document(value) -> None:
    keys = list(structured.iter_keys(value))
    assert len(keys) <= structured.MAX_NODES


@SETTINGS
@given(TEXT)
def test_python_readers_never_raise(text: str) -> None:
    for ref in python.scan_imports(text):
        assert ref.line >= 1
    info = python.module_info(_clean(text))
    assert info is None or isinstance(info.has_code, bool)


@settings(
    max_examples=max(20, EXAMPLES // 10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "README.md",
                "train.py",
                "pyproject.toml",
                "requirements.txt",
                "configs/a.yaml",
                "nb.ipynb",
                ".gitignore",
                "Dockerfile",
                "setup.py",
                ".github/workflows/ci.yml",
                "docs/charter.md",
                ".env",
            ]
        ),
        st.one_of(st.binary(max_size=2000), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))),
        min_size=1,
    )
)
def test_whole_scorer_takes_arbitrary_bytes(tmp_path_factory, files: dict[str, bytes]) -> None:
    from mlscaffold.score.config import ScoreConfig
    from mlscaffold.score.judge.engine import score_repo
    from mlscaffold.score.report.render.jsonout import render_json

    root = tmp_path_factory.mktemp("bytes")
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    report = score_repo(str(root), config=ScoreConfig(), debug=True)
    json.loads(render_json(report))
