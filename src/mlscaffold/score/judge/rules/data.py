"""Data-stage rules: large files in git, git-lfs, validation, loading code."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from typing import Any

from mlscaffold.score.budget import tick
from mlscaffold.score.judge.rules import facts, rule
from mlscaffold.score.model import Evidence, Verdict
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import DATA_DIR, Located, RepoIndex
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.readers.python import is_stub_body as python_stub
from mlscaffold.score.read.readers.python import last_name
from mlscaffold.score.read.scan import CodePattern

DATA_SUFFIXES = frozenset(
    [
        ".csv",
        ".tsv",
        ".parquet",
        ".pq",
        ".feather",
        ".arrow",
        ".pkl",
        ".pickle",
        ".joblib",
        ".h5",
        ".hdf5",
        ".hdf",
        ".npy",
        ".npz",
        ".json",
        ".jsonl",
        ".ndjson",
        ".xlsx",
        ".xls",
        ".zip",
        ".gz",
        ".tgz",
        ".tar",
        ".bz2",
        ".xz",
        ".7z",
        ".avro",
        ".orc",
        ".tfrecord",
        ".tfrecords",
        ".db",
        ".sqlite",
        ".sqlite3",
        ".mat",
        ".sav",
        ".dta",
        ".rds",
        ".pt",
        ".pth",
        ".ckpt",
        ".onnx",
        ".safetensors",
        ".bin",
        ".dat",
        ".txt",
        ".xml",
        ".scp",  # Kaldi-style lists of utterances (wav.scp, feats.scp) and their archives
        ".ark",
        # vector geodata: shapefiles (geometry, attributes, index), GeoPackage, GeoJSON, KML
        ".shp",
        ".dbf",
        ".shx",
        ".gpkg",
        ".geojson",
        ".kml",
        ".kmz",
        ".fgb",
        ".gml",
        ".gpx",
        ".topojson",
        ".pbf",  # OpenStreetMap extracts (.osm.pbf)
        ".osm",
        ".mbtiles",
    ]
)
# Scientific rasters and volumes (satellite scenes, scans, climate grids): data, unless they
# sit with a paper's figures or a site's images (journals ask for TIFF figures).
_RASTER_SUFFIXES = frozenset(".tif .tiff .nc .nii .dcm .grib .grb2 .fits .las .laz".split())
_FIGURES = lazy(
    r"(^|/)(figures?|figs?|paper|papers|docs?|assets|images?|imgs?|static|media|plots?)/",
    linear.I,
)
# A JavaScript front end's lock files are JSON, not data.
_LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")
# The rest of a Kaldi-style data folder (what ESPnet, k2 and WeNet recipes read): transcripts
# and speaker maps in files without a suffix.
_SPEECH_LISTS = lazy(r"(^|/)(text|utt2spk|spk2utt|segments|utt2dur|utt2num_frames)$")


# A data folder (index.DATA_DIR) holds data whatever its files' kind: a RAG corpus of PDFs.
_NOT_DATA = frozenset(
    (".py", ".ipynb", ".md", ".rst", ".qmd", ".rmd", ".js", ".ts", ".r", ".sh", ".yaml", ".yml")
)


def _in_data_folder(path: str, suffix: str) -> bool:
    return suffix not in _NOT_DATA and DATA_DIR.search(path) is not None


_MAX_LFS_RULES = 500
_MAX_LFS_PATTERN = 200


def _lfs_patterns(index: RepoIndex) -> list[str]:
    """The patterns .gitattributes hands to git-lfs (the first few hundred, each of sane
    length; ``[[:space:]]``, how `git lfs track` writes a space, read as any character)."""
    if "lfs_patterns" not in index.memo:
        text = index.text(".gitattributes") if ".gitattributes" in index.by_path else None
        found = []
        for line in (text or "").splitlines():
            words = line.split()
            if (
                words
                and not line.startswith("#")
                and "filter=lfs" in words[1:]
                and len(words[0]) <= _MAX_LFS_PATTERN
            ):
                found.append(words[0].replace("[[:space:]]", "?").strip('"'))
                if len(found) == _MAX_LFS_RULES:
                    break
        index.memo["lfs_patterns"] = found
    return index.memo["lfs_patterns"]


def _lfs_tracked(index: RepoIndex) -> list:
    """The listed files git-lfs tracks (a pattern that cannot be read matches nothing)."""
    if "lfs_tracked" not in index.memo:
        tracked = []
        patterns = _lfs_patterns(index)
        if patterns:
            try:
                tracked = index.glob(patterns)
            except Exception:  # a hostile pattern must not stop the check
                tracked = [f for p in patterns[:50] for f in _glob_or_none(index, p)]
        index.memo["lfs_tracked"] = tracked
    return index.memo["lfs_tracked"]


def _glob_or_none(index: RepoIndex, pattern: str) -> list:
    try:
        return index.glob([pattern])
    except Exception:
        return []


# Weights and pickled models are artefacts, not data, whatever folder they are in; anything in
# a models/ folder is the model's.
_WEIGHT_SUFFIXES = frozenset(
    ".safetensors .bin .pt .pth .ckpt .onnx .pkl .pickle .joblib .h5 .keras .tflite .pb .gguf "
    ".sav".split()
)
_MODEL_FOLDER = lazy(r"(^|/)(models?|weights|checkpoints?|artifacts?|artefacts?|saved_models?)/")


def _data_like(path: str, suffix: str) -> bool:
    """A data file by its suffix or folder, or a speech recipe's list (DA002 counts weights
    too: a committed 200 MB checkpoint bloats the repository as much, in whatever format its
    library saves them)."""
    return (
        suffix in DATA_SUFFIXES
        or (suffix in _RASTER_SUFFIXES and not _FIGURES.search(path))
        or _in_data_folder(path, suffix)
        or (
            (suffix in _WEIGHT_SUFFIXES or suffix in _WEIGHT_FORMATS or suffix.startswith(".data-"))
            and _MODEL_FOLDER.search(path) is not None
        )
        or (not suffix and _SPEECH_LISTS.search(path) is not None)
    )


# Formats libraries save weights in beyond _WEIGHT_SUFFIXES and the data suffixes: counted
# in a model folder (OpenCV's face recognisers write YAML, TensorFlow's checkpoints
# variables.data-00000-of-00001).
_WEIGHT_FORMATS = frozenset(
    ".yml .yaml .model .weights .caffemodel .params .pdparams .pdiparams .pdmodel .mlmodel "
    ".ggml .engine .trt .hef .xgb .bst .lgb .ubj .cbm .msgpack .index .t7 .vec .traineddata "
    ".pte .mnn .nemo .mar .caffe .ot".split()
)


def _is_data_file(path: str, suffix: str) -> bool:
    if suffix in _WEIGHT_SUFFIXES or _MODEL_FOLDER.search(path):
        return False
    return _data_like(path, suffix)


@rule("lfs_tracks_data", reads_contents=False)
def lfs_tracks_data(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    patterns = _lfs_patterns(index)
    if not patterns:
        return Verdict.failed("no git-lfs rule in .gitattributes")
    # Judged by the files its rules match: a template's rules (*.arrow, *.npy) that match no
    # file version nothing, nor do model weights under git-lfs.
    data = [f.path for f in _lfs_tracked(index) if _is_data_file(f.path, f.suffix)]
    if data:
        return Verdict.passed(
            f"git-lfs tracks data ({', '.join(data[:3])})",
            [Evidence(".gitattributes", None, "lfs")] + [Evidence(p) for p in data[:2]],
        )
    return Verdict.failed(
        f"git-lfs tracks no data file of the repository (its rules: {', '.join(patterns[:3])})"
    )


# A dataset store that keeps every version it is given: ClearML's Dataset.create() makes a
# new version (with its parents). (Dataset.get() alone fetches one a user names: a logger
# integration offering it versions nothing of the project's.)
_DATASET_STORES = ("clearml",)
_DATASET_VERSION = lazy(r"\bDataset\.create\s*\(")


@rule("dataset_store_versions")
def dataset_store_versions(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    users = [
        u.path for u in index.importers_of(_DATASET_STORES) if index.is_production_code(u.path)
    ]
    found = facts.uncommented(  # a "# ds = Dataset.create(...)" TODO versions nothing
        index,
        facts.text_search(index, list(dict.fromkeys(users))[:_MAX_STORE_USERS], _DATASET_VERSION),
        _DATASET_VERSION,
    )
    if found:
        return Verdict.passed(
            f"datasets are versioned in a dataset store ({found[0].path}: {found[0].value})",
            [Evidence(f.path, f.line, f.value) for f in found[:3]],
        )
    return Verdict.failed("no dataset store versions the data")


_MAX_STORE_USERS = 200


@rule("no_large_data", reads_contents=False)
def no_large_data(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    limit = int(params.get("max_bytes", 1 << 20))
    lfs_paths = {f.path for f in _lfs_tracked(index)}
    dvc_tracked = {f.path[:-4] for f in index.with_suffixes(".dvc") if f.path.endswith(".dvc")}
    big = [
        f
        for f in index.files
        if f.size > limit
        and _data_like(f.path, f.suffix)
        and f.path not in lfs_paths
        and f.path not in dvc_tracked
        and not f.path.endswith((".lock", *_LOCK_FILES))
    ]
    if big:
        big.sort(key=lambda f: -f.size)
        listed = ", ".join(f"{f.path} ({f.size / 2**20:.1f} MiB)" for f in big[:5])
        more = f" and {len(big) - 5} more" if len(big) > 5 else ""
        return Verdict.failed(
            f"{len(big)} data file(s) over {limit // 2**20} MiB committed: {listed}{more}",
            [Evidence(f.path, None, f"{f.size} bytes") for f in big[:20]],
        )
    n_data = sum(1 for f in index.files if f.suffix in DATA_SUFFIXES)
    return Verdict.passed(
        f"no data file over {limit // 2**20} MiB is committed ({n_data} small data-like files)"
    )


# Functions named for validating data (validate_frame, check_schema, data_validation...):
# a validate_network() evaluation loop is not input validation.
_DATA_WORDS = (
    r"(data|dataset|input|inputs|schema|frame|df|dataframe|features|columns|rows|"
    r"records|batch|payload|request|types|ranges|raw)"
)
_VALIDATE_FN_RE = lazy(
    # validate_input, check_columns; with the dataset named between (validate_criteo_schema)
    rf"^[ \t]*def[ \t]+(validate|check_([a-z0-9]+_)?{_DATA_WORDS}\w*|"
    rf"validate_([a-z0-9]+_)?{_DATA_WORDS}\w*|"
    rf"\w*{_DATA_WORDS}_(validation|check|checks)|\w*_schema_check)[ \t]*\(",
    linear.M,
)
_STRONG_VALIDATORS = (
    "pandera",
    "great_expectations",
    "tensorflow_data_validation",
    "deepchecks",
    "soda",
    "frictionless",
    "whylogs",
    # Evidently's reports measure drift (monitoring, DE006); its test suites check the data.
    "evidently.test_suite",
    "evidently.tests",
    "evidently.test_preset",
    # ZenML's steps built on them (deepchecks_data_integrity_check_step...)
    "zenml.integrations.deepchecks",
    "zenml.integrations.great_expectations",
)


def _used(index: RepoIndex, path: str, depth: int = 0) -> bool:
    """Whether a module is a program (a ``__main__`` block, a top-level call, a name a runner,
    a console script or a CI file gives) or a module imports it (not a test, not a notebook
    exploring it; a package's ``__init__`` only if the package is used in turn); True when
    there are too many imports of its name to resolve. Memoised: validators are few, but each
    asks once."""
    memo = index.memo.setdefault("validator_used", {})
    if path not in memo:
        memo[path] = True  # (an import cycle through __init__ files ends here)
        memo[path] = _is_used(index, path, depth)
    return memo[path]


def _is_used(index: RepoIndex, path: str, depth: int) -> bool:
    code = index.code(path) or ""
    if "__main__" in code or depth > 2 or _SCRIPT_STATEMENT.search(code):
        return True  # a program: run, not imported (a script's top-level calls run it)
    stem = path.rsplit("/", 1)[-1].removesuffix(".py")
    if stem == "__init__":
        stem = path.rsplit("/", 2)[-2] if path.count("/") else stem
    refs = _importers_by_word(index).get(stem, ())
    if len(refs) > _MAX_IMPORTS_RESOLVED:
        return True
    for importer, ref in refs:
        tick()
        if (
            importer != path
            and path in index.resolve_import_targets(importer, ref)
            and (not importer.endswith("__init__.py") or _used(index, importer, depth + 1))
        ):
            return True
    from mlscaffold.score.judge.rules.modeling import named_by_runners

    dotted = path.removesuffix(".py").replace("/", ".")
    short = dotted.removeprefix("src.")
    # A bare word ("validation" in a description) names no module: a dotted name, a path, or
    # the word run as a module or a file.
    forms = [path, dotted, short] if "." in short else [path, f"-m {short}", f"{short}.py"]
    runners = named_by_runners(index)
    return any(form in runners for form in forms)


def _importers_by_word(index: RepoIndex) -> dict[str, list[tuple[str, Any]]]:
    """Each word of an import (its module's parts, the names it takes) -> the (importer,
    import) pairs, tests and notebooks aside: built once, a lookup per validator module."""
    if "importers_by_word" not in index.memo:
        table: dict[str, list[tuple[str, Any]]] = {}
        notebooks = index.notebook_set
        for importer, refs in index.imports.items():
            if importer in notebooks or index.is_test(importer):
                continue
            for ref in refs:
                tick()
                words = set(ref.module.split(".")) | set(ref.names)
                for word in words:
                    if word:
                        table.setdefault(word, []).append((importer, ref))
        index.memo["importers_by_word"] = table
    return index.memo["importers_by_word"]


_MAX_IMPORTS_RESOLVED = 200
# A call at the top level of a module, outside any def (validate(df), main(), df =
# pd.read_csv(...)), but not the set-up of a module that is imported (a logger, a path).
_SCRIPT_STATEMENT = lazy(
    r"^(?:[a-z_]\w*(?:[ \t]*,[ \t]*[a-z_]\w*)*[ \t]*=[ \t]*)?"
    r"(?:pd|pandas|np|spark|validate\w*|check\w*|main|run\w*)\b[\w.]*[ \t]*\(",
    linear.M,
)


@rule("data_validation")
def data_validation(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    strong = [u for u in index.importers_of(_STRONG_VALIDATORS) if not index.is_test(u.path)]
    # In a notebook it is exploration, not a step the pipeline's data goes through.
    in_notebooks = [u for u in strong if u.path in index.notebook_set]
    strong = [u for u in strong if u.path not in index.notebook_set]
    if strong:
        return Verdict.passed(
            f"{strong[0].value} validates data in {strong[0].path}",
            [Evidence(u.path, u.line, u.value) for u in strong[:5]],
        )
    fns = [
        _next_data_validator(index, f) if _not_a_data_check(index, f) else f
        for f in facts.text_search(index, index.production_python, _VALIDATE_FN)
    ]
    fns = [f for f in fns if f is not None]
    real = [f for f in fns if _function_is_real(index, f.path, f.line)]
    used = [f for f in real if _used(index, f.path)]
    if used:
        return Verdict.passed(
            f"validation function in {used[0].path}",
            [Evidence(f.path, f.line, f.value.strip()) for f in used[:5]],
        )
    if real:
        return Verdict.partial(
            f"validation function in {real[0].path}, but nothing imports or runs that module: "
            "no step puts the data through it",
            [Evidence(f.path, f.line, f.value.strip()) for f in real[:5]],
        )
    weak = [
        u
        for u in index.importers_of(["pydantic", "jsonschema", "cerberus", "schema"])
        if index.is_production_code(u.path) and not _settings_only(index, u.path)
    ]
    if weak:
        return Verdict.partial(
            f"{weak[0].value} is used ({weak[0].path}) but no step validates the data itself",
            [Evidence(u.path, u.line, u.value) for u in weak[:5]],
        )
    if in_notebooks:
        return Verdict.partial(
            f"{in_notebooks[0].value} is used only in notebooks ({in_notebooks[0].path}), not "
            "where the pipeline loads its data",
            [Evidence(u.path, u.line, u.value) for u in in_notebooks[:5]],
        )
    in_tests = [u for u in index.importers_of(_STRONG_VALIDATORS) if index.is_test(u.path)]
    if in_tests:
        return Verdict.partial(
            f"{in_tests[0].value} validates data only in tests ({in_tests[0].path}), not where "
            "the pipeline loads it",
            [Evidence(u.path, u.line, u.value) for u in in_tests[:3]],
        )
    declared = index.declared(["pandera", "great-expectations", "deepchecks", "soda-core"])
    if declared:
        return Verdict.partial(
            f"{declared[0].name} is declared but never imported",
            [Evidence(declared[0].path, declared[0].line, declared[0].spec)],
        )
    if stubs := [f for f in fns if f not in real]:
        return Verdict.failed(
            f"validation function in {stubs[0].path} is a stub",
            [Evidence(stubs[0].path, stubs[0].line)],
        )
    return Verdict.failed("no data validation (pandera, Great Expectations, a validate step...)")


# A validation loop's parameters: `def validate(config, data_loader, model)` scores the model
# on the validation split; it checks no data.
_MODEL_PARAM = lazy(r"^(model|net|network|criterion|classifier|estimator)$")


def _not_a_data_check(index: RepoIndex, hit: Located) -> bool:
    """Whether a plain ``validate(...)`` is a validation step of training (it takes a model,
    or runs the script's global model in eval mode), a function checks data for drift
    (``check_data_drift``: monitoring, DE006), a configuration's check
    (``validate_config_schema``) or a pydantic validator of one request field: none checks the
    data's form."""
    if "drift" in hit.value.lower():
        return True
    named = _DEF_NAME.search(hit.value)
    if named and _CONFIG_PARTS.intersection(_parts(named.group(1))):
        return True
    if "validate" not in hit.value:
        return False
    info = index.module_info(hit.path)  # parsed already, to tell a real function from a stub
    fn = next((f for f in info.functions if f.line == hit.line), None) if info else None
    if fn is None or not isinstance(fn.node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    if any(last_name(d) in _PYDANTIC_VALIDATORS for d in fn.node.decorator_list):
        return True
    if "validate_" in hit.value:
        return False
    args = fn.node.args
    if any(_MODEL_PARAM.search(a.arg) for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]):
        return True
    tick()
    # One split a module, not one a function (the module's next validators come in order).
    kept = index.memo.get("module_lines")
    if kept is None or kept[0] != hit.path:
        kept = index.memo["module_lines"] = (hit.path, (index.code(hit.path) or "").split("\n"))
    end = min(fn.node.end_lineno or fn.node.lineno, fn.node.lineno - 1 + _MAX_BODY_LINES)
    return bool(_EVAL_MODE.search("\n".join(kept[1][fn.node.lineno - 1 : end])))


_PYDANTIC_VALIDATORS = frozenset(
    {"validator", "field_validator", "model_validator", "root_validator"}
)
_CONFIG_PARTS = frozenset("config configs cfg conf settings env args arguments params".split())


# A training script's validate(): the model switched to evaluation, or a loss computed.
_EVAL_MODE = lazy(r"\.eval\(\)|\bno_grad\b|\bloss\w*[ \t]*=")
_MAX_BODY_LINES = 200


def _next_data_validator(index: RepoIndex, hit: Located) -> Located | None:
    """The module's next validation function after one that validates a model (the content
    pass kept only the first): ``validate_dataframe`` below ``validate(model, loader)``."""
    code = index.code(hit.path) or ""
    for n, (line, m) in enumerate(linear.compiled(_VALIDATE_FN_RE).finditer_lines(code)):
        if n == _MAX_VALIDATORS_READ:
            break
        found = Located(hit.path, line, m.group(0))
        if line > (hit.line or 0) and not _not_a_data_check(index, found):
            return found
    return None


_MAX_VALIDATORS_READ = 50


_SETTINGS_NAMES = frozenset({"BaseSettings", "SettingsConfigDict", "Field", "SecretStr"})


def _settings_only(index: RepoIndex, path: str) -> bool:
    """The module takes only pydantic's settings classes: it reads configuration from the
    environment, which validates no data."""
    # pydantic 1 has BaseSettings itself; pydantic 2 moved it to pydantic_settings.
    refs = [
        r
        for r in index.imports.get(path, ())
        if r.module.split(".")[0] in ("pydantic", "pydantic_settings")
    ]
    names = {n for r in refs for n in r.names}
    return bool(refs) and "BaseSettings" in names and names <= _SETTINGS_NAMES


# A module of the data stage, by a component of its path (src/data/, datasets.py, data_loader.py,
# ingestion.py, prepare.py, io/): what it loads is there to be loaded again.
_DATA_PARTS = frozenset(
    "data dataset datasets dataloader dataloaders datamodule datamodules datasource datasources "
    "loader loaders loading io ingest ingestion etl download downloads prepare preparation "
    "preprocess preprocessing getters".split()
)
_NAME_PART = lazy(r"[A-Z]?[a-z0-9]+|[A-Z]+(?:[a-z0-9]+)?")
# Functions named for loading: a loading verb, or a generic verb with what it loads.
_LOADER_VERBS = frozenset("load read fetch download ingest".split())
_GENERIC_VERBS = frozenset("get prepare make build create collect query open import".split())
# What a model-loading function names (load_model, load_checkpoint): torch.load there reads a
# model, not data.
_MODEL_PARTS = frozenset(
    "model models checkpoint checkpoints ckpt weights tokenizer encoder scaler vectorizer "
    "artifact artifacts pipeline estimator classifier regressor".split()
)
_LOADED = frozenset(
    "data dataset datasets dataloader loader loaders frame dataframe df csv table corpus batch "
    "batches split splits samples records images features dicts".split()
)
# Names ending in what a loader returns (local_dataset, train_dataloader).
_RETURNED = frozenset("data dataset datasets dataloader dataloaders loader df dataframe".split())
# Classes that hold data loading: a Dataset, a LightningDataModule, a Reader, a Loader.
_DATA_CLASS = lazy(r"dataset|datamodule|data_module|loader|reader|datasource|datapipe", linear.I)


def _parts(name: str) -> list[str]:
    return [p.lower() for p in _NAME_PART.findall(name)]


def _data_module(path: str) -> bool:
    """Whether a component of ``path`` names the data stage (src/data/x.py, make_dataset.py)."""
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    return any(p in _DATA_PARTS for part in parts for p in _parts(part))


def _loader_name(name: str) -> bool:
    """load_data, read_csv_files, get_dataset, make_data_module, local_dataset, train_dataloader:
    a loading verb, a generic verb with what it loads, or a name ending in what it returns."""
    parts = _parts(name)
    if not parts or any(p in _MODEL_PARTS for p in parts):
        return False
    if parts[0] in _LOADER_VERBS or parts[-1] in _RETURNED:
        return True
    return parts[0] in _GENERIC_VERBS and any(p in _LOADED for p in parts[1:])


def _reusable_loader(index: RepoIndex, hit) -> str | None:
    """Where the loader call of ``hit`` can be called again from, or None when it cannot: a
    module of the data stage, or a top-level function or method named for loading (or a
    method of a dataset class), helpers defined inside it included. A call inline in a
    script, in a driver function (main(), train(), run_the_app()) or in a helper nested in
    one loads data for that one run."""
    if _data_module(hit.path):
        return hit.path
    info = index.module_info(hit.path)
    if info is None or info.tree is None or hit.line is None:
        return None
    for node in info.tree.body:
        end = getattr(node, "end_lineno", None) or node.lineno
        if not node.lineno <= hit.line <= end:
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if _loader_name(node.name):
                return f"{hit.path} ({node.name})"
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                end = getattr(item, "end_lineno", None) or item.lineno
                if not item.lineno <= hit.line <= end:
                    continue
                if _loader_name(item.name) or _DATA_CLASS.search(node.name):
                    return f"{hit.path} ({node.name}.{item.name})"
        return None
    return None


def _later_calls(index: RepoIndex, first: Located) -> Iterator[Located]:
    """The module's other loader calls after its first (the content pass keeps the first): a
    data module may open with a script's inline read before its loading functions."""
    code = index.code(first.path) or ""
    for n, (line, m) in enumerate(linear.compiled(LOADERS_RE).finditer_lines(code)):
        if n == 50:  # a generated module: enough to judge
            return
        if line > (first.line or 0):
            yield Located(first.path, line, m.group(0))


def _function_is_real(index: RepoIndex, path: str, line: int | None) -> bool:
    info = index.module_info(path)
    if info is None:
        return False
    return any(f.line == line and not f.is_stub for f in info.functions)


DATASET_CLASS = lazy(
    r"^class[ \t]+(\w+)\((?:[\w.]*\.)?(?:Dataset|IterableDataset|ImageFolder|DatasetFolder|"
    r"VisionDataset|LightningDataModule|keras\.utils\.Sequence)\)",
    linear.M,
)
# What a dataset class does: gives an item or a loader.
_DATASET_METHOD = lazy(r"def[ \t]+(__getitem__|__iter__|\w*_dataloader|setup)[ \t]*\(")
_NO_BODY = ("pass", "...")


def _dataset_body(code: str, start: int) -> bool:
    """Whether a dataset method after ``start`` has a body (not only ``pass`` or ``...``)."""
    for m in linear.compiled(_DATASET_METHOD).finditer(code, start):
        rest = code[m.end() : m.end() + 2000].split("\n")[1:]
        lines = [ln.strip() for ln in rest if ln.strip() and not ln.strip().startswith("#")]
        if lines and lines[0] not in _NO_BODY:
            return True
    return False


LOADERS_RE = lazy(
    r"\b(read_csv|read_parquet|read_table|read_json|read_excel|read_feather|read_sql\w*|read_hdf|"
    r"read_pickle|load_dataset|load_from_disk|fetch_openml|fetch_\w+|load_svmlight_file|loadtxt|"
    r"genfromtxt|scan_csv|scan_parquet|read_orc|ImageFolder|DataLoader|TFRecordDataset|"
    r"make_classification|make_regression|make_blobs|load_iris|load_wine|load_diabetes|"
    r"load_breast_cancer|load_digits|spark\.read|read_files|np\.load|torch\.load|memmap|"
    r"csv\.DictReader|csv\.reader|"
    # raw inputs: audio, images, image folders
    r"librosa\.load|torchaudio\.load|soundfile\.read|sf\.read|wavfile\.read|cv2\.imread|"
    r"Image\.open|imageio\.\w*imread|image_dataset_from_directory|flow_from_directory|load_img|"
    # a project's own loading functions and Detectron2's dataset registration
    r"load_\w*data\w*|read_\w*data\w*|register_coco_instances|load_coco_json|"
    # a dataset class of torchvision or torchtext (datasets.FashionMNIST(root, download=True)),
    # TensorFlow Datasets
    r"datasets\.[A-Z]\w*|tfds\.load|"
    # a feature store's training frame
    r"get_historical_features)\s*\("
)


@rule("data_loading_code")
def data_loading_code(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    hits = facts.text_search(index, index.production_python, LOADERS)
    # Modules are parsed only until five reusable loaders are found (a large repository has
    # hundreds of modules that read data; the verdict needs one).
    reusable = []
    for h in hits:
        found = next(
            (
                (call, where)
                for call in itertools.chain([h], _later_calls(index, h))
                if (where := _reusable_loader(index, call))
            ),
            None,
        )
        if found and facts.has_real_code(index, h.path):
            reusable.append(found)
            if len(reusable) == 5:
                break
    if reusable:
        others = len({h.path for h in hits} - {reusable[0][0].path})
        return Verdict.passed(
            f"data is loaded by {reusable[0][1]}"
            + (f"; {others} more modules call a loader" if others else ""),
            [Evidence(h.path, h.line, h.value) for h, _ in reusable],
        )
    own = _loader_reading_files(index)
    if own is not None:
        path, name = own
        return Verdict.passed(
            f"data is loaded by {path} ({name}), which reads the files itself",
            [Evidence(path, None, name)],
        )
    if index.glob(["dvc.yaml"]):
        return Verdict.passed("dvc.yaml defines the data stages", [Evidence("dvc.yaml")])
    catalog = index.glob(["conf/**/catalog.yml", "conf/**/catalog.yaml", "catalog.yml"])
    if catalog:
        return Verdict.passed(
            f"the data catalog {catalog[0].path} declares the datasets", [Evidence(catalog[0].path)]
        )
    # The first five modules that load data inline (each parsed only until five are found).
    real = list(itertools.islice((h for h in hits if facts.has_real_code(index, h.path)), 5))
    for h in hits[:30]:
        # A Dataset class beside the inline loader is loading code other steps can reuse.
        code = index.code(h.path) or ""
        found = linear.compiled(DATASET_CLASS).search(code)
        if found and _dataset_body(code, found.end()):
            return Verdict.passed(
                f"data is loaded by the dataset class {found.group(1)} ({h.path})",
                [Evidence(h.path, None, found.group(0).strip())],
            )
    prepared = _data_module_imported(index, real)
    if prepared is not None:
        reader, module = prepared
        return Verdict.passed(
            f"data is read in {reader.path} and prepared by the data module {module} it imports",
            [Evidence(reader.path, reader.line, reader.value), Evidence(module)],
        )
    if real:
        return Verdict.partial(
            f"data is loaded inline ({real[0].path}): in a script or a driver function, not in "
            "a loading function or a data module that other steps can call",
            [Evidence(h.path, h.line, h.value) for h in real[:5]],
        )
    in_notebooks = facts.text_search(index, index.notebooks, LOADERS)
    if in_notebooks:
        return Verdict.failed(
            f"data is loaded only in notebooks ({in_notebooks[0].path})",
            [Evidence(h.path, None, h.value) for h in in_notebooks[:5]],
        )
    stubs = [p for p in facts.role_modules(index, "split") if facts.is_stub(index, p)]
    if stubs:
        return Verdict.failed(
            f"data modules are empty stubs: {', '.join(stubs[:3])}",
            [Evidence(p) for p in stubs[:5]],
        )
    return Verdict.failed("no module loads data")


_FEATURE_LIST_RE = lazy(
    # module-level constants (FEATURES, NUM_COLS, CAT_FEATURES)
    r"^(FEATURES|FEATURE_[A-Z_]+|[A-Z_]*_FEATURES|[A-Z_]*_FEATS|[A-Z_]*_COLUMNS|"
    r"[A-Z_]*_COLS|FEATURE_MAP)[ \t]*(:[^=\n]*)?=[ \t]*[\[({]",
    linear.M,
)


@rule("features_declared_in_code")
def features_declared_in_code(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """A module-level list or map of features (FEATURES = [...], FEATURE_MAP = {...})."""
    hits = facts.text_search(index, index.production_python, _FEATURE_LIST)
    if hits:
        ev = [Evidence(x.path, x.line, _declared_name(x)) for x in hits[:3]]
        again = _redeclared(hits) or _rewritten_in_training(index, hits)
        if again:
            name, where = again
            lines = {x.path: x.line for x in hits if _declared_name(x) == name}
            return Verdict.partial(
                f"features are declared as {name} in {len(where)} modules ({', '.join(where[:3])}"
                f"{', ...' if len(where) > 3 else ''}): written out in each, not in one place",
                [Evidence(p, lines.get(p), name) for p in where[:5]],
            )
        used = _first_used(index, hits[:_MAX_LISTS_FOLLOWED])
        if used is not None:
            return Verdict.passed(f"features declared as {_declared_name(used)} in {used.path}", ev)
        h = hits[0]
        return Verdict.partial(
            f"features declared as {_declared_name(h)} in {h.path}, but no code uses the list "
            "(the pipeline names its columns itself)",
            ev,
        )
    return Verdict.failed("no feature list in config, code or a feature store definition")


def _redeclared(hits: list[Located]) -> tuple[str, list[str]] | None:
    """(name, modules) when one feature list's name is declared as a literal in two or more
    production modules (training's and serving's copies of FEATURE_COLS): the list is
    written out again, not imported."""
    by_name: dict[str, list[str]] = {}
    for hit in hits:
        by_name.setdefault(_declared_name(hit), []).append(hit.path)
    name, where = max(by_name.items(), key=lambda item: len(item[1]))
    return (name, where) if len(where) >= 2 else None


def _rewritten_in_training(index: RepoIndex, hits: list[Located]) -> tuple | None:
    """(name, modules) when a module of training (its code, what it imports, or a module named
    for preparing data) writes out a declared list again under the same name in lower case,
    as a list of literals (serving's config declares SOIL_COLS, training's preprocessing sets
    soil_cols = ['ph', ...] inside a function): two copies kept in step by hand. At most a few
    hundred modules are searched."""
    names = {_declared_name(h).lower(): h for h in hits[:_MAX_LISTS_FOLLOWED]}
    declared = {h.path for h in hits}
    training = [t.path for t in facts.training(index).code]
    near = set(training) | facts.internal_imports(index, training)
    modules = [
        p
        for p in index.production_python
        if p not in declared
        and p.endswith(".py")
        and (p in near or _PREPARES.search(p.rsplit("/", 1)[-1]))
    ]
    # a list of string literals written out (not an accumulator: features = [])
    pattern = linear.compile(
        r"^[ \t]*(" + "|".join(names) + r")[ \t]*=[ \t]*[\[(][ \t\n]*[\"']", linear.M
    )
    for path in modules[:_MAX_MODULES_SEARCHED]:
        tick()
        m = pattern.search(index.code(path, cache=False) or "")
        if m is not None:
            hit = names[m.group(1)]
            return _declared_name(hit), [hit.path, path]
    return None


# Modules that prepare data for training, by name (preprocessing.py, build_features.py).
_PREPARES = lazy(r"prepro|prepar|feature|transform|process|clean|etl|data", linear.I)
_MAX_MODULES_SEARCHED = 300
_MAX_LISTS_FOLLOWED = 5
_MAX_BYTES_READ = 8 << 20  # looking for a list's name in other files


def _declared_name(hit: Located) -> str:
    return hit.value.split("=")[0].split(":")[0].strip()


def _first_used(index: RepoIndex, hits: list[Located]) -> Located | None:
    """The first declared feature list that is read: its module imported by another module (a
    schema module whose columns the pipeline uses; from the import index, no file read), its
    name again in its own module, or in another module or notebook (read once each, within a
    byte budget, not kept)."""
    declared = {h.path for h in hits}
    for path in index.python_files:
        tick()
        if path in declared:
            continue
        for ref in index.imports.get(path, ()):
            targets = declared.intersection(index.resolve_import_targets(path, ref))
            if targets:
                return next(h for h in hits if h.path in targets)
    words = {h: linear.compile(rf"\b{_declared_name(h)}\b") for h in hits}
    for h, word in words.items():
        if sum(1 for _ in itertools.islice(word.finditer(index.code(h.path) or ""), 2)) > 1:
            return h
    budget = _MAX_BYTES_READ
    others = [p for p in index.python_files if p not in declared]
    others += [f.path for f in index.with_suffixes(".ipynb")]
    for path in others:
        tick()
        text = index.code(path) if path.endswith(".ipynb") else index.text(path, cache=False)
        budget -= len(text or "")
        if budget < 0:
            break
        for h, word in words.items():
            if text and word.occurs_in(text):
                return h
    return None


# A function named for loading (load_events, read_file, get_dataset_dicts): the candidates
# for a loader that reads its files by hand. Matching the definitions, not every open() call,
# keeps the content pass's work to the few modules that have one.
_LOADER_DEF_RE = lazy(
    r"^[ \t]*(async[ \t]+)?def[ \t]+_*(("
    + "|".join(sorted(_LOADER_VERBS))
    + r")\w*|("
    + "|".join(sorted(_GENERIC_VERBS))
    + r")_\w*("
    + "|".join(sorted(_LOADED))
    + r")\w*)[ \t]*\(",
    linear.M,
)
_DEF_NAME = lazy(r"def[ \t]+(\w+)")
_MAX_READERS_PARSED = 30

# Calls that read a file by hand besides open() and Path.open() (whose mode is read): a
# Path's read_text(), numpy's fromfile(), h5py's File(); load()/loads() only from a
# serialisation library (an agent's or a model's own .load() reads a model).
_READ_CALLS = frozenset({"read_text", "read_bytes", "fromfile", "File"})
_LOAD_LIBRARIES = frozenset(
    {"json", "pickle", "joblib", "ujson", "orjson", "jsonlines", "srsly", "np", "numpy"}
)
# What a configuration, credential or resource reader names: load_config reads settings,
# read_token a secret, save_report writes; none of them loads data.
_NOT_DATA_PARTS = frozenset(
    "config configs cfg conf settings params parameters hparams yaml yml toml ini env secret "
    "secrets credentials credential prompt prompts template templates vocab state cache "
    "object objects obj pickle pkl joblib token tokens key keys password passwords auth login "
    "version versions requirements readme license save write dump export upload store "
    "args arguments options".split()
)
_NOT_LOADED_PARTS = _NOT_DATA_PARTS | _MODEL_PARTS
# Verbs of functions that bring data in by writing it (a download saves what it fetches).
_ACQUIRING_VERBS = frozenset({"download", "fetch", "ingest"})


def _reads_a_file(node: ast.AST, writes_too: bool = False) -> bool:
    """Whether a function's body opens a file to read it or loads one (open(path),
    path.open(), json.load()); an open() to write ("w", "a", "x") reads nothing, unless
    ``writes_too`` (a download saving what it fetched)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name):
                if func.id == "open" and (writes_too or not _writes(sub, 1)):
                    return True
            elif isinstance(func, ast.Attribute):
                if func.attr == "open" and (writes_too or not _writes(sub, 0)):
                    return True
                if func.attr in _READ_CALLS:
                    return True
                owner = func.value
                if (
                    func.attr in ("load", "loads")
                    and isinstance(owner, ast.Name)
                    and owner.id in _LOAD_LIBRARIES
                ):
                    return True
    return False


def _writes(call: ast.Call, position: int) -> bool:
    """Whether an open() call's mode (the argument at ``position``, or ``mode=``) writes."""
    mode = call.args[position] if len(call.args) > position else None
    mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and any(c in mode.value for c in "wax")
    )


def _loader_reading_files(index: RepoIndex) -> tuple[str, str] | None:
    """A loading function that reads its files by hand (``with path.open() as fh`` over JSON
    lines, ``json.load`` of annotations): named for loading, or any real function of a data
    module, but not a configuration or model loader."""
    hits = facts.text_search(index, index.production_python, _LOADER_DEFS)
    parsed = 0
    for h in hits:
        tick()
        # Only modules whose first such function could be a data loader are parsed (a
        # monorepo has hundreds with a read_config() or a read_token()).
        named = _DEF_NAME.search(h.value)
        first = _parts(named.group(1)) if named else []
        unlikely = len(first) < 2 or bool(_NOT_LOADED_PARTS.intersection(first))
        if unlikely and not _data_module(h.path):
            continue
        parsed += 1
        if parsed > _MAX_READERS_PARSED:
            break
        info = index.module_info(h.path)
        if info is None or info.tree is None:
            continue
        in_data_module = _data_module(h.path)
        for fn in info.functions:
            parts = _parts(fn.name)
            if fn.is_stub or not parts or _NOT_LOADED_PARTS.intersection(parts):
                continue
            if len(parts) == 1 and not in_data_module:
                continue  # a bare load() or read(): a model's, a client's, anything's
            fetches = parts[0] in _ACQUIRING_VERBS
            if (_loader_name(fn.name) or in_data_module) and _reads_a_file(fn.node, fetches):
                return h.path, fn.name
    return None


def _data_module_imported(index: RepoIndex, readers: list[Located]) -> tuple[Located, str] | None:
    """A script that reads data inline and hands it to a data module of the project it imports
    (src/data_processing.py, preprocessing.py): it calls a real function it imports from there,
    one that takes what it prepares (not a Dataset class wrapping ready arrays, nor a
    ``data_path()`` telling where files are)."""
    for reader in readers:
        code = None
        for ref in index.imports.get(reader.path, ()):
            if not ref.names:
                continue
            for target in index.resolve_import_targets(reader.path, ref):
                if target == reader.path or not target.endswith(".py"):
                    continue
                if target.endswith("__init__.py") or not _data_module(target):
                    continue
                info = index.module_info(target)
                if info is None or info.tree is None:
                    continue
                preparing = {
                    node.name
                    for node in info.tree.body
                    if isinstance(node, ast.FunctionDef)
                    and node.args.args
                    and not python_stub(node.body)
                    and not _LOCATION_PARTS.intersection(_parts(node.name))
                }
                called = preparing.intersection(ref.names)
                if called:
                    code = code if code is not None else index.code(reader.path) or ""
                    if any(linear.compile(rf"\b{name}\s*\(").occurs_in(code) for name in called):
                        return reader, target
    return None


# What a helper that only locates data names: data_path(), get_data_dir().
_LOCATION_PARTS = frozenset("path paths dir dirs directory file files url uri root".split())


# Patterns the content pass matches in every production module and notebook (see scan).
_VALIDATE_FN = CodePattern(_VALIDATE_FN_RE)
LOADERS = CodePattern(LOADERS_RE)
_FEATURE_LIST = CodePattern(_FEATURE_LIST_RE)
_LOADER_DEFS = CodePattern(_LOADER_DEF_RE)
