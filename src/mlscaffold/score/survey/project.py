"""Project-level facts for adopt: name, package, README sentence, owners, Python version, how the
project installs and lints itself, and the targets of its Makefile."""

from __future__ import annotations

import os
from typing import Any

from mlscaffold.repofacts import Install, Owner
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import RepoIndex
from mlscaffold.score.read.readers.deps import normalise
from mlscaffold.score.read.readers.structured import dig

_CONTROL = linear.lazy(r"[\x00-\x1f\x7f]+")
_NOT_PACKAGES = linear.lazy(
    r"^(tests?|testing|docs?|examples?|scripts?|notebooks?|benchmarks?|build|dist)$"
)
README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md")
MAX_SENTENCE = 300


def one_line(value: Any, limit: int = 200) -> str | None:
    """Text from a file as one short line, or None when there is none."""
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub(" ", value).split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def project_name(index: RepoIndex) -> str:
    for value in (
        dig(index.pyproject, "project", "name"),
        dig(index.pyproject, "tool", "poetry", "name"),
    ):
        name = one_line(value, 64)
        if name:
            return name
    return os.path.basename(index.root) or "project"


def own_package(index: RepoIndex, name: str) -> tuple[str | None, str | None]:
    """The project's importable package: (import name, folder), e.g. ("churn", "src/churn")."""
    folders = []
    for path in index.python_files:
        parts = path.split("/")
        if parts[-1] != "__init__.py":
            continue
        if len(parts) == 2 and not _NOT_PACKAGES.match(parts[0]):
            folders.append(parts[0])
        elif len(parts) == 3 and parts[0] == "src":
            folders.append("src/" + parts[1])
    folders = [f for f in folders if f.rsplit("/", 1)[-1].isidentifier()]
    if not folders:
        return None, None
    wanted = normalise(name).replace("-", "_")
    by_name = [f for f in folders if f.rsplit("/", 1)[-1].lower() == wanted]
    if by_name:
        chosen = by_name[0]
    else:

        def size(folder: str) -> int:
            return sum(1 for p in index.python_files if p.startswith(folder + "/"))

        chosen = max(sorted(folders), key=size)
    return chosen.rsplit("/", 1)[-1], chosen


def readme_sentence(index: RepoIndex) -> tuple[str | None, str | None]:
    """(README path, its first sentence of prose): what the project says it is."""
    for name in README_NAMES:
        if name in index.by_path:
            text = index.text(name)
            if text:
                sentence = first_sentence(text)
                if sentence:
                    return name, sentence
    return None, None


# README text is the repository's: linear-time patterns only (see score.read.linear).
_SKIP_LINE = linear.lazy(r"^\s*(#|!\[|\[!\[|<|\.\. |:|=+$|-+$|~+$|\*+$|\|)")
_LINK = linear.lazy(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis and code marks around text that starts and ends with a non-space, longest first.
_EMPHASIS = [
    linear.lazy(linear.escape(mark) + r"(\S(?:.*?\S)?)" + linear.escape(mark))
    for mark in ("**", "__", "*", "_", "`")
]
_UNDERLINE = linear.lazy(r"[=\-~^\"'`#*+]{3,}")
_SENTENCE = linear.lazy(r"(.+?[.!?])(?:\s|$)")
_WORDS = linear.lazy(r"[A-Za-z]{2,}")


def first_sentence(text: str) -> str | None:
    """The first sentence of the first paragraph that is prose (not a heading, badge or code)."""
    paragraph: list[str] = []
    in_code = False
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":  # front matter
        end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0)
        lines = lines[end + 1 :]
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        underline = i + 1 < len(lines) and _UNDERLINE.fullmatch(lines[i + 1].strip())
        if in_code or _SKIP_LINE.match(line) or underline or line.startswith(("    ", "\t")):
            if paragraph:
                break
            continue
        if not stripped:
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    if not paragraph:
        return None
    prose = _LINK.sub(r"\1", " ".join(paragraph))
    for emphasis in _EMPHASIS:
        prose = emphasis.sub(r"\1", prose)
    match = _SENTENCE.match(prose)
    sentence = match.group(1) if match else prose
    words = _WORDS.findall(sentence)
    if len(words) < 3:
        return None
    return one_line(sentence, MAX_SENTENCE)


