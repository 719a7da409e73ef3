"""The survey reads facts without running anything, and survives odd files."""

from __future__ import annotations

import struct
from pathlib import Path

from mlscaffold.score.survey import survey
from mlscaffold.score.survey.data import CSV_HEAD_BYTES, MAX_COLUMNS
from mlscaffold.score.survey.project import first_sentence
from tests.conftest import make_tree


def test_readme_sentence_skips_badges_headings_and_code() -> None:
    text = (
        "---\ntitle: x\n---\n# Churn\n\n[![ci](https://x/badge.svg)](https://x)\n\n```bash\n"
        "pip install churn\n```\n\nWe predict **which** customers leave, from [billing](u) "
        "data. More text.\n"
    )
    assert first_sentence(text) == "We predict which customers leave, from billing data."
    assert first_sentence("# Title\n\n![logo](x.png)\n") is None


def test_data_headers_kinds_caps_and_hostile_names(tmp_path: Path) -> None:
    wide = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 50))
    root = make_tree(
        tmp_path / "r",
        {
            "data/train.csv": (
                "id,age,income,member,city\n1,34,1200.5,true,Oslo\n2,,99,false,Rome\n"
            ),
            "data/semi.csv": "a;b\n1;x\n",
            "data/wide.csv": wide + "\n" + ",".join("1" for _ in range(MAX_COLUMNS + 50)) + "\n",
            "data/evil.csv": "na\x1b[31mme\x00,`tick`\n1,2\n",
            "data/long.csv": "x,y\n" + "1,2\n" * (CSV_HEAD_BYTES // 4 + 100),
            "data/empty.csv": "",
            "data/fake.parquet": b"PAR1" + b"\0" * 20 + struct.pack("<i", 2**30) + b"PAR1",
        },
    )
    facts = survey(str(root))
    files = {f.path: f for f in facts.data_files}
    kinds = {c.name: c.kind for c in files["data/train.csv"].columns}
    assert kinds == {
        "id": "integer",
        "age": "integer",
        "income": "number",
        "member": "boolean",
        "city": "text",
    }
    assert [c.name for c in files["data/semi.csv"].columns] == ["a", "b"]
    wide_file = files["data/wide.csv"]
    assert len(wide_file.columns) == MAX_COLUMNS and "columns" in wide_file.note
    names = [c.name for c in files["data/evil.csv"].columns]
    assert all(ch.isprintable() for name in names for ch in name)
    assert [c.kind for c in files["data/long.csv"].columns] == ["integer", "integer"]
    assert files["data/empty.csv"].columns == () and files["data/empty.csv"].note
    parquet = files["data/fake.parquet"]
    assert parquet.columns == ()
    assert "pyarrow" in parquet.note or "not read" in parquet.note
    assert any(n.startswith("data/fake.parquet: ") for n in facts.notes)


def test_web_apps_are_found_by_reading_never_by_importing(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "r",
        {
            "requirements.txt": "flask==3.0.0\ngunicorn==23.0.0\n",
            "src/shop/__init__.py": "",
            "src/shop/web.py": (
                "import flask\nraise SystemExit('never imported')\napp = flask.Flask(__name__)\n"
                "@app.route('/ping')\ndef ping():\n    return 'ok'\n"
                "@app.route('/items/<int:n>')\ndef item(n):\n    return str(n)\n"
            ),
            ".python-version": "3.12.4\n",
        },
    )
    facts = survey(str(root))
    app = facts.web_app
    assert app is not None
    found = (app.module, app.variable, app.framework, app.source_dir)
    assert found == ("shop.web", "app", "flask", "src")
    assert app.health_route == "/ping"
    assert facts.python_version == "3.12"
    assert facts.package == "shop" and facts.package_dir == "src/shop"


def test_install_and_tests_of_a_poetry_project(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "lib",
        {
            "pyproject.toml": '[tool.poetry]\nname = "lib"\nauthors = ["A B <a@b.c>"]\n'
            '[tool.poetry.dependencies]\npython = ">=3.10,<4"\n'
            '[tool.poetry.group.dev.dependencies]\npytest = "*"\n',
            "poetry.lock": "",
            "tests/test_x.py": "def test_x():\n    assert True\n",
        },
    )
    facts = survey(str(root))
    assert facts.install.manager == "poetry" and facts.install.lock_file == "poetry.lock"
    assert facts.tests is not None and facts.tests.runner_declared
    assert facts.python_version == "3.10"
    assert [o.name for o in facts.owners] == ["A B"]


def test_an_app_made_by_a_factory_function_is_found(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "r",
        {
            "api/__init__.py": "",
            "api/main.py": (
                "from fastapi import FastAPI\n\n\ndef get_app() -> FastAPI:\n"
                "    fast_app = FastAPI(title='x')\n    return fast_app\n\n\napp = get_app()\n"
            ),
        },
    )
    app = survey(str(root)).web_app
    assert app is not None and (app.module, app.variable, app.framework) == (
        "api.main",
        "app",
        "fastapi",
    )
