"""Modeling-stage rules: pipeline, notebooks, tests, pins, seeds, evaluation, registry, tooling."""

from __future__ import annotations

import ast
import bisect
import functools
import itertools
from collections.abc import Iterator
from typing import Any

from mlscaffold.score.budget import tick
from mlscaffold.score.judge.rules import facts, notebooks, rule
from mlscaffold.score.judge.rules.data import DATASET_CLASS, LOADERS
from mlscaffold.score.model import Evidence, Status, Verdict, closed
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import Located, RepoIndex
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.readers.deps import kind_of
from mlscaffold.score.read.readers.python import last_name
from mlscaffold.score.read.scan import CodePattern

ORCHESTRATORS = (
    "kedro",
    "zenml",
    "prefect",
    "airflow",
    "metaflow",
    "dagster",
    "kfp",
    "flytekit",
    "luigi",
    "sagemaker.workflow",
    "mlflow.projects",
    "hamilton",
    "ploomber",
    "azureml.pipeline",
    "azure.ai.ml.dsl",
    "tfx",
    "sagemaker.workflow",
)


_DVC_STAGE = lazy(r"^\s{2,4}[\w-]+:\s*$", linear.M)
_DVC_METRICS = lazy(r"^\s*metrics:", linear.M)
_DVC_MODEL_OUT = lazy(r"outs:[^\n]*\n(\s+-[^\n]*\n)*\s+-\s*\S*model")
# A version written with the model: a metadata key ("model_version": ...,
# job_info["torch_version"]) or a version in the artefact's path (f"models/churn_v{n}.pkl").
# A key, not a value (action="version"); not packaging's version.parse, a library's
# __version__ or an argparse "--version" flag. A run's id in the metadata ("run_id": ...)
# names the folder each run saves its model into: a version too.
_VERSION_KEY = lazy(
    r"""(^|[\[{,(\s])["']([a-z][\w.]*_)?version(_[\w.]*)?["'][ \t]*[\]:,)]|[/_-]v\{|"""
    r"""["'](run|model)_id["'][ \t]*:"""
)
_WRITES_METADATA = lazy(r"json\.dump|write_text|yaml")
_PARAMS_WORD = lazy(r"\bparams\b")
_METRICS_WORD = lazy(r"\bmetrics\b")
_LINT_SECTION = lazy(r"^\[(flake8|mypy|pylint|isort|tool:isort)", linear.M)


# Steps declared to an orchestrator: a flow of one task is a script with extra steps.
_ORCHESTRATED_STEP = lazy(
    r"^[ \t]*@(task|step|op|asset|component|dsl\.component|node|pipeline_step)\b|"
    r"\b[Nn]ode\s*\(\s*(func\s*=\s*)?\w|\b(PythonOperator|BashOperator|KubernetesPodOperator|"
    r"PythonScriptStep|ProcessingStep|TrainingStep|ExampleGen|CsvExampleGen|Trainer|Transform|"
    r"Evaluator|ContainerOp)\s*\(",
    linear.M,
)
_DATAMODULE_RUN = lazy(r"\.(fit|test|validate)\s*\([^)]*\bdatamodule\s*=")
# A shell script or Makefile line that runs one of the project's Python modules.
# A Python command in a script, a Makefile (also through a variable, $(PYTHON) -m ...) or an
# invoke task's c.run("python -m ...").
_RUNS_MODULE = lazy(
    r"(?:(?:\bpython\d?|\$[({]\w*PY\w*[)}])(?:[ \t]+-[uOBbsSEIq]+)*(?:\s+-m)?|"
    # distributed launchers run a training script the same way: torchrun --nproc_per_node=1
    r"\b(?:torchrun|accelerate[ \t]+launch|deepspeed)(?:[ \t]+--[\w-]+(?:[= ][^\s-]\S*)?)*)\s+"
    # a package named by a variable: python -m {PROJECT}.train, python ${SRC}/train.py
    r"(?:\{\w+\}[./]|\$\{?\w+\}?[./])?([\w./-]+)"
)


_DVC_CMD = lazy(r"^[ \t]*cmd:[ \t]*(.*)$", linear.M)


_MAX_SCRIPTS_CHECKED = 20
_MISSING_SHOWN = 3


def _missing_scripts(index: RepoIndex, dvc: str) -> list[str]:
    """The first few Python scripts dvc.yaml's commands run (python src/train.py) that the
    repository has nowhere: not at that path, nor under a stage's ``wdir`` or a ``cd DIR &&``
    (a file whose path ends with it)."""
    checked: dict[str, bool] = {}
    for cmd in _DVC_CMD.finditer(dvc):
        for run in _RUNS_MODULE.finditer(cmd.group(1)):
            tick()
            script = run.group(1).removeprefix("./")
            if not script.endswith(".py") or script in checked:
                continue
            tail = "/" + script
            same_name = index.paths.named(script.rpartition("/")[2].lower())
            checked[script] = script in index.by_path or any(
                f.path.endswith(tail) for f in same_name
            )
            missing = [s for s, found in checked.items() if not found]
            if len(missing) == _MISSING_SHOWN or len(checked) == _MAX_SCRIPTS_CHECKED:
                return missing
    return [s for s, found in checked.items() if not found]


