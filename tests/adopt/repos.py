"""Real-style repositories to adopt into, each committed to git like a user's own.

- a notebook-only exploration (a large CSV committed, no tests, no package);
- a FastAPI service (a package, requirements files, tests with TestClient, reference data);
- a poetry library with tests (src layout, dev group);
- a requirements-based training project (a package, tests, pytest not declared).

Pins are the template's own (they install on this machine's package index).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

from tests.conftest import make_tree

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | GIT_ENV
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(repo: Path, message: str = "initial") -> Path:
    if not (repo / ".git").exists():
        git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)
    return repo


def _notebook(cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": cell,
                }
                for cell in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def _customers_csv(rows: int, seed: int = 3) -> str:
    rng = random.Random(seed)  # noqa: S311 - test data
    lines = ["customer_id,tenure_months,monthly_charges,contract,support_calls,churned"]
    for i in range(rows):
        tenure = rng.randint(1, 72)
        charges = round(rng.uniform(18, 120), 2)
        contract = rng.choice(["monthly", "one_year", "two_year"])
        calls = rng.randint(0, 9)
        churned = int(calls > 5 or (contract == "monthly" and tenure < 6))
        lines.append(f"C{i:07d},{tenure},{charges},{contract},{calls},{churned}")
    return "\n".join(lines) + "\n"


def notebook_project(root: Path) -> Path:
    files = {
        "README.md": (
            "# Churn exploration\n\n"
            "[![binder](https://mybinder.org/badge.svg)](https://mybinder.org)\n\n"
            "We explore why customers of our telecom cancel their contracts, in notebooks.\n"
            "Open `notebooks/01-explore.ipynb` to start.\n"
        ),
        "requirements.txt": "pandas==3.0.6\nscikit-learn==1.9.1\njupyterlab==4.4.0\n",
        "notebooks/01-explore.ipynb": _notebook(
            [
                "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n",
                "df = pd.read_csv('../data/customers.csv')\ndf.describe()\n",
                "X = df[['tenure_months', 'monthly_charges', 'support_calls']]\n"
                "model = LogisticRegression().fit(X, df['churned'])\n",
            ]
        ),
        # Over DA002's 1 MiB: a committed data file the scorer flags.
        "data/customers.csv": _customers_csv(36_000),
    }
    return commit(make_tree(root, files))


FASTAPI_APP = '''"""HTTP service answering churn predictions for the billing system."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

from service.features import FEATURES, build_features
from service.model import fit

log = logging.getLogger(__name__)
REFERENCE = Path(__file__).resolve().parents[1] / "data/reference.csv"

app = FastAPI(title="churn")
_model = fit(pd.read_csv(REFERENCE))


class Customer(BaseModel):
    tenure_months: int
    monthly_charges: float
    support_calls: int


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/predict")
def predict(customers: list[Customer]) -> list[float]:
    frame = pd.DataFrame([c.model_dump() for c in customers])
    log.info("scoring %d customers", len(frame))
    return _model.predict_proba(build_features(frame)[FEATURES])[:, 1].tolist()
'''

FASTAPI_FEATURES = '''"""Features shared by training and serving."""

from __future__ import annotations

import pandas as pd

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "charges_per_month_of_tenure"]


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["charges_per_month_of_tenure"] = out["monthly_charges"] / out["tenure_months"].clip(lower=1)
    return out
'''

FASTAPI_MODEL = '''"""Train the churn model."""

from __future__ import annotations

import logging

import pandas as pd
from sklearn.linear_model import LogisticRegression

from service.features import FEATURES, build_features

log = logging.getLogger(__name__)


def fit(frame: pd.DataFrame) -> LogisticRegression:
    model = LogisticRegression(max_iter=1000, random_state=0)
    model.fit(build_features(frame)[FEATURES], frame["churned"])
    log.info("trained on %d rows", len(frame))
    return model
'''

FASTAPI_TESTS = """from fastapi.testclient import TestClient

from service.app import app

client = TestClient(app)


def test_health() -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_predict_returns_one_probability_per_customer() -> None:
    rows = [
        {"tenure_months": 2, "monthly_charges": 99.0, "support_calls": 8},
        {"tenure_months": 60, "monthly_charges": 20.0, "support_calls": 0},
    ]
    answer = client.post("/predict", json=rows).json()
    assert len(answer) == 2
    assert all(0.0 <= p <= 1.0 for p in answer)


def test_risky_customer_scores_higher() -> None:
    risky, loyal = client.post(
        "/predict",
        json=[
            {"tenure_months": 2, "monthly_charges": 99.0, "support_calls": 8},
            {"tenure_months": 60, "monthly_charges": 20.0, "support_calls": 0},
        ],
    ).json()
    assert risky > loyal
"""


def fastapi_service(root: Path) -> Path:
    files = {
        "README.md": (
            "# churn-service\n\n"
            "Serves churn predictions to the billing system over HTTP, one request per batch of "
            "customers.\n\n## Running\n\n```bash\nuvicorn service.app:app\n```\n"
        ),
        "requirements.txt": (
            "fastapi==0.142.2\npandas==3.0.6\nscikit-learn==1.9.1\npyyaml==6.0.3\n"
        ),
        "requirements-dev.txt": "pytest==9.1.1\nhttpx==0.28.1\n",
        "service/__init__.py": "",
        "service/app.py": FASTAPI_APP,
        "service/features.py": FASTAPI_FEATURES,
        "service/model.py": FASTAPI_MODEL,
        "tests/test_app.py": FASTAPI_TESTS,
        "data/reference.csv": _customers_csv(400),
        ".gitignore": "__pycache__/\n.venv/\n",
    }
    return commit(make_tree(root, files))


POETRY_PYPROJECT = """[tool.poetry]
name = "featurekit"
version = "0.3.0"
description = "Small feature-engineering helpers for tabular models."
authors = ["Ada Lovelace <ada@example.com>", "Grace Hopper <grace@example.com>"]
readme = "README.md"
packages = [{ include = "featurekit", from = "src" }]

[tool.poetry.dependencies]
python = "^3.10"

[tool.poetry.group.dev.dependencies]
pytest = "^9.0"

[build-system]
requires = ["poetry-core>=1.9"]
build-backend = "poetry.core.masonry.api"
"""

POETRY_MODULE = '''"""Scaling and encoding helpers."""

