"""``survey``: the facts ``mlscaffold adopt`` adapts the template to, read like the scorer reads.

It uses the scorer's repository index (one walk that honours .gitignore, never follows links,
caps what it parses) and reads a few more files itself: the README's first sentence, CODEOWNERS,
the Makefile's targets, data file headers (see ``data``) and the web app's source (``webapp``).
Nothing is imported or run.
"""

from __future__ import annotations

from mlscaffold.repofacts import DataFile, RepoFacts, TestSetup
from mlscaffold.score.judge.rules.facts import ML_LIBS
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import RepoIndex
from mlscaffold.score.read.readers.structured import dig
from mlscaffold.score.survey import project
from mlscaffold.score.survey.data import MAX_FILES, TABULAR, read_data_file
from mlscaffold.score.survey.webapp import find_web_app


def survey(root: str) -> RepoFacts:
    """Read what adopt needs to know about the repository at ``root``."""
    index = RepoIndex(root)
    pyproject = index.pyproject
    notes: list[str] = []
    name = project.project_name(index)
    package, package_dir = project.own_package(index, name)
    readme, sentence = project.readme_sentence(index)
    install = project.install_setup(index)
    data_files = _data_files(index)
    notes.extend(f"{d.path}: {d.note}" for d in data_files if d.note)
    return RepoFacts(
        root=index.root,
        project_name=name,
        description=project.one_line(
            dig(pyproject, "project", "description")
            or dig(pyproject, "tool", "poetry", "description")
        ),
        readme=readme,
        readme_sentence=sentence,
        owners=tuple(project.owners(index)),
        package=package,
        package_dir=package_dir,
        python_version=project.python_version(index),
        install=install,
        tests=_tests(index),
        lint_tools=tuple(project.lint_tools(index)),
        notebooks=len(index.notebooks),
        web_app=_web_app(index),
        data_files=tuple(data_files),
        ml_libraries=tuple(
            sorted(
                {
                    u.value.split(".")[0]
                    for u in index.importers_of(ML_LIBS)
                    if not index.is_test(u.path)
                }
            )
        ),
        train_command=project.train_command(index, package),
        declared=frozenset(d.name for d in index.dependencies),
        notes=tuple(notes),
    )


def _data_files(index: RepoIndex) -> list[DataFile]:
    tabular = [
        f
        for f in index.with_suffixes(*TABULAR)
        if not index.is_test(f.path) and "/." not in f"/{f.path}"
    ]
    tabular.sort(key=lambda f: (-f.size, f.path))  # the biggest files are the real data
    return sorted(
        (read_data_file(index.root, f.path, f.size) for f in tabular[:MAX_FILES]),
        key=lambda d: d.path,
    )


def _web_app(index: RepoIndex):
    importers = {
        u.path for u in index.importers_of(["fastapi", "flask"]) if index.is_production_code(u.path)
    }
    candidates = [(p, index.text(p) or "") for p in sorted(importers)]
    return find_web_app(candidates)


_PYTEST_CONFIG = ("pytest.ini", "conftest.py", "tests/conftest.py")
_PLAIN_TEST = linear.lazy(r"^def test_\w*\(", linear.M)
_UNITTEST = linear.lazy(r"^\s*(import unittest|from unittest import)", linear.M)
_RUNNER = linear.lazy(r"\b(pytest|unittest|tox|nox)\b")


def _tests(index: RepoIndex) -> TestSetup | None:
    test_files = [
        p
        for p in index.python_files
        if (index.is_test(p) and p.rsplit("/", 1)[-1].startswith("test_")) or p.endswith("_test.py")
    ]
    if not test_files:
        return None
    declared = {d.name for d in index.dependencies}
    make = project.make_targets(index)
    recipe = make.get("test", "")
    if _RUNNER.search(recipe):
        runner = next(r for r in ("pytest", "tox", "nox", "unittest") if r in recipe)
        return TestSetup(
            "make test", "make", len(test_files), runner in declared or runner == "unittest"
        )
    # pytest declared as a dependency runs the tests directly: a tox or nox file often names
    # interpreters and files of years ago, and installs what the manager already does.
    if "pytest" not in declared:
        if "tox.ini" in index.by_path or dig(index.pyproject, "tool", "tox") is not None:
            return TestSetup("tox", "tox", len(test_files), "tox" in declared)
        if "noxfile.py" in index.by_path:
            return TestSetup("nox", "nox", len(test_files), "nox" in declared)
    texts = [index.text(p) or "" for p in test_files[:50]]
    pytest_signals = (
        "pytest" in declared
        or any(p in index.by_path for p in _PYTEST_CONFIG)
        or dig(index.pyproject, "tool", "pytest") is not None
        or any("pytest" in t or _PLAIN_TEST.search(t) for t in texts)
    )
    if not pytest_signals and any(_UNITTEST.search(t) for t in texts):
        under_tests = all(p.startswith("tests/") for p in test_files)
        command = "python -m unittest discover" + (" -s tests" if under_tests else "")
        return TestSetup(command, "unittest", len(test_files), True)
    return TestSetup("python -m pytest -q", "pytest", len(test_files), "pytest" in declared)
