"""MO004: notebooks stay out of the production path.

A notebook is in that path when production code executes it, when the modelling exists only
in notebooks (the modules beside them fit a scaler or plot, they train no model), when the
modules that train are helpers only notebooks call, or when the model file production code
loads is written by a notebook and by no module.
"""

from __future__ import annotations

from typing import Any

from mlscaffold.score.budget import tick
from mlscaffold.score.judge.rules import facts, rule
from mlscaffold.score.judge.rules.notebook_outputs import ARCHIVED, made_by_notebook
from mlscaffold.score.model import Evidence, Verdict, closed
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import Located, RepoIndex
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.scan import CodePattern

# Commands that run notebooks as part of a pipeline (in Makefiles, scripts, CI or subprocess calls).
_NB_EXEC_RE = lazy(
    r"nbconvert\s(?:[^\n]*\s)?--execute|papermill\s+\S+\.ipynb|"
    r"jupyter\s+execute\s|^[ \t]*%run\s|"
    # nbconvert's executing preprocessor: built, or switched on in a config (a dict, the
    # traitlets attribute, the command line's --ExecutePreprocessor.enabled=True)
    r"\bExecutePreprocessor\s*\(|\bExecutePreprocessor\.enabled\s*=\s*True|"
    r"[\"']ExecutePreprocessor[\"']\s*:\s*\{[^}\n]*[\"']enabled[\"']\s*:\s*True",
    linear.M,
)
_NB_EXEC = CodePattern(_NB_EXEC_RE)
_NB_EXEC_LIBS = ("papermill", "import_ipynb", "nbclient", "testbook", "ipynb")
# SDKs a module drives a managed platform's training jobs with (an Estimator, a TrainingStep).
_PLATFORM_SDKS = ("sagemaker", "azure.ai.ml", "azureml", "google.cloud.aiplatform", "kfp")

# A training call and the name it is called on (``scaler.fit(`` -> "scaler").
FIT_CALL = lazy(
    # the object by its name, through a subscript (self.vectorizers[field].fit_transform)
    r"(\w*)(?:\[[^\]\n]{0,40}\])?\s*\.\s*(fit_transform|fit|train|partial_fit|fit_generator)\s*\(|"
    r"\b(Trainer|SFTTrainer|train_model|fit_model|value_and_grad|apply_gradients|"
    r"(?:jax|nnx)\.grad|nnx\.Optimizer)\s*\("
)
# Objects a module fits to prepare data, not to model it, by the name it calls them: a part
# of the name (scaler, std_scaler, ohe) or a stem no model has (vectoriser, imputer); not the
# "encoder" inside "autoencoder".
_PREPROCESSOR_PARTS = frozenset(
    "scaler scalers encoder encoders imputer imputers vectorizer vectoriser tokenizer tokeniser "
    "pca svd normalizer normaliser binarizer selector preprocessor preprocessors tfidf le ohe "
    "enc lb ct sc transformer".split()
)
# A search index fitted on documents (a RAG app's minsearch ``index.fit(docs)``), by its
# whole name: a k-NN recommender's knn_index is a model.
_SEARCH_INDEXES = frozenset(("index", "search_index", "doc_index", "text_index"))
_PREPROCESSOR_STEM = lazy(r"scaler|imput|vectori[sz]|preprocess|tfidf", linear.I)
# A model file named in code ('models/churn.pkl', "best.pth").
_MODEL_FILE = lazy(
    r"""['"/\\]([\w.-]{1,80}\.(?:pkl|pickle|joblib|pt|pth|h5|keras|onnx|ckpt|sav|cbm|ubj))['"]"""
)
_SAVE_CALL = lazy(
    r"joblib\.dump|pickle\.dump|torch\.save|save_model|save_pretrained|save_weights|"
    r"to_pickle|\.save\s*\(|\bdump\s*\("
)
# open(name, "wb"): the file a dump on the next lines writes.
_OPEN_FOR_WRITING = lazy(r"""\bopen\s*\([^)\n]*,\s*(mode\s*=\s*)?[rbf]?['"][wa]b?\+?['"]""")
# Files that may name where a module writes its model (a config, a runner's arguments).
_SETTINGS = ["*.yaml", "*.yml", "*.toml", "*.cfg", "*.ini", "Makefile", "*.sh", "*.mk"]
_MAX_FILES = 50
_MAX_NAMES = 200
# A constant holding a literal, alone on its line: MODEL_PATH = "models/x.pkl" (or Path(...)).
_CONSTANT = lazy(
    r"""^[ \t]*([A-Za-z_]\w{2,60})[ \t]*(?::[^=\n]{1,60})?=[ \t]*(?:(?:pathlib\.)?Path\([ \t]*)?"""
    r"""[rbfu]?['"][^'"\n]*['"][ \t]*\)?[ \t]*(#[^\n]*)?$"""
)


