"""Training/serving skew: does serving reuse training's preprocessing, or re-implement it?"""

from __future__ import annotations

import ast
import difflib
from typing import Any

from mlscaffold.score.judge.rules import facts, rule
from mlscaffold.score.model import Evidence, Verdict
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import RepoIndex
from mlscaffold.score.read.linear import lazy

_FEATURE_NAME = lazy(
    r"feature|transform|preprocess|clean|encode|prepare|pipeline|process|"
    r"normali[sz]e|scale|tokeni[sz]",
    linear.I,
)
_PIPELINE_BUILD = lazy(r"\b(Pipeline|make_pipeline|ColumnTransformer|make_column_transformer)\s*\(")
_ARTEFACT_LOAD = lazy(
    r"joblib\.load|pickle\.load|load_model\s*\(|pyfunc\.load_model|"
    r"from_pretrained|torch\.load|cloudpickle\.load|skops\.io\.load"
)
_LOCAL_NAME = lazy(r"id='[^']*'|arg='[^']*'")
SIMILARITY = 0.85
MIN_STATEMENTS = 3


def _normalised_functions(index: RepoIndex, path: str) -> list[tuple[str, int, str, int]]:
    """(name, line, normalised body dump, statement count) of each real function in a module."""
    info = index.module_info(path)
    if info is None:
        return []
    out = []
    for fn in info.functions:
        if fn.is_stub:
            continue
        node = fn.node
        body = node.body  # type: ignore[attr-defined]
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
        out.append((fn.name, fn.line, dump, n_statements))
    return out


def _normalise(dump: str) -> str:
    # Local variable names differ between copies; the operations and column names do not.
    return _LOCAL_NAME.sub("NAME", dump)


def _reimplementations(
    index: RepoIndex, serving: list[str], training: list[str]
) -> list[tuple[str, int, str, str, int, str]]:
    train_fns = [(p, *f) for p in training for f in _normalised_functions(index, p)]
    found = []
    for s_path in serving:
        for s_name, s_line, s_dump, s_n in _normalised_functions(index, s_path):
            if s_n < MIN_STATEMENTS:
                continue
            for t_path, t_name, t_line, t_dump, t_n in train_fns:
                if t_n < MIN_STATEMENTS or t_path == s_path:
                    continue
                ratio = difflib.SequenceMatcher(None, s_dump, t_dump, autojunk=False).quick_ratio()
                if (
                    ratio >= SIMILARITY
                    and difflib.SequenceMatcher(None, s_dump, t_dump, autojunk=False).ratio()
                    >= SIMILARITY
                ):
                    found.append((s_path, s_line, s_name, t_path, t_line, t_name))
    return found


@rule("shared_preprocessing")
def shared_preprocessing(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    from mlscaffold.score.judge.rules.deployment import serving_modules

    web, batch, _ = serving_modules(index)
    serving = web + [p for p in batch if p not in web]
    if not serving:
        return Verdict.not_applicable("no serving code to compare with training")
    training_facts = facts.training(index)
    training = sorted({t.path for t in training_facts.code} - set(serving))
    if not training:
        return Verdict.not_applicable("no training code in modules to compare with serving")
    serve_reach = facts.internal_imports(index, serving)
    train_reach = facts.internal_imports(index, training)
    copies = _reimplementations(
        index, serving, sorted((train_reach | set(training)) - serve_reach - set(serving))
    )
    if copies:
        s_path, s_line, s_name, t_path, t_line, t_name = copies[0]
        return Verdict.failed(
            f"serving re-implements training's transformation: {s_name}() in {s_path}:{s_line} "
            f"copies {t_name}() in {t_path}:{t_line}",
            [
                Evidence(s_path, s_line, f"{s_name}() (serving)"),
                Evidence(t_path, t_line, f"{t_name}() (training)"),
            ],
        )
    shared = sorted((serve_reach & (train_reach | set(training))) | (set(training) & serve_reach))
    feature_like = [
        p
        for p in shared
        if _FEATURE_NAME.search(p.rsplit("/", 1)[-1])
        or any(_FEATURE_NAME.search(f[0]) for f in _normalised_functions(index, p))
    ]
    if feature_like:
        return Verdict.passed(
            f"serving ({serving[0]}) and training ({training[0]}) both import {feature_like[0]}",
            [Evidence(serving[0]), Evidence(training[0]), Evidence(feature_like[0])],
        )
    builds_pipeline = facts.text_search(index, training, _PIPELINE_BUILD)
    loads_artefact = facts.text_search(index, serving + sorted(serve_reach), _ARTEFACT_LOAD)
    if builds_pipeline and loads_artefact:
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
