"""Training/serving skew: does serving reuse training's preprocessing, or re-implement it?"""

from __future__ import annotations

import ast
import difflib
from collections import Counter
from typing import Any, NamedTuple

from mlscaffold.score.budget import tick
from mlscaffold.score.judge.rules import facts, rule
from mlscaffold.score.model import Evidence, Status, Verdict
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import Located, RepoIndex
from mlscaffold.score.read.linear import lazy

_FEATURE_NAME = lazy(
    r"feature|transform|preprocess|clean|encode|prepare|pipeline|process|"
    r"normali[sz]e|scale|tokeni[sz]|prompt|featuri[sz]e|impute|vectori[sz]e",
    linear.I,
)
# Functions named for a transformation, found in the content pass: (name, line) per module.
_TRANSFORM_DEF = lazy(
    r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w*(?:feature|transform|preprocess|clean|"
    r"encode|prepare|pipeline|process|normali[sz]e|scale|tokeni[sz]|prompt|featuri[sz]e|"
    r"impute|vectori[sz]e)\w*)[ \t]*\(",
    linear.M | linear.I,
)
# A function that reads or writes data whatever its name says the data is (load_processed_df,
# save_transformed): an I/O helper both sides may share without sharing a transformation.
_IO_HELPER = lazy(
    r"_*(load|save|read|write|fetch|download|upload|dump|store|export)_",
    linear.I,
)
_PIPELINE_BUILD = lazy(r"\b(Pipeline|make_pipeline|ColumnTransformer|make_column_transformer)\s*\(")
_ARTEFACT_LOAD = lazy(
    r"joblib\.load|pickle\.load|load_model\s*\(|pyfunc\.load_model|"
    r"from_pretrained|torch\.load|cloudpickle\.load|skops\.io\.load"
)
# Modules that prepare text before training sees it (not analysis or feature attributions).
_CLEANING_NAME = lazy(r"clean|preprocess|prompt|normali[sz]|text_?process", linear.I)
# Preprocessing that travels with the model through its framework: a tokenizer or processor
# saved beside the weights (save_pretrained, or handed to the Trainer, which saves it) and
# loaded back by serving; Ultralytics' YOLO, whose predict letterboxes and scales as training.
_SAVES_PROCESSOR = lazy(
    r"\b\w*(tokenizer|processor|feature_extractor)\w*\s*\.\s*(save_pretrained|push_to_hub)\s*\(|"
    r"\bTrainer\s*\([^)]*\b(tokenizer|processing_class)\s*=",
    linear.I,
)
_LOADS_PROCESSOR = lazy(
    r"\b(Auto(Tokenizer|Processor|ImageProcessor|FeatureExtractor)|\w+Tokenizer(Fast)?|"
    r"\w+Processor)\s*\.\s*from_pretrained\s*\(|\bpipeline\s*\(\s*(task\s*=\s*)?[\"']"
)
_YOLO = lazy(
    r"^\s*from\s+ultralytics\s+import\s+[^\n]*\bYOLO\b|^\s*import\s+ultralytics\b", linear.M
)
# Serving that writes its own input preparation beside a shared tokenizer: a preprocessing
# function of its own, or the chat prompt spelled out again.
_OWN_INPUT_PREPARATION = lazy(
    r"^[ \t]*def[ \t]+\w*(preprocess|tokeni[sz]e|prepare|encode|convert|build_prompt|"
    r"format_prompt|make_prompt)\w*[ \t]*\(|\bsystem_prompt\s*=|"
    r"[\"']role[\"']\s*:\s*[\"']system[\"']",
    linear.M,
)
# Feature code a saved pipeline should carry, written out in a module: one-hot columns,
# string surgery on a column, binning, value maps, log transforms.
_FEATURE_CODE = lazy(
    r"\bget_dummies\s*\(|\.str\.(split|extract|replace|slice|get)\s*\(|\bpd\.cut\s*\(|"
    r"\bpd\.qcut\s*\(|\.map\s*\(\s*\{|\bnp\.log1?p?\s*\("
)


def _features_beside(
    index: RepoIndex, serving: list[str], training: list[str], saved: str, ev: list[Evidence]
) -> Verdict | None:
    """Partial when serving builds features by hand beside ``saved`` (a fitted preprocessor,
    a saved pipeline) while training does too: the served copy drifts from training's."""
    served = facts.text_search(index, serving, _FEATURE_CODE)
    trained = facts.text_search(index, training, _FEATURE_CODE) if served else []
    if not trained:
        return None
    own, theirs = served[0], trained[0]
    return Verdict.partial(
        f"{saved}, but serving builds features itself beside it ({own.path}:{own.line}: "
        f"{own.value}), as training does in {theirs.path}",
        [*ev, Evidence(*own), Evidence(*theirs)],
    )


# Detectron2: DefaultPredictor resizes and normalises by the config training used.
_D2_PREDICTOR = lazy(r"\bDefaultPredictor\s*\(")
_D2_TRAINING = lazy(r"^\s*from\s+detectron2\b|^\s*import\s+detectron2\b", linear.M)
# (framework, serving's use, training's use)
_FRAMEWORKS = (("Ultralytics YOLO", _YOLO, _YOLO), ("Detectron2", _D2_PREDICTOR, _D2_TRAINING))
_LOCAL_NAME = lazy(r"id='[^']*'|arg='[^']*'")
# What a copy keeps of a function: node types, attributes and constants, in order (the dump
# split at its punctuation, by str.translate: C speed).
_PUNCTUATION = str.maketrans({c: " " for c in "()[]{}=,:'\"<>.+-*/%&|^~!@#$;?\\"})
_PLUMBING = frozenset(
    "ctx Load Store Del value func args keywords body targets Module NAME type_ignores "
    "elts slice attr kind id arg".split()
)
SIMILARITY = 0.85
MIN_STATEMENTS = 3
SHINGLE = 3  # tokens per shingle
CONTAINMENT = 0.5  # of the smaller function's shingles, shared, to be compared at all
COMMON = 200  # a shingle found in more training functions than this tells none apart
MAX_SERVING_FUNCTIONS = 200
MAX_DIFF_CHARS = 4_000  # normalised bodies longer than this skip difflib
MAX_INDEL_CHARS = 60_000  # ... and longer than this are compared by their shingles


class _Function(NamedTuple):
    path: str
    name: str
    line: int
    dump: str  # the body's AST dump with local names replaced
    statements: int
    shingles: frozenset[int]


def _normalised_functions(
    index: RepoIndex, path: str, only: frozenset[str] | None = None
) -> list[_Function]:
    """Each real function of a module (or only those named in ``only``) with its normalised
    body and the hashed shingles of its tokens (computed once per function and run)."""
    memo = index.memo.setdefault("skew_functions", {})
    key = (path, only)
    if key in memo:
        return memo[key]
    info = index.module_info(path)
    out: list[_Function] = []
    for fn in info.functions if info is not None else ():
        if fn.is_stub or (only is not None and fn.name not in only):
            continue
        body = fn.node.body  # type: ignore[attr-defined]
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
        ):
            body = body[1:]
        n_statements = sum(isinstance(n, ast.stmt) for s in body for n in ast.walk(s))
        try:
            dump = " ".join(_normalise(ast.dump(ast.Module(body=body, type_ignores=[]))).split())
        except (RecursionError, ValueError):
            continue
        tokens = [t for t in dump.translate(_PUNCTUATION).split() if t not in _PLUMBING]
        shingles = frozenset(
            hash(tuple(tokens[i : i + SHINGLE])) for i in range(max(1, len(tokens) - SHINGLE + 1))
        )
        out.append(_Function(path, fn.name, fn.line, dump, n_statements, shingles))
    memo[key] = out
    return out


