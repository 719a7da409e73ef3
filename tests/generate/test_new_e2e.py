"""Generated projects work: installed in a fresh venv, their own tests pass and the pipeline
runs end to end offline (prepare -> train -> evaluate -> predict -> monitor).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from gen_helpers import data_args

from mlscaffold.cli import main

pytestmark = pytest.mark.slow

COMBOS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "batch-dvc-regression": {
        "serving": "batch",
        "data_versioning": "dvc",
        "problem_type": "regression",
        "ci": "gitlab",
        "licence": "Apache-2.0",
    },
}


class Installed:
    def __init__(self, name: str, project: Path, python: Path, answers: dict[str, Any]) -> None:
        self.name = name
        self.project = project
        self.python = python
        self.answers = answers
        self.pkg = answers["package_name"]

    def run(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        return subprocess.run(
            [str(self.python), *args],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module", params=list(COMBOS))
def installed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Installed:
    name = request.param
    root = tmp_path_factory.mktemp(f"e2e-{name}")
    project = root / "project"
    assert main(["new", str(project), "--defaults", *data_args(COMBOS[name])]) == 0
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    env = Installed(name, project, python, answers)
    result = env.run(
        "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", ".[dev]", timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return env


def test_generated_test_suite_passes(installed: Installed) -> None:
    result = installed.run("-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    if installed.answers["serving"] == "rest":
        api_tests = installed.run(
            "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/infra/test_api.py"
        )
        assert api_tests.returncode == 0 and "11 passed" in api_tests.stdout, api_tests.stdout


def test_pipeline_runs_end_to_end_offline(installed: Installed) -> None:
    for step in ("prepare", "train", "evaluate", "predict", "monitor"):
        result = installed.run("-m", installed.pkg, step)
        assert result.returncode == 0, f"{step}: {result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr
    project = installed.project
    assert (project / "data/raw/dataset.csv").is_file()
    assert (project / "models/model.joblib").is_file()
    metrics = json.loads((project / "reports/metrics.json").read_text())
    assert metrics["beats_baseline"] is True
    predictions = (project / "reports/predictions.csv").read_text().splitlines()
    assert len(predictions) == metrics["n_test_rows"] + 1
    drift = json.loads((project / "reports/drift.json").read_text())
    assert drift["exceeded"] is False


def _prepared_and_trained(installed: Installed) -> None:
    """Data and a model of this worker's own: pytest-xdist may run the end-to-end test that
    makes them on another worker, with another copy of the project."""
    for step, made in (("prepare", "data/processed/test.csv"), ("train", "models/model.joblib")):
        if not (installed.project / made).is_file():
            result = installed.run("-m", installed.pkg, step)
            assert result.returncode == 0, f"{step}: {result.stderr[-3000:]}"


def test_monitor_fails_on_shifted_data(installed: Installed) -> None:
    _prepared_and_trained(installed)
    shifted = installed.project / "shifted.csv"
    code = (
        "import pandas as pd, sys;"
        "df = pd.read_csv('data/processed/test.csv');"
        "cols = [c for c in df.columns if c.startswith('x')];"
        "df[cols] = df[cols] * 3 + 5;"
        f"df.to_csv({str(shifted)!r}, index=False)"
    )
    assert installed.run("-c", code).returncode == 0
    result = installed.run("-m", installed.pkg, "monitor", "--current", str(shifted))
    assert result.returncode == 1
    assert "DRIFT" in result.stderr


def test_served_predictions(installed: Installed) -> None:
    """REST: the app answers through FastAPI's test client; batch: the CLI takes other files."""
    _prepared_and_trained(installed)
    if installed.answers["serving"] != "rest":
        out = installed.project / "custom-predictions.csv"
        result = installed.run(
            "-m", installed.pkg, "predict", "--input", "data/raw/dataset.csv", "--output", str(out)
        )
        assert result.returncode == 0, result.stderr[-3000:]
        raw_rows = (installed.project / "data/raw/dataset.csv").read_text().splitlines()
        assert len(out.read_text().splitlines()) == len(raw_rows)
        return
    code = (
        "import pandas as pd\n"
        "from fastapi.testclient import TestClient\n"
        f"from {installed.pkg}.serve import create_app\n"
        "row = pd.read_csv('data/processed/test.csv').iloc[0]\n"
        "record = {c: float(row[c]) for c in ['x1', 'x2', 'x3', 'x4', 'x5']}\n"
        "r = TestClient(create_app()).post('/predict', json={'records': [record]})\n"
        "assert r.status_code == 200, r.text\n"
        "print(r.json()['predictions'])\n"
    )
    result = installed.run("-W", "ignore", "-c", code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("[")
