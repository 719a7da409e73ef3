"""Derived facts several rules share (what trains, what serves), computed once per index."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlscaffold.score.index import Located, RepoIndex

TRAIN_CALL = re.compile(
    r"\.(fit|fit_transform|train|partial_fit|fit_generator)\s*\(|\b(Trainer|SFTTrainer|"
    r"train_model|fit_model)\s*\(|\btrainer\.fit\s*\("
)
ML_LIBS = (
    "sklearn",
    "torch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "statsmodels",
    "prophet",
    "transformers",
    "jax",
    "flax",
    "pytorch_lightning",
    "lightning",
    "sktime",
    "darts",
    "gluonts",
    "autogluon",
    "h2o",
    "fastai",
    "spacy",
    "gensim",
    "pycaret",
    "mlflow",
)
WEB_LIBS = (
    "fastapi",
    "flask",
    "bentoml",
    "ray.serve",
    "gradio",
    "streamlit",
    "kserve",
    "mlserver",
    "litserve",
    "starlette",
    "sanic",
    "aiohttp",
    "tornado",
    "django",
    "grpc",
    "seldon_core",
    "cog",
    "falcon",
    "quart",
    "chalice",
    "azure.functions",
    "functions_framework",
)
ROLE_PATTERNS = {
    "split": re.compile(r"(split|data|dataset|datasets|load|loader|ingest|io|make_dataset|etl)"),
    "transform": re.compile(
        r"(feature|features|transform|preprocess|preprocessing|clean|encode|"
        r"prepare|build_features|processing)"
    ),
    "train": re.compile(r"(train|training|fit|model|models|trainer|learn)"),
    "evaluate": re.compile(r"(evaluat|eval|metric|score|validat|test_model|assess)"),
}


def stem_parts(path: str) -> list[str]:
    """Lower-case names along a path without extension: src/pkg/features/build.py ->
    [src, pkg, features, build]."""
    parts = path.lower().rsplit(".", 1)[0].split("/")
    return parts


@dataclass
class TrainingFacts:
    code: list[Located]  # production Python that trains
    notebooks: list[Located]  # notebooks that train

    @property
    def trains(self) -> bool:
        return bool(self.code or self.notebooks)


def training(index: RepoIndex) -> TrainingFacts:
    if "training" not in index.memo:
        code, notebooks = [], []
        for path in index.production_python + index.notebooks:
            text = index.code(path)
            if not text:
                continue
            m = TRAIN_CALL.search(text)
            if m:
                loc = Located(path, text.count("\n", 0, m.start()) + 1, m.group(0).strip())
                (notebooks if path.endswith(".ipynb") else code).append(loc)
        index.memo["training"] = TrainingFacts(code, notebooks)
    return index.memo["training"]


def uses_ml(index: RepoIndex) -> bool:
    """The repository is an ML system: it trains, or imports an ML library in its own code."""
    if "uses_ml" not in index.memo:
        index.memo["uses_ml"] = training(index).trains or any(
            not index.is_test(u.path) for u in index.importers_of(ML_LIBS)
        )
    return index.memo["uses_ml"]


def role_modules(index: RepoIndex, role: str) -> list[str]:
    pattern = ROLE_PATTERNS[role]
    out = []
    for path in index.production_python:
        parts = stem_parts(path)
        names = parts[-2:] if parts[-1] in ("__init__", "main", "core", "__main__") else parts[-1:]
        if any(pattern.search(n) for n in names) or (len(parts) > 1 and pattern.search(parts[-2])):
            out.append(path)
    return out


def has_real_code(index: RepoIndex, path: str) -> bool:
    info = index.module_info(path)
    return bool(info and info.has_code)


def text_search(index: RepoIndex, paths: list[str], pattern: re.Pattern[str]) -> list[Located]:
    found = []
    for path in paths:
        text = index.code(path)
        if not text:
            continue
        m = pattern.search(text)
        if m:
            found.append(Located(path, text.count("\n", 0, m.start()) + 1, m.group(0)))
    return found