def _normalise(dump: str) -> str:
    # Local variable names differ between copies; the operations and column names do not.
    return _LOCAL_NAME.sub("NAME", dump)


def _similar(a: str, b: str) -> bool:
    """difflib's ratio of at least SIMILARITY. rapidfuzz's Indel similarity (longest common
    subsequence, in C) bounds that ratio from above, so it discards most pairs exactly and
    fast; difflib decides the rest, as it always has."""
    from rapidfuzz.distance import Indel

    if not Indel.normalized_similarity(a, b, score_cutoff=SIMILARITY):
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILARITY


# A module this large is generated (a genetic program's formulas, a dumped model), not a
# transformation someone wrote twice; parsing a few of them would cost more than the rest of
# the comparison (and a time budget that ran out would make the verdict depend on the machine).
MAX_COMPARED_BYTES = 128 * 1024


def _hand_sized(index: RepoIndex, path: str) -> bool:
    entry = index.by_path.get(path)
    return entry is not None and entry.size <= MAX_COMPARED_BYTES


def _indel_similar(a: str, b: str) -> bool:
    from rapidfuzz.distance import Indel

    return bool(Indel.normalized_similarity(a, b, score_cutoff=SIMILARITY))


def _reimplementation(
    index: RepoIndex, serving: list[str], training: list[str]
) -> tuple[_Function, _Function] | None:
    """The first serving function that copies a training one (serving in order, then the
    training functions in order), or None.

    Not every pair is compared: a training function is a candidate for a serving one when
    they share at least half of the smaller one's token shingles (an inverted index finds
    them, skipping shingles common to hundreds of functions), or are identical, and their
    lengths allow the ratio at all. Linear in the code, not in the number of pairs."""
    # Training's transformations (functions named for one), not its helpers: a utility that
    # both sides copy (a requirements parser) is duplication, not training/serving skew.
    names = _transforms(index)
    training = [p for p in training if _hand_sized(index, p)]
    serving = [p for p in serving if _hand_sized(index, p)]
    train = [
        f
        for p in training
        for f in _normalised_functions(index, p, frozenset(n for n, _ in names.get(p, ())))
        if f.statements >= MIN_STATEMENTS
    ]
    if not train:
        return None
    # A large serving package (an API server's hundreds of functions) is compared by its
    # transformations alone; a small service, function by function.
    functions = sum(len(info.functions) for p in serving if (info := index.module_info(p)))
    only = {p: None for p in serving}
    if functions > MAX_SERVING_FUNCTIONS:
        only = {p: frozenset(name for name, _ in names.get(p, ())) for p in serving}
    postings: dict[int, list[int]] = {}
    exact: dict[str, list[int]] = {}
    for i, fn in enumerate(train):
        exact.setdefault(fn.dump, []).append(i)
        for shingle in fn.shingles:
            postings.setdefault(shingle, []).append(i)
    for s_path in serving:
        for fn in _normalised_functions(index, s_path, only[s_path]):
            if fn.statements < MIN_STATEMENTS:
                continue
            tick()
            shared: Counter[int] = Counter()
            for shingle in fn.shingles:
                ids = postings.get(shingle)
                if ids is not None and len(ids) <= COMMON:
                    shared.update(ids)
            for i in exact.get(fn.dump, ()):
                shared[i] = len(train[i].shingles)  # identical: a candidate whatever the counts
            for i in sorted(shared):
                other = train[i]
                if other.path == s_path:
                    continue
                if shared[i] < CONTAINMENT * min(len(fn.shingles), len(other.shingles)):
                    continue
                short, long_ = sorted((len(fn.dump), len(other.dump)))
                if 2 * short < SIMILARITY * (short + long_):  # the ratio cannot reach it
                    continue
                if fn.dump == other.dump:
                    return fn, other
                if long_ > MAX_DIFF_CHARS:
                    # difflib is quadratic in the length and one call no budget interrupts
                    # (a 17,000-character pair took 1.7 s, a 100 KiB function minutes): long
                    # bodies are judged by rapidfuzz's Indel ratio alone (bit-parallel, in C;
                    # an upper bound of difflib's ratio that is close on copies), the longest
                    # by their shingles
                    if long_ <= MAX_INDEL_CHARS:
                        if _indel_similar(fn.dump, other.dump):
                            return fn, other
                    elif len(fn.shingles & other.shingles) >= SIMILARITY * len(
                        fn.shingles | other.shingles
                    ):
                        return fn, other
                    continue
                if _similar(fn.dump, other.dump):
                    return fn, other
    return None