_CODEOWNERS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_AUTHOR = linear.lazy(r"^\s*([^<]+?)\s*(<[^>]*>)?\s*$")


def owners(index: RepoIndex) -> list[Owner]:
    """People or teams named as owners (CODEOWNERS) or authors and maintainers (metadata)."""
    found: dict[str, Owner] = {}
    for path in _CODEOWNERS:
        if path not in index.by_path:
            continue
        for line in (index.text(path) or "").splitlines():
            fields = line.split("#", 1)[0].split()
            for owner in fields[1:]:
                name = one_line(owner, 100)
                if name:
                    found.setdefault(name.lower(), Owner(name, path))
    for table in ("project",):
        for key in ("authors", "maintainers"):
            for person in dig(index.pyproject, table, key) or []:
                if isinstance(person, dict):
                    name = one_line(person.get("name") or person.get("email"), 100)
                    if name:
                        found.setdefault(name.lower(), Owner(name, f"pyproject.toml {key}"))
    for key in ("authors", "maintainers"):
        for person in dig(index.pyproject, "tool", "poetry", key) or []:
            match = _AUTHOR.match(person) if isinstance(person, str) else None
            name = one_line(match.group(1), 100) if match else None
            if name:
                found.setdefault(name.lower(), Owner(name, f"pyproject.toml {key}"))
    return list(found.values())[:12]


# "3.10" not preceded by a digit or a dot, nor followed by a digit (RE2 has no look-around:
# the characters around it are part of the match).
_VERSION = linear.lazy(r"(?:^|[^\d.])3\.(\d{1,2})(?:[^\d]|$)")
_CONDA_PYTHON = linear.lazy(r"^\s*-\s*python\s*[=<>~]*\s*3\.(\d{1,2})", linear.M)


def python_version(index: RepoIndex) -> str | None:
    """The oldest Python 3 minor version the project says it supports, if it says so."""
    if ".python-version" in index.by_path:
        match = _VERSION.search((index.text(".python-version") or "").split("\n", 1)[0])
        if match:
            return f"3.{match.group(1)}"
    specs = [
        dig(index.pyproject, "project", "requires-python"),
        dig(index.pyproject, "tool", "poetry", "dependencies", "python"),
    ]
    for spec in specs:
        if isinstance(spec, str):
            versions = [int(m.group(1)) for m in _VERSION.finditer(spec.split(",")[0])]
            if versions:
                return f"3.{min(versions)}"
    for path in _environment_files(index):
        match = _CONDA_PYTHON.search(index.text(path) or "")
        if match:
            return f"3.{match.group(1)}"
    return None


def _environment_files(index: RepoIndex) -> list[str]:
    return [
        p
        for p in ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml")
        if p in index.by_path
    ]


_DEV_REQUIREMENTS = linear.lazy(r"(dev|test|tests|testing|ci|lint|docs?)", linear.I)
_REQUIREMENTS_TOP = linear.lazy(r"requirements[\w.-]*\.txt")
_REQUIREMENTS_DIR = linear.lazy(r"requirements/[\w.-]+\.txt")
_DOCS = linear.lazy(r"docs?", linear.I)
_NAME_END = linear.lazy(r"[\s\[<>=!~;@]")
_MAIN_GUARD = linear.lazy(r"^if __name__ == ['\"]__main__['\"]", linear.M)


