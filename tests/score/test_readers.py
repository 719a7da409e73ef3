"""Readers of repository content: Markdown sections, dependencies, imports."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlscaffold.score.read.readers import deps, markdown, python


@pytest.mark.parametrize(
    "body, filled",
    [
        ("We predict churn for the retention team each month.", True),
        ("F1 >= 0.8 on holdout", True),
        ("<!-- Describe the problem -->\nTODO: describe the problem.", False),
        ("Describe the data sources here.", False),
        ("Who owns the model?", False),
        ("<your name>", False),
        ("N/A", False),
        ("Lorem ipsum dolor sit amet, consectetur.", False),
        ("- [ ] TODO", False),
        ("", False),
        ("List of features: age, income, tenure", True),
    ],
)
def test_placeholder_detection(body: str, filled: bool) -> None:
    assert (markdown.placeholder_reason(body) is None) is filled


def test_markdown_sections_nest_by_level() -> None:
    text = "# T\n\nintro\n\n## Metrics\n\n### Target\n\nF1 0.9\n\n## Data\n\nrows\n"
    sections = {s.heading: s for s in markdown.parse_markdown("a.md", text)}
    assert "### Target" in sections["Metrics"].body and "rows" not in sections["Metrics"].body
    assert sections["Data"].line == 11


def test_rst_headings() -> None:
    text = "Title\n=====\n\nProblem\n-------\n\nWe solve churn for the team.\n"
    heads = [s.heading for s in markdown.parse_rst("a.rst", text)]
    assert heads == ["Title", "Problem"]


def test_import_scan_without_parsing() -> None:
    text = (
        "import os, sys as s\nfrom sklearn.metrics import f1_score\nfrom . import features, io\n"
        "from .data import load\nx = 'import notreal'\n    import mlflow\n"
    )
    modules = [r.module for r in python.scan_imports(text)]
    assert modules == ["os", "sys", "sklearn.metrics", ".features", ".io", ".data", "mlflow"]
    names = [r.names for r in python.scan_imports("from pkg import data\tas\td\nfrom q import m\n")]
    assert names == [("data",), ("m",)]  # "as" after a tab too
    lines = [r.line for r in python.scan_imports("\n\nimport a\n\nimport b\nimport c\n")]
    assert lines == [3, 5, 6]


def test_stub_detection() -> None:
    info = python.module_info(
        "def a():\n    pass\n\ndef b():\n    '''Doc.'''\n    ...\n\n"
        "def c():\n    raise NotImplementedError\n\ndef d():\n    print('todo')\n\n"
        "def e(x):\n    return x + 1\n"
    )
    assert info is not None
    assert {f.name: f.is_stub for f in info.functions} == {
        "a": True,
        "b": True,
        "c": True,
        "d": True,
        "e": False,
    }


@pytest.mark.parametrize(
    "path, text, expected",
    [
        (
            "pyproject.toml",
            '[project]\ndependencies = ["numpy==1.26.4", "pandas>=2,<3", "rich", "polars>=1"]\n',
            {"numpy": "exact", "pandas": "range", "rich": "unpinned", "polars": "unpinned"},
        ),
        (
            "pyproject.toml",
            '[tool.poetry.dependencies]\npython = "^3.11"\ntorch = "2.1.0"\nmlflow = "^2"\n',
            {"torch": "exact", "mlflow": "range"},
        ),
        ("pyproject.toml", '[dependency-groups]\ndev = ["pytest==8.0.0"]\n', {"pytest": "exact"}),
        (
            "requirements/dev.txt",
            "-r base.txt\nscikit-learn==1.5.0  # ml\nrich\n",
            {"scikit-learn": "exact", "rich": "unpinned"},
        ),
        (
            "setup.cfg",
            "[options]\ninstall_requires =\n    flask>=2\n    joblib==1.3\n    rich~=13.0\n",
            {"flask": "unpinned", "joblib": "exact", "rich": "range"},
        ),
        (
            "setup.py",
            "setup(install_requires=['flask>=2', 'joblib==1.3'])\n",
            {"flask": "unpinned", "joblib": "exact"},
        ),
        (
            "environment.yml",
            "dependencies:\n - python=3.11\n - numpy=1.26.4\n - pip:\n   - wandb==0.16\n",
            {"numpy": "exact", "wandb": "exact"},
        ),
        (
            "Pipfile",
            '[packages]\nrequests = "*"\nflask = "==2.0.0"\n',
            {"requests": "unpinned", "flask": "exact"},
        ),
    ],
)
def test_dependency_formats(path: str, text: str, expected: dict[str, str]) -> None:
    parsed, err = deps.parse_dependency_file(path, text)
    assert err is None
    assert {d.name: d.pin for d in parsed} == expected


def test_yaml_local_tags_are_read_but_python_tags_stay_refused() -> None:
    from mlscaffold.score.read.readers.structured import load_yaml

    assert load_yaml("a: !include x.yml\nb: !Ref [1, 2]\n") == ({"a": "x.yml", "b": [1, 2]}, None)
    doc, err = load_yaml("x: !!python/object/apply:os.system ['true']\n")
    assert doc is None and "python/object" in err


def test_functions_are_found_as_ast_walk_finds_them() -> None:
    """module_info walks statements only; it must list the functions ast.walk lists, in the
    same order, wherever they are nested."""
    import ast

    from mlscaffold.score.read.readers import python

    source = (
        "def a():\n    def b():\n        pass\n    return [lambda: 1 for _ in ()]\n"
        "class C:\n    def m(self):\n        async def inner():\n            pass\n"
        "if X:\n    def d():\n        pass\nelse:\n    def e():\n        pass\n"
        "try:\n    def f():\n        pass\nexcept E:\n    def g():\n        pass\n"
        "else:\n    def h():\n        pass\nfinally:\n    def i():\n        pass\n"
        "with ctx:\n    for x in y:\n        def j():\n            pass\n"
        "    else:\n        def k():\n            pass\n"
        "match v:\n    case 1:\n        def l():\n            pass\n"
        "while w:\n    def m2():\n        pass\n"
    )
    tree = ast.parse(source)
    expected = [
        (n.name, n.lineno)
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    info = python.module_info(source)
    assert [(f.name, f.line) for f in info.functions] == expected
    assert len(expected) == 14


# ----- a module judged by a prefix (python.has_real_function) -----------------------------
_CHUNKS = [
    '"""Module docstring.\n\ndef not_code():\n    return compute()\n"""\n',
    "import os\nfrom pkg import thing\n",
    "X = 1\n",
    "def stub():\n    pass\n",
    "def stub2():\n    '''Doc.'''\n    ...\n",
    "def real(a):\n    b = a + 1\n    return b * 2\n",
    "@decorator\ndef decorated(a):\n    return helper(a)\n",
    "@decorator\n@other(1)\nclass Model:\n    def fit(self):\n        raise NotImplementedError\n",
    "class Real:\n    def run(self, x):\n        y = x.copy()\n        return y\n",
    "VALUE = (\n1,\n2)\n",
    "TEXT = '''\ndef inside_a_string(x):\n    y = x\n    return y\n'''\n",
    'DOC = """\ndef a(x):\n    y = x + 1\n    return y\ndef b(y):\n    return y\n"""\n',
    "if __name__ == '__main__':\n    main()\n",
    "async def fetch(url):\n    data = await get(url)\n    return data\n",
    "def broken(:\n",
    "# " + "padding " * 600 + "\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CHUNKS), max_size=14))
def test_a_prefix_shows_a_real_function_only_when_the_module_has_one(chunks: list[str]) -> None:
    from mlscaffold.score.read.readers import python

    text = "".join(chunks)
    if python.has_real_function(text):
        info = python.module_info(text)
        if info is not None:  # a module that does not parse is judged by its prefix alone
            assert any(not f.is_stub for f in info.functions), text


_IMPORT_LINES = [
    "import os", "from a.b import c, d as e", "  import numpy as np", "x = 'import y'",
    "# import z", "from . import features", "from .. import (", "    a,", ")", "def f():",
    "\timport torch", "print('from x import y')", "importlib.reload(m)", "from  x  import  *",
    "import a, b.c", "s = '''", "import inside_string", "'''", "reimport = 1", "from x import",
    "import\tmath", "z=1; import os", "from x import y  # import w",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_IMPORT_LINES), max_size=25), st.sampled_from(["\n", "\r\n"]))
def test_imports_found_from_the_lines_holding_the_word_as_by_a_full_search(
    lines: list[str], newline: str
) -> None:
    """The import scan tries its pattern only where a line holds "import": it finds what a
    search of the whole module finds."""
    data = newline.join(lines).encode()
    assert python.scan_imports(data) == _imports_by_full_search(data)


def _imports_by_full_search(data: bytes) -> list[python.ImportRef]:
    """The import scan as it was: every match of the pattern in the whole module."""
    refs = []
    for spans in python._IMPORT.compiled.spans(data):
        start = spans[0][0]
        line = data.count(b"\n", 0, start) + 1
        end = data.find(b"\n", start)
        text = data[start : end if end != -1 else len(data)]
        for module, names in python._import_line(text):
            refs.append(python.ImportRef(module, line, names))
    return refs


# ----- placeholder detection with plain string operations -----------------------------------
def _strip_md_by_patterns(line: str) -> str:
    from mlscaffold.score.read import linear

    line = linear.compile(r"^([-*+]|\d+[.)])\s+").sub("", line, 1)
    line = linear.compile(r"^>\s*").sub("", line, 1)
    return line.strip("*_`| \t")


_MD_LINES = st.lists(
    st.sampled_from([*"-*+>#1209.) \t\f_`|aAz?<>[]{}", "TODO", "é", "\u0661", "\v"]), max_size=12
).map("".join)


@settings(max_examples=600, deadline=None)
@given(_MD_LINES)
def test_markdown_decoration_is_stripped_as_the_patterns_strip_it(line: str) -> None:
    assert markdown._strip_md(line) == _strip_md_by_patterns(line)


def test_html_headings_make_sections_and_titles_open_introductions() -> None:
    text = (
        '<div align="center">\n  <h1 align="center">Pneumonia Detection</h1>\n</div>\n\n'
        "Users upload X-rays.\n\n<h2>🚀 Deployment</h2>\n\nA REST service.\n\n## Setup\n\nRun it.\n"
    )
    sections = markdown.parse_markdown("README.md", text)
    assert [(s.level, s.heading, s.line) for s in sections] == [
        (1, "Pneumonia Detection", 2),
        (2, "🚀 Deployment", 7),
        (2, "Setup", 11),
    ]
    assert "A REST service." in sections[1].body and "Run it" not in sections[1].body
    intro = markdown.introduction("README.md", text, sections)
    assert intro is not None and intro.body.startswith("Pneumonia Detection\n\n")
    assert "Users upload" in intro.body
    assert markdown.heading_candidates(text.encode())[:2] == [
        "Pneumonia Detection",
        "🚀 Deployment",
    ]


def test_bold_lines_title_parts_of_a_document() -> None:
    text = (
        "# Student performance\n\nPredicts exam scores.\n\n"
        "2. **Data Collection**  \n   - Dataset: [Kaggle](https://kaggle.com/x)\n\n"
        "**Metrics:**\nRMSE 5.1\n\n"
        "- **Limitations**: a bullet's label\n\n"
        "**This is an emphasised sentence, not a title.**\n\n"
        "```\n**in a code block**\n```\n\n## Usage\n\nRun it.\n"
    )
    sections = markdown.parse_markdown("README.md", text)
    assert [(s.level, s.heading, s.line) for s in sections] == [
        (1, "Student performance", 1),
        (7, "Data Collection", 5),
        (7, "Metrics", 8),
        (2, "Usage", 19),
    ]
    assert "kaggle.com" in sections[1].body and "RMSE" not in sections[1].body
    # a bold part ends at the next heading of any kind; the real one runs on over it
    assert "Run it" not in sections[2].body and "RMSE" in sections[0].body
    assert "Data Collection" in markdown.heading_candidates(text.encode())


def test_fenced_lines_cover_code_blocks_at_any_indentation() -> None:
    from mlscaffold.score.read.readers.markdown import fenced_lines

    text = (
        "# API\n"  # 1
        "Post a row:\n"  # 2
        "    ```json\n"  # 3: a list item's block, indented
        '    {"f1": 0.5}\n'  # 4
        "    ```\n"  # 5
        "F1 0.81 on the hold-out.\n"  # 6
        "~~~~\n"  # 7
        "```\n"  # 8: a shorter fence of the other kind closes nothing
        "~~~~\n"  # 9
        "After.\n"  # 10
        "```python\n"  # 11: unclosed, runs to the end
        "x = 1\n"  # 12
    )
    assert fenced_lines(text) == frozenset({3, 4, 5, 7, 8, 9, 11, 12})


def test_a_large_notebook_of_tiny_objects_is_not_parsed() -> None:
    # 16 MiB of {} parsed to millions of dicts took 446 MB; a notebook's bulk is strings.
    from mlscaffold.score.read.readers import notebooks

    text = '{"cells": [' + "{}," * 400_000 + "{}]}"
    code, err = notebooks.code_cells(text)
    assert code is None and err is not None and "not a notebook's structure" in err
    big_output = json.dumps(
        {
            "cells": [
                {"cell_type": "code", "source": "x = 1\n" * 10, "outputs": [{"d": "A" * 2_000_000}]}
            ]
        }
    )
    code, err = notebooks.code_cells(big_output, max_chars=12)
    assert err is None and code == "x = 1\nx = 1\n"