def _transform_defs(path: str, data: bytes) -> list[tuple[str, int]]:
    """(name, line) of each function of a Python module named for a transformation."""
    found = []
    line, last = 1, 0
    for spans in linear.compiled(_TRANSFORM_DEF).spans(data):
        start = spans[0][0]
        line += data.count(b"\n", last, start)
        last = start
        name = data[spans[1][0] : spans[1][1]].decode("ascii")
        if _IO_HELPER.match(name) and "_and_" not in name:
            continue  # save_processed_dataset() moves data (load_and_clean() does not only)
        found.append((name, line))
        if len(found) == 200:  # a generated module: enough to compare
            break
    return found


class _TransformDefs:
    """The transformation functions of each module DE005 asks about, read when first asked:
    serving and training are a few modules, and DE005 does not apply to most repositories,
    so a search of every module of the content pass would mostly go unused."""

    def __init__(self, index: RepoIndex) -> None:
        self._index = index
        self._found: dict[str, list[tuple[str, int]]] = {}

    def get(self, path: str, default: Any = ()) -> Any:
        return self[path] or default

    def __contains__(self, path: str) -> bool:
        return bool(self[path])

    def __getitem__(self, path: str) -> list[tuple[str, int]]:
        if path not in self._found:
            code = self._index.code(path) if path.lower().endswith(".py") else None
            data = code.encode("utf-8", "replace") if code else b""
            self._found[path] = _transform_defs(path, data) if data else []
        return self._found[path]