def install_setup(index: RepoIndex) -> Install:
    """The dependency manager and the files it installs from."""
    py = index.pyproject
    locks = {p.rsplit("/", 1)[-1].lower(): p for p in index.lock_files if "/" not in p}
    requirements = sorted(
        f.path
        for f in index.files
        if (_REQUIREMENTS_TOP.fullmatch(f.path) or _REQUIREMENTS_DIR.fullmatch(f.path))
    )
    runtime = tuple(p for p in requirements if not _DEV_REQUIREMENTS.search(p.rsplit("/", 1)[-1]))
    dev = tuple(
        p
        for p in requirements
        if _DEV_REQUIREMENTS.search(p.rsplit("/", 1)[-1]) and not _DOCS.search(p.rsplit("/", 1)[-1])
    )
    environment = next(iter(_environment_files(index)), None)
    if "uv.lock" in locks or (dig(py, "tool", "uv") is not None and "poetry.lock" not in locks):
        manager, lock = "uv", locks.get("uv.lock")
    elif (
        "poetry.lock" in locks
        or dig(py, "tool", "poetry", "dependencies") is not None
        or ("poetry" in str(dig(py, "build-system", "build-backend") or ""))
    ):
        manager, lock = "poetry", locks.get("poetry.lock")
    elif "pdm.lock" in locks or dig(py, "tool", "pdm") is not None:
        manager, lock = "pdm", locks.get("pdm.lock")
    elif environment and not requirements and not py:
        manager, lock = "conda", locks.get("conda-lock.yml")
    else:
        manager, lock = "pip", None
    installable = (
        bool(dig(py, "build-system"))
        or any(p in index.by_path for p in ("setup.py", "setup.cfg"))
        or (manager == "poetry" and dig(py, "tool", "poetry", "name") is not None)
    )
    return Install(
        manager=manager,
        requirements=runtime,
        dev_requirements=dev,
        installable=installable,
        test_extra=_extra_with(dig(py, "project", "optional-dependencies"), "pytest"),
        test_group=_extra_with(py.get("dependency-groups"), "pytest"),
        lock_file=lock,
        environment_file=environment,
    )


_PREFERRED_EXTRAS = ("test", "tests", "testing", "dev", "develop", "all")


def _extra_with(table: Any, distribution: str) -> str | None:
    """The extra (or dependency group) whose requirements name ``distribution``."""
    if not isinstance(table, dict):
        return None
    holding = []
    for name, items in table.items():
        if isinstance(items, list) and any(
            isinstance(i, str)
            and normalise(_NAME_END.split(i.strip(), maxsplit=1)[0]) == distribution
            for i in items
        ):
            holding.append(str(name))
    if not holding:
        return None
    holding.sort(key=lambda n: (_PREFERRED_EXTRAS.index(n) if n in _PREFERRED_EXTRAS else 99, n))
    return holding[0]


def lint_tools(index: RepoIndex) -> list[str]:
    """Linters and formatters the repository already configures."""
    tools = []
    py = index.pyproject
    if dig(py, "tool", "ruff") is not None or any(
        p in index.by_path for p in ("ruff.toml", ".ruff.toml")
    ):
        tools.append("ruff")
    if ".flake8" in index.by_path or _ini_section(index, ("setup.cfg", "tox.ini"), "flake8"):
        tools.append("flake8")
    if dig(py, "tool", "black") is not None:
        tools.append("black")
    if dig(py, "tool", "pylint") is not None or ".pylintrc" in index.by_path:
        tools.append("pylint")
    if dig(py, "tool", "mypy") is not None or "mypy.ini" in index.by_path:
        tools.append("mypy")
    if any(p in index.by_path for p in (".pre-commit-config.yaml", ".pre-commit-config.yml")):
        tools.append("pre-commit")
    return tools


def _ini_section(index: RepoIndex, paths: tuple[str, ...], section: str) -> bool:
    return any(
        linear.compile(rf"^\[{linear.escape(section)}\]", linear.M).search(index.text(p) or "")
        for p in paths
        if p in index.by_path
    )


# A rule "name:" (not "name :=" or "name::"), then its tab-indented recipe lines.
_TARGET = linear.lazy(r"^([A-Za-z0-9_.-]+)\s*:(?:[^=:\n][^\n]*)?\n((?:\t[^\n]*\n?)*)", linear.M)


def make_targets(index: RepoIndex) -> dict[str, str]:
    """Targets of the root Makefile and their recipes."""
    for name in ("Makefile", "makefile", "GNUmakefile"):
        if name in index.by_path:
            text = index.text(name) or ""
            return {m.group(1): m.group(2) for m in _TARGET.finditer(text)}
    return {}


def train_command(index: RepoIndex, package: str | None) -> str | None:
    """How training seems to be started: a Makefile target or a training script."""
    if "train" in make_targets(index):
        return "make train"
    for path in index.production_python:
        stem = path.rsplit("/", 1)[-1]
        if stem not in ("train.py", "training.py", "train_model.py"):
            continue
        text = index.text(path) or ""
        if not _MAIN_GUARD.search(text):
            continue
        if "/" not in path:
            return f"python {path}"
        module = path.removesuffix(".py").removeprefix("src/").replace("/", ".")
        return f"python -m {module}"
    return None
