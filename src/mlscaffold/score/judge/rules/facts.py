"""Derived facts several rules share (what trains, what serves), computed once per index."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from mlscaffold.score.budget import tick
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import (
    DATA_DIR,
    README_NAMES,
    TABLE_SUFFIXES,
    Located,
    RepoIndex,
)
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.readers.deps import normalise
from mlscaffold.score.read.readers.structured import dig
from mlscaffold.score.read.scan import CodePattern

TRAIN_CALL_RE = lazy(
    r"\.(fit|fit_transform|partial_fit|fit_generator)\s*\(|"
    # .train(...), not PyTorch's switch to evaluation mode: .train(False), .train(mode=False)
    r"\.train\s*\(\s*(\)|[^\sFm)]|F[^a]|Fa[^l]|m[^o]|mo[^d]|mod[^e]|mode[^ \t=]|mode\s*=\s*[^F\s])|"
    r"\b(Trainer|SFTTrainer|"
    r"train_model|fit_model)\s*\(|\btrainer\.fit\s*\(|"
    # a training loop written out: JAX/Flax gradients and optimiser, TensorFlow's tape applied
    r"\b(value_and_grad|apply_gradients)\s*\(|\b(jax|nnx)\.grad\s*\(|\bnnx\.Optimizer\s*\("
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
    "chainlit",  # a chat front end for an LLM
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
    "ts.torch_handler",  # TorchServe handlers
    "dash",  # dashboards whose callbacks call the model
    "panel",
    # chat bots answering their users with the model's predictions
    "aiogram",
    "telegram",
    "telebot",
    "discord",
    "slack_bolt",
)
# Whole name tokens (file or package names split on "_", "-", ".") that say what a step does.
ROLE_WORDS = {
    "split": set(
        "split splits splitter splitting data dataset datasets load loader loaders loading ingest "
        "ingestion io etl "
        "sampling datamodule datamodules".split()
    ),
    "transform": set(
        "feature features transform transforms transformation transformations preprocess "
        "preprocessing prep clean cleaning encode encoding prepare processing process featurize "
        "engineering".split()
    ),
    "train": set("train training trainer fit model models learn learner".split()),
    "evaluate": set(
        "evaluate evaluation eval metrics metric score scoring validate validation assess "
        "assessment".split()
    ),
}
_STRICT_WORDS = {"train": {"train", "training", "trainer", "fit"}}
# A data check (data_validation.py, validate_data.py) validates inputs, not a model.
_VALIDATING = {"validate", "validation"}
_OF_DATA = {"data", "dataset", "datasets", "ingest", "ingestion", "schema", "input", "inputs"}
_EVALUATING = ROLE_WORDS["evaluate"] - _VALIDATING
_GENERIC_STEMS = {"__init__", "main", "core", "nodes", "pipeline", "__main__", "run", "steps"}


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


def fits_models(index: RepoIndex) -> bool:
    """Whether some module or notebook trains a model, not only a scaler, a vectoriser or a
    search index (a RAG app's minsearch ``Index.fit(documents)`` prepares retrieval)."""
    if "fits_models" not in index.memo:
        from mlscaffold.score.judge.rules.notebooks import fits_a_model

        found = training(index)
        index.memo["fits_models"] = any(
            fits_a_model(index, h) for h in itertools.islice([*found.code, *found.notebooks], 200)
        )
    return index.memo["fits_models"]


def training(index: RepoIndex) -> TrainingFacts:
    if "training" not in index.memo:
        hits = text_search(index, index.pattern_code, TRAIN_CALL)
        index.memo["training"] = TrainingFacts(
            [h for h in hits if not h.path.endswith(".ipynb")],
            [h for h in hits if h.path.endswith(".ipynb")],
        )
    return index.memo["training"]


_USES_MODEL_RE = lazy(
    r"joblib\.load|pickle\.load|torch\.load|load_model\s*\(|from_pretrained\s*\(|"
    r"\.predict(_proba)?\s*\(|onnxruntime|InferenceSession|\bDefaultPredictor\s*\(|"
    r"\bspacy\.load\s*\("
)
_SAVES_MODEL_RE = lazy(
    r"joblib\.dump|pickle\.dump|torch\.save|save_model|log_model|save_pretrained|register_model|"
    r"cloudpickle\.dump|skops\.io\.dump|\.save\(\s*['\"f]"
)
# Where a project keeps model files: a template's models/.gitkeep says models will live here.
_MODEL_DIR = lazy(r"^([^/]+/)?(models?|artifacts|checkpoints|weights)/", linear.I)
_ESTIMATOR_RE = lazy(r"^[ \t]+def fit\s*\(\s*self\b", linear.M)


def model_loaders(index: RepoIndex) -> list[Located]:
    """Production modules that load or call a model (first such line of each)."""
    return text_search(index, index.production_python, _USES_MODEL)


def saves_a_model(index: RepoIndex, path: str) -> bool:
    """Whether a production module or notebook saves a model (from the single pass's table)."""
    table = index.code_matches(_SAVES_MODEL)
    if table is not None and path in index.pattern_scope:
        return path in table
    return bool(_SAVES_MODEL.search(index.code(path) or ""))


def model_savers(index: RepoIndex) -> list[Located]:
    """Production modules that save a model (first such line of each)."""
    return text_search(index, index.production_python, _SAVES_MODEL)


def uses_ml(index: RepoIndex) -> bool:
    """The repository is an ML system: it trains, loads or calls a model, or imports an ML
    library in its own code."""
    if "uses_ml" not in index.memo:
        index.memo["uses_ml"] = (
            training(index).trains
            or index.imports_any(ML_LIBS, where=lambda path: not index.is_test(path))
            or bool(model_loaders(index))
        )
    return index.memo["uses_ml"]


def estimator_library(index: RepoIndex) -> bool:
    """A library of estimators (classes with ``fit`` methods, like scikit-learn-contrib
    packages): its ``.fit`` calls are its API, not a model being trained on data."""
    if "estimator_library" not in index.memo:
        estimators = text_search(index, index.production_python, _ESTIMATOR)
        saves = model_savers(index)
        index.memo["estimator_library"] = len(estimators) >= 3 and not saves
    return index.memo["estimator_library"]


# "import x" or "from x import" at the start of a README line (its usage example).
_README_IMPORT = lazy(r"^[ \t>]*(?:from|import)[ \t]+([A-Za-z_]\w{0,60})", linear.M)
_SETUP_NAME = lazy(r"""\bname\s*=\s*['"]([A-Za-z0-9][A-Za-z0-9._-]{0,100})['"]""")
_SETUP_CFG_NAME = lazy(r"^name[ \t]*=[ \t]*([A-Za-z0-9][A-Za-z0-9._-]{0,100})[ \t]*$", linear.M)


def distribution_name(index: RepoIndex) -> str | None:
    """The package name the root's packaging files declare (pyproject, setup.py, setup.cfg)."""
    for keys in (("project", "name"), ("tool", "poetry", "name")):
        name = dig(index.pyproject, *keys)
        if isinstance(name, str):
            return name
    for path, pattern in (("setup.py", _SETUP_NAME), ("setup.cfg", _SETUP_CFG_NAME)):
        if path in index.by_path:
            found = pattern.search((index.text(path) or "")[:65536])
            if found:
                return found.group(1)
    return None


def _installs(readme: str, name: str) -> bool:
    """Whether ``readme`` tells its users to ``pip install NAME`` (a published package), as
    opposed to ``pip install -r requirements.txt`` or ``pip install -e .``."""
    wanted = normalise(name)
    for line in readme.splitlines():
        at = line.find("pip install ")
        if at == -1:
            continue
        for token in line[at + len("pip install ") :].split()[:8]:
            token = token.strip("'\"`")
            if token.startswith("-"):
                continue
            bare = token.split("[", 1)[0]
            for op in ("==", ">=", "<=", "~=", "!=", ">", "<"):
                bare = bare.split(op, 1)[0]
            if bare and normalise(bare) == wanted:
                return True
    return False


def packaged_library(index: RepoIndex) -> bool:
    """A package its README tells users to ``pip install`` by name, whose training code (fit
    and train calls) all lies in its own package: its API, not a model being trained on data
    of its own (vit-pytorch, skorch). A project with training scripts beside its package
    (chronos' scripts/training) is an ML system that happens to be published."""
    if "packaged_library" not in index.memo:
        index.memo["packaged_library"] = _packaged_library(index)
    return index.memo["packaged_library"]


def _packaged_library(index: RepoIndex) -> bool:
    from mlscaffold.score.judge.rules.deployment import serving_modules

    name = distribution_name(index)
    # cookiecutter-data-science's setup.py names the project's code 'src' so it can be
    # imported (`pip install -e .`): a project layout, never a published library.
    if not name or normalise(name) in ("src", "source"):
        return False
    readme = next(
        (
            index.text(f.path)
            for n in README_NAMES
            for f in index.paths.named(n)
            if "/" not in f.path
        ),
        None,
    )
    if not readme or not _installs(readme[:262144], name):
        return False
    wanted = normalise(name)
    # The import name may differ from the distribution's (grad-cam is imported as
    # pytorch_grad_cam, scikit-learn as sklearn): the README's own imports name it too.
    names = {wanted, wanted.removeprefix("py"), wanted.removeprefix("pytorch-")}
    names |= {normalise(m) for m in _README_IMPORT.findall(readme[:262144])[:50]}
    by_normalised = {}  # the root's and src/'s folders by normalised name: a few lookups
    for folder in index.paths.folders:
        if folder.count("/") == 0 or (folder.count("/") == 1 and folder.startswith("src/")):
            by_normalised.setdefault(normalise(folder.rsplit("/", 1)[-1]), []).append(folder)
    packages = tuple(f + "/" for n in names for f in by_normalised.get(n, ()))
    if not packages:
        return False
    web, _, _ = serving_modules(index)
    if web:
        return False  # a published application: it serves a model, so it has one
    trains = training(index).code
    outside = [hit for hit in trains if not hit.path.startswith(packages)]
    return len(outside) <= len(trains) // 5  # a helper script or two beside the package


def ml_library(index: RepoIndex) -> bool:
    """An ML library rather than an ML system: an estimator library, or a published package
    that trains nothing outside its own API (see ``packaged_library``)."""
    return estimator_library(index) or packaged_library(index)


# A framework's training command in a runner (spaCy's project.yml, a Makefile, a shell
# script): the framework's own loop trains the model the configuration describes.
TRAIN_COMMAND = lazy(
    r"\b(python3?[ \t]+-m[ \t]+)?spacy[ \t]+train\b|\byolo[ \t]+(\w+[ \t]+)?train\b|"
    r"\byolo\b[^\n]*\bmode=train\b|\b(rasa|allennlp|ludwig)[ \t]+train\b|\bfairseq-train\b"
)
_RUNNERS = ["project.yml", "Makefile", "*.sh", "*.bat", "*.ps1", "justfile", "Taskfile.yml"]


def training_commands(index: RepoIndex) -> list[Located]:
    """Runner lines that call a framework's training command (``spacy train``)."""
    if "training_commands" not in index.memo:
        runners = [f.path for f in index.glob(_RUNNERS)][:_MAX_RUNNERS]
        index.memo["training_commands"] = text_search(
            index, runners + list(index.ci_files), TRAIN_COMMAND
        )
    return index.memo["training_commands"]


_MAX_RUNNERS = 200


def trains_a_model(index: RepoIndex) -> bool:
    """Training in the project's modules (not only in notebooks), not an estimator library."""
    return bool(training(index).code) and not ml_library(index)


def serves_or_trains(index: RepoIndex) -> bool:
    from mlscaffold.score.judge.rules.deployment import serving_modules

    web, batch, _ = serving_modules(index)
    return trains_a_model(index) or bool(web or batch)


def not_applicable_because(index: RepoIndex, condition: str) -> str | None:
    """Why a check with ``applies_if: CONDITION`` does not apply here, or None if it does."""
    if condition == "trains":
        if estimator_library(index):
            return "an estimator library: its fit() methods are its API; it trains no model"
        if packaged_library(index):
            return "an ML library: its fit/train code is its API; it trains no model of its own"
        # A scaffold whose train module is an empty stub still means to train: judge it.
        if (
            fits_models(index)
            or role_modules(index, "train", strict=True)
            or ("dvc.yaml" in index.by_path)
            or training_commands(index)
        ):
            return None
        return (
            "the repository trains no model (no fit/train call on a model in its code or notebooks)"
        )
    if condition == "has_pipeline_code":
        if not serves_or_trains(index):
            return "no pipeline or serving code to inspect"
        return None
    if condition == "handles_models":
        why_not = not_applicable_because(index, "trains")
        if why_not and ml_library(index):
            return why_not  # its save_model() is API too
        if (
            why_not
            and not model_savers(index)
            and not model_loaders(index)
            and not any(
                _MODEL_DIR.search(folder + "/") and not any(f.suffix == ".py" for f in entries)
                for folder, entries in index.paths.folders.items()
            )  # models/.gitkeep or model files, not an app's models/ package of classes
        ):
            # A service that loads a model it did not train still has to say which one, and a
            # template's models/ folder says models will be kept.
            return why_not.replace("trains no model", "trains, saves and loads no model")
        return None
    if condition == "tabular":
        why_not = not_applicable_because(index, "ml_system")
        if why_not is not None:
            return why_not
        if not works_on_tables(index):
            return (
                "no tabular data: the model learns its features from raw inputs (text, images, "
                "signals), so there is no hand-made feature list to declare"
            )
        return None
    if condition == "uses_data":
        why_not = not_applicable_because(index, "ml_system")
        if why_not is not None or not_applicable_because(index, "trains") is None:
            return why_not
        if keeps_data(index):
            return None
        return (
            "no data of its own: the repository trains no model and keeps no dataset (no data "
            "files, data folder or DVC-tracked data), e.g. a pretrained model served as it is"
        )
    if condition == "ml_system":
        if ml_library(index):
            return "an ML library: it has no data pipeline or business target of its own"
        return None
    raise ValueError(f"unknown applicability condition {condition!r}")


CONDITIONS = (
    "trains",
    "has_pipeline_code",
    "ml_system",
    "handles_models",
    "tabular",
    "uses_data",
)
# Conditions guessed from what a project uses or keeps: the check still passes on what it
# finds, unless the condition each narrows (an ML library: no data or features of its own)
# already rules the check out.
SOFT_CONDITIONS = {
    "tabular": "ml_system",
    "uses_data": "ml_system",
    "has_pipeline_code": "ml_system",
}

# Libraries whose models take hand-made columns. A deep learning framework without any of them
# learns its features from raw inputs (it may still read labels or metadata with pandas).
_TABULAR_LIBS = (
    "xgboost",
    "lightgbm",
    "catboost",
    "statsmodels",
    "feast",
    "featuretools",
    "category_encoders",
    "pyspark.ml",
    "h2o",
)
# scikit-learn's helpers that a deep learning project uses too (a split, a score; TF-IDF and
# hashing vectorisers learn their features from raw text), unlike its models and column
# transformers, which take hand-made columns.
_SKLEARN_HELPERS = frozenset(
    (
        "metrics",
        "model_selection",
        "utils",
        "exceptions",
        "base",
        "datasets",
        "manifold",
        "feature_extraction",
    )
)
# Univariate forecasters: they learn from the series itself, not from declared columns.
_UNIVARIATE = ("statsmodels.tsa", "pmdarima")
# Libraries that turn raw inputs (audio, molecules, graphs, words, pixels) into features.
_RAW_FEATURE_LIBS = (
    "librosa", "torchaudio", "python_speech_features", "rdkit", "ogb", "deepchem", "dgl",
    "torch_geometric", "gensim", "nltk", "cv2", "PIL", "skimage", "torchvision",
)  # fmt: skip
_EVALUATION_PART = lazy(r"(^|/)(metrics?|eval\w*|benchmarks?)/")
# Clients of hosted language models and their frameworks (an LLM application's model).
LLM_CLIENTS = (
    "openai",
    "anthropic",
    "langchain",
    "langchain_core",
    "langchain_openai",
    "llama_index",
    "litellm",
)
_DEEP_LIBS = (
    "torch",
    "tensorflow",
    "keras",
    "jax",
    "flax",
    "transformers",
    "timm",
    "mxnet",
    "ultralytics",
    "sentence_transformers",
    "detectron2",
    "mmdet",
    "paddle",
    "theano",
    "lasagne",
    # Univariate forecasters learn from the series itself (ds, y), not from declared features.
    "prophet",
    "neuralprophet",
    # Language-model applications and NLP pipelines work on raw text.
    *LLM_CLIENTS,
    "spacy",
)


# Files that hold a dataset wherever they are: tables, arrays, records and DVC pointers (.h5
# is left out: as often a Keras model as data).
_DATASET_SUFFIXES = (*TABLE_SUFFIXES, ".npz", ".npy", ".tfrecord", ".avro", ".orc", ".dvc")


def keeps_data(index: RepoIndex) -> bool:
    """Whether the repository keeps a dataset of its own: data files or DVC pointers outside
    tests, a data folder (a template's empty one with a .gitkeep says where data will go), a
    DVC pipeline. Sample requests in tests beside a served model are no dataset."""
    if "keeps_data" not in index.memo:
        found = bool(index.data_readmes) or any(
            marker in index.by_path for marker in ("dvc.yaml", ".dvc/config")
        )
        if not found:
            for f in index.with_suffixes(*_DATASET_SUFFIXES):
                if not index.is_test(f.path):
                    found = True
                    break
        if not found:  # a data folder, even one holding only a .gitkeep (a template's)
            found = any(  # by folder: far fewer than files
                DATA_DIR.search(folder + "/")
                and not index.is_test(folder + "/")
                and any(f.suffix != ".py" for f in entries)
                for folder, entries in index.paths.folders.items()
            )
        index.memo["keeps_data"] = found
    return index.memo["keeps_data"]


MAX_STRINGS = 10_000  # triple-quoted strings looked for in one module


def triple_quoted(code: str | bytes) -> list[tuple[int, int]]:
    """(start, end) of each triple-quoted string (docstrings and their usage examples, where
    a ``print(model)`` is documentation, not output), in order. A linear scan; an unclosed
    string runs to the end."""
    double_quotes, single_quotes = ('"""', "'''") if isinstance(code, str) else (b'"""', b"'''")
    regions: list[tuple[int, int]] = []
    pos = 0
    # The next opening of each kind is searched again only once the scan has passed it:
    # searching for both every time made a module of many docstrings and no ''' cost its
    # length once per docstring.
    double = single = -2
    while len(regions) < MAX_STRINGS:
        if double != -1 and double < pos:
            double = code.find(double_quotes, pos)
        if single != -1 and single < pos:
            single = code.find(single_quotes, pos)
        if double == -1 and single == -1:
            break
        start, quote = (
            (double, double_quotes) if single == -1 or (double != -1 and double < single) else
            (single, single_quotes)
        )  # fmt: skip
        end = code.find(quote, start + 3)
        end = len(code) if end == -1 else end + 3
        regions.append((start, end))
        pos = end
    return regions


def in_regions(pos: int, regions: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` lies in one of ``regions`` (as ``triple_quoted`` returns them)."""
    i = bisect.bisect_right(regions, (pos, float("inf"))) - 1
    return i >= 0 and regions[i][0] <= pos < regions[i][1]


def works_on_tables(index: RepoIndex) -> bool:
    """False only for learning on raw inputs: a deep learning framework (or a univariate
    forecaster) in the code or notebooks (tests aside) and no library of models on columns
    (scikit-learn's metrics and splits do not count: a text classifier scores itself with
    them). Without one, the project is judged (nothing shows it has no features to declare)."""
    if "tabular" not in index.memo:

        def where(path: str) -> bool:
            return not index.is_test(path)

        # A text classifier vectorising raw text (TF-IDF) fits scikit-learn models on words,
        # not on declared columns: the modules that vectorise text are not counted as models
        # on columns (a module fitting a forest on named columns beside them still is).
        vectoriser = ["sklearn.feature_extraction.text"]
        raw = index.imports_any((*_DEEP_LIBS, *_UNIVARIATE), where=where)
        text = index.imports_any(vectoriser, where=where)
        on_columns = any(
            where(h.path) and not h.value.startswith(_UNIVARIATE)
            for h in index.importers_of(_TABULAR_LIBS)
        )
        if not (raw or text) or on_columns:
            index.memo["tabular"] = True
        else:
            # Nor are models fitted on what a module derives from raw inputs itself
            # (fingerprints from SMILES, MFCCs from audio, word vectors), or fitted to score
            # generated samples (a two-sample test in metrics/).
            derived = {h.path for h in index.importers_of([*vectoriser, *_RAW_FEATURE_LIBS])}
            index.memo["tabular"] = _uses_sklearn_models(
                index,
                lambda p: where(p) and p not in derived and not _EVALUATION_PART.search(p),
            )
    return index.memo["tabular"]


def _uses_sklearn_models(index: RepoIndex, where: Callable[[str], bool]) -> bool:
    """Whether scikit-learn is imported for more than its helpers (``_SKLEARN_HELPERS``)."""
    for hit in index.importers_of(["sklearn"]):
        if not where(hit.path):
            continue
        parts = hit.value.split(".")
        if len(parts) > 1:
            if parts[1] not in _SKLEARN_HELPERS:
                return True
            continue
        refs = [r for r in index.imports.get(hit.path, ()) if r.module == hit.value]
        names = {n for r in refs for n in r.names}
        if not names or not names <= _SKLEARN_HELPERS:
            return True  # "import sklearn", or "from sklearn import svm"
    return False


def _tokens(name: str) -> set[str]:
    """``"train-model.v2"`` -> ``{"train", "model", "v2"}`` (split at ``_``, ``-`` and ``.``)."""
    return set(name.replace("-", "_").replace(".", "_").split("_")) - {""}


def role_modules(index: RepoIndex, role: str, strict: bool = False) -> list[str]:
    """Production modules named for a pipeline step: by file name, or by package name for
    generic files (pipelines/data_processing/nodes.py is a transform step). ``strict`` keeps
    only unambiguous names (train.py, not model.py)."""
    return _all_roles(index)[(role, strict)]


def _all_roles(index: RepoIndex) -> dict[tuple[str, bool], list[str]]:
    """Every role's modules, from one look at each production module's name."""
    if "roles" in index.memo:
        return index.memo["roles"]
    wanted = [(role, False, words) for role, words in ROLE_WORDS.items()]
    wanted += [(role, True, words) for role, words in _STRICT_WORDS.items()]
    every_word = set().union(*ROLE_WORDS.values(), *_STRICT_WORDS.values())
    out: dict[tuple[str, bool], list[str]] = {(role, strict): [] for role, strict, _ in wanted}
    roles_of: dict[str, list[tuple[str, bool]]] = {}  # names repeat (utils, __init__, train)
    for path in index.production_python:
        low = path[:-3].lower()  # production modules end in ".py"
        slash = low.rfind("/")
        stem = low[slash + 1 :]
        if stem[:1] == "_" and stem not in _GENERIC_STEMS:
            continue  # private helpers such as _version.py
        # Generic files (nodes.py, __init__.py) are named by their package.
        if stem not in _GENERIC_STEMS:
            name = stem
        else:
            name = low[low.rfind("/", 0, slash) + 1 : slash] if slash > 0 else ""
        roles = roles_of.get(name)
        if roles is None:
            raw = _tokens(name)
            tokens = raw & every_word
            roles = roles_of[name] = (
                [(r, strict) for r, strict, words in wanted if tokens & words] if tokens else []
            )
            if tokens & _VALIDATING and raw & _OF_DATA and not tokens & _EVALUATING:
                # data_validation.py checks the inputs; it evaluates no model
                roles[:] = [r for r in roles if r[0] != "evaluate"]
        for key in roles:
            out[key].append(path)
    index.memo["roles"] = out
    return out


def has_real_code(index: RepoIndex, path: str) -> bool:
    """The module does something. Python this cannot parse (Python 2, say) counts when it
    has a few lines of code: it is somebody's program, just not one ``ast`` reads. A large
    module is first judged by a prefix (see ``python.has_real_function``)."""
    if index.has_real_function(path):
        return True
    info = index.module_info(path)
    if info is not None:
        return info.has_code
    code = index.code(path)
    if code is None:
        return False
    lines = (line.strip() for line in code[:20_000].splitlines())
    return sum(1 for line in lines if line and not line.startswith(("#", '"', "'"))) >= 5


def is_stub(index: RepoIndex, path: str) -> bool:
    """A module that looks like a step but does nothing. Package __init__ files and modules
    that only declare classes (pydantic or dataclass models) are not stubs."""
    if path.endswith("__init__.py") or index.has_real_function(path):
        return False
    info = index.module_info(path)
    if info is None or info.has_code:
        return False
    return bool(info.functions) or not info.defines_classes


IMPORT_DEPTH = 3


def internal_imports(index: RepoIndex, start: list[str]) -> set[str]:
    """Repo modules reachable from ``start`` through imports, up to IMPORT_DEPTH levels."""
    seen: set[str] = set()
    frontier = list(start)
    for _ in range(IMPORT_DEPTH):
        nxt = []
        for path in frontier:
            tick()
            for ref in index.imports.get(path, []):
                for target in index.resolve_import_targets(path, ref):
                    if target not in seen and target not in start:
                        seen.add(target)
                        nxt.append(target)
        frontier = nxt
    return seen


def uncommented(index: RepoIndex, hits: list[Located], pattern: linear.Pattern) -> list[Located]:
    """``hits`` (first matches of ``pattern``) with those in a comment replaced by the file's
    first match outside one, or dropped: ``# push_to_hub(...)`` pushes nothing. Lines are
    counted by ``\\n``, as the content pass counts them; a few matches a file are looked at."""
    out = []
    for hit in hits:
        tick()
        code = index.code(hit.path) or ""
        if hit.line is None:
            out.append(hit)
            continue
        line_start = line_offset(code, hit.line)
        line_end = code.find("\n", line_start)
        found = code.find(hit.value[:40], line_start, len(code) if line_end == -1 else line_end)
        if not _in_comment(code, line_start if found == -1 else found):
            out.append(hit)
            continue
        for m in itertools.islice(linear.compiled(pattern).finditer(code), _MAX_COMMENTED):
            if not _in_comment(code, m.start()):
                out.append(Located(hit.path, code.count("\n", 0, m.start()) + 1, m.group(0)))
                break
    return out


_MAX_COMMENTED = 20
_MAX_LINE_LOOK = 400  # a comment's "#" is looked for this far back on its line


def line_offset(code: str, line: int) -> int:
    """Where line ``line`` (1-based, counted by ``\\n``) starts (past the end for a line the
    code does not have)."""
    at = -1
    for _ in range(line - 1):
        at = code.find("\n", at + 1)
        if at == -1:
            return len(code) + 1
    return at + 1


def _in_comment(code: str, at: int) -> bool:
    """Whether offset ``at`` lies after a ``#`` that starts a comment on its line (a ``#`` with
    no quote open before it on the line; looked for in the last few hundred characters)."""
    start = max(code.rfind("\n", max(0, at - _MAX_LINE_LOOK), at) + 1, at - _MAX_LINE_LOOK)
    before = code[start:at]
    hash_at = before.find("#")
    if hash_at == -1:
        return False
    prefix = before[:hash_at]
    return prefix.count('"') % 2 == 0 and prefix.count("'") % 2 == 0


def text_search(
    index: RepoIndex, paths: list[str], pattern: linear.Pattern | CodePattern
) -> list[Located]:
    """First match of ``pattern`` in each of ``paths``, in the order of ``paths``."""
    table = index.code_matches(pattern)
    if table is not None:
        # Code files were matched in the index's single pass: only other files are read here.
        whole = _whole_scope(index, paths, table)
        if whole is not None:
            return whole
        found = [table[p] for p in paths if p in table]
        scope = index.pattern_scope
        rest = [p for p in paths if p not in scope]
        if not rest:
            return found
        order = {p: i for i, p in enumerate(paths)}
        found += _search_each(index, rest, pattern)
        return sorted(found, key=lambda loc: order[loc.path])
    return _search_each(index, paths, pattern)


def _whole_scope(index: RepoIndex, paths: list[str], table: dict[str, Located]) -> list | None:
    """Matches in the whole pattern scope, its modules or its notebooks, from the table alone:
    no look at each of possibly tens of thousands of paths. Those lists are sorted by path,
    modules before notebooks, and so is the answer. None for any other list of paths."""
    notebooks = index.notebook_set
    if paths is index.pattern_code:
        found = list(table.values())
    elif paths is index.production_python:
        found = [loc for p, loc in table.items() if p not in notebooks]
    elif paths is index.notebooks:
        found = [loc for p, loc in table.items() if p in notebooks]
    else:
        return None
    found.sort(key=lambda loc: (loc.path in notebooks, loc.path))
    return found


def _search_each(
    index: RepoIndex, paths: list[str], pattern: linear.Pattern | CodePattern
) -> list[Located]:
    found = []
    for path in paths:
        tick()
        text = index.code(path)
        if not text:
            continue
        m = pattern.search(text)
        if m:
            found.append(Located(path, text.count("\n", 0, m.start()) + 1, m.group(0)))
    return found


def scaffold_stubs(index: RepoIndex) -> list[str]:
    """Step modules (data, features, train, evaluate, predict, serve) that are empty stubs, when
    no step module has real code: the signature of a template nobody filled in."""
    steps = {p for role in ROLE_WORDS for p in role_modules(index, role)}
    steps |= {
        p
        for p in index.production_python
        if _tokens(stem_parts(p)[-1]) & {"predict", "serve", "app", "api", "inference"}
    }
    # In path order: which modules get parsed decides the notes a report shows.
    if any(has_real_code(index, p) for p in sorted(steps)):
        return []
    return sorted(p for p in steps if is_stub(index, p))


# Patterns the content pass matches in every production module and notebook (see scan).
TRAIN_CALL = CodePattern(TRAIN_CALL_RE)
# A program's entry: a module that runs as a script.
MAIN_BLOCK_RE = lazy(r"^if[ \t]+__name__[ \t]*==[ \t]*['\"]__main__['\"][ \t]*:", linear.M)
MAIN_BLOCK = CodePattern(MAIN_BLOCK_RE)
_USES_MODEL = CodePattern(_USES_MODEL_RE)
_SAVES_MODEL = CodePattern(_SAVES_MODEL_RE)
_ESTIMATOR = CodePattern(_ESTIMATOR_RE)