def _transforms(index: RepoIndex) -> _TransformDefs:
    if "transforms" not in index.memo:
        index.memo["transforms"] = _TransformDefs(index)
    return index.memo["transforms"]


def _same_named(index: RepoIndex, serving: list[str], training: list[str]):
    """A transformation that serving and training each define for themselves, under the same
    name (serving's ``preprocess`` beside training's ``preprocess``): the first, or None."""
    defs = _transforms(index)
    trained: dict[str, tuple[str, int]] = {}
    for path in training:
        for name, line in defs.get(path, ()):
            trained.setdefault(name.lower(), (path, line))
    for path in serving:
        for name, line in defs.get(path, ()):
            if name.lower() in trained and not name.startswith("_"):
                return (path, name, line), (
                    *trained[name.lower()][:1],
                    name,
                    trained[name.lower()][1],
                )
    return None


# A fitted preprocessing object (scaler, encoder, vectoriser, a preprocessing pipeline)...
# (also by the short names scripts give them: dv for a DictVectorizer, ohe, le, ct...)
_PREPROCESSOR_LONG = (
    r"\w*(?:preprocess|preprocessor|transformer|scaler|encoder|vectori[sz]er|imputer|tfidf)\w*"
)
_PREPROCESSOR = rf"(?:{_PREPROCESSOR_LONG}|dv|ohe|le|ct|cv|pca|svd)"
# ...that serving only applies, and training fits or saves: one object, one preprocessing.
_APPLIES = lazy(rf"\b({_PREPROCESSOR})\s*\.\s*transform\s*\(", linear.I)
_FITS_OR_SAVES = lazy(
    rf"\b({_PREPROCESSOR})\s*\.\s*fit(_transform)?\s*\(|"
    # saved or returned: by a long name only (return GridSearchCV(..., cv=5) returns no "cv")
    rf"(dump|save\w*|log_\w+|register\w*)\s*\([^)\n]*\b({_PREPROCESSOR_LONG})\b|"
    rf"return\s+[^\n]*\b({_PREPROCESSOR_LONG})\b",
    linear.I,
)
_SERVING_FITS = lazy(r"\.fit(_transform)?\s*\(")


def _applies_fitted_preprocessor(
    index: RepoIndex, serving: list[str], training: list[str]
) -> tuple[tuple[str, int, str], tuple[str, int, str]] | None:
    """Serving calls ``<preprocessor>.transform(...)`` on an object it does not fit itself,
    and training fits, saves or returns such an object (a scaler dumped beside the model, a
    ZenML step returning its fitted pipeline): the first pair, or None."""
    applied = None
    for path in serving:
        code = index.code(path) or ""
        m = _APPLIES.search(code)
        if m and not _SERVING_FITS.search(code):
            applied = (path, code.count("\n", 0, m.start()) + 1, m.group(0))
            break
    if applied is None:
        return None
    for path in training:
        code = index.code(path) or ""
        m = _FITS_OR_SAVES.search(code)
        if m:
            return applied, (path, code.count("\n", 0, m.start()) + 1, m.group(0)[:60])
    return None


# An image transform written out (torchvision's or albumentations' Compose with a Normalize):
# serving writing its own beside training's re-implements the resize and the constants.
_COMPOSE = lazy(r"\b(transforms|T|v2|A|albumentations)\.Compose\s*\(")
_NORMALIZE = lazy(r"\bNormalize\s*\(")


def _image_transform(index: RepoIndex, paths: list[str]) -> Located | None:
    """The first of ``paths`` (at most 50) that builds an image transform with normalisation."""
    for path in paths[:50]:
        code = index.code(path) or ""
        m = _COMPOSE.search(code)
        if m and _NORMALIZE.search(code):
            return Located(path, code.count("\n", 0, m.start()) + 1, m.group(0))
    return None


