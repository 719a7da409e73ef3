"""What ``adopt`` knows about a repository: plain data handed from the reading half to the
generating half.

The survey (``mlscaffold.score.survey``) fills these from the files it reads; the adopt renderer
(``mlscaffold.generate.adopt``) turns them into template pieces. Like ``errors``, this module
belongs to neither half, so both may import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Dependency managers adopt can write CI for, as found in the repository.
MANAGERS = ("pip", "poetry", "uv", "pdm", "conda")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # integer, number, boolean, text, empty (CSV: guessed from sampled rows) or a
    # Parquet type name (int64, double, string...)

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "number") or self.kind.startswith(
            ("int", "uint", "float", "double", "decimal")
        )


@dataclass(frozen=True)
class DataFile:
    """A tabular data file of the repository and what its header says."""

    path: str
    format: str  # csv, tsv or parquet
    size: int
    columns: tuple[Column, ...] = ()
    note: str = ""  # why the columns are unknown, when they are


@dataclass(frozen=True)
class Owner:
    name: str
    source: str  # where the name was found: "CODEOWNERS", "pyproject.toml authors"...


@dataclass(frozen=True)
class WebApp:
    """A web application object found in the code (never imported: read with ``ast``)."""

    path: str  # the module's file, e.g. service/app.py
    module: str  # its import path, e.g. service.app
    variable: str  # the application object, e.g. app
    framework: str  # fastapi or flask
    source_dir: str = ""  # folder to put on sys.path for the import ("src" or ""), if any
    health_route: str | None = None  # a GET route that answers without input, if any


@dataclass(frozen=True)
class TestSetup:
    """How the repository's own tests run."""

    command: str  # e.g. "python -m pytest -q", "make test", "tox"
    runner: str  # pytest, unittest, make, tox or nox
    files: int  # test modules found
    runner_declared: bool  # the runner (pytest, tox, nox) is among the declared dependencies


@dataclass(frozen=True)
class Install:
    """How the repository installs itself and its test tools."""

    manager: str  # one of MANAGERS
    requirements: tuple[str, ...] = ()  # requirements files for the project itself
    dev_requirements: tuple[str, ...] = ()  # requirements files for development and tests
    installable: bool = False  # pyproject.toml with a build system, or setup.py/setup.cfg
    test_extra: str | None = None  # the optional-dependencies extra holding the test runner
    test_group: str | None = None  # the dependency group (PEP 735) holding it
    lock_file: str | None = None
    environment_file: str | None = None  # conda environment file


@dataclass(frozen=True)
class RepoFacts:
    root: str
    project_name: str
    description: str | None = None
    readme: str | None = None  # path of the README the sentence comes from
    readme_sentence: str | None = None
    owners: tuple[Owner, ...] = ()
    package: str | None = None  # import name of the project's own package, if one
    package_dir: str | None = None  # its folder, e.g. src/churn
    python_version: str | None = None  # "3.11": the oldest the project supports, if stated
    install: Install = field(default_factory=lambda: Install("pip"))
    tests: TestSetup | None = None
    lint_tools: tuple[str, ...] = ()  # ruff, flake8... configured before adopt
    notebooks: int = 0
    web_app: WebApp | None = None
    data_files: tuple[DataFile, ...] = ()
    ml_libraries: tuple[str, ...] = ()  # top-level modules of ML libraries the code imports
    train_command: str | None = None  # how training seems to be started, if it can be told
    declared: frozenset[str] = frozenset()  # normalised names of every declared dependency
    notes: tuple[str, ...] = ()  # what could not be read, for the user

    def declares(self, *names: str) -> bool:
        return any(n in self.declared for n in names)