@rule("notebooks_out_of_production")
def notebooks_out_of_production(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    runners = [f.path for f in index.glob(["Makefile", "*.sh", "dvc.yaml", "Dockerfile"])]
    executes = facts.text_search(
        index, index.production_python + runners + index.ci_files, _NB_EXEC
    )
    executes += [u for u in index.importers_of(_NB_EXEC_LIBS) if index.is_production_code(u.path)]
    # a comment or a docstring that names the command runs nothing
    executes = [
        e
        for e in facts.uncommented(index, executes, _NB_EXEC_RE)
        if not _checks_notebooks(e.path) and not _in_docstring(index, e)
    ]
    if executes and facts.ml_library(index):
        # A library's helper that runs notebooks runs its examples (docs, tests), not a
        # production path of its own.
        executes = []
    if executes:
        e = executes[0]
        return Verdict.failed(
            f"production code executes notebooks ({e.path}: {closed(e.value.strip())})",
            [Evidence(x.path, x.line, x.value.strip()) for x in executes[:5]],
        )
    n = len(index.notebooks)
    if not n:
        if not index.production_python:
            return Verdict.not_applicable("no notebooks and no code to judge")
        return Verdict.passed("no notebooks; the code lives in modules")
    training = facts.training(index)
    # Notebooks kept in an archive folder are history, not a path anything runs.
    live = [h for h in training.notebooks if not ARCHIVED.search(h.path)]
    if len(live) != len(training.notebooks):
        training = facts.TrainingFacts(training.code, live)
    if training.notebooks and facts.ml_library(index):
        # A library's notebooks show how to use it; its production code is the package.
        return Verdict.passed(
            f"an ML library: its notebooks ({training.notebooks[0].path}) are examples of its "
            "use; its code lives in the package",
            [Evidence(training.notebooks[0].path)],
        )
    if training.notebooks:
        # A helper module kept in the notebooks' folder (plotting code fitting a toy estimator)
        # serves the notebooks; it is not the production path.
        code = [h for h in training.code if not _in_notebook_folder(h.path)]
        platform = [
            u for u in index.importers_of(_PLATFORM_SDKS) if index.is_production_code(u.path)
        ]
        if (
            len(code) <= _MAX_FILES
            and not platform
            and not any(fits_a_model(index, h) for h in code)
        ):
            why = " (the modules only fit preprocessors)" if code else ""
            return Verdict.failed(
                f"the modelling exists only in notebooks ({training.notebooks[0].path}){why}",
                [Evidence(x.path, None, x.value) for x in training.notebooks[:5]],
            )
        driver, fitting = None, []
        if not platform and len(code) <= _MAX_FILES:  # a library returned above
            fitting = [h.path for h in code if fits_a_model(index, h)]
            driver = _driven_by_notebooks(index, fitting)
        if driver:
            return Verdict.failed(
                f"the modelling is run from notebooks ({driver}): the modules that train "
                f"({', '.join(fitting[:3])}) are helpers only notebooks call",
                [Evidence(driver, None, "imports the training helpers")]
                + [Evidence(p, None, "called only by notebooks") for p in fitting[:3]],
            )
        served = _served_from_notebook(index, training.notebooks)
        if served:
            name, loader, notebook = served
            return Verdict.failed(
                f"the model production code loads ({name}, named in {loader.path}) is written "
                f"only by a notebook ({notebook})",
                _read_and_written(loader, notebook, name),
            )
    made = None if facts.ml_library(index) else made_by_notebook(index)
    if made:
        name, reader, notebook = made
        return Verdict.partial(
            f"the pipeline reads {name} ({reader.path}), which only a notebook writes "
            f"({notebook}): a step of the production path is run by hand",
            _read_and_written(reader, notebook, name),
        )
    return Verdict.passed(f"{n} notebook(s) for exploration; production code lives in modules")


def _read_and_written(reader: Located, notebook: str, name: str) -> list[Evidence]:
    """Where production code names a file, and the notebook that writes it."""
    return [Evidence(reader.path, reader.line, reader.value), Evidence(notebook, None, name)]


def _in_docstring(index: RepoIndex, hit: Located) -> bool:
    if not hit.path.endswith(".py") or hit.line is None:
        return False
    code = index.code(hit.path) or ""
    at = code.find(hit.value[:40], facts.line_offset(code, hit.line))
    return at != -1 and facts.in_regions(at, facts.triple_quoted(code))


# A script that runs notebooks to check they still run (scripts/validate_notebooks.py,
# check_notebooks.sh): a test of the notebooks, not a production path through them.
_NOTEBOOK_CHECK = lazy(
    r"(^|[_.-])(validate|validation|test|tests|check|checks|smoke|verify|lint)([_.-]|$)", linear.I
)


def _checks_notebooks(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return "notebook" in name.lower() and bool(_NOTEBOOK_CHECK.search(name))


# A statement at the top of a module that runs a model's training (a script, not a library).
_TOP_LEVEL_FIT = lazy(
    r"^[A-Za-z_][\w.]*\s*(=[^=\n][^\n]*)?\.(fit|train|fit_generator)\s*\(", linear.M
)
_RUNNERS = [
    "Makefile", "*.mk", "*.sh", "dvc.yaml", "Dockerfile", "*.Dockerfile", "Procfile", "*.toml",
    "setup.py", "setup.cfg", "MLproject", "*.cfg", "tox.ini", "noxfile.py",
]  # fmt: skip


def _driven_by_notebooks(index: RepoIndex, fitting: list[str]) -> str | None:
    """The notebook that runs the training when every module that trains a model is a helper
    library only notebooks call: imported by a notebook and by no production module (directly
    or through the package __init__ that re-exports it), without a __main__ block or training
    statements of its own, and named by no runner, CI workflow or packaging file. None
    otherwise."""
    if not fitting:
        return None
    wanted = set(fitting)
    called_by: dict[str, str] = {}  # module -> the first notebook importing it
    training = [h.path for h in facts.training(index).notebooks]  # named first
    for nb in list(dict.fromkeys(training + index.notebooks))[: _MAX_FILES * 4]:
        tick()
        for ref in index.imports.get(nb, ()):
            for target in index.resolve_import_targets(nb, ref):
                if target in wanted:
                    called_by.setdefault(target, nb)
    if len(called_by) != len(wanted):
        return None
    # What a package __init__ brings in counts as imported by whoever imports the package.
    reexports: dict[str, set[str]] = {}
    for path in index.production_python:
        if path.endswith("__init__.py"):
            reexports[path] = {
                t
                for ref in index.imports.get(path, ())
                for t in index.resolve_import_targets(path, ref)
            }
    for path in index.production_python:
        tick()
        if path.endswith("__init__.py") or path in wanted:
            continue
        for ref in index.imports.get(path, ()):
            for target in index.resolve_import_targets(path, ref):
                if target in wanted or wanted & reexports.get(target, set()):
                    return None
    mains = index.code_matches(facts.MAIN_BLOCK) or {}
    for path in fitting:
        if path in mains or linear.compiled(_TOP_LEVEL_FIT).search(index.code(path) or ""):
            return None
    runners = [f.path for f in index.glob(_RUNNERS)][: _MAX_FILES * 4] + index.ci_files[:_MAX_FILES]
    names = set()
    for path in fitting:  # train.py, src/train, src.train, -m train: not a bare "train"
        stem = path[: -len(".py")]
        names |= {path.rsplit("/", 1)[-1], stem.replace("/", "."), "-m " + stem.rsplit("/", 1)[-1]}
        if "/" in stem:
            names.add(stem)
    finder = linear.compile(
        "|".join(linear.escape(n) for n in sorted(names, key=len, reverse=True))
    )
    for path in runners:
        if finder.search(index.text(path) or ""):
            return None
    return called_by[fitting[0]]


def _in_notebook_folder(path: str) -> bool:
    return any(part.lower().startswith("notebook") for part in path.split("/")[:-1])


def fits_a_model(index: RepoIndex, hit: Located) -> bool:
    """Whether a module trains a model, not only a scaler or an encoder: a training call on an
    object not named for preprocessing, or a saved model (not only the pickled scaler a
    feature step keeps for serving). Unreadable: assume it does. Once a run for each module
    (MO003's runners, MO004 and the applicability test share trainers)."""
    memo = index.memo.setdefault("fits_a_model", {})
    if hit.path not in memo:
        tick()
        memo[hit.path] = _fits_a_model(index, hit)
    return memo[hit.path]


def _fits_a_model(index: RepoIndex, hit: Located) -> bool:
    text = index.code(hit.path)
    if text is None:
        return True
    for m in linear.compiled(FIT_CALL).finditer(text):
        if m.group(3) or not preprocessor_name(m.group(1)):
            return True
    return facts.saves_a_model(index, hit.path) and not _dumps_only_preprocessors(text)


# A pickle of one named object (joblib.dump(scaler, "scaler.pkl")), and any other save.
_DUMP = lazy(r"\b(?:joblib|c?pickle|cloudpickle)\s*\.\s*dump\s*\(\s*(?:self\s*\.\s*)?(\w+)?")
# Saves of a model: a framework's own, or a model object's .save("...") (not np.save's array).
_OTHER_SAVE = lazy(
    r"torch\.save|save_model|log_model|save_pretrained|register_model|skops\.io\.dump|"
    r"\b(model|net|clf|estimator|learner|regressor|classifier)\w*\.save\(\s*['\"f]"
)
# Parts of a name that say it holds a model (tfidf_nb, scaler_svm_pipe): not a preprocessor.
_MODEL_PARTS = frozenset(
    "nb clf model pipe pipeline classifier regressor svm svc lr rf xgb lgbm gbm est estimator "
    "knn tree forest net".split()
)


def _dumps_only_preprocessors(text: str) -> bool:
    """Whether a module that fits only preprocessors saves only them too: every pickle dumps an
    object named for preprocessing (the scaler a feature step keeps for serving, a
    preprocessing_pipeline), and no model is saved (arrays written by np.save are data)."""
    if linear.compiled(_OTHER_SAVE).search(text):
        return False
    names = [m.group(1) or "" for m in linear.compiled(_DUMP).finditer(text)]
    return bool(names) and all(
        preprocessor_name(name)
        and ("preprocess" in name.lower() or not _MODEL_PARTS.intersection(name.lower().split("_")))
        for name in names
    )


def preprocessor_name(name: str) -> bool:
    lowered = name.lower()
    return bool(
        lowered
        and (
            lowered in _SEARCH_INDEXES
            or any(part in _PREPROCESSOR_PARTS for part in lowered.split("_"))
            or linear.compiled(_PREPROCESSOR_STEM).search(lowered)
        )
    )


def _served_from_notebook(
    index: RepoIndex, training_notebooks: list[Located]
) -> tuple[str, Located, str] | None:
    """(model file, where production code names it, the notebook writing it) when a model file
    production code loads is saved by a notebook and named by no module that saves models and
    no config or runner (which may tell a training module where to write)."""
    written: dict[str, str] = {}
    for nb in training_notebooks[:_MAX_FILES]:
        for name in _saved_names(index.notebook_code(nb.path) or ""):
            if len(written) < _MAX_NAMES:
                written.setdefault(name, nb.path)
    if not written:
        return None
    loaded = _named_by_loaders(index, set(written))
    if not loaded:
        return None
    # A module saving to the constant that holds the name (MODEL_PATH = "models/x.pkl") writes
    # it. Names and constants are found as whole tokens ("model.pkl" is not in
    # "best_model.pkl"), all in one pass over each file.
    aliases = {name: _constant_name(where.value) for name, where in loaded.items()}
    tokens = set(loaded) | {a for a in aliases.values() if a}
    longest_first = sorted(tokens, key=len, reverse=True)
    finder = linear.compile("|".join(linear.escape(t) for t in longest_first))
    seen: set[str] = set()
    savers = [h.path for h in facts.model_savers(index)][:_MAX_FILES]
    settings = [f.path for f in index.glob(_SETTINGS)][: _MAX_FILES * 4]
    for path in savers + settings:
        text = index.text(path) or ""
        for m in finder.finditer(text):
            before = text[m.start() - 1 : m.start()] if m.start() else ""
            after = text[m.end() : m.end() + 1]
            if not (_name_char(before) or _name_char(after)):
                seen.add(m.group(0))
    for name, where in loaded.items():
        if name not in seen and aliases[name] not in seen:
            return name, where, written[name]
    return None


def _name_char(c: str) -> bool:
    return bool(c) and (c.isalnum() or c in "_.-")


def _saved_names(code: str) -> list[str]:
    """Model files a notebook's code writes: named in a save call (joblib.dump(m, "x.pkl")), or
    opened for writing with a dump on the next two lines."""
    lines = code.splitlines()
    found = []
    for i, line in enumerate(lines):
        names = [m.group(1) for m in linear.compiled(_MODEL_FILE).finditer(line)]
        if not names:
            continue
        saves = linear.compiled(_SAVE_CALL).search(line) or (
            linear.compiled(_OPEN_FOR_WRITING).search(line)
            and linear.compiled(_SAVE_CALL).search("\n".join(lines[i + 1 : i + 3]))
        )
        if saves:
            found += names
    return found


def _constant_name(line: str) -> str | None:
    """The constant a line assigns its literal to (``MODEL_PATH = "models/x.pkl"`` ->
    "MODEL_PATH"); None for any other line (``model = joblib.load("x.pkl")`` loads)."""
    found = linear.compiled(_CONSTANT).match(line)
    return found.group(1) if found else None


def _named_by_loaders(index: RepoIndex, names: set[str]) -> dict[str, Located]:
    """Which of ``names`` the production modules that load a model name, themselves or in a
    module they import (a config module's MODEL_PATH)."""
    loaders = [h.path for h in facts.model_loaders(index)][:_MAX_FILES]
    candidates = list(loaders)
    for path in loaders:
        for ref in index.imports.get(path, ()):
            candidates += index.resolve_import_targets(path, ref)
    found: dict[str, Located] = {}
    for path in list(dict.fromkeys(candidates))[: _MAX_FILES * 4]:
        if not index.is_production_code(path):
            continue
        for number, line in enumerate((index.code(path) or "").splitlines(), 1):
            for m in linear.compiled(_MODEL_FILE).finditer(line):
                if m.group(1) in names:
                    found.setdefault(m.group(1), Located(path, number, line.strip()[:120]))
    return found
