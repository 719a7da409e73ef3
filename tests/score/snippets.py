"""Small, realistic file contents that the check cases combine into repositories."""

FEATURES = """\
import pandas as pd


def build_features(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["tenure_years"] = out["tenure_months"] / 12
    out["spend_per_month"] = out["total_spend"] / out["tenure_months"].clip(lower=1)
    out["is_new"] = (out["tenure_months"] < 3).astype(int)
    return out[["tenure_years", "spend_per_month", "is_new"]]
"""

DATA = """\
import pandas as pd
from sklearn.model_selection import train_test_split


def load_raw(path):
    df = pd.read_csv(path)
    return df.dropna()


def split(df, seed):
    return train_test_split(df, test_size=0.2, random_state=seed)
"""

TRAIN = """\
import logging

import joblib
from sklearn.linear_model import LogisticRegression

from churn.data import load_raw, split
from churn.features import build_features

log = logging.getLogger(__name__)


def train(cfg):
    train_df, _ = split(load_raw(cfg["data"]), cfg["seed"])
    model = LogisticRegression(C=cfg["C"])
    model.fit(build_features(train_df), train_df["churned"])
    log.info("trained on %d rows", len(train_df))
    joblib.dump(model, cfg["model_path"])
    return model
"""

EVALUATE = """\
import json
from pathlib import Path

from sklearn.metrics import f1_score

from churn.features import build_features


def evaluate(model, test_df, out: Path):
    preds = model.predict(build_features(test_df))
    metrics = {"f1": f1_score(test_df["churned"], preds)}
    out.write_text(json.dumps(metrics))
    return metrics
"""

SERVE = """\
import joblib
import pandas as pd
from fastapi import FastAPI

from churn.features import build_features

app = FastAPI()
model = joblib.load("models/model.joblib")


@app.post("/predict")
def predict(rows: list[dict]) -> list[int]:
    frame = pd.DataFrame(rows)
    return model.predict(build_features(frame)).tolist()
"""

SERVE_COPY = """\
import joblib
import pandas as pd
from fastapi import FastAPI

app = FastAPI()
model = joblib.load("models/model.joblib")


def make_features(frame: pd.DataFrame) -> pd.DataFrame:
    result = frame.copy()
    result["tenure_years"] = result["tenure_months"] / 12
    result["spend_per_month"] = result["total_spend"] / result["tenure_months"].clip(lower=1)
    result["is_new"] = (result["tenure_months"] < 3).astype(int)
    return result[["tenure_years", "spend_per_month", "is_new"]]


@app.post("/predict")
def predict(rows: list[dict]) -> list[int]:
    return model.predict(make_features(pd.DataFrame(rows))).tolist()
"""

SERVE_OWN = """\
import joblib
import pandas as pd
from fastapi import FastAPI

app = FastAPI()
model = joblib.load("models/model.joblib")


@app.post("/predict")
def predict(rows: list[dict]) -> list[int]:
    frame = pd.DataFrame(rows).fillna(0)
    return model.predict(frame[["a", "b"]]).tolist()
"""

STUB = '''\
"""Train the model."""


def train():
    pass


def main():
    raise NotImplementedError
'''

TESTS = """\
import pytest

from churn.features import build_features


def test_features_have_three_columns(frame):
    assert build_features(frame).shape[1] == 3


def test_new_customers_flagged(frame):
    assert build_features(frame)["is_new"].iloc[0] == 1


def test_rejects_missing_columns():
    with pytest.raises(KeyError):
        build_features(__import__("pandas").DataFrame())
"""

EMPTY_TESTS = """\
def test_placeholder():
    assert True


def test_todo():
    pass
"""

NOTEBOOK_TRAIN = (
    '{"cells": [{"cell_type": "code", "source": ["import pandas as pd\\n", '
    '"df = pd.read_csv(\'data.csv\')\\n", "model.fit(df, y)\\n", '
    '"from sklearn.metrics import f1_score\\n", "f1_score(y, p)"]}], '
    '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
)

PIPELINE = {
    "src/churn/__init__.py": "",
    "src/churn/data.py": DATA,
    "src/churn/features.py": FEATURES,
    "src/churn/train.py": TRAIN,
    "src/churn/evaluate.py": EVALUATE,
}

SERVING = {**PIPELINE, "src/churn/serve.py": SERVE}