def _cleaning_before_pipeline(
    index: RepoIndex, builder: str, training: list[str], served: set[str]
) -> list[str]:
    """Cleaning modules (named for cleaning, and cleaning something: re.sub, lower(), fillna)
    that the programs fitting the saved pipeline (training modules and runners reaching the
    module that builds it) import, and serving does not (helper_cleaner.py, data_prep.py):
    the pipeline was likely fitted on cleaned input and is fed raw input. None when the
    builder hands a cleaning function to the pipeline itself. Not a module that is part of
    the pipeline (one that builds a ColumnTransformer or defines a transformer class, which
    unpickling brings back), nor a training script, nor what other programs import."""
    if _CLEANS_INSIDE.search(index.code(builder) or ""):
        return []  # the cleaning is a step of the pipeline (preprocessor=, FunctionTransformer)
    # the programs that fit it: training modules and runners (a __main__ block) reaching it
    runners = [h.path for h in facts.text_search(index, index.production_python, facts.MAIN_BLOCK)]
    candidates = list(dict.fromkeys([builder, *training, *runners]))[: _MAX_PROGRAMS + 1]
    imports = {t: facts.internal_imports(index, [t]) for t in candidates}
    programs = [t for t in candidates if t == builder or builder in imports[t]]
    reach = set(programs).union(*(imports[p] for p in programs))
    return [
        p
        for p in sorted(reach - served - set(programs))
        if _CLEANING_STEP.search(p.rsplit("/", 1)[-1])
        and "train" not in p.rsplit("/", 1)[-1].lower()
        and not _PIPELINE_PART.search(code := index.code(p) or "")
        and _CLEANS.search(code)
    ][:3]


_MAX_PROGRAMS = 40
_CLEANING_STEP = lazy(r"clean|preprocess|prep(\b|_|\.)|normali[sz]", linear.I)
# What cleaning does to text or a table (a module that only reads and splits cleans nothing).
_CLEANS = lazy(
    r"re\.sub\(|\.lower\(|\.strip\(|lemmati|stemm|stop_?words|\.str\.|fillna|dropna|"
    r"drop_duplicates|\.replace\(|\.apply\(|\.map\(",
    linear.I,
)
# A cleaning function handed to the pipeline itself (TfidfVectorizer(preprocessor=clean)).
_CLEANS_INSIDE = lazy(r"\b(preprocessor|tokenizer|analyzer)\s*=\s*[A-Za-z_]|FunctionTransformer\(")
# A module whose objects are steps of the fitted pipeline: unpickling it brings them back.
_PIPELINE_PART = lazy(
    r"ColumnTransformer|make_column_transformer|\bPipeline\(|make_pipeline|TransformerMixin|"
    r"FunctionTransformer|BaseEstimator"
)


def _skipped_transformations(
    training_side: list[str], transforms: Any, fitted_in: str
) -> list[str]:
    """Training's own transformation modules that serving never imports (the fitted or saved
    object covers only what follows them, so serving skips a step)."""
    return [
        p
        for p in training_side
        if p != fitted_in and (_FEATURE_NAME.search(p.rsplit("/", 1)[-1]) or p in transforms)
    ]


def _framework_preprocessing(
    index: RepoIndex, serving: list[str], training: list[str]
) -> Verdict | None:
    """A pass when the framework carries training's preprocessing to serving: the tokenizer
    (or processor) training saved with the model, loaded back by serving; or a vision framework
    whose predictor applies training's transforms (Ultralytics YOLO, Detectron2)."""
    loads = facts.text_search(index, serving, _LOADS_PROCESSOR)
    if loads:
        saves = facts.text_search(index, training, _SAVES_PROCESSOR)
        own = _OWN_INPUT_PREPARATION.search(index.code(loads[0].path) or "") if saves else None
        if saves and own:
            # The tokenizer is shared, but serving builds the model's input itself (its own
            # preprocess(), word masks, a system prompt written out again).
            return Verdict.partial(
                f"serving loads the tokenizer training saved ({saves[0].path}:{saves[0].line}), "
                f"but prepares the model's input itself ({loads[0].path}: "
                f"{own.group(0).strip()[:60]})",
                [Evidence(*loads[0]), Evidence(*saves[0])],
            )
        if saves:
            return Verdict.passed(
                f"serving loads the tokenizer or processor training saved with the model "
                f"({saves[0].path}:{saves[0].line}), so it preprocesses as training did",
                [Evidence(*loads[0]), Evidence(*saves[0])],
            )
    for name, serving_use, training_use in _FRAMEWORKS:
        served = facts.text_search(index, serving, serving_use)
        trained = facts.text_search(index, training, training_use) if served else []
        if trained:
            return Verdict.passed(
                f"serving and training both go through {name}, whose predictor "
                "preprocesses images as training did",
                [Evidence(*served[0]), Evidence(*trained[0])],
            )
    return None