@rule("training_pipeline")
def training_pipeline(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """Training as a pipeline: steps in modules of their own, and something that runs them in
    order (an orchestrator's flow of several steps, dvc stages, a module that calls the steps,
    a script or Makefile that runs them). One script doing it all is not a pipeline."""
    orchestrated = [u for u in index.importers_of(ORCHESTRATORS) if not index.is_test(u.path)]
    if orchestrated:
        steps = facts.text_search(index, index.production_python, _STEPS)
        ev = [Evidence(u.path, u.line, u.value) for u in orchestrated[:3]]
        if len(steps) >= 2 or any(_count(index, s.path) >= 2 for s in steps):
            return Verdict.passed(f"pipeline orchestrated with {orchestrated[0].value}", ev)
        return Verdict.partial(
            f"{orchestrated[0].value} is used, but its flow has fewer than two steps", ev
        )
    dvc = index.text("dvc.yaml") if "dvc.yaml" in index.by_path else None
    if dvc and len(_DVC_STAGE.findall(dvc)) >= 2 and "cmd:" in dvc:
        missing = _missing_scripts(index, dvc)
        if missing:  # `dvc repro` stops at the first stage whose script is not there
            return Verdict.partial(
                f"dvc.yaml defines pipeline stages, but runs scripts the repository does not "
                f"have ({', '.join(missing[:3])})",
                [Evidence("dvc.yaml", 1)],
            )
        return Verdict.passed("dvc.yaml defines pipeline stages", [Evidence("dvc.yaml", 1)])
    workflow = _spacy_workflow(index)
    if workflow:
        name, steps = workflow
        return Verdict.passed(
            f"project.yml's workflow '{name}' runs {len(steps)} steps in order, training among "
            f"them ({', '.join(steps[:5])})",
            [Evidence("project.yml", None, name)],
        )
    found: dict[str, str] = {}
    unproven: dict[str, None] = {}  # candidates that took no role, in order: stubs among them
    for role in ("split", "transform", "train", "evaluate"):
        candidates = facts.role_modules(index, role)
        if role == "train":  # train.py before model.py or deploy/serve_model.py
            strict = facts.role_modules(index, role, strict=True)
            candidates = strict + [p for p in candidates if p not in strict]
        for path in candidates:  # the first real module takes the role; stubs among the rest
            if role not in found and facts.has_real_code(index, path):
                found[role] = path
            else:
                unproven.setdefault(path)
    # Only the first few stubs are ever named, and none when three steps are found: each
    # stub test may parse a module (feast has dozens of transformation candidates).
    stubs = functools.cache(lambda: _first_stubs(index, list(unproven), 5))
    training = facts.training(index)
    if "train" not in found:  # decision_tree.py that calls .fit() is a train step by deed
        fit = next((t.path for t in training.code if facts.has_real_code(index, t.path)), None)
        if fit:
            found["train"] = fit
    ev = [Evidence(p, None, role) for role, p in found.items()]
    listed = ", ".join(f"{r} ({p})" for r, p in found.items())
    if len(set(found.values())) >= 3 and "train" in found:
        evaluation = found.get("evaluate")
        runner, unevaluated = _chained_by(index, set(found.values()), found["train"], evaluation)
        if runner:
            return Verdict.passed(f"steps in modules: {listed}; {runner} runs them in order", ev)
        if unevaluated:
            return Verdict.partial(
                f"steps in modules ({listed}); {unevaluated} runs the training but not the "
                f"evaluation ({evaluation}), which is left to be run by hand",
                [*ev, Evidence(unevaluated, None, "runs the training")],
            )
        dynamic = _dynamic_chain(index, training)
        if dynamic:
            runner, ran = dynamic
            return Verdict.passed(
                f"steps in modules: {listed}; {runner} imports and runs them in order "
                f"({', '.join(ran[:4])}{', ...' if len(ran) > 4 else ''})",
                [*ev, Evidence(runner, None, "runs the steps")],
            )
        chain = _entry_chain(index, training)
        if chain:  # the step modules by name are others (scripts/), the program is the pipeline
            return _entry_chain_verdict(*chain)
        return Verdict.partial(
            f"steps in modules ({listed}), but nothing runs them as a pipeline (no "
            "orchestrator, dvc.yaml, module, script or Makefile chaining them)",
            ev,
        )
    script = _script_chain(index, training) or _dynamic_chain(index, training)
    if script:
        runner, ran = script
        return Verdict.passed(
            f"{runner} runs {len(ran)} of the project's scripts in order, training among them "
            f"({', '.join(ran[:4])}{', ...' if len(ran) > 4 else ''})",
            [Evidence(runner)] + [Evidence(p) for p in ran[:4]],
        )
    chain = _entry_chain(index, training)
    if chain:
        return _entry_chain_verdict(*chain)
    if not training.code and training.notebooks:
        return Verdict.failed(
            f"training happens only in notebooks ({training.notebooks[0].path})",
            [Evidence(n.path, None, n.value) for n in training.notebooks[:3]],
        )
    if not found and stubs():
        return Verdict.failed(
            f"pipeline modules exist but are empty stubs: {', '.join(stubs()[:4])}",
            [Evidence(p) for p in stubs()[:5]],
        )
    if len(set(found.values())) == 1 and not stubs():
        (path,) = set(found.values())
        return Verdict.failed(f"one script ({path}) does it all: not a pipeline of steps", ev)
    if found:
        missing = [r for r in ("split", "transform", "train", "evaluate") if r not in found]
        note = f"; stubs: {', '.join(stubs()[:3])}" if stubs() else ""
        return Verdict.partial(
            f"only some steps are separate modules (missing {', '.join(missing)}){note}", ev
        )
    if not training.code:
        return Verdict.failed("no module trains a model (no fit/train call outside notebooks)")
    where = training.code[0]
    return Verdict.failed(
        f"one script ({where.path}) does it all: not a pipeline of steps",
        [Evidence(where.path, where.line, where.value)],
    )


def _first_stubs(index: RepoIndex, paths: list[str], limit: int) -> list[str]:
    """The first ``limit`` of ``paths`` that are stubs."""
    stubs: list[str] = []
    for path in paths:
        if len(stubs) == limit:
            break
        if facts.is_stub(index, path):
            stubs.append(path)
    return stubs


# The definitions a pipeline's steps consist of: a model, a dataset, a training loop.
_MODEL_CLASS = lazy(
    r"^class[ \t]+\w+\([ \t]*(?:nn\.Module|torch\.nn\.Module|(?:pl\.|L\.)?LightningModule|"
    r"(?:tf\.)?(?:keras\.)?Model|PreTrainedModel|BaseEstimator)\b",
    linear.M,
)
_TRAINING_LOOP = lazy(r"\.backward\(\s*\)|optimizer\.step\(|trainer\.(train|fit)\(")
_FRAMEWORK_FIT = lazy(r"\btrainer\.fit\(")
_FRAMEWORK_EVAL = lazy(r"\btrainer\.(test|validate)\(")
_MAX_ENTRIES = 40
# A program that runs training, by its name (main.py, run.py, train_*.py, *pipeline*.py):
# not a benchmark, an export or an evaluation script, nor a pipeline that predicts
# (inference_pipeline.py). One with a training loop of its own chains steps only over a
# dataset module and a network module of their own (see _entry_chain).
_ENTRY_NAME = lazy(
    r"(^|/)(main|run|cli|\w*pipeline\w*|train\w*|fit\w*|run_\w+|experiment\w*|\w+_train\w*)\.py$",
    linear.I,  # Main.py, Train.py
)
_NOT_TRAINING_ENTRY = lazy(r"(^|/)[^/]*(predict|infer|serv|scor|batch|eval)[^/]*$")
# An evaluation step in a module of its own (engine.test_step, evaluate(model, loader)) that
# puts the model in evaluation mode within its first lines: it evaluates as a metric call does,
# whatever it measures with (a `def test(self): pass` evaluates nothing).
_EVAL_NAME = (
    r"(async[ \t]+)?def[ \t]+(run_)?(test|eval|evaluate|evaluation|validate|validation|valid|val)"
    r"(_step|_epoch|_one_epoch|_loop|_model)?[ \t]*\([^)]*\)[^:\n]*:[^\n]*\n"
)
_EVAL_MODE = r"(\.eval\(\s*\)|no_grad|inference_mode)"
_EVAL_STEP = lazy(
    # a function (its body: the indented lines after it), a method (lines indented twice, for
    # four-space or two-space code), or one decorated to run without gradients
    rf"^{_EVAL_NAME}(?:([ \t]+[^\n]*)?\n){{0,40}}?[ \t]+[^\n]*{_EVAL_MODE}"
    rf"|^(    |\t){_EVAL_NAME}(?:(        |\t\t)[^\n]*\n|[ \t]*\n){{0,40}}?"
    rf"(        |\t\t)[^\n]*{_EVAL_MODE}"
    rf"|^  {_EVAL_NAME}(?:    [^\n]*\n|[ \t]*\n){{0,40}}?    [^\n]*{_EVAL_MODE}"
    rf"|^[ \t]*@(torch\.)?(no_grad|inference_mode)\(\)[^\n]*\n[ \t]*{_EVAL_NAME}",
    linear.M,
)
_OWN_LOOP = lazy(r"\.backward\(\s*\)|optimizer\.step\(|\bfor\s+\w+\s+in\s+range\(\s*[\w.]*epoch")


def _entry_chain_verdict(entry: str, steps: list[tuple[str, str]]) -> Verdict:
    return Verdict.passed(
        f"{entry} runs steps kept in modules of their own: "
        + ", ".join(f"{role} ({p})" for role, p in steps),
        [Evidence(entry, None, "runs the steps")] + [Evidence(p, None, r) for r, p in steps],
    )


def _entry_chain(index: RepoIndex, training: facts.TrainingFacts) -> tuple | None:
    """(entry module, [(role, module)]) when a program (a module with a ``__main__`` block, or
    a training script doing its work at module level) runs training whose steps live in
    modules of their own: through its imports, the data is loaded in one module, a model is
    trained in another, and something evaluates it (a train.py chaining data_setup,
    model_builder and engine). None otherwise: one script doing
    it all is no pipeline, nor is a training script holding its own loop or fitting its own
    model over utility modules (reviewers call that one large script)."""
    if not training.code:
        return None
    loads = index.code_matches(LOADERS) or {}  # DA005's, read in the same pass
    metrics = index.code_matches(_METRIC_CALL) or {}
    trains = {h.path for h in training.code}
    # A program: a module with a __main__ block, or a training script run top to bottom
    # (going_modular's train.py calls data_setup, model_builder and engine at module level;
    # a trainer.py holding only a class runs nothing).
    from mlscaffold.score.judge.rules.deployment import runs_code

    programs = [p.path for p in facts.text_search(index, index.production_python, facts.MAIN_BLOCK)]
    programs += [
        p
        for p in dict.fromkeys(h.path for h in training.code)
        if p not in programs and _ENTRY_NAME.search(p) and runs_code(index, p)
    ]
    entries = [
        p
        for p in programs
        if _ENTRY_NAME.search(p)
        and not (_NOT_TRAINING_ENTRY.search(p) and "train" not in p.rsplit("/", 1)[-1])
        and not p.endswith("__init__.py")
        and index.is_production_code(p)
    ]
    for entry in entries[:_MAX_ENTRIES]:
        tick()
        # A program with its own training loop chains steps only when the data and the model
        # both come from modules of their own (train.py looping over dataset.py's loader
        # with model.py's network); over utility modules it is one large script.
        own_loop = _defines(index, entry, _OWN_LOOP) or _fits_itself(index, entry)
        reached = sorted(
            p
            for p in facts.internal_imports(index, [entry]) | _instantiated(index, entry)
            if index.is_production_code(p)
        )
        # The data step: a dataset module before one that only loads (an inference helper
        # reading a file is no data step of training).
        data = (
            next((p for p in reached if _defines(index, p, DATASET_CLASS)), None)
            or next((p for p in reached if p in loads and not _NOT_TRAINING_ENTRY.search(p)), None)
            or next((p for p in reached if p in loads), None)
        )
        if data is None:
            continue
        model = next((p for p in reached if p != data and _defines(index, p, _MODEL_CLASS)), None)
        framework = _defines(index, entry, _FRAMEWORK_FIT) and _defines(
            index, entry, _FRAMEWORK_EVAL
        )
        if framework:
            # train.py giving a LightningModule to trainer.fit, then trainer.test: the steps
            # are the data and model modules (one module may hold both) and the framework's
            # loops the entry starts, evaluation among them.
            model = model or next((p for p in reached if _defines(index, p, _MODEL_CLASS)), None)
        if own_loop:
            # ...library modules, not other programs (export.py, train_lightgbm.py), and a
            # network, not a loss (losses.py's FocalLoss(nn.Module))
            model = next((p for p in reached if p != data and _defines_a_network(index, p)), None)
            if (
                model is None
                or _a_program(index, model, trains)
                or _a_program(index, data, trains)
                or _defines(index, entry, _MODEL_CLASS)
            ):
                continue
            trainer: str | None = entry
        elif framework and model:
            trainer = entry
        else:
            trainer = next(
                (p for p in reached if p != data and _trains_a_model(index, p, trains)), None
            )
        if trainer and any(
            p in metrics or (p != entry and _defines(index, p, _EVAL_STEP))
            for p in [entry, *reached]
        ):
            steps = [("data", data)] + ([("model", model)] if model else [])
            steps.append(("train", trainer))
            return entry, steps
    return None


_NOT_A_NETWORK = lazy(r"(Loss|Criterion|Metric|Metrics)$")
_LOSS_MODULE = lazy(r"(^|/)(loss|losses|criterion|metric|metrics)[^/]*\.py$")
# What makes a module with a __main__ block a program of its own: it reads a command line.
_COMMAND_LINE = lazy(r"\bArgumentParser\s*\(|\bsys\.argv\b|\bclick\.|\btyper\.|\bfire\.Fire\s*\(")


def _defines_a_network(index: RepoIndex, path: str) -> bool:
    """Whether a module defines a model class that is not a loss or a metric."""
    if _LOSS_MODULE.search(path):
        return False
    code = index.code(path) or ""
    for m in itertools.islice(linear.compiled(_MODEL_CLASS).finditer(code), 50):
        name = m.group(0).split()[1].split("(")[0]
        if not _NOT_A_NETWORK.search(name):
            return True
    return False


def _a_program(index: RepoIndex, path: str, trains: set[str]) -> bool:
    """Whether a module is a program of its own (it trains, or its __main__ block reads a
    command line), not a library module with a self-check at its end."""
    if path in trains:
        return True
    programs = index.code_matches(facts.MAIN_BLOCK) or {}
    return path in programs and bool(_COMMAND_LINE.search(index.code(path) or ""))


def _instantiated(index: RepoIndex, entry: str) -> set[str]:
    """The repository modules a Hydra entry builds from its configuration
    (``hydra.utils.instantiate(cfg.data)`` with ``_target_: data.MNISTDataModule``): steps it
    runs without importing them."""
    if not _defines(index, entry, _INSTANTIATES):
        return set()
    if "hydra_targets" not in index.memo:
        targets: set[str] = set()
        yaml_configs = [p for p in index.config_files if p.endswith((".yaml", ".yml"))]
        for path in yaml_configs[:_MAX_HYDRA_CONFIGS]:
            tick()
            text = index.text(path) or ""
            for m in itertools.islice(linear.compiled(_TARGET).finditer(text), 100):
                targets.add(m.group(1).rpartition(".")[0])
        index.memo["hydra_targets"] = targets
    folder = entry.rpartition("/")[0]
    found = set()
    for module in index.memo["hydra_targets"]:
        beside = f"{folder}/{module.replace('.', '/')}.py" if folder else ""
        path = beside if beside in index.by_path else index.local_modules.get(module)
        if path:
            found.add(path)
    return found


_INSTANTIATES = lazy(r"\binstantiate\(")
_TARGET = lazy(r"^[ \t-]*_target_[ \t]*:[ \t]*[\"']?([\w.]+)", linear.M)
_MAX_HYDRA_CONFIGS = 60


_STEP_RUNNERS = ["*.sh"]  # a Makefile's targets are run one at a time, not in order
_MIN_SCRIPTS = 3


def _script_chain(index: RepoIndex, training: facts.TrainingFacts) -> tuple | None:
    """(runner, scripts) when a shell script runs three or more of the project's own scripts
    in order, one of them training after one that loads the data (run.sh: S1_denoise.py,
    S2_features.py, ..., S5_lgb_main.py): the steps are modules and the runner the pipeline."""
    trains = {h.path for h in training.code}
    if not trains:
        return None
    loads = index.code_matches(LOADERS) or {}
    for runner in index.glob(_STEP_RUNNERS)[:_MAX_ENTRIES]:
        tick()
        text = index.text(runner.path) or ""
        if _CASE_ARMS.search(text):
            continue  # `case "$1" in prep) ... train) ...`: one step a call, not in order
        folder = runner.path.rpartition("/")[0]
        ran: list[str] = []
        for m in itertools.islice(linear.compiled(_RUNS_MODULE).finditer(text), 200):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if _NOT_RUN.search(text[line_start : m.start()]):
                continue  # a comment or an echo names the script; nothing runs it
            name = m.group(1).removeprefix("./")
            module = name if name.endswith(".py") else name.replace(".", "/") + ".py"
            for path in (f"{folder}/{module}" if folder else module, module):
                if path in index.by_path and path not in ran:
                    ran.append(path)
                    break
        if _steps_in_order(index, ran, trains, loads):
            return runner.path, ran
    return None


# A Python runner importing its steps by name: importlib.import_module(name) or runpy over a
# list of the project's module names ("prepare_data", "train_cox_model", ...).
_IMPORTS_BY_NAME = lazy(r"\bimport_module\s*\(|\brunpy\.run_(module|path)\s*\(")
_NAME_LITERAL = lazy(r"""["']([A-Za-z_][\w.]{1,80})["']""")


def _dynamic_chain(index: RepoIndex, training: facts.TrainingFacts) -> tuple | None:
    """(runner, modules) when a Python program named as an entry (pipeline.py, main.py)
    imports its steps by name, three or more of the project's modules in order, one that
    trains after one that loads the data: the same pipeline a shell runner would be."""
    trains = {h.path for h in training.code}
    if not trains:
        return None
    loads = index.code_matches(LOADERS) or {}
    entries = [p for p in index.production_python if _ENTRY_NAME.search(p)]
    for runner in entries[:_MAX_ENTRIES]:
        tick()
        code = index.code(runner) or ""
        if not _IMPORTS_BY_NAME.search(code):
            continue
        folder = runner.rpartition("/")[0]
        ran: list[str] = []
        for m in itertools.islice(_NAME_LITERAL.finditer(code), 200):
            module = m.group(1).removesuffix(".py").replace(".", "/") + ".py"
            for path in (f"{folder}/{module}" if folder else module, module):
                if path in index.by_path and path != runner and path not in ran:
                    ran.append(path)
                    break
        if _steps_in_order(index, ran, trains, loads):
            return runner, ran
    return None


_CASE_ARMS = lazy(r"^[ \t]*case[ \t][^\n]*[ \t]in[ \t]*$", linear.M)
_NOT_RUN = lazy(r"#|\b(echo|printf)\b")


def _steps_in_order(
    index: RepoIndex, ran: list[str], trains: set[str], loads: dict[str, Located]
) -> bool:
    """Whether a runner's modules, in the order it runs them, are a pipeline: three or more,
    one that loads the data before the first that trains (ten training scripts in a row are
    ten models, not a pipeline)."""
    first = next((i for i, p in enumerate(ran) if _runs_training(index, p, trains)), None)
    return len(ran) >= _MIN_SCRIPTS and first is not None and any(p in loads for p in ran[:first])


def _runs_training(index: RepoIndex, path: str, trains: set[str]) -> bool:
    """A script that trains, itself or through a module it imports (S5_lgb_main.py calling
    utils.train_lgb). Asked once per script: runners repeat their scripts."""
    memo = index.memo.setdefault("runs_training", {})
    if path not in memo:
        found = path in trains
        for ref in index.imports.get(path, ()) if not found else ():
            tick()
            if trains.intersection(index.resolve_import_targets(path, ref)):
                found = True
                break
        memo[path] = found
    return memo[path]


def _trains_a_model(index: RepoIndex, path: str, trains: set[str]) -> bool:
    """A training loop, or a training call on a model (not a scaler's fit)."""
    if _defines(index, path, _TRAINING_LOOP):
        return True
    return path in trains and notebooks.fits_a_model(index, Located(path, None, ""))


def _fits_itself(index: RepoIndex, path: str) -> bool:
    """Whether a program fits a model object itself (``model.fit(X, y)``); handing the model
    to a framework's trainer (``trainer.fit(model, datamodule)``) is running a step."""
    memo = index.memo.setdefault("fits_itself", {})
    if path not in memo:
        code = index.code(path) or ""
        # engine.train(model, ...) calls a step module's function: that is delegation.
        refs = index.imports.get(path, ())
        modules = {n for r in refs for n in (r.module.rsplit(".", 1)[-1], *r.names)}
        memo[path] = any(
            not m.group(3)
            and m.group(1) not in modules
            and m.group(1).lower() not in _FRAMEWORK_TRAINERS
            and not notebooks.preprocessor_name(m.group(1))
            and not code[code.rfind("\n", 0, m.start()) + 1 : m.start()].lstrip().startswith("#")
            for m in itertools.islice(linear.compiled(notebooks.FIT_CALL).finditer(code), 50)
        )
    return memo[path]


_FRAMEWORK_TRAINERS = frozenset({"trainer", "pl_trainer", "self", "accelerator", "learner"})


def _defines(index: RepoIndex, path: str, pattern: Any) -> bool:
    """Whether ``pattern`` occurs in the module, asked once per module and pattern (the
    entries of a large repository reach the same modules)."""
    memo = index.memo.setdefault("defines", {})
    key = (path, id(pattern))
    if key not in memo:
        memo[key] = linear.compiled(pattern).search(index.code(path) or "") is not None
    return memo[key]


def _count(index: RepoIndex, path: str) -> int:
    code = index.code(path) or ""
    return sum(1 for _ in linear.compiled(_ORCHESTRATED_STEP).finditer(code))


def _chained_by(
    index: RepoIndex, steps: set[str], train: str, evaluation: str | None = None
) -> tuple[str | None, str | None]:
    """(what runs two or more of the ``steps`` modules, training among them: a module importing
    them (a pipeline module, or a train step that loads the data and builds the features
    itself), a runner program reaching them through its imports, or a shell script or
    Makefile running them, or None when nothing does; the first runner that trains but
    never reaches the ``evaluation`` step, or None). An inference pipeline or a service that
    reuses the data and feature modules chains no training."""
    for path in index.production_python:
        if _serves(index, path) or path.endswith("__init__.py"):
            # a service importing the model loader beside the training code; a package's
            # __init__ gathering its modules' names (importing is not running)
            continue
        tick()
        imported = set(_imported_by(index, [path])) | _reexports_taken(index, path)
        imported.discard(path)
        if len(imported & steps) >= 2 and (path == train or train in imported):
            return path, None
    # A runner program (run.py, main.py, *pipeline*.py with a __main__ block) that reaches two
    # or more steps and the training through its imports runs them: run.py -> exp_main -> the
    # data, model and metrics modules.
    entry = _entry_reaching(index, steps)
    if entry:
        return entry, None
    # Lightning's Trainer runs a DataModule, training and testing in order (sorted: a set's
    # order changes from run to run, and the evidence must not).
    for path in sorted(steps):
        if linear.compiled(_DATAMODULE_RUN).search(index.code(path) or ""):
            return f"{path} (a Trainer given the data module)", None
    names = {p.rsplit("/", 1)[-1][:-3]: p for p in steps}
    train_name = train.rsplit("/", 1)[-1][:-3]
    # A runner that trains but leaves the project's evaluation step to be run by hand chains
    # half the pipeline (ci.yml: preprocess.py, train.py; evaluate.py never).
    evaluate = evaluation.rsplit("/", 1)[-1][:-3] if evaluation else None
    unevaluated = None
    for runner in index.glob(_STEP_RUNNER_FILES)[:_MAX_RUNNERS]:
        tick()
        text = index.text(runner.path) or ""
        ran = {
            m.group(1).replace("/", ".").removesuffix(".py").rsplit(".", 1)[-1]
            for m in linear.compiled(_RUNS_MODULE).finditer(text)
        }
        # The steps a run module imports run too (`make data` runs build.py, which splits
        # with splits.py).
        by_stem = _modules_by_stem(index)
        # Serving and inference modules reuse the data and feature steps without chaining
        # any training.
        run_paths = [
            p
            for n in sorted(ran - set(names))
            if not _SERVING_STEM.search(n)
            for p in by_stem.get(n, ())[:5]
        ][:50]
        imported = _imported_by(index, run_paths)
        # The evaluation may run inside what the runner runs (train.py importing evaluation.py,
        # an evaluation_pipeline module computing the metrics itself).
        stepped = [names[n] for n in ran & set(names)]
        reach = {*stepped, *run_paths, *imported, *_imported_by(index, stepped)}
        evaluated = (
            not evaluate
            or evaluate in ran
            or names[evaluate] in reach
            or not reach.isdisjoint(index.code_matches(_METRIC_CALL) or {})
        )
        if train_name in ran and len(ran & set(names)) >= 2:
            if evaluated:
                return runner.path, None
            unevaluated = unevaluated or runner.path
        covered = (ran & set(names)) | {n for n, p in names.items() if p in imported}
        # A step the runner starts may train through the training module (a scheduled
        # workflow's `python -m pipelines.retrain_if_needed` importing pipelines.train).
        if len(covered) >= 2 and train_name in covered:
            if evaluated or evaluate in covered:
                return runner.path, None
            unevaluated = unevaluated or runner.path
    return None, unevaluated


# Files that run the steps one after another: task runners and shell scripts, CI workflows
# whose jobs run them (a daily workflow: ingest, evaluate, retrain, forecast), and MLflow
# Projects' entry points (a full_pipeline entry: `python a.py && python b.py && ...`).
_STEP_RUNNER_FILES = [
    "Makefile", "*.sh", "*.mk", "justfile", "Taskfile.yml", "tasks.py", "tasks/*.py",
    ".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", "MLproject",
]  # fmt: skip


# A program named for running the whole (not train.py: a training script that imports the data
# and feature modules is one step run by hand, the evaluation another).
_RUNNER_NAME = lazy(r"(^|/)(main|run|run_\w+|\w*pipeline\w*|experiment\w*)\.py$", linear.I)
_SERVING_PART = lazy(r"(^|/)(app|api|apps|serving|server|frontend|web)/")
_TOP_LEVEL_ARGS = lazy(r"^\w+[ \t]*=[ \t]*[\w.()]*parse(_known)?_args\(", linear.M)
_MAX_RUNNER_ENTRIES = 10


def _serves(index: RepoIndex, path: str) -> bool:
    """Whether a module is the service's or inference's side: a web app or batch predictor,
    named for inference, or in an app/api/serving folder."""
    if "serving_side" not in index.memo:
        from mlscaffold.score.judge.rules.deployment import serving_modules

        web, batch, _ = serving_modules(index)
        index.memo["serving_side"] = set(web) | set(batch)
    return (
        path in index.memo["serving_side"]
        or _NOT_TRAINING_ENTRY.search(path) is not None
        or _SERVING_PART.search(path) is not None
    )


def _app_only(index: RepoIndex, path: str) -> bool:
    """Whether a module is a web app that trains and saves no model (a Streamlit or FastAPI
    front end): what it logs, measures or uploads is about predictions, not training runs. (A
    BentoML script that saves a trained model to its store is no front end.)"""
    if "app_only" not in index.memo:
        from mlscaffold.score.judge.rules.deployment import web_apps

        trains = {h.path for h in facts.training(index).code}
        index.memo["app_only"] = {
            p
            for p in web_apps(index)
            if p not in trains
            and not facts.saves_a_model(index, p)
            # a front end whose Train button runs the training module is a trainer
            and not trains.intersection(facts.internal_imports(index, [p]))
        }
    return path in index.memo["app_only"]


def _entry_reaching(index: RepoIndex, steps: set[str]) -> str | None:
    """The first program named like a pipeline's runner that reaches, through its imports, two
    or more of ``steps`` and a module that trains. Not a service or an inference program
    (app/main.py imports the model loader that sits beside the training code: importing is
    not running), and only the first few runners (each walk of the imports costs)."""
    hits = facts.training(index).code
    if not hits:
        return None
    # a model's training, not a scaler fitted by a preprocessing module the runner imports
    trainers: dict[str, Located] = {h.path: h for h in hits}
    entries = [
        p.path
        for p in facts.text_search(index, index.production_python, facts.MAIN_BLOCK)
        if _RUNNER_NAME.search(p.path) and not _serves(index, p.path)
    ]
    # A script run as it is: main.py parsing its arguments at module level, no __main__ block.
    named = (p for p in index.production_python if _RUNNER_NAME.search(p) and p not in entries)
    entries += itertools.islice(
        (p for p in itertools.islice(named, _MAX_RUNNER_ENTRIES) if not _serves(index, p)
         and _defines(index, p, _TOP_LEVEL_ARGS)),
        max(0, _MAX_RUNNER_ENTRIES - len(entries)),
    )  # fmt: skip
    for entry in entries[:_MAX_RUNNER_ENTRIES]:
        tick()
        reached = facts.internal_imports(index, [entry]) | {entry}
        if len(reached & steps) >= 2 and any(
            notebooks.fits_a_model(index, trainers[p]) for p in sorted(reached & trainers.keys())
        ):
            return entry
    return None


def _modules_by_stem(index: RepoIndex) -> dict[str, list[str]]:
    """Production modules by file name without .py (what `python -m a.b.build` names last)."""
    if "modules_by_stem" not in index.memo:
        by_stem: dict[str, list[str]] = {}
        for p in index.production_python:
            by_stem.setdefault(p.rsplit("/", 1)[-1][:-3], []).append(p)
        index.memo["modules_by_stem"] = by_stem
    return index.memo["modules_by_stem"]


_MAX_PACKAGES = 20


def _reexports_taken(index: RepoIndex, path: str) -> set[str]:
    """The modules a module reaches through the names it takes from packages
    (`from pkg.modeling import train_model`, which pkg/modeling/__init__.py imports from
    .train): only the names taken, so `from pkg import logger` reaches no step."""
    found: set[str] = set()
    refs = [r for r in index.imports.get(path, ()) if r.names][:_MAX_PACKAGES]
    for ref in refs:
        for target in index.resolve_import_targets(path, ref):
            if target.endswith("__init__.py"):
                found |= _reexported(index, target, ref.names)
    return found


def _reexported(index: RepoIndex, package: str, names: tuple[str, ...]) -> set[str]:
    """The modules a package's __init__ imports the given names from (under those names or
    as them: `from .train import main as train_model`)."""
    table = _reexport_table(index, package)
    found: set[str] = set()
    for name in names:
        tick()
        found |= table.get(name, frozenset())
    return found


def _reexport_table(index: RepoIndex, package: str) -> dict[str, frozenset[str]]:
    """Each name a package's __init__ imports (or a word of its import's line: an alias) ->
    the modules it comes from; built once a package, each line's words read once, so that
    importers asking for different names cost a lookup each."""
    memo = index.memo.setdefault("reexports", {})
    if package not in memo:
        lines = (index.code(package) or "").splitlines()
        words_of: dict[int, set[str]] = {}
        table: dict[str, set[str]] = {}
        for ref in index.imports.get(package, ())[: _MAX_PACKAGES * 10]:
            tick()
            if ref.line not in words_of:
                text = lines[ref.line - 1] if 0 < ref.line <= len(lines) else ""
                words_of[ref.line] = set(_WORDS.findall(text[:_MAX_IMPORT_LINE]))
            targets = index.resolve_import_targets(package, ref)
            for word in set(ref.names) | words_of[ref.line]:
                table.setdefault(word, set()).update(targets)
        memo[package] = {word: frozenset(found) for word, found in table.items()}
    return memo[package]


_WORDS = lazy(r"\b\w+\b")
_MAX_IMPORT_LINE = 2000  # characters of an import's line read for its aliases


def _direct_imports(index: RepoIndex, path: str) -> set[str]:
    """The repository modules one module imports directly."""
    return {
        target
        for ref in index.imports.get(path, ())
        for target in index.resolve_import_targets(path, ref)
    }


def _imported_by(index: RepoIndex, paths: list[str]) -> set[str]:
    """The repository modules ``paths`` import directly (each module's resolved once a run:
    runners repeat the modules they run)."""
    memo = index.memo.setdefault("imported_by", {})
    found: set[str] = set()
    for path in paths:
        if path not in memo:
            tick()
            memo[path] = frozenset(_direct_imports(index, path))
        found |= memo[path]
    return found


_MAX_RUNNERS = 200
_SERVING_STEM = lazy(r"^(serve|serving|server|app|api|predict\w*|infer\w*|inference|score|demo)$")


_ASSERT_CALL = lazy(r"^(assert\w*|raises|fail\w*|check\w*|expect\w*|verify\w*|approx)$")


def _meaningful(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert):
            if not isinstance(node.test, ast.Constant) and not _checks_a_path(node.test):
                return True
        elif isinstance(node, ast.Call):
            f = node.func
            name = (
                f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            )
            if _ASSERT_CALL.match(name) and not _placeholder(name, node):
                return True
    return False


_PATH_CHECKS = frozenset({"exists", "is_file", "is_dir", "isfile", "isdir"})
# unittest's assertions that only say something came out, whatever they are given; and
# subprocess's check_* helpers, which run a command (their names look like checks).
_SMOKE_CALLS = frozenset({"assertIsNotNone", "assertIsInstance"})
_RUNS_A_COMMAND = frozenset({"check_output", "check_call", "check_returncode"})


def _only_smoke(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether every check of a test only says something came out: ``x is not None``, a
    non-empty length, a bare truthy value, a type, a success status code, a key in a reply.
    Such a smoke test shows the code runs, not that it does the right thing (reviewers:
    partial). A file the code wrote that a test checks is its output, checked (not smoke)."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert):
            if not _smoke_expr(node.test):
                return False
        elif isinstance(node, ast.Call):
            name = last_name(node.func) or ""
            if not _ASSERT_CALL.match(name) or name in _SMOKE_CALLS or name in _RUNS_A_COMMAND:
                continue
            if name == "assertTrue" and node.args and _smoke_expr(node.args[0]):
                continue  # assertTrue(model), assertTrue(len(x) > 0)
            pair = _two_arguments(node)
            if (
                name in ("assertEqual", "assertEquals")
                and pair
                and _smoke_expr(ast.Compare(left=pair[0], ops=[ast.Eq()], comparators=[pair[1]]))
            ):
                continue  # assertEqual(response.status_code, 200)
            if (
                name == "assertIn"
                and pair
                and _smoke_expr(ast.Compare(left=pair[0], ops=[ast.In()], comparators=[pair[1]]))
            ):
                continue  # assertIn("prediction", response.json())
            if name == "assertGreater" and len(node.args) == 2 and _non_empty(*node.args):
                continue  # assertGreater(len(x), 0)
            return False
    return True


def _two_arguments(call: ast.Call) -> tuple[ast.expr, ast.expr] | None:
    """The two values a unittest assertion compares, given by position (a message may follow)
    or as first= and second=."""
    if len(call.args) >= 2:
        return call.args[0], call.args[1]
    named = {k.arg: k.value for k in call.keywords}
    if "first" in named and "second" in named:
        return named["first"], named["second"]
    return None


def _smoke_expr(test: ast.expr) -> bool:
    if isinstance(test, (ast.Name, ast.Attribute)):
        return True  # assert model
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Attribute) and test.operand.attr == "empty"
    if isinstance(test, ast.BoolOp):
        return all(_smoke_expr(v) for v in test.values)
    if isinstance(test, ast.Call):
        name = last_name(test.func) or ""
        # httpx.codes.is_success(response.status_code): the request went through
        return name in ("isinstance", "callable", "hasattr", "len") or (
            name in _STATUS_PREDICATES and any(_is_status(a) for a in test.args)
        )
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, right, left = test.ops[0], test.comparators[0], test.left
        if isinstance(op, (ast.IsNot, ast.NotEq)) and _is_none(right):
            return True  # x is not None
        if (_is_status(left) and _success(op, right)) or (
            _is_status(right) and isinstance(op, ast.Eq) and _success(op, left)
        ):
            return True  # response.status_code == 200: the service answered, whatever it said
        if isinstance(op, ast.In) and _is_key(left) and _is_reply(right):
            return True  # "prediction" in response.json(): a key is there, any value
        return _non_empty(left, right, op)
    return False


_STATUS_PREDICATES = frozenset(("is_success", "is_ok", "is_2xx"))
_REPLY_NAMES = frozenset(("response", "resp"))
# Success codes by name: FastAPI's and DRF's status.HTTP_200_OK, http.HTTPStatus.OK.
_STATUS_NAMES = {"HTTP_200_OK": 200, "HTTP_201_CREATED": 201, "OK": 200, "CREATED": 201}


def _status_code(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Attribute):
        return _STATUS_NAMES.get(node.attr)
    return None


def _is_status(node: ast.expr) -> bool:
    """An HTTP reply's status: ``response.status_code``, ``resp.status`` (aiohttp)."""
    if not isinstance(node, ast.Attribute):
        return False
    if node.attr == "status_code":
        return True
    return (
        node.attr == "status"
        and isinstance(node.value, ast.Name)
        and (node.value.id in _REPLY_NAMES)
    )


def _success(op: ast.cmpop, right: ast.expr) -> bool:
    """Whether ``status OP right`` asks only for success: == 200, in (200, 201), < 300. An
    error code asked for (== 422 on bad input) tests the service's behaviour."""
    values = right.elts if isinstance(right, (ast.Tuple, ast.List, ast.Set)) else [right]
    codes = [_status_code(v) for v in values]
    codes = [c for c in codes if c is not None]
    if len(codes) != len(values) or not codes:
        return False
    if isinstance(op, (ast.Lt, ast.LtE)):
        return codes[0] in (300, 299)
    return isinstance(op, (ast.Eq, ast.In)) and all(200 <= c < 300 for c in codes)


def _is_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_reply(node: ast.expr) -> bool:
    """A service's JSON reply: ``response.json()``, ``data.keys()`` (a variable named
    ``response`` may hold an LLM's answer, whose words a test rightly checks)."""
    return isinstance(node, ast.Call) and last_name(node.func) in ("json", "keys")


# len(x) >= 1, len(x) != 0 (and the vacuous len(x) >= 0): only "not empty"
_NON_EMPTY = ((ast.GtE, (0, 1)), (ast.NotEq, (0,)))


def _non_empty(left: ast.expr, right: ast.expr, op: ast.cmpop | None = None) -> bool:
    """Whether ``left OP right`` only says something is there: anything above zero (a
    count, a row total: assertGreater(n, 0)), or a length of at least one."""
    if not isinstance(right, ast.Constant) or isinstance(right.value, bool):
        return False
    if op is None or isinstance(op, ast.Gt):  # assertGreater(n, 0), n > 0
        return right.value == 0
    if not (isinstance(left, ast.Call) and last_name(left.func) == "len"):
        return False
    return any(isinstance(op, kind) and right.value in values for kind, values in _NON_EMPTY)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _checks_a_path(test: ast.expr) -> bool:
    """``assert Path("src/train.py").exists()``, ``os.path.isfile("configs/a.yaml")``: the
    repository's layout, not its code. A path the code made (``tmp_path / "model.joblib"``,
    a variable) is an output the test checks."""
    if not isinstance(test, ast.Call):
        return False
    f = test.func
    if (f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")) not in _PATH_CHECKS:
        return False
    if test.args:  # os.path.exists("x")
        return all(isinstance(a, ast.Constant) for a in test.args)
    owner = f.value if isinstance(f, ast.Attribute) else None  # Path("x").exists()
    return (
        isinstance(owner, ast.Call)
        and bool(owner.args)
        and all(isinstance(a, ast.Constant) for a in owner.args)
    )


def _placeholder(name: str, call: ast.Call) -> bool:
    """``assertTrue(False)``, ``assertEqual(1, 1)``, ``pytest.fail("todo")``: a call given only
    constants checks nothing about the code (``mock.assert_called_once()`` has no arguments
    and does)."""
    args = [*call.args, *(k.value for k in call.keywords)]
    constant = all(isinstance(a, ast.Constant) for a in args)
    return constant and (bool(args) or name.startswith("fail"))


# A test that runs only where its author's services or files are: a request to a server that
# must be up, a credential or endpoint the environment must hold, a file read from someone's
# disk (a /home path given to the code under test as a value is not one).
_LIVE_BOUND = lazy(
    r"""\b(requests|httpx)\.(get|post|put|patch|delete)\s*\(\s*f?["']https?://|"""
    r"""\bos\.environ\[\s*["'][A-Z0-9_]*(ENDPOINT|URI|URL|HOST|ACCESS_KEY|SECRET_KEY|TOKEN|PASSWORD)["']\s*\]\s*[,)]|"""
    r"""\b(open|read_\w+|load\w*|Path|append|insert|join|chdir)\s*\([^)\n]{0,40}?f?["'](/home/|/Users/)[\w.-]+|"""
    r"""^[ \t]*[A-Za-z_]\w*[ \t]*=[ \t]*f?["'](/home/|/Users/)[\w.-]+|"""
    # an address the environment must hold (no default)
    r"""\b(getenv|environ\.get)\s*\(\s*["'][A-Z0-9_]*(URL|URI|ENDPOINT|HOST)["']\s*\)""",
    linear.M,
)
# A request whose answer the test supplies: a mocking library imported, a patch decorator, the
# monkeypatch or mocker fixture (not the word "patch" in requests.patch).
_MOCKED = lazy(
    r"^[ \t]*(import|from)[ \t]+(responses|requests_mock|httpretty|respx|unittest\.mock|mock|"
    r"pytest_mock)\b|@([\w.]+\.)?(patch|activate)\b|\bmonkeypatch\b|\bmocker\b",
    linear.M,
)
_SELF_HOSTED = lazy(r"\bsubprocess\.|\bPopen\s*\(|\buvicorn\.run\s*\(|\bTestClient\b|\bxprocess\b")
# A request to an address the environment names (BENTOML_PREDICT_ENDPOINT_URL).
_REQUEST = lazy(r"\b(requests|httpx)\.(get|post|put|patch|delete)\s*\(")
_ENV_ADDRESS = lazy(
    r"""\b(getenv|environ\.get|environ\[)\s*\(?\s*["'][A-Za-z0-9_]*(URL|URI|ENDPOINT|HOST)["']"""
)


def _live_tests(index: RepoIndex, path: str, tests: list[Any]) -> dict[int, str]:
    """The meaningful ``tests`` of one file (FunctionInfo) that need a live service or their
    author's machine, by line: what the module does outside its tests binds them all (a
    ``sys.path`` or a config path under /home); otherwise each test's own body decides."""
    code = index.code(path) or ""
    if not tests or not (_LIVE_BOUND.search(code) or _REQUEST.search(code)):
        return {}
    lines = code.split("\n")
    spans = [(fn.line, getattr(fn.node, "end_lineno", fn.line) or fn.line) for fn in tests]
    inside = set()
    for start, end in spans:
        inside.update(range(start, end + 1))
    outside = "\n".join("" if n + 1 in inside else text for n, text in enumerate(lines))
    conftest = path.rpartition("/")[0] + "/conftest.py" if "/" in path else "conftest.py"
    served = bool(_MOCKED.search(code) or _SELF_HOSTED.search(code + (index.code(conftest) or "")))
    addressed = bool(_ENV_ADDRESS.search(code))

    def tie(text: str) -> bool:
        m = _LIVE_BOUND.search(text)
        if m is not None and not (m.group(0).startswith(("requests", "httpx")) and served):
            return True
        return addressed and not served and _REQUEST.search(text) is not None

    if tie(outside):
        return {fn.line: f"{path}:{fn.line}" for fn in tests}
    return {
        fn.line: f"{path}:{fn.line}"
        for fn, (start, end) in zip(tests, spans, strict=True)
        if tie("\n".join(lines[start - 1 : end]))
    }


# A project template's example tests, left as generated (Kedro's test_run.py asserting the
# project path, or expecting the empty template's "Pipeline contains no nodes"): they test
# the template, not the project. One that runs the project's pipeline through a session is
# a smoke test of the project all the same.
_EMPTY_TEMPLATE = "Pipeline contains no nodes"
_TEMPLATE_TEST = lazy(
    rf"{_EMPTY_TEMPLATE}|should be replaced with the ones testing the project|"
    r"example tests? for a Kedro project"
)
_RUNS_PROJECT = lazy(r"\bsession\.run\s*\(")


# The template's own tests, as Kedro generates them: the project's context and path, a run of
# the (empty) default pipeline. A test the user added to the file is judged as any other.
_TEMPLATE_OWN = lazy(r"\b(project_context|KedroContext|bootstrap_project|KedroSession)\b")


def _template_example(lines: list[str], start: int, end: int | None) -> bool:
    """Whether a test in a file marked as a template's example is one (see _TEMPLATE_TEST):
    the template's own (it uses the project context or session), expecting the empty
    template's failure, or not running the project's pipeline."""
    body = "\n".join(lines[start - 1 : end])
    if not _TEMPLATE_OWN.search(body):
        return False
    return _EMPTY_TEMPLATE in body or not _RUNS_PROJECT.search(body)


# Test files read, at most, for a test that checks more than that something came out, and
# the most bytes of test code parsed (a suite of huge generated files is judged on its start).
_MAX_TEST_FILES = 20
_MAX_TEST_BYTES = 1024 * 1024


@rule("automated_tests")  # (vendored copies are told apart by the imports)
def automated_tests(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    test_files = [
        p
        for p in index.python_files
        # test_*.py, *_test(s).py or tests.py (such a name makes it a test wherever it is)
        if (p.rpartition("/")[2].startswith("test_") and p.endswith(".py"))
        or p.endswith(("_test.py", "_tests.py", "/tests.py"))
        or p == "tests.py"
    ]
    # A vendored library's tests test the library, not the project (third_party/, a
    # submodule's files, a distribution the project imports).
    test_files = [p for p in test_files if not index.is_vendored(p)]
    if not test_files:
        return Verdict.failed("no test files (tests/test_*.py)")
    wanted = int(params.get("min_tests", 3))
    total = meaningful = read = smoke = size = 0
    empty: list[str] = []
    live: list[str] = []  # where the files whose meaningful tests need a live service are tied
    live_tests = 0
    examples: list[str] = []  # a project template's example tests
    # Files are parsed until enough meaningful tests are found: a suite of thousands of test
    # files passes after its first few, as it would after all of them.
    for path in test_files:
        tick()
        info = index.module_info(path)
        read += 1
        entry = index.by_path.get(path)
        size += entry.size if entry is not None else 0
        found = []
        code = (index.code(path) or "") if info is not None else ""
        template = _TEMPLATE_TEST.occurs_in(code)
        lines = code.split("\n") if template else []
        for fn in info.functions if info is not None else ():
            if not fn.name.startswith("test"):
                continue
            tick()
            total += 1
            if template and _template_example(lines, fn.line, fn.node.end_lineno):
                examples.append(f"{path}:{fn.line}")
            elif _meaningful(fn.node):  # type: ignore[arg-type]
                found.append(fn)
            elif len(empty) < 5:
                empty.append(f"{path}:{fn.line}")
        tied = _live_tests(index, path, found)
        live.extend(list(tied.values())[: max(0, 5 - len(live))])
        live_tests += len(tied)
        meaningful += len(found) - len(tied)
        smoke += sum(
            1
            for fn in found
            if fn.line not in tied
            # a template's test that runs the project's pipeline runs all of it
            and not (
                template
                and _RUNS_PROJECT.search("\n".join(lines[fn.line - 1 : fn.node.end_lineno]))
            )
            and _only_smoke(fn.node)  # type: ignore[arg-type]
        )
        if meaningful - smoke >= wanted:
            break
        if (meaningful >= wanted and read >= _MAX_TEST_FILES) or size > _MAX_TEST_BYTES:
            break  # enough read to judge: the rest is more of the same
    ev = [Evidence(p) for p in test_files[:5]]
    if read == len(test_files):
        counted = meaningful + live_tests
        summary = f"{counted} meaningful test(s) of {total} in {read} test file(s)"
    else:  # stopped early: say so, or the counts read as a miscount of the whole suite
        first = "the first file read holds" if read == 1 else f"the first {read} read hold"
        summary = (
            f"{len(test_files)} test files; {first} {meaningful} meaningful test(s) of {total}, "
            "enough to pass (the others were not read)"
        )
    if total == 0:
        return Verdict.failed(
            f"test files exist but define no test functions ({test_files[0]})", ev
        )
    if meaningful == 0 and live:
        return Verdict.partial(
            f"{summary}, but they run only against a live service or the author's machine "
            f"({', '.join(live[:3])})",
            [Evidence(*e.rsplit(":", 1)[:1]) for e in live[:5]],
        )
    if meaningful == 0 and examples and not empty:
        return Verdict.partial(
            f"{summary}: the only tests are a project template's examples "
            f"({', '.join(examples[:3])}), which test the template, not this project",
            [Evidence(*e.rsplit(":", 1)[:1]) for e in examples[:5]],
        )
    if meaningful == 0:
        return Verdict.partial(
            f"{summary}: the tests assert nothing about the code ({', '.join(empty[:3])})",
            [Evidence(*e.rsplit(":", 1)[:1]) for e in empty],
        )
    if meaningful < wanted:
        return Verdict.partial(f"{summary}: too few to cover the pipeline", ev)
    if smoke >= meaningful:
        if read < len(test_files):
            summary = (
                f"{len(test_files)} test files; the {read} read hold {meaningful} meaningful "
                f"test(s) of {total}"
            )
        return Verdict.partial(
            f"{summary}, but they only check that something came out (not None, not empty, a "
            "type, a status code, a key), not what it is",
            ev,
        )
    idle = total - meaningful - live_tests
    note = f"; {idle} assert nothing about the code" if idle > 0 else ""
    return Verdict.passed(summary + note, ev)


_SEED_RE = lazy(
    r"random_state\s*=\s*[\w.]+|\bseed\s*\(|manual_seed\s*\(|set_seed\s*\(|"
    r"seed_everything\s*\(|set_random_seed\s*\(|PYTHONHASHSEED|default_rng\s*\(\s*\w|"
    # a seed handed to one call: datasets' train_test_split(seed=42), Keras'
    # image_dataset_from_directory(seed=self.seed)
    r"\bseed\s*=\s*(\d+\b|[\w.]*seed\b)|"
    # a model's parameter dict ({"random_state": 42} handed to LGBMRegressor(**params)) and a
    # generator seeded with the project's constant (np.random.RandomState(RANDOM_SEED))
    r"[\"'](random_state|seed|random_seed)[\"']\s*[:\]]\s*=?\s*(\d+\b|(?i:[\w.]*(seed|state))\b)|"
    r"RandomState\(\s*(\d+\b|(?i:[\w.]*(seed|state))\b)"
)
_SEED_KEY = lazy(r"(^|\.)(seed|random_state|random_seed|rng_seed)$", linear.I)


def _drives(index: RepoIndex, seeds: list[Located], trained_in: list[str]) -> bool:
    """Whether a notebook that seeds the global generators (``np.random.seed``, not one
    call's ``random_state=``) imports a module that trains: its seed is the run's (the
    notebook runs the training in its own process)."""
    training = set(trained_in)
    return any(
        training.intersection(index.resolve_import_targets(seed.path, ref))
        for seed in seeds[:_MAX_SEED_NOTEBOOKS]
        if not seed.value.startswith("random_state")
        for ref in index.imports.get(seed.path, ())
    )


_MAX_SEED_NOTEBOOKS = 20


@rule("seeds_set")
def seeds_set(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    keys = [k for k in index.config_keys if _SEED_KEY.search(k.value)]
    found = facts.text_search(index, index.pattern_code, _SEED)
    # Each module's seeds looked at whole: a commented-out seed sets nothing, a seed drawn at
    # random fixes nothing, and one applied only when --seed is given (default None) leaves
    # the default run unseeded.
    code, optional = [], []
    for hit in found:
        kind, seed = _seed_in(index, hit)
        if kind == "set":
            code.append(seed)
        elif kind == "optional":
            optional.append(seed)
    ev = [Evidence(k.path, k.line, k.value) for k in keys[:3]] + [
        Evidence(c.path, c.line, c.value) for c in code[:3]
    ]
    notebooks = index.notebook_set
    in_modules = [c for c in code if c.path not in notebooks]
    trained_in = [h.path for h in facts.training(index).code]
    if code and not keys and not in_modules and trained_in and not _drives(index, code, trained_in):
        # The modules train; a notebook's seed (an exploration, a research draft) does not
        # make their runs repeatable.
        return Verdict.partial(
            f"a seed is set only in notebooks ({code[0].path}), not in the code that trains "
            f"({trained_in[0]})",
            ev,
        )
    uncalled = _uncalled_helpers(index, in_modules) if in_modules and not keys else None
    if uncalled and len(in_modules) == len(code):
        name, where = uncalled
        return Verdict.partial(
            f"seeds are set only in {name}() ({where}), which nothing calls",
            [Evidence(c.path, c.line, c.value) for c in in_modules[:3]],
        )
    in_notebooks = [c for c in code if c.path in notebooks]
    if in_modules and not keys and not _drives(index, in_notebooks, trained_in):
        # (a notebook's seed, an exploration's, does not seed the modules' training either)
        off_path = _off_training_path(index, in_modules, trained_in)
        if off_path is not None:
            trainer = next(
                (
                    h.path
                    for h in facts.training(index).code
                    if h.path not in notebooks and _fits_a_model(index, h)
                ),
                trained_in[0],
            )
            return Verdict.partial(
                f"seeds are set only in {off_path}, which the training ({trainer}) "
                "neither runs nor imports",
                [Evidence(c.path, c.line, c.value) for c in in_modules[:3]],
            )
    if keys or code:
        first = keys[0] if keys else code[0]
        return Verdict.passed(f"seed set in {first.path}", ev)
    if optional:
        return Verdict.partial(
            f"a seed is set only when one is given ({optional[0].path}: the option defaults to "
            "none), so a default run is not reproducible",
            [Evidence(c.path, c.line, c.value) for c in optional[:3]],
        )
    return Verdict.failed("no seed is set in code or config")


def _off_training_path(
    index: RepoIndex, seeded: list[Located], trained_in: list[str]
) -> str | None:
    """The first seeding module when no module that seeds is on the training's path: none
    trains, none is imported by a module that trains (its helpers, its data module, the
    package whose __init__ those imports run), none imports a module that trains (a driver
    seeding then calling train()), none is a stage a runner names (dvc.yaml, a Makefile, a
    shell script, CI), and none is named as a step of the pipeline (a split or a preparation
    run before training) or seeds inside a function so named (a CLI's train command), unless
    its name says it is a side tool (download_data.py, plot_results.py). A seed in a download
    script, a plot or a side tool does not make the training repeatable. None when any is on
    the path, when only notebooks train, or when there are too many modules to follow."""
    training = [p for p in trained_in if p not in index.notebook_set]
    modules = sorted({seed.path for seed in seeded})
    if not training or len(modules) > _MAX_SEEDING_MODULES:
        return None
    on_path = set(training) | facts.internal_imports(index, training)
    ancestors: set[str] = set()
    for folder in {p.rpartition("/")[0] for p in on_path}:
        while folder and folder not in ancestors:
            ancestors.add(folder)
            folder = folder.rpartition("/")[0]
    staged = None
    for module in modules:
        name = module.rpartition("/")[2]
        if not _SIDE_TOOL.search(name) or _SPLIT_NAME.search(name):
            if _STEP_NAME.search(name) or _SPLIT_NAME.search(name):
                return None  # a pipeline stage of its own, run before training (a seeded split)
            if _WEAK_STEP_NAME.search(name):
                return None  # data_ext.py, sampling.py: a step by its name
            lines = (index.code(module) or "").split("\n")
            if any(
                _STEP_NAME.search(_enclosing_function(lines, seed.line or 0) or "")
                for seed in seeded
                if seed.path == module
            ):
                return None  # seeded inside a train() or split() command
        if module in on_path or set(training).intersection(facts.internal_imports(index, [module])):
            return None
        if name == "__init__.py" and module.rpartition("/")[0] in ancestors:
            return None  # importing any module below the package runs its __init__
        staged = staged if staged is not None else named_by_runners(index)
        dotted = module.removesuffix(".py").replace("/", ".")
        if any(form in staged for form in (module, dotted, dotted.removeprefix("src."), name)):
            return None  # a stage a runner starts (dvc.yaml's cmd, a Makefile target, CI)
    return modules[0]


def _fits_a_model(index: RepoIndex, hit: Located) -> bool:
    return notebooks.fits_a_model(index, hit)  # (seeds_set's local ``notebooks`` shadows it)


def named_by_runners(index: RepoIndex) -> str:
    """The text of the files that start the project's programs (dvc.yaml, Makefiles, shell
    scripts, task runners, CI of any kind), for a search by module name."""
    if "named_by_runners" not in index.memo:  # asked by MO007 and DA003
        files = [f.path for f in index.glob(_RUNNER_FILES)[:50]] + list(index.ci_files[:50])
        index.memo["named_by_runners"] = "\n".join(
            (index.text(p) or "")[:_MAX_RUNNER_TEXT] for p in dict.fromkeys(files)
        )
    return index.memo["named_by_runners"]


_RUNNER_FILES = [
    "dvc.yaml", "Makefile", "*.mk", "justfile", "*.sh", "MLproject", "Procfile", "tox.ini",
    "noxfile.py", "tasks.py", "pyproject.toml", "setup.py", "setup.cfg", "prefect.yaml",
    "Dockerfile",
]  # fmt: skip


_MAX_RUNNER_TEXT = 256 * 1024
_MAX_SEEDING_MODULES = 20
# Modules named as a step of the pipeline: their seed (the split's) is the run's, though
# training does not import them.
_STEP_NAME = lazy(r"split|prep|train|feature|fold|tun", linear.I)
_SPLIT_NAME = lazy(r"split|fold", linear.I)  # a split is a step, whatever else its name says
# ... and these too, unless the name says it is a tool beside the pipeline (download_data.py).
_WEAK_STEP_NAME = lazy(r"process|data|sampl|pipeline|fit", linear.I)
_SIDE_TOOL = lazy(
    r"download|fetch|plot|visuali[sz]|demo|convert|export|gen_|generate|scrap", linear.I
)
_HELPER_DEF = lazy(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)")
_MAX_CALLER_MODULES = 3000


def _uncalled_helpers(index: RepoIndex, seeds: list[Located]) -> tuple[str, str] | None:
    """(name, module) when every seed of the seeding modules is set inside an undecorated
    module-level function that nothing names but its def (a set_seed() helper in utils.py
    that the training never runs); None when any seed runs otherwise, the helper is named
    anywhere (a call, an import, a callback, a console script, a Makefile), or the repository
    is too large to look."""
    if len(index.production_python) > _MAX_CALLER_MODULES or len(seeds) > 10:
        return None
    helpers: dict[str, str] = {}
    for path in sorted({seed.path for seed in seeds}):
        code = index.code(path) or ""
        lines = code.split("\n")
        for n, (line, _m) in enumerate(linear.compiled(_SEED_RE).finditer_lines(code)):
            if n == MAX_SEEDS_READ:
                return None
            name = _enclosing_function(lines, line)
            if name is None or _decorated(lines, line, name):
                return None  # set when the module runs, or by a framework's command
            helpers.setdefault(name, path)
    if not helpers or len(helpers) > 3:
        return None
    texts = [*index.pattern_code, *(p for p in _NAMING_FILES if p in index.by_path)]
    texts += [f.path for f in index.glob(["*.sh", "Makefile", ".github/workflows/*.y*ml"])][:50]
    for name in helpers:
        word = linear.compile(rf"\b{name}\b")
        definition = linear.compile(rf"^[ \t]*(async[ \t]+)?def[ \t]+{name}\b", linear.M)
        for path in texts:
            tick()
            text = index.code(path) if path.endswith((".py", ".ipynb")) else index.text(path)
            if not text or name not in text:
                continue
            # more mentions than definitions: named somewhere besides its def (counted, not
            # sliced: a line of 100,000 names costs one pass)
            defs = sum(1 for _ in itertools.islice(definition.finditer(text), 100))
            if sum(1 for _ in itertools.islice(word.finditer(text), defs + 1)) > defs:
                return None
    name, where = next(iter(helpers.items()))
    return name, where


# Files that may name a function as the command to run: console scripts, entry points.
_NAMING_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Makefile", "justfile")


def _decorated(lines: list[str], line: int, name: str) -> bool:
    """Whether the def of ``name`` above ``line`` carries a decorator (@app.command(), @task,
    @click.command()): a framework calls it."""
    for n in range(min(line, len(lines)) - 1, -1, -1):
        if _HELPER_DEF.match(lines[n]) and f"def {name}" in lines[n]:
            above = lines[n - 1].lstrip() if n > 0 else ""
            return above.startswith("@")
    return False


def _enclosing_function(lines: list[str], line: int) -> str | None:
    """The name of the module-level function whose body holds ``line`` (1-based) of a module's
    ``lines``; None at module level, in a class (a method is called through objects a word
    search misses) or in a nested function."""
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    if own := _HELPER_DEF.match(text):  # the seed pattern met the helper's own def line
        return own.group(2) if not own.group(1) else None
    indent = len(text) - len(text.lstrip())
    for above in reversed(lines[: line - 1]):
        stripped = above.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        depth = len(above) - len(stripped)
        if depth >= indent:
            continue
        m = _HELPER_DEF.match(above)
        if m:
            return m.group(2) if not m.group(1) else None
        if depth == 0 or stripped.startswith("class "):
            return None
        indent = depth
    return None


_COMMENT_LINE = lazy(r"^[ \t]*#")
# A seed drawn at random fixes nothing, and None (a parameter's default) asks for a fresh one.
_RANDOM_VALUE = lazy(r"random_state\s*=\s*((np\.|numpy\.)?random\.|None\b)|\bseed\s*=\s*None\b")
_SEED_GUARD = lazy(r"\bif\s+[\w.]*seed\s+is\s+not\s+None\b|\bif\s+[\w.]*\.seed\s*:")
_SEED_OPTION = lazy(r"add_argument\(\s*[\"']--(random[-_])?seed[\"'][^)\n]*default\s*=\s*None")
_ATTRIBUTE_SEED = lazy(r"\w\.seed\b")
# Rows sampled to be shown (a notebook cell's bare ``df.sample(n=5, random_state=42)``): the
# result is displayed, not trained on.
_SHOWN_SAMPLE = lazy(r"^[ \t]*[\w.\[\]'\"]+\.sample\([^\n]*random_state")
MAX_SEEDS_READ = 50  # seed calls looked at in one module


def _seed_in(index: RepoIndex, first: Located) -> tuple[str, Located]:
    """("set", the first seed that fixes randomness), ("optional", one applied only when an
    option that defaults to None is given) or ("none", the first match) for a module."""
    code = index.code(first.path) or ""
    guarded = _SEED_GUARD.search(code) is not None and _SEED_OPTION.search(code) is not None
    optional = None
    strings = facts.triple_quoted(code)  # a seed in a docstring's example sets nothing
    for n, (line, m) in enumerate(linear.compiled(_SEED_RE).finditer_lines(code)):
        if n == MAX_SEEDS_READ:
            break
        if facts.in_regions(m.start(), strings):
            continue
        start = code.rfind("\n", 0, m.start()) + 1
        end = code.find("\n", m.start())
        text = code[start : end if end != -1 else len(code)]
        seed = Located(first.path, line, m.group(0))
        if _COMMENT_LINE.search(text) or _RANDOM_VALUE.search(text) or _SHOWN_SAMPLE.search(text):
            continue
        if _in_synthetic_data_call(code, m.start()):
            continue  # make_classification(random_state=0) fixes the data, not split or model
        if guarded and _ATTRIBUTE_SEED.search(text):  # random.seed(args.seed) under the guard
            optional = optional or seed
            continue
        return "set", seed
    return ("optional", optional) if optional else ("none", first)


# scikit-learn's generators of synthetic data (their random_state seeds the sample only).
_SYNTHETIC_DATA = lazy(
    r"\bmake_(classification|regression|blobs|moons|circles|friedman\d|gaussian_quantiles|"
    r"hastie_10_2|multilabel_classification|s_curve|swiss_roll|sparse_\w+|low_rank_matrix|"
    r"biclusters|checkerboard|spd_matrix)\s*\("
)


def _in_synthetic_data_call(code: str, at: int) -> bool:
    """Whether the argument at ``at`` is one of a synthetic-data generator's, whose call
    opened within the 400 characters before (make_classification(\n    random_state=0)), not
    a call around it (train_test_split(*make_classification(...), random_state=42))."""
    window = code[max(0, at - 400) : at]
    last = None
    for found in _SYNTHETIC_DATA.finditer(window):
        last = found  # the nearest call before the argument
    if last is None:
        return False
    depth = 1  # inside the generator's call, just past its bracket
    for char in window[last.end() :]:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return False  # closed before the argument: a call around it takes it
    return True


_METRIC_CALL_RE = lazy(
    r"\b(accuracy_score|f1_score|roc_auc_score|precision_score|recall_score|log_loss|"
    r"mean_squared_error|mean_absolute_error|r2_score|classification_report|confusion_matrix|"
    r"average_precision_score|balanced_accuracy_score|root_mean_squared_error|evaluate\.load|"
    r"torchmetrics|accuracy|top_k_accuracy|mae|mse|rmse|"
    r"mape|mspe|smape|wql|mase|crps|ndcg\w*|map_at_k|recall_at_k|precision_at_k|"
    r"get_model_metrics|metric|"
    # survival, segmentation and speech metrics (scikit-survival, lifelines, MONAI, jiwer)
    r"concordance_index\w*|integrated_brier_score|brier_score\w*|cumulative_dynamic_auc|"
    r"dice_score|dice_coef\w*|dice_coefficient|dice_metric|DiceMetric|mean_iou|iou(_score)?|"
    r"jaccard_score|"
    r"hausdorff\w*|psnr|ssim|wer|cer)\s*\(|"
    # a reinforcement-learning agent evaluated over episodes (stable-baselines3)
    r"\b(\w*EvalCallback|evaluate_policy)\s*\(|"
    r"self\.log_dict\(\s*\{\s*[\"'](val|test|eval)|"
    # a project's own metric helper (self._cal_metric(tp, fp, tn, fn)), a metrics class of
    # Keras or Flax (nnx.metrics.Accuracy(), tf.keras.metrics.AUC())
    r"\b_?(cal|calc|calculate|compute|get|eval|evaluate)_metrics?\s*\(|"
    r"\bmetrics\.[A-Z]\w*\s*\(|"
    # RMSE().evaluate(...): after a bracket there is no word boundary before the dot.
    r"\.(evaluate|score)\s*\(|sklearn\.metrics|torchmetrics|self\.log\(\s*[\"'](val|test|eval)|"
    # a score computed by hand and logged to a tracker under an evaluation split's name
    # (wandb.log({"epoch": e, "test/Accuracy": acc}), mlflow.log_metric(key="val_f1", ...))
    r"\b(wandb|mlflow|run|neptune_run|experiment|tracker|writer|live)\.(log|log_metrics?|"
    r"add_scalars?|log_dict)\(\s*(\{[^}\n]{0,200}?|key\s*=\s*)?f?[\"'](?i:test|val|valid|"
    r"validation|eval|evaluation)[/_.\- ]?\w{0,20}?(?i:acc|accuracy|f1|auc|precision|recall|"
    r"rmse|mae|mse|r2|bleu|rouge|cider|map|iou|dice|wer|cer|score|error)"
)
# Lightning's self.log(name, value): a literal name, or an f-string or a variable followed by
# the value (a scraper's self.log(f"fetching {url}") has no value).
_LIGHTNING_LOG = r"self\.log\(\s*([\"']|(f[\"'][^\"'\n]*[\"']|\w+)\s*,\s*\w)"
# Metrics handed to a model registry with the model (Hopsworks' create_model(metrics=...), a
# client's register_model(model, ..., {"accuracy": accuracy})).
_REGISTRY_METRICS = (
    r"\b(register_model|create_model)\s*\([^)]{0,400}?(\bmetrics\s*=|\{\s*[\"']"
    r"(accuracy|f1|auc|roc_auc|rmse|mae|mse|r2|precision|recall|loss|mape)\w*[\"']\s*:)"
)
_RECORD = lazy(
    r"json\.dump|write_text|to_csv|to_json|log_metric|log_metrics|wandb\.log|"
    r"dvclive|Live\(|\.log\(\s*\{|save_metrics|yaml\.(safe_)?dump|metrics_path|"
    r"np\.save|numpy\.save|pickle\.dump|run\.log\(|add_scalar|\.log_dict\(|"
    + _LIGHTNING_LOG
    + r"|log_table|metrics\.(json|csv|npy)|"
    r"\bopen\s*\([^)\n]*,\s*[rbf]?[\"'][wa]|"
    r"\b(save_model|log_model)\s*\([^)]{0,400}?\bmetadata\s*=|" + _REGISTRY_METRICS
)
# Calls that record metrics whatever they are given: a tracker's or a framework logger's.
_TRACKER_CALL = lazy(
    r"log_metric|log_metrics|wandb\.log|dvclive|Live\(|\.log\(\s*\{|save_metrics|"
    r"run\.log\(|add_scalar|\.log_dict\(|" + _LIGHTNING_LOG + r"|log_table|" + _REGISTRY_METRICS
)
# A general writer (json.dump, to_csv, np.save, open(..., "w")...) records metrics when what it
# writes is named for them: on its line, the open() line before it, the lines of a bracket it
# opens, or the name of the function it is in (log_results). OOF predictions, a data file and
# the model are no record.
_GENERIC_WRITER = lazy(
    r"json\.dump|write_text|to_csv|to_json|yaml\.(safe_)?dump|np\.save|pickle\.dump|"
    r"\bopen\s*\([^)\n]*,\s*[rbf]?[\"'][wa]|"
    # a model store's metadata (bentoml.sklearn.save_model(..., metadata={"accuracy": ...}))
    r"\b(save_model|log_model)\s*\([^)]{0,400}?\bmetadata\s*="
)
# Names of metrics, as words or parts of snake_case names (log_stats, val_acc, acc1), not
# inside other words ("us_states", "accent").
_METRIC_NAME = lazy(
    r"(^|[^a-z0-9])(metrics?|scores?|results?|reports?|eval|evaluation|acc|accuracy|f1|auc|"
    r"rmse|mae|mse|r2|precision|recall|loss(es)?|stats|summary)[0-9]*($|[^a-z0-9])",
    linear.I,
)
_MAX_RECORDERS = 30


def _records_what_it_imports(
    index: RepoIndex, recorded: set[str], hits: list[Located]
) -> tuple[str, str] | None:
    """(the module, the module it imports) when a module records metrics that a module it
    reaches through its imports computes (train.py writing metrics.json from
    ``compute_classification_metrics`` of metrics.py); None when none does. A prediction step
    saving predictions records no evaluation, whatever it imports."""
    computed = {h.path for h in hits[: _MAX_RECORDERS * 4]}
    writers = (p for p in sorted(recorded) if p not in index.notebook_set)
    for path in itertools.islice(writers, _MAX_RECORDERS * 4):
        if (
            not _records_metrics(index, path)  # (the cheap questions first)
            or linear.compiled(_PREDICTION_STEP).search(path)
        ):
            continue
        imported = facts.internal_imports(index, [path]) & computed
        if imported and facts.has_real_code(index, path):
            return path, min(imported)
    return None


# A step that scores new data (predict.py, inference.py, batch_score.py): what it writes are
# predictions.
_PREDICTION_STEP = lazy(
    r"(^|/)\w*(predict|inference|infer|batch_scor|serve|serving)\w*\.py$", linear.I
)


def _records_metrics(index: RepoIndex, path: str) -> bool:
    """Whether ``path`` writes metrics somewhere durable (see _TRACKER_CALL, _GENERIC_WRITER),
    not only some file: printing a score and saving the model records nothing."""
    memo = index.memo.setdefault("records_metrics", {})
    if path not in memo:
        code = index.code(path) or ""
        found = bool(linear.compiled(_TRACKER_CALL).search(code))
        if not found:
            writers = list(itertools.islice(linear.compiled(_GENERIC_WRITER).finditer(code), 200))
            functions = _Functions(code) if writers else None
            found = any(
                linear.compiled(_METRIC_NAME).search(_written(code, m.start(), m.end(), functions))
                for m in writers
            )
        memo[path] = found
    return memo[path]


class _Functions:
    """The function enclosing each line of a module, from one pass over its lines: a stack of
    open blocks by indentation (an ``if __name__`` block after the last def closes it)."""

    def __init__(self, code: str) -> None:
        self.starts: list[int] = []
        self.names: list[str] = []
        stack: list[tuple[int, str | None]] = []  # (indent, def name or None)
        offset = 0
        for line in code.split("\n"):
            stripped = line.lstrip(" \t")
            if stripped and not stripped.startswith("#"):
                indent = len(line) - len(stripped)
                while stack and stack[-1][0] >= indent:
                    stack.pop()
                self.starts.append(offset)
                self.names.append(next((n for _, n in reversed(stack) if n), ""))
                if stripped.rstrip().endswith(":"):
                    m = linear.compiled(_DEF_LINE).match(stripped)
                    stack.append((indent, m.group(1) if m else None))
            offset += len(line) + 1

    def at(self, offset: int) -> str:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.names[i] if i >= 0 else ""


_DEF_LINE = lazy(r"(?:async[ \t]+)?def[ \t]+(\w+)")


def _written(code: str, start: int, end: int, functions: _Functions | None) -> str:
    """The text that says what a writer at code[start:end] writes (see _GENERIC_WRITER)."""
    line_start = code.rfind("\n", 0, start) + 1
    before = code.rfind("\n", 0, max(line_start - 1, 0)) + 1
    if "open(" not in code[before:line_start]:  # with open("metrics.json", "w") as f: counts
        before = line_start
    line_end = code.find("\n", end)
    line_end = len(code) if line_end == -1 else line_end
    if code[start:line_end].rstrip().endswith(("(", "{", "[")):  # pickle.dump({ ... several lines
        for _ in range(8):
            nxt = code.find("\n", line_end + 1)
            line_end = len(code) if nxt == -1 else nxt
    function = functions.at(line_start) if functions is not None else ""
    return code[before:line_end] + " " + function


# A runner line that runs a Python script with its output kept in a log file
# (python scripts/train.py > logs/train.log, ... | tee run.txt).
_LOGGED_RUN = lazy(
    r"(?:python3?|\$\(PYTHON\)|\$\{?PYTHON\}?)[ \t]+(?:-u[ \t]+)?(\S+\.py)[^\n|>]*?"
    r"(?:[ \t]2>&1)?[ \t]*(?:>>?|\|[ \t]*tee(?:[ \t]+-a)?)[ \t]*\S+\.(?:log|txt|out)\b"
)


def _run_into_log(index: RepoIndex, computing: list[str]) -> Located | None:
    """(script, runner) when a runner keeps the printed output of a script that computes
    metrics in a log file: printed scores recorded by the run, as reviewers accept."""
    wanted = set(computing)
    for runner in index.glob(["*.sh", "Makefile", "*.mk"])[:_MAX_RECORDERS]:
        for m in linear.compiled(_LOGGED_RUN).finditer(index.text(runner.path) or ""):
            script = m.group(1).removeprefix("./")
            folder = runner.path.rpartition("/")[0]
            # relative to the runner's folder, or to the root it is usually run from
            for path in (f"{folder}/{script}" if folder else script, script):
                if path in wanted:
                    return Located(path, None, runner.path)
    return None


# A logger whose records go to a file: the scores it logs are kept with the run (a training
# log, log_rank0.txt), as a metrics file would keep them.
_FILE_LOG_SETUP = lazy(
    r"\b(Rotating|TimedRotating)?FileHandler\s*\(|\bbasicConfig\s*\([^)]*\bfilename\s*=|"
    r"\blogger\.add\s*\(\s*(f?[\"'][^\"'\n]*\.(log|txt)|\w*(log_?file|log_?path)\w*)"
)
_LOGGER_CALL = lazy(r"\b(logger|log|logging|LOGGER|_logger)\.(info|warning)\s*\(([^\n]*)")


# The values a log call formats: f-string fields ({acc1:.3f}) and the arguments after the
# message ("loss %f", loss).
_FORMAT_FIELD = lazy(r"\{([^{}:!]{1,80})")
# A value labelled with a metric's name ("Silhouette score: {s1}", "val_loss=%.4f").
_METRIC_LABEL = lazy(
    r"(metrics?|scores?|acc|accuracy|f1|auc|rmse|mae|mse|r2|precision|recall|loss)"
    r"[ \t]*[:=][ \t]*(\{|%)",
    linear.I,
)
_AFTER_MESSAGE = lazy(r"""["']\s*,\s*([^\n]{1,200})""")


def _logs_a_metric_value(call: str) -> bool:
    """Whether a log call's arguments (the rest of its line) format a value named for a metric:
    ``f"val f1 {f1:.3f}"``, ``"acc %.3f", acc1``; not a path or a count ("Loading the
    evaluation set from %s", path)."""
    values = [m.group(1) for m in linear.compiled(_FORMAT_FIELD).finditer(call)]
    if (rest := linear.compiled(_AFTER_MESSAGE).search(call)) is not None:
        values.append(rest.group(1))
    return any(linear.compiled(_METRIC_NAME).search(v) for v in values) or bool(
        linear.compiled(_METRIC_LABEL).search(call)
    )


def _logged_to_file(index: RepoIndex, computing: list[Located]) -> Located | None:
    """(module, line, file-logging setup) when a module computing metrics logs them through a
    logger it, or a module it imports, sends to a file."""
    for hit in computing[:_MAX_RECORDERS]:
        code = index.code(hit.path) or ""
        logged = next(
            (
                line
                for line, m in linear.compiled(_LOGGER_CALL).finditer_lines(code)
                if _logs_a_metric_value(m.group(3))
            ),
            None,
        )
        if logged is None:
            continue
        for module in [hit.path, *sorted(facts.internal_imports(index, [hit.path]))][:50]:
            if linear.compiled(_FILE_LOG_SETUP).search(index.code(module) or ""):
                return Located(hit.path, logged, module)
    return None


_AUTOLOG = lazy(r"\bautolog\s*\(([^)\n]*)")
_AUTOLOG_OFF = lazy(r"disable\s*=\s*True|log_post_training_metrics\s*=\s*False")


def _autolog_for(index: RepoIndex, path: str) -> Located | None:
    """Where autolog is switched on for the metrics ``path`` computes, not disabled: in it, in
    a module it imports, or in a program that imports it (train_eval.py turning autolog on
    before it calls the model module's evaluation)."""
    table = index.code_matches(_AUTOLOG_CALL) or {}
    candidates = sorted(p for p in table if index.is_production_code(p))[: _MAX_RECORDERS * 4]
    if not candidates:
        return None
    below = facts.internal_imports(index, [path])
    for module in candidates:
        tick()
        if (
            module != path
            and module not in below
            and path not in facts.internal_imports(index, [module])
        ):
            continue
        for line, m in linear.compiled(_AUTOLOG).finditer_lines(index.code(module) or ""):
            if not _AUTOLOG_OFF.search(m.group(1)):
                return Located(module, line, "autolog(…)")
    return None


def _first(count: int, items: Iterator[Any]) -> list[Any]:
    return list(itertools.islice(items, count))


# A Kedro catalog entry for metrics (a node returns them, the catalog writes them to
# data/08_reporting or a MetricsDataset): recorded by the framework, not by a call.
_CATALOG_METRICS = lazy(r"^(\w*metric\w*)[ \t]*:", linear.M | linear.I)
_CATALOGS = ["**/conf/**/catalog*.yml", "**/conf/**/catalog*.yaml", "**/conf/**/catalog/*.yml"]


def _computed_and(computing: Located, how: str, recorder: Located) -> Verdict:
    """A pass for metrics computed in one place and recorded by a framework in another."""
    return Verdict.passed(
        f"{computing.path} computes metrics and {how}",
        [Evidence(computing.path, computing.line, computing.value),
         Evidence(recorder.path, recorder.line, recorder.value)],
    )  # fmt: skip


def _catalog_metrics(index: RepoIndex) -> Located | None:
    for entry in index.glob(_CATALOGS)[:20]:
        tick()
        text = index.text(entry.path) or ""
        for line, m in _CATALOG_METRICS.finditer_lines(text):
            return Located(entry.path, line, m.group(1))
    return None


@rule("experiment_tracker")
def experiment_tracker(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """The library detector's verdict on a tracker, but a tracker only web apps use (logging
    each prediction's latency and confidence) tracks no experiment: partial."""
    from mlscaffold.score.judge.detectors import library

    verdict = library(index, params)
    if verdict.status is not Status.PASS:
        return verdict
    used = [u for u in index.importers_of(params["modules"]) if not index.is_test(u.path)]
    if used and all(_app_only(index, u.path) for u in used):
        apps = sorted({u.path for u in used})
        return Verdict.partial(
            f"{verdict.reason.split(' used in ')[0]} used only in the app ({', '.join(apps[:3])}),"
            " which trains nothing: it records predictions, not training runs",
            verdict.evidence,
        )
    return verdict


@rule("evaluation_recorded")
def evaluation_recorded(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    dvc = index.text("dvc.yaml") if "dvc.yaml" in index.by_path else None
    if dvc and _DVC_METRICS.search(dvc):
        return Verdict.passed("dvc.yaml records metrics", [Evidence("dvc.yaml")])
    hits = [
        h
        for h in facts.text_search(index, index.production_python, _METRIC_CALL)
        if not _app_only(index, h.path)
    ]
    # Recording may live in the project's own tracking helper that the evaluation imports
    # (not in an app logging its predictions).
    recorded = {p for p in index.code_matches(_RECORDS) or () if not _app_only(index, p)}
    # The first three of each kind, in path order: a module is parsed (has_real_code) only
    # when it could be one of them, not every module of a library that computes a metric.
    candidates = (
        h
        for h in hits[: _MAX_RECORDERS * 4]
        if any(p in recorded for p in [h.path, *facts.internal_imports(index, [h.path])])
        and facts.has_real_code(index, h.path)
    )
    recording = _first(
        3,
        (
            h
            for h in itertools.islice(candidates, _MAX_RECORDERS)
            if any(
                _records_metrics(index, p)
                for p in [h.path, *facts.internal_imports(index, [h.path])]
                if p in recorded
            )
        ),
    )
    if recording:
        return Verdict.passed(
            f"{recording[0].path} computes and records metrics",
            [Evidence(h.path, h.line, h.value) for h in recording[:3]],
        )
    importer = _records_what_it_imports(index, recorded, hits) if hits else None
    if importer:  # the importer records what the helper module computes
        writer, helper = importer
        return Verdict.passed(
            f"{writer} records the metrics that {helper} computes",
            [Evidence(writer), Evidence(helper)],
        )
    computing = _first(3, (h for h in hits if facts.has_real_code(index, h.path)))
    if hits:
        # A framework's own logger module records what its evaluation computes (yolov5's
        # loggers write results.csv and TensorBoard scalars), reached by callbacks, not imports.
        writer = next(
            (
                p
                for p in itertools.islice(
                    (p for p in sorted(recorded) if p not in index.notebook_set), _MAX_RECORDERS
                )
                if linear.compiled(_TRACKER_CALL).search(index.code(p) or "")
            ),
            None,
        )
        if writer:
            return Verdict.passed(
                f"{hits[0].path} computes metrics and {writer} logs metrics to a tracker",
                [Evidence(hits[0].path, hits[0].line, hits[0].value), Evidence(writer)],
            )
    logged = _run_into_log(index, [h.path for h in hits[: _MAX_RECORDERS * 4]])
    if logged:
        return Verdict.passed(
            f"{logged.path} computes metrics, and {logged.value} keeps what it prints",
            [Evidence(logged.path), Evidence(logged.value)],
        )
    if computing:
        # MLflow's autolog, switched on in the module that computes the metrics or in one it
        # imports, records the scores of the estimators it fits (post-training metrics).
        first = computing[0]
        autolog = _autolog_for(index, first.path)
        if autolog:
            return _computed_and(first, f"autolog records them ({autolog.path})", autolog)
        saved = _catalog_metrics(index)
        if saved is not None:
            how = f"the Kedro catalog saves them ({saved.path}: {saved.value})"
            return _computed_and(first, how, saved)
        to_file = _logged_to_file(index, computing)
        if to_file:
            return Verdict.passed(
                f"{to_file.path} logs its metrics to a file (the logger set up in {to_file.value})",
                [Evidence(to_file.path, to_file.line), Evidence(to_file.value)],
            )
        return Verdict.partial(
            f"metrics are computed in {computing[0].path} but not recorded",
            [Evidence(h.path, h.line, h.value) for h in computing[:3]],
        )
    in_nb = facts.text_search(index, index.notebooks, _METRIC_CALL)
    if in_nb:
        return Verdict.failed(
            f"evaluation happens only in notebooks ({in_nb[0].path})",
            [Evidence(h.path) for h in in_nb[:3]],
        )
    return Verdict.failed("no evaluation step computes metrics")


# A model registered, logged to a run or published with a version. Not a plugin registry's
# register_model("name") decorator, and not save_pretrained(output_dir), which overwrites a
# fixed folder.
_REGISTER_RE = lazy(
    r"\b(mlflow|client|registry|aiplatform|sagemaker|wandb|run|ml_client|MlflowClient\(\))\.\w*"
    r"register\w*\s*\(|registered_model_name|create_registered_model|create_model_version|"
    r"log_model\s*\(|push_to_hub|bentoml\.\w+\.save_model|ModelRegistry|model_registry\.|"
    r"wandb\.log_artifact|log_artifact\s*\(|\bautolog\s*\(|MLflowLoggerCallback|"
    # W&B's model registry (an artifact linked to it) and Lightning loggers that keep each
    # checkpoint as a versioned artifact (WandbLogger(log_model=True))
    r"\.link\s*\(\s*target_path\s*=|\blink_(?:artifact|model)\s*\(|"
    r"\blog_model\s*=\s*(?:True|[\"']all[\"'])|"
    r"Model\.register\s*\(|\.register\(\s*(workspace|ws)\b|ModelVersion|"
    r"\bRegisterModel\s*\(|model_package_group_name|"
    # Vertex AI's model upload, kedro-mlflow's pipeline_ml_factory (the inference pipeline
    # logged as a model per run)
    r"\bModelUploadOp\b|\bModel\.upload\s*\(|\bpipeline_ml_factory\s*\(|"
    # ClearML: a task given an output URI uploads each model it saves, per task
    r"\bclearml\.OutputModel\s*\(|\bTask\.init\s*\([^)]{0,400}?\boutput_uri\s*=\s*(True|[\"'])|"
    # Metaflow keeps each run's artefacts, models included, by run id; a flow reading them
    # back from a training run (Run("TrainFlow/12").data.model) uses a versioned model
    r"\b(Run|Flow)\(\s*f?[\"'][^\"'\n]*[\"']\s*\)(\.latest_(successful_)?run)?\.data\b"
)
_SAVE_RE = lazy(
    r"joblib\.dump|pickle\.dump|torch\.save|save_model|dump_model|"
    # .save( of a model by its name, not an image's or a store's (image.save(buf))
    r"\b\w*(model|clf|estimator|net|learner|regressor|classifier|booster|pipe|pipeline)\w*"
    r"\.save\(|cloudpickle\.dump|skops\.io\.dump|save_pretrained|\bsave_checkpoint\s*\("
)


_CATALOG_VERSIONED = lazy(r"^[ \t]+versioned:[ \t]*true\b", linear.M | linear.I)


_DVC_OUT_PATH = lazy(r"^[ \t]*(?:-[ \t]*)?(?:path|wdir):[ \t]*['\"]?([^\s'\"#]+)", linear.M)
# A model by name (a word or _-separated token, not "model_inputs.csv") or by format (not .h5,
# which holds data as often as Keras weights).
_MODEL_FILE = lazy(
    r"(?i)((^|[/_.-])(models?|checkpoints?|ckpt|weights)([/_.-]|$)|"
    r"\.(onnx|pt|pth|pkl|pickle|joblib|keras|ckpt|safetensors|cbm|ubj|bst|mar|tflite)$)"
)
_DATA_FILE = lazy(
    r"(?i)\.(csv|tsv|parquet|json|jsonl|txt|h5|hdf5|npy|npz|feather|arrow|xlsx?|zip|tar|gz|"
    r"avro|orc|tfrecords?)$"
)


def _names_model(path: str) -> bool:
    path = path.rstrip("/")
    return not _DATA_FILE.search(path) and bool(_MODEL_FILE.search(path))


# An output DVC does not store (cache: false): only its hash is kept, no version to go back to.
_DVC_UNCACHED = lazy(r"^[ \t]*-?[ \t]*cache:[ \t]*false\b", linear.M)
_DVC_LIST_KEY = lazy(r"^[ \t]*(\w+):[ \t]*$")
_DVC_ENTRY = lazy(r"^([ \t]*)-[ \t]*([^\n]*)$")
_MAX_DVC_LINES = 5000


def _dvc_outs(text: str) -> list[tuple[str, bool]]:
    """(path, cached) of each entry under an ``outs:`` key of a .dvc file or dvc.yaml: the
    path from its ``path:`` field (a .dvc file) or its own text (``- models/m.pkl:`` in a
    stage), cached unless the entry says ``cache: false``."""
    lines = text.split("\n")[:_MAX_DVC_LINES]
    found: list[tuple[str, bool]] = []
    key, i = "", 0
    while i < len(lines):
        listed = _DVC_LIST_KEY.match(lines[i])
        entry = _DVC_ENTRY.match(lines[i])
        if listed:
            key = listed.group(1)
        if not entry or key != "outs":
            i += 1
            continue
        depth = len(entry.group(1))
        body = [entry.group(2)]
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > depth
        ):
            body.append(lines[i])
            i += 1
        text_of = "\n".join(body)
        path = _DVC_OUT_PATH.search(text_of)
        out = path.group(1) if path else entry.group(2).strip().rstrip(":").strip("'\"")
        found.append((out, not _DVC_UNCACHED.search(text_of)))
    return found


_MODEL_FOLDER_POINTERS = ["**/models/*.dvc", "**/model/*.dvc"]  # "**/" includes the root
MAX_DVC_POINTERS = 200


def _dvc_model_pointers(index: RepoIndex) -> list[str]:
    """.dvc pointer files whose output is a model: any pointer in a models/ folder (what
    ``dvc add models/bert-base`` writes), then any other whose file name, output or working
    folder names a model or a model format (dvcfiles/trained_model.dvc with a checkpoint)."""
    found = [f.path for f in index.glob(_MODEL_FOLDER_POINTERS)]
    if found:
        return found
    for f in index.by_suffix.get(".dvc", [])[:MAX_DVC_POINTERS]:
        if f.size > 64 * 1024:
            continue
        named = f.path[: -len(".dvc")]
        text = index.text(f.path) or ""
        outs = [m.group(1) for m in _DVC_OUT_PATH.finditer(text)]
        if _names_model(named) or any(_names_model(o) for o in outs):
            found.append(f.path)
    return found


def _one_line(text: str) -> str:
    """A match spanning lines (Run(\n    f"TrainFlow/{id}"\n).data) shown on one."""
    return " ".join(text.split())


@rule("model_versioned")
def model_versioned(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    reg = [
        r
        for r in facts.uncommented(
            index, facts.text_search(index, index.production_python, _REGISTER), _REGISTER_RE
        )
        if not _app_only(index, r.path)  # an app logging each prediction's plot
    ]
    if reg:
        return Verdict.passed(
            f"models are registered or logged ({reg[0].path}: {closed(_one_line(reg[0].value))})",
            [Evidence(r.path, r.line, _one_line(r.value)) for r in reg[:3]],
        )
    catalogs = index.glob(["conf/**/catalog.yml", "conf/**/catalog.yaml", "catalog.yml"])
    versioned = facts.text_search(index, [c.path for c in catalogs], _CATALOG_VERSIONED)
    if versioned:
        return Verdict.passed(
            f"the data catalog versions its datasets and models ({versioned[0].path})",
            [Evidence(v.path, v.line, v.value.strip()) for v in versioned[:3]],
        )
    dvc_models = _dvc_model_pointers(index)
    dvc = index.text("dvc.yaml") if "dvc.yaml" in index.by_path else None
    model_outs = [
        cached
        for path in [*dvc_models[:MAX_DVC_POINTERS], *(["dvc.yaml"] if dvc else [])]
        for out, cached in _dvc_outs(index.text(path) or "")
        if _names_model(out)
    ]
    if model_outs and not any(model_outs):
        return Verdict.partial(
            "model artefacts are DVC outputs with cache: false: DVC records their hashes "
            "but keeps no version of them",
            [Evidence(p, None, "cache: false") for p in dvc_models[:3]],
        )
    if dvc_models or (dvc and _DVC_MODEL_OUT.search(dvc)):
        return Verdict.passed(
            "model artefacts are DVC outputs",
            [Evidence(p) for p in (dvc_models or ["dvc.yaml"])[:3]],
        )
    saves = facts.text_search(index, index.production_python, _SAVE)
    versioned = [
        s
        for s in saves
        if _VERSION_KEY.search(index.code(s.path) or "")
        and _WRITES_METADATA.search(index.code(s.path) or "")
    ]
    if versioned:
        return Verdict.passed(
            f"{versioned[0].path} saves models with version metadata",
            [Evidence(s.path, s.line, s.value) for s in versioned[:3]],
        )
    if saves:
        return Verdict.partial(
            f"models are saved ({saves[0].path}) without a version or registry",
            [Evidence(s.path, s.line, s.value) for s in saves[:3]],
        )
    if facts.not_applicable_because(index, "trains"):  # a service of a model made elsewhere
        return Verdict.failed(
            "the model it uses is named by no version (a fixed file or a floating name) and "
            "no registry"
        )
    return Verdict.failed("trained models are neither saved with a version nor registered")


@rule("config_separate")
def config_separate(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """Config files with parameter values; a config library counts only without config files,
    so files that hold placeholders alone are not rescued by an import of Hydra. Settings in
    code or the environment are partial, unless they are a config module that only assigns
    values (nanoGPT's config/*.py) or an environment file that sets the model (its file, its
    sizes)."""
    from mlscaffold.score.judge.detectors import files, library

    spec = params["files"]
    conda = _conda_environments(index)
    if conda:
        spec = {**spec, "exclude": [*spec.get("exclude", ()), *conda]}
    verdict = files(index, spec)
    if verdict.status is Status.PARTIAL and verdict.evidence:
        settings = [e.path for e in verdict.evidence]
        plain = next((p for p in settings if _plain_python_config(index, p)), None)
        if plain:
            return Verdict.passed(
                f"{plain} holds parameter values only (a config file in Python syntax)",
                [Evidence(p) for p in settings],
            )
        for path in settings:
            if path.rsplit("/", 1)[-1].startswith(".env") or path.endswith(".env"):
                # A service of a model trained elsewhere is configured by where its model is;
                # a project that trains is configured by its training's settings.
                serves_only = not facts.training(index).code
                line = _model_setting(index.text(path) or "", serves_only)
                if line:
                    return Verdict.passed(
                        f"{path} configures the model ({line})", [Evidence(path, None, line)]
                    )
    if verdict.status is not Status.FAIL:
        return verdict
    doc = spacy_project(index)
    if doc is not None and isinstance(doc.get("vars"), dict) and doc["vars"]:
        # spaCy's project.yml: its vars fill the commands' arguments and the training config.
        return Verdict.passed(
            f"project.yml holds the project's variables "
            f"({', '.join(map(str, list(doc['vars'])[:10]))[:80]})",
            [Evidence("project.yml", None, "vars")],
        )
    return library(index, params["library"])


def spacy_project(index: RepoIndex) -> dict[str, Any] | None:
    """The root project.yml of a spaCy project (its ``commands`` and ``workflows``), parsed."""
    if "spacy_project" not in index.memo:
        from mlscaffold.score.read.readers.structured import load_yaml

        doc = None
        if "project.yml" in index.by_path:
            text = index.text("project.yml") or ""
            if "commands:" in text:
                loaded, _ = load_yaml(text)
                if isinstance(loaded, dict) and isinstance(loaded.get("commands"), list):
                    doc = loaded
        index.memo["spacy_project"] = doc
    return index.memo["spacy_project"]


def _spacy_workflow(index: RepoIndex) -> tuple[str, list[str]] | None:
    """A spaCy project's workflow of two or more commands, one of which trains (its script
    calls ``spacy train``): ``spacy project run all`` runs them in order."""
    doc = spacy_project(index)
    if doc is None or not isinstance(doc.get("workflows"), dict):
        return None
    trains = set()
    for command in doc["commands"][:_MAX_COMMANDS]:
        if not isinstance(command, dict) or not isinstance(command.get("name"), str):
            continue
        script = command.get("script")
        lines = script if isinstance(script, list) else []
        if any(isinstance(x, str) and facts.TRAIN_COMMAND.search(x) for x in lines[:50]):
            trains.add(command["name"])
    for name, steps in list(doc["workflows"].items())[:_MAX_COMMANDS]:
        if not isinstance(name, str) or not isinstance(steps, list):
            continue
        # Only strings name commands: anything else (an alias expanding to millions of
        # items) is never turned into text.
        named = [x for x in steps[:_MAX_COMMANDS] if isinstance(x, str)]
        if len(named) >= 2 and trains.intersection(named):
            return name, named
    return None


_MAX_COMMANDS = 100


def _conda_environments(index: RepoIndex) -> list[str]:
    """The conda environments the dependency reader found (by name, and for job-named files
    such as training_env.yml by content): packages, not parameters."""
    return sorted({d.path for d in index.dependencies if kind_of(d.path) == "conda"})


_CODE_LINE = lazy(r"^[ \t]*(import|from|def|class|if|for|while|with|try)\b", linear.M)


def _plain_python_config(index: RepoIndex, path: str) -> bool:
    """A module in a config/ folder that only assigns values (nanoGPT's config/train_*.py,
    loaded by name), or only declares them in a class (see ``_values_only``): a config file in
    Python syntax. A module that computes (PROJECT_ROOT = Path(__file__)...) or imports more
    than typing and dataclasses is settings kept in code."""
    if not path.endswith(".py") or "/config/" not in "/" + path or path.endswith("__init__.py"):
        return False
    text = index.text(path)
    if not (text and text.strip()):
        return False
    if not linear.compiled(_CODE_LINE).search(text):
        return True
    info = index.module_info(path)
    return info is not None and info.tree is not None and _values_only(info.tree.body)


# What a config class may import for its annotations and declarations.
_DECLARING_MODULES = frozenset({"typing", "dataclasses", "enum", "typing_extensions"})


def _values_only(body: list[ast.stmt]) -> bool:
    """Statements that only declare values, at least one: assignments of literals, a class (a
    dataclass) whose body only assigns, imports of typing and dataclasses. ``class Config: lr:
    float = 0.01`` is a config file in Python syntax; a call or a loop computes settings, and
    a TypedDict of annotations alone holds no value."""
    return _declarations(body) and any(
        _assigns_a_value(node) for statement in body for node in ast.walk(statement)
    )


def _assigns_a_value(node: ast.AST) -> bool:
    return isinstance(node, ast.Assign) or (
        isinstance(node, ast.AnnAssign) and node.value is not None
    )


def _declarations(body: list[ast.stmt]) -> bool:
    for node in body:
        if isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] not in _DECLARING_MODULES:
                return False
        elif isinstance(node, ast.Import):
            if any(a.name.split(".")[0] not in _DECLARING_MODULES for a in node.names):
                return False
        elif isinstance(node, ast.ClassDef):
            # @dataclass, @dataclass(frozen=True), @dataclasses.dataclass
            if not all(last_name(d) == "dataclass" for d in node.decorator_list):
                return False
            if any(last_name(b) in ("TypedDict", "Protocol") for b in node.bases):
                return False
            if not _declarations(node.body):
                return False
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
            if value is not None and any(
                isinstance(n, ast.Call) and last_name(n) != "field" for n in ast.walk(value)
            ):
                return False  # a computed setting (dataclasses' field() declares a default)
        elif not (
            isinstance(node, ast.Pass)
            or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ):
            return False
    return True


# Keys of a numeric model setting, as parts of the key (IMAGE_WIDTH, BATCH_SIZE, TOP_K), not a
# port, a timeout or PYTHONUNBUFFERED.
_MODEL_SETTING_KEY = lazy(
    r"(^|_)(MODEL|BATCH|EPOCHS?|LR|LEARNING|THRESHOLD|IMAGE|IMG|WIDTH|HEIGHT|TOP_?K|K|CHUNK|"
    r"EMBEDDING|DIM|LAYERS?|HIDDEN|DROPOUT|TEMPERATURE|MAX_TOKENS|ESTIMATORS|DEPTH|WINDOW|"
    r"HORIZON|LAGS?|CLUSTERS|ALPHA|SEED|CHANS|CHANNELS)(_|$)",
    linear.I,
)
_MODEL_KEY = lazy(r"MODEL_?(PATH|DIR|FILE|URI)|CHECKPOINT|WEIGHTS", linear.I)
_LOCATOR_KEY = lazy(r"(VERSION|NAME|STAGE|ALIAS|PATH|DIR|FILE|URI|URL|ID|PORT|HOST)$", linear.I)
_NUMBER = lazy(r"-?\d+(\.\d+)?([eE]-?\d+)?")


def _model_setting(text: str, locators: bool = False) -> str | None:
    """The first line of an environment file that sets the model: a number under a model
    setting's key (IMAGE_WIDTH=224, BATCH_SIZE=32; not PORT=8080, MODEL_VERSION=1), or, with
    ``locators`` (a service of a model trained elsewhere), the model's file."""
    for raw in text.splitlines()[:500]:
        line = raw.strip()
        key, eq, value = line.partition("=")
        if line.startswith("#") or not eq or not key:
            continue
        value = value.strip().strip("'\"")
        key = key.strip()
        if locators and linear.compiled(_MODEL_KEY).search(key) and value:
            return line[:80]
        # Where the model is and which version is served locate it; they set none of it.
        if linear.compiled(_NUMBER).fullmatch(value) and (
            linear.compiled(_MODEL_SETTING_KEY).search(key)
            and not linear.compiled(_LOCATOR_KEY).search(key)
        ):
            return line[:80]
    return None


_RUN_LOG_NAMES = {"tracking", "tracker", "experiment", "experiments", "runs", "runlog", "run_log"}
_WRITES = lazy(r"json\.dump|\.write\(|write_text|to_csv|yaml\.(safe_)?dump")


@rule("local_run_log", reads_contents=False)
def local_run_log(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """The project's own tracker: a module named for tracking that writes each run's
    parameters and metrics somewhere durable (a JSON-lines log, a runs/ folder)."""
    for path in index.production_python:
        stem = path.rsplit("/", 1)[-1][:-3]
        if stem not in _RUN_LOG_NAMES or not facts.has_real_code(index, path):
            continue
        text = index.code(path) or ""
        if _WRITES.search(text) and _PARAMS_WORD.search(text) and _METRICS_WORD.search(text):
            return Verdict.passed(
                f"{path} records each run's parameters and metrics (a local run log)",
                [Evidence(path)],
            )
    return Verdict.failed(
        "no experiment tracker (MLflow, W&B, Neptune, DVCLive...) and no run log of parameters "
        "and metrics"
    )


# Trackers reached through a framework: autolog, a trainer's report_to, logger callbacks,
# cloud runs (Azure ML, Vertex), ZenML's experiment tracker; in code or in config files.
_FRAMEWORK_TRACKING_RE = lazy(
    # report_to: [wandb], report_to="mlflow", or a YAML list of trackers (- tensorboard, - wandb)
    r"report_to\s*[=:]\s*(\[?\s*[\"']?|(\s*-\s*[\w-]+\n)*\s*-\s*)"
    r"(wandb|mlflow|comet_ml|neptune|clearml|aim|dvclive|all)\b|"
    r"\b(WandbLogger|MLFlowLogger|MLflowLogger|CometLogger|NeptuneLogger|MLflowLoggerCallback|"
    r"WandbLoggerCallback|WandbCallback|MLflowCallback|CometCallback|NeptuneCallback|"
    r"HyperParametersCallback|ClearMLCallback|DVCLiveCallback)\b|\bautolog\s*\(|"
    r"\brun\.log(_list|_row|_table)?\s*\(|Run\.get_context\s*\(|"
    # aiplatform.init(project=...) only sets up the SDK; given an experiment it tracks runs.
    r"aiplatform\.init\s*\([^)]*\bexperiment\s*=|aiplatform\.(start_run|log_metrics|log_params)"
    r"\s*\(|\bexperiment_tracker\s*=|"
    r"\bExperiment\.from_|\bsave_hyperparameters\s*\("
)
# The same without Lightning's save_hyperparameters, which alone only feeds its default logger;
# and a CSVLogger, which writes each version's metrics and hparams to files (a run log).
_TRACKER_BESIDE_HPARAMS = lazy(
    _FRAMEWORK_TRACKING_RE.pattern.replace(r"|\bsave_hyperparameters\s*\(", "") + r"|\bCSVLogger\b"
)


_LIGHTNING_HPARAMS = lazy(r"save_hyperparameters")


@rule("tracking_through_frameworks")
def tracking_through_frameworks(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """Runs tracked by a framework the project drives (see _FRAMEWORK_TRACKING_RE)."""
    hits = facts.text_search(index, index.pattern_code, _FRAMEWORK_TRACKING)
    if not hits:
        hits = facts.text_search(index, index.config_files, _FRAMEWORK_TRACKING)
    if (
        hits
        and all(_LIGHTNING_HPARAMS.search(h.value) for h in hits)
        # (the search keeps a file's first match: a tracker after save_hyperparameters, a
        # logger configured in YAML (Hydra's configs/logger/mlflow.yaml) or a CSVLogger)
        and not facts.text_search(index, index.pattern_code, _TRACKER_BESIDE)
        and not facts.text_search(index, index.config_files, _TRACKER_BESIDE)
    ):
        # Lightning's default logger: TensorBoard event files and hparams.yaml per version,
        # on the machine that ran them; no tracker to compare runs in.
        return Verdict.partial(
            f"only Lightning's default logger keeps the runs ({hits[0].path}: "
            "save_hyperparameters, TensorBoard files per version); no experiment tracker",
            [Evidence(h.path, h.line, h.value.strip()) for h in hits[:3]],
        )
    if hits:
        # the match may end inside a quoted value (report_to="wandb): shown without quotes
        shown = hits[0].value.strip().replace('"', "").replace("'", "")
        return Verdict.passed(
            f"runs are tracked through {shown} ({hits[0].path})",
            [Evidence(h.path, h.line, h.value.strip()) for h in hits[:3]],
        )
    # MO002's last detector: its reason sums up the ones before it (see detectors.better).
    return Verdict.failed(
        "no experiment tracker: no tracking library (MLflow, W&B, Neptune, DVCLive...), no run "
        "log of parameters and metrics, and none configured through a framework (autolog, "
        "logger callbacks, report_to)"
    )


_LINT_TABLES = ("ruff", "black", "flake8", "pylint", "mypy", "isort", "pyright", "flakeheaven")
_LINT_FILES = [
    "ruff.toml",
    ".ruff.toml",
    ".flake8",
    ".pylintrc",
    "pylintrc",
    "mypy.ini",
    ".mypy.ini",
    ".pre-commit-config.yaml",
    ".pre-commit-config.yml",
    "pyrightconfig.json",
    ".isort.cfg",
    "black.toml",  # passed to black --config
    ".style.yapf",
    # prospector runs pylint, pycodestyle, mccabe and mypy from one profile
    ".prospector.yaml",
    ".prospector.yml",
    "prospector.yaml",
    "prospector.yml",
]
# A linter run by CI with its defaults is configured there.
_LINT_RUN = lazy(
    r"\b(ruff\s+(check|format)|flake8|pylint|mypy|pyright|black\s+--check|isort\s+--check|"
    r"pre-commit\s+run|pre-commit/action|prospector)\b"
)


# A git hook kept in the repository (core.hooksPath .githooks, husky) or a Makefile target that
# runs a linter or formatter: the project's own way to apply it.
_HOOK_FILES = ["/.githooks/*", "/.git-hooks/*", "/githooks/*", "/.husky/*", "/hooks/pre-commit",
               "/Makefile", "/makefile", "/GNUmakefile"]  # fmt: skip
# The tool as the command of a line (a recipe's, a hook's, after && or ;, or through python -m,
# poetry run, uv run), not a word in a comment or an install line.
_HOOK_LINT = lazy(
    r"(^|&&|;|\|\|)[ \t@-]*((python3?[ \t]+-m|poetry[ \t]+run|uv[ \t]+run|pipenv[ \t]+run|uvx|"
    r"pipx[ \t]+run)"
    r"[ \t]+)?(ruff([ \t]+(check|format))?|flake8|pylint|mypy|pyright|black|isort|autopep8|"
    r"yapf)([ \t]+[-\w./=$\"'{}:,]+)*[ \t]*$",
    linear.M,
)


def _lint_in_hooks(index: RepoIndex) -> tuple[str, int, str] | None:
    """A linter or formatter run by a git hook kept in the repository or by the root
    Makefile: (file, line, the command)."""
    for entry in index.glob(_HOOK_FILES)[:20]:
        text = index.text(entry.path) or ""
        for line, m in _HOOK_LINT.finditer_lines(text):
            return entry.path, line, " ".join(m.group(0).strip("&;| \t@-").split())[:60]
    return None


# GitHub's starter workflow: flake8 failing only on syntax errors, the rest --exit-zero.
# A run that cannot fail the build: reporting only (--exit-zero), syntax errors only, or its
# failure swallowed by the shell (flake8 . || true, || echo "lint failed": the CI text is read
# with its quoted strings blanked, so an echo of one leaves the || with nothing after it).
_LENIENT = lazy(
    r"--exit-zero|--select[= ]E9,F63,F7,F82\s|\|\|\s*(true\b|exit\s+0\b|:(\s|$)|echo\b|$)"
)
# What ends a command on a shell line whatever it returned (the || that swallows a failure
# belongs to its command; `flake8 . && true` still fails with flake8).
_COMMAND_END = lazy(r";")
_ALWAYS_TRUE = lazy(r"^\s*(true|exit\s+0|:)\s*$")


# Lines that name a linter without running it: installing it, or a CI step's title.
_NOT_A_RUN = lazy(
    r"\b(pip3?|uv|poetry|conda|mamba|pipx|apt(-get)?|brew)\s+(install|add|sync)\b|"
    r"^\s*-?\s*(name|id|uses)\s*:",
    linear.M,
)


def _lint_is_lenient(index: RepoIndex, ci_path: str) -> bool:
    from mlscaffold.score.judge.rules.deployment import ci_commands

    text = ci_commands(index, ci_path).replace("\\\n", " ")  # continued lines are one
    all_lines = text.splitlines()
    runs = [
        n
        for n, line in enumerate(all_lines)
        if _LINT_RUN.search(line) and not _NOT_A_RUN.search(line)
    ]
    return bool(runs) and all(
        _lenient_line(all_lines[n]) or _allowed_to_fail(all_lines, n) for n in runs[:_MAX_RUNS]
    )


_MAX_RUNS = 50
_MAX_BLOCK_LINES = 200
# A CI step or job whose failure does not fail the build (GitHub's continue-on-error: true,
# GitLab's allow_failure: true).
_ALLOWED_TO_FAIL = lazy(r"^\s*-?\s*(continue-on-error|allow_failure)\s*:\s*true\b")


def _allowed_to_fail(lines: list[str], n: int) -> bool:
    """Whether the step or job holding line ``n`` of a CI file may fail: the block that
    encloses it (the nearest line above it, indented less, that opens a list item or a
    top-level key, and the lines indented deeper than that line) says so."""
    indent = len(lines[n]) - len(lines[n].lstrip())
    start = None
    for k in range(n - 1, max(-1, n - _MAX_BLOCK_LINES), -1):
        line = lines[k]
        depth = len(line) - len(line.lstrip())
        if not line.strip() or depth >= indent:
            continue
        if line.lstrip().startswith("- ") or depth == 0:
            start, indent = k, depth
            break
        indent = depth
    if start is None:
        return False
    if _ALLOWED_TO_FAIL.search(lines[start]):
        return True
    for line in lines[start + 1 : start + _MAX_BLOCK_LINES]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break  # the next step or job
        if _ALLOWED_TO_FAIL.search(line):
            return True
    return False


def _lenient_line(line: str) -> bool:
    """Whether every lint command on a shell line cannot fail it: its own command is lenient
    (test -f .flake8 || true; flake8 . is strict), or a command after it always succeeds
    (flake8 . ; true)."""
    commands = _COMMAND_END.split(line)
    runs = [n for n, c in enumerate(commands) if _LINT_RUN.search(c)]
    return bool(runs) and all(
        _LENIENT.search(commands[n] + " ") or any(_ALWAYS_TRUE.search(c) for c in commands[n + 1 :])
        for n in runs
    )


@rule("code_quality_tooling", reads_contents=False)
def code_quality_tooling(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    tool = index.pyproject.get("tool") if isinstance(index.pyproject.get("tool"), dict) else {}
    tables = [t for t in _LINT_TABLES if t in tool]
    files = [f.path for f in index.glob(_LINT_FILES) if f.path.count("/") == 0]
    for cfg in ("setup.cfg", "tox.ini"):
        text = index.text(cfg) if cfg in index.by_path else None
        if text and _LINT_SECTION.search(text):
            files.append(cfg)
    if tables or files:
        found = [f"[tool.{t}]" for t in tables] + files
        return Verdict.passed(
            f"configured: {', '.join(found[:4])}",
            [Evidence("pyproject.toml" if tables else files[0])],
        )
    from mlscaffold.score.judge.rules.deployment import ci_search

    in_ci = ci_search(index, _LINT_RUN)
    if in_ci:
        ev = [Evidence(h.path, h.line, h.value.strip()) for h in in_ci[:3]]
        if all(_lint_is_lenient(index, h.path) for h in in_ci):
            return Verdict.partial(
                f"{in_ci[0].path} runs {in_ci[0].value.strip()}, but in a way that cannot fail the "
                "build (--exit-zero, || true, continue-on-error) or for syntax errors only "
                "(--select=E9,F63,F7,F82), with no configuration",
                ev,
            )
        return Verdict.passed(f"{in_ci[0].path} runs {in_ci[0].value.strip()}", ev)
    hooked = _lint_in_hooks(index)
    if hooked is not None:
        path, line, run = hooked
        return Verdict.passed(f"{path} runs {run}", [Evidence(path, line, run)])
    declared = index.declared((*_LINT_TABLES, "pre-commit"))
    if declared:
        return Verdict.partial(
            f"{declared[0].name} is a dependency but has no configuration",
            [Evidence(declared[0].path, declared[0].line)],
        )
    return Verdict.failed("no linter, formatter or type checker is configured")


# Patterns the content pass matches in every production module and notebook (see scan).
_SEED = CodePattern(_SEED_RE)
_AUTOLOG_CALL = CodePattern(_AUTOLOG)
_METRIC_CALL = CodePattern(_METRIC_CALL_RE)
_REGISTER = CodePattern(_REGISTER_RE)
_SAVE = CodePattern(_SAVE_RE)
_RECORDS = CodePattern(_RECORD)
_FRAMEWORK_TRACKING = CodePattern(_FRAMEWORK_TRACKING_RE)
_TRACKER_BESIDE = CodePattern(_TRACKER_BESIDE_HPARAMS)
_STEPS = CodePattern(_ORCHESTRATED_STEP)