from __future__ import annotations

from collections.abc import Sequence


def standardise(values: Sequence[float]) -> list[float]:
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or 1.0
    return [(v - mean) / spread for v in values]


def min_max(values: Sequence[float]) -> list[float]:
    low, high = min(values), max(values)
    width = (high - low) or 1.0
    return [(v - low) / width for v in values]


def one_hot(values: Sequence[str]) -> dict[str, list[int]]:
    return {level: [int(v == level) for v in values] for level in sorted(set(values))}
'''

POETRY_TESTS = """import pytest

from featurekit.scaling import min_max, one_hot, standardise


def test_standardise_centres_and_scales() -> None:
    out = standardise([1.0, 2.0, 3.0])
    assert out[1] == 0.0
    assert out[0] == pytest.approx(-out[2])


def test_min_max_spans_zero_to_one() -> None:
    assert min_max([5.0, 10.0, 7.5]) == [0.0, 1.0, 0.5]


def test_one_hot_has_one_column_per_level() -> None:
    assert one_hot(["a", "b", "a"]) == {"a": [1, 0, 1], "b": [0, 1, 0]}
"""


def poetry_library(root: Path) -> Path:
    files = {
        "README.md": "# featurekit\n\nSmall, dependency-free feature-engineering helpers.\n",
        "pyproject.toml": POETRY_PYPROJECT,
        "src/featurekit/__init__.py": '"""featurekit."""\n',
        "src/featurekit/scaling.py": POETRY_MODULE,
        "tests/test_scaling.py": POETRY_TESTS,
    }
    return commit(make_tree(root, files))


TRAIN_DATA = '''"""Load and split the subscriber table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

RAW = Path("data/subscribers.csv")


def load_raw(path: Path = RAW) -> pd.DataFrame:
    return pd.read_csv(path)


def split(frame: pd.DataFrame, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    return train_test_split(frame, test_size=0.25, random_state=seed)
'''

TRAIN_MODULE = '''"""Train the cancellation model and report its accuracy."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score

from churn.data import load_raw, split

log = logging.getLogger(__name__)
FEATURES = ["tenure_months", "monthly_charges", "support_calls"]


def train(frame: pd.DataFrame, seed: int = 7) -> tuple[RandomForestClassifier, float]:
    train_rows, test_rows = split(frame, seed)
    model = RandomForestClassifier(n_estimators=50, random_state=seed)
    model.fit(train_rows[FEATURES], train_rows["churned"])
    accuracy = accuracy_score(test_rows["churned"], model.predict(test_rows[FEATURES]))
    return model, float(accuracy)


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    model, accuracy = train(load_raw())
    Path("models").mkdir(exist_ok=True)
    joblib.dump(model, "models/model.joblib")
    Path("models/metrics.json").write_text(json.dumps({"accuracy": accuracy}))
    log.info("accuracy %.3f", accuracy)


if __name__ == "__main__":
    main()
'''

TRAIN_TESTS = """from churn.data import load_raw, split
from churn.train import FEATURES, train


def test_raw_data_has_the_features() -> None:
    assert set(FEATURES) <= set(load_raw().columns)


def test_split_keeps_every_row() -> None:
    frame = load_raw()
    a, b = split(frame)
    assert len(a) + len(b) == len(frame)


def test_model_beats_always_no() -> None:
    frame = load_raw()
    _model, accuracy = train(frame)
    baseline = 1 - frame["churned"].mean()
    assert accuracy >= baseline
"""


def requirements_training(root: Path) -> Path:
    files = {
        "README.md": (
            "Subscriber churn\n================\n\n"
            "Predict which subscribers will cancel next month, so the retention team can call "
            "them first.\n\nTrain with `python -m churn.train`.\n"
        ),
        "requirements.txt": "pandas==3.0.6\nscikit-learn==1.9.1\njoblib==1.6.0\n",
        "churn/__init__.py": "",
        "churn/data.py": TRAIN_DATA,
        "churn/train.py": TRAIN_MODULE,
        "tests/test_train.py": TRAIN_TESTS,
        "data/subscribers.csv": _customers_csv(300, seed=11),
        "CODEOWNERS": "* @retention-ml\n/data/ @data-eng\n",
    }
    return commit(make_tree(root, files))


REPOS = {
    "notebook": notebook_project,
    "fastapi": fastapi_service,
    "poetry": poetry_library,
    "training": requirements_training,
}