# Serving code that says it copies training's steps: "This mirrors the logic in
# src/preprocessing.py", "# must match training", "(same as training)". Whatever else it
# imports, that part is kept in step by hand.
_ADMITS_COPY = lazy(
    r"\b(mirrors?|replicates?|re-?implements?|copied from)\b[^\n]{0,40}"
    r"\b(training|train\w*\.py|preprocess\w*|feature[ _]engineering)\b|"
    r"\bmust match\b[^\n]{0,30}\b(training|train\w*\.py|main\.py|preprocess\w*)|"
    r"\b(same as|as done in|as during)[ \t]+(in |during |at )?training\b|"
    r"\bkeep (this |it )?in sync with\b[^\n]{0,30}\b(training|train\w*\.py|preprocess\w*)",
    linear.I,
)


@rule("shared_preprocessing")
def shared_preprocessing(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    from mlscaffold.score.judge.rules.deployment import serving_modules

    web, batch, _ = serving_modules(index)
    serving = web + [p for p in batch if p not in web]
    if not serving:
        return Verdict.not_applicable("no serving code to compare with training")
    training = sorted({t.path for t in facts.training(index).code} - set(serving))
    if not training:
        return Verdict.not_applicable("no training code in modules to compare with serving")
    serve_reach = facts.internal_imports(index, serving)
    train_reach = facts.internal_imports(index, training)
    verdict = _shared_preprocessing(index, serving, training, serve_reach, train_reach)
    if verdict.status is not Status.PASS:
        return verdict
    # Serving's own side: its modules and what only they import (not a module shared with
    # training, which saying "the same as training" describes, not copies).
    side = serving + sorted(serve_reach - train_reach - set(training))
    for path in side[:_MAX_ADMISSION_FILES]:
        code = index.code(path) or ""
        m = _ADMITS_COPY.search(code)
        if m is not None:
            line = code.count("\n", 0, m.start()) + 1
            return Verdict.partial(
                f"{verdict.reason}; but {path}:{line} says it copies training's steps "
                f'("{m.group(0)[:60]}"): that part is kept in step by hand',
                [*verdict.evidence, Evidence(path, line, m.group(0)[:60])],
            )
    return verdict


_MAX_ADMISSION_FILES = 50


def _shared_preprocessing(
    index: RepoIndex,
    serving: list[str],
    training: list[str],
    serve_reach: set[str],
    train_reach: set[str],
) -> Verdict:
    training_side = sorted((train_reach | set(training)) - serve_reach - set(serving))
    same = _same_named(index, serving, training_side)
    if same:
        (s_path, s_name, s_line), (t_path, t_name, t_line) = same
        return Verdict.failed(
            f"serving defines its own {s_name}() ({s_path}:{s_line}) beside training's "
            f"{t_name}() ({t_path}:{t_line}) instead of importing it",
            [
                Evidence(s_path, s_line, f"{s_name}() (serving)"),
                Evidence(t_path, t_line, f"{t_name}() (training)"),
            ],
        )
    # Function bodies are compared only in training-side modules that define a
    # transformation: a library's hundreds of other modules need no parse.
    transforms = _transforms(index)
    copy = _reimplementation(index, serving, [p for p in training_side if p in transforms])
    if copy:
        served, trained = copy
        return Verdict.failed(
            f"serving re-implements training's transformation: {served.name}() in "
            f"{served.path}:{served.line} copies {trained.name}() in {trained.path}:{trained.line}",
            [
                Evidence(served.path, served.line, f"{served.name}() (serving)"),
                Evidence(trained.path, trained.line, f"{trained.name}() (training)"),
            ],
        )
    own = _image_transform(index, serving)
    trained_transform = _image_transform(index, training_side) if own else None
    if own and trained_transform:
        return Verdict.partial(
            f"serving builds its own image transform ({own.path}:{own.line}) beside training's "
            f"({trained_transform.path}:{trained_transform.line}) instead of importing it",
            [Evidence(own.path, own.line, own.value), Evidence(*trained_transform)],
        )
    shared = sorted((serve_reach & (train_reach | set(training))) | (set(training) & serve_reach))
    feature_like = [
        p for p in shared if _FEATURE_NAME.search(p.rsplit("/", 1)[-1]) or p in transforms
    ]
    if feature_like:
        return Verdict.passed(
            f"serving ({serving[0]}) and training ({training[0]}) both import {feature_like[0]}",
            [Evidence(serving[0]), Evidence(training[0]), Evidence(feature_like[0])],
        )
    # Serving's side: its modules and what they import that training does not.
    serving_side = serving + sorted(serve_reach - train_reach)
    builds_pipeline = facts.text_search(index, training, _PIPELINE_BUILD)
    loads_artefact = facts.text_search(index, serving + sorted(serve_reach), _ARTEFACT_LOAD)
    fitted = _applies_fitted_preprocessor(index, serving + sorted(serve_reach), training_side)
    if fitted:
        (s_path, s_line, s_text), (t_path, t_line, t_text) = fitted
        ev = [Evidence(s_path, s_line, s_text), Evidence(t_path, t_line, t_text)]
        applied = f"serving applies the preprocessor training fitted ({s_text} in {s_path})"
        skipped = _skipped_transformations(training_side, transforms, t_path)
        if skipped:
            return Verdict.partial(
                f"{applied}, but not training's transformations in {skipped[0]}, which serving "
                "does not import",
                [*ev, Evidence(skipped[0])],
            )
        beside = _features_beside(index, serving_side, training_side, applied, ev)
        return beside or Verdict.passed(f"{applied}, fitted in {t_path}:{t_line}", ev)
    if builds_pipeline and loads_artefact:
        saved = f"preprocessing is part of the saved pipeline ({builds_pipeline[0].path})"
        beside = _features_beside(index, serving_side, training_side, saved, [])
        if beside:
            return beside
        skipped = _cleaning_before_pipeline(
            index, builds_pipeline[0].path, training, serve_reach | set(serving)
        )
        if skipped:
            # the pipeline starts from what training's own cleaning made of the raw input
            return Verdict.partial(
                f"{saved}, but not training's transformations in {skipped[0]}, which serving "
                "does not import",
                [Evidence(*builds_pipeline[0]), Evidence(*loads_artefact[0]), Evidence(skipped[0])],
            )
        return Verdict.passed(
            f"preprocessing is part of the saved pipeline: built in {builds_pipeline[0].path}, "
            f"loaded by {loads_artefact[0].path}",
            [
                Evidence(
                    builds_pipeline[0].path, builds_pipeline[0].line, builds_pipeline[0].value
                ),
                Evidence(loads_artefact[0].path, loads_artefact[0].line, loads_artefact[0].value),
            ],
        )
    framework = _framework_preprocessing(index, serving + sorted(serve_reach), training_side)
    if framework and framework.status is not Status.PASS:
        return framework  # serving prepares the input itself: that is the finding
    if framework:
        # The tokenizer is only the last step: text cleaned by a preprocessing script before
        # training (not imported by it) must be cleaned at serving too.
        elsewhere = [
            p
            for p in index.production_python
            if _CLEANING_NAME.search(p.rsplit("/", 1)[-1])
            and p not in serve_reach
            and p not in serving
            and p not in training_side
            # an LLM's prompt template is its preprocessing, even as a constant
            and ("prompt" in p.rsplit("/", 1)[-1].lower() or p in transforms)
        ]
        skipped = _skipped_transformations(
            training_side + elsewhere, transforms, framework.evidence[1].path
        )
        if skipped:
            return Verdict.partial(
                f"{framework.reason}; but not training's transformations in {skipped[0]}, "
                "which serving does not import",
                [*framework.evidence, Evidence(skipped[0])],
            )
        return framework
    if shared:
        return Verdict.partial(
            f"serving and training share {shared[0]}, but no transformation module is shared",
            [Evidence(serving[0]), Evidence(shared[0])],
        )
    return Verdict.failed(
        f"serving ({serving[0]}) imports nothing that training ({training[0]}) uses; "
        "its preprocessing can drift from training's",
        [Evidence(serving[0]), Evidence(training[0])],
    )
