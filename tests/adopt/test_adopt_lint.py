"""What adopt adds passes the linters its ecosystem uses: ruff (with the ruff.toml it adds),
hadolint, actionlint; and the CI it writes uses each dependency manager the way it is used."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.adopt.repos import REPOS, commit
from tests.conftest import make_tree, run_cli


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is a test dependency (see pyproject's test extra)"
    return path


@pytest.fixture(scope="module")
def adopted(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("adopted")
    repos = {}
    for name, make in REPOS.items():
        repo = make(root / name)
        out = run_cli("adopt", str(repo), timeout=180)
        assert out.returncode == 0, out.stdout + out.stderr
        repos[name] = repo
    return repos


@pytest.mark.parametrize("name", list(REPOS))
def test_added_python_passes_ruff_with_the_added_config(adopted, name: str) -> None:
    repo = adopted[name]
    added = [
        line[3:]
        for line in _run(["git", "status", "--porcelain", "-uall"], repo).stdout.splitlines()
        if line.startswith("??") and line.endswith(".py")
    ]
    assert (repo / "ruff.toml").is_file()
    if not added:
        return
    ruff = _tool("ruff")
    check = _run([ruff, "check", "--no-cache", *added], repo)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run([ruff, "format", "--check", "--no-cache", *added], repo)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_dockerfile_passes_hadolint(adopted) -> None:
    repo = adopted["fastapi"]
    result = _run([_tool("hadolint"), "--failure-threshold", "info", "Dockerfile"], repo)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (repo / "Dockerfile").read_text()
    assert "FROM python:3.11-slim-bookworm" in text and "\nUSER 10001\n" in text
    assert text.rstrip().endswith(
        'CMD ["uvicorn", "service.app:app", "--host", "0.0.0.0", "--port", "8000"]'
    )


@pytest.mark.parametrize("name", ["fastapi", "poetry", "training"])
def test_workflow_passes_actionlint(adopted, name: str) -> None:
    result = _run([_tool("actionlint"), ".github/workflows/ci.yml"], adopted[name])
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_config_is_valid(adopted) -> None:
    for name, repo in adopted.items():
        config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
        hooks = {h["id"] for r in config["repos"] for h in r["hooks"]}
        assert {"ruff-check", "ruff-format", "check-added-large-files"} <= hooks
        assert ("nbstripout" in hooks) == (name == "notebook")  # only where notebooks are


TESTS = "def test_adds():\n    assert 1 + 1 == 2\n"
MANAGERS = {
    "uv": (
        {
            "pyproject.toml": '[project]\nname = "u"\nversion = "0"\ndependencies = []\n'
            '[dependency-groups]\ndev = ["pytest==9.1.1"]\n'
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
            "uv.lock": "version = 1\n",
        },
        ["python -m pip install uv==", "uv sync --locked"],
        "uv run python -m pytest -q",
    ),
    "pdm": (
        {
            "pyproject.toml": '[project]\nname = "p"\nversion = "0"\n'
            '[project.optional-dependencies]\ntest = ["pytest"]\n[tool.pdm]\ndistribution = true\n',
        },
        ["python -m pip install pdm==", "pdm install -G test"],
        "pdm run python -m pytest -q",
    ),
    "conda": (
        {"environment.yml": "name: m\ndependencies:\n  - python=3.10\n  - pytest\n"},
        [],
        "python -m pytest -q",
    ),
    "extra": (
        {
            "pyproject.toml": '[project]\nname = "e"\nversion = "0"\nrequires-python = ">=3.12"\n'
            '[project.optional-dependencies]\ndev = ["pytest"]\n'
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
        },
        ["python -m pip install -e '.[dev]'"],
        "python -m pytest -q",
    ),
    "tox": (
        {"tox.ini": "[tox]\nenv_list = py\n[testenv]\ndeps = pytest\ncommands = pytest\n"},
        ["python -m pip install tox=="],
        "tox",
    ),
    "tox-and-pytest": (  # pytest declared: run it directly, not a tox file that may be stale
        {
            "tox.ini": "[tox]\nenv_list = py36\n[testenv]\ncommands = pytest\n",
            "requirements-dev.txt": "pytest==9.1.1\n",
        },
        ["python -m pip install -r requirements-dev.txt"],
        "python -m pytest -q",
    ),
    "make": (
        {
            "Makefile": "test:\n\tpython -m pytest tests\n",
            "requirements-dev.txt": "pytest==9.1.1\n",
        },
        ["python -m pip install -r requirements-dev.txt"],
        "make test",
    ),
    "unittest": (
        {"requirements.txt": "numpy==2.4.6\n"},
        ["python -m pip install -r requirements.txt"],
        "python -m unittest discover -s tests",
    ),
}


@pytest.mark.parametrize("manager", list(MANAGERS))
def test_ci_follows_the_dependency_manager(tmp_path: Path, manager: str) -> None:
    files, install, test = MANAGERS[manager]
    tests = (
        "import unittest\n\nclass T(unittest.TestCase):\n    def test_adds(self):\n"
        "        self.assertEqual(1 + 1, 2)\n"
        if manager == "unittest"
        else TESTS
    )
    repo = commit(make_tree(tmp_path / manager, {**files, "tests/test_it.py": tests}))
    out = run_cli("adopt", str(repo), "--only", "DE002")
    assert out.returncode == 0, out.stdout + out.stderr
    workflow = repo / ".github/workflows/ci.yml"
    doc = yaml.safe_load(workflow.read_text())
    steps = doc["jobs"]["test"]["steps"]
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    for line in install:
        assert line in runs, runs
    assert next(s for s in steps if s.get("name") == "Test")["run"] == test
    assert "schedule" not in doc[True] and "retrain" not in doc["jobs"]  # PyYAML reads on: as True
    if manager == "conda":
        assert any("setup-miniconda" in str(s.get("uses")) for s in steps)
    if manager == "extra":
        setup = next(s for s in steps if "setup-python" in str(s.get("uses")))
        assert setup["with"]["python-version"] == "3.12"
    result = _run([_tool("actionlint"), ".github/workflows/ci.yml"], repo)
    assert result.returncode == 0, result.stdout + result.stderr


def test_flask_app_in_an_installable_project_gets_gunicorn(tmp_path: Path) -> None:
    repo = commit(
        make_tree(
            tmp_path / "shop",
            {
                "pyproject.toml": '[project]\nname = "shop"\nversion = "0"\n'
                'requires-python = ">=3.12"\n'
                'dependencies = ["flask==3.1.0", "gunicorn==23.0.0", "scikit-learn==1.9.1"]\n'
                '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
                "src/shop/__init__.py": "",
                "src/shop/web.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
                "@app.route('/healthz')\ndef healthz():\n    return 'ok'\n",
            },
        )
    )
    out = run_cli("adopt", str(repo), "--only", "DE001")
    assert out.returncode == 0, out.stdout + out.stderr
    text = (repo / "Dockerfile").read_text()
    assert "FROM python:3.12-slim-bookworm" in text
    assert "RUN pip install --no-cache-dir .\n" in text
    assert 'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop.web:app"]' in text
    assert "http://127.0.0.1:8000/healthz" in text
    result = _run([_tool("hadolint"), "--failure-threshold", "info", "Dockerfile"], repo)
    assert result.returncode == 0, result.stdout + result.stderr
