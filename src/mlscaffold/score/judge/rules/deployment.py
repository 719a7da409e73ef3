"""Deployment-stage rules: container, CI/CD, serving, shared preprocessing, monitoring, logging."""

from __future__ import annotations

import ast
import itertools
import json
import os
import posixpath
from functools import lru_cache
from typing import Any

from mlscaffold.score.budget import tick
from mlscaffold.score.judge.rules import facts, rule
from mlscaffold.score.model import Evidence, Verdict, closed
from mlscaffold.score.read import linear, scan
from mlscaffold.score.read.index import Located, RepoIndex
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.readers.deps import normalise

_FROM = lazy(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", linear.I | linear.M)
# An instruction with its continuation lines (RUN apt-get update \\ && pip install ...).
_INSTALL = lazy(r"^\s*(RUN|COPY|ADD)\b(?:[^\n]*\\\r?\n)*[^\n]*", linear.I | linear.M)
# Words apart by spaces, or by '", "' in the exec form: RUN ["pip", "install", "-r", ...].
_SP = r"""["',\s]+"""
_INSTALL_CMD = lazy(
    rf"pip\d?{_SP}install|uv{_SP}(pip|sync)|poetry{_SP}install|conda{_SP}(env|install)|"
    rf"mamba{_SP}install|apt-get{_SP}install|apk{_SP}add|pdm{_SP}(install|sync)|"
    rf"pixi{_SP}install|micromamba",
    linear.I,
)


_BUILD_SECTION = lazy(r"^(docker|build)[ \t]*:", linear.M)


# Container definitions wherever they are (Dockerfile.gpu, serve.Dockerfile, Containerfile).
DOCKERFILE_GLOBS = (
    "Dockerfile", "Dockerfile.*", "Dockerfile-*", "*.Dockerfile", "*.dockerfile", "dockerfile",
    "dockerfile.*", "dockerfile-*", "Containerfile",
)  # fmt: skip


@rule("container_defined")  # reads code: nothing served makes it not applicable
def container_defined(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    files = [
        f.path
        for f in index.glob(DOCKERFILE_GLOBS)
        if not f.path.endswith((".template", ".j2", ".jinja", ".tmpl", ".in"))
    ]
    if not files:
        built = index.glob(["/bentofile.yaml", "/bentofile.yml", "/cog.yaml"])
        if built:
            path = built[0].path
            spec = index.text(path) or ""
            if _BUILD_SECTION.search(spec):
                return Verdict.passed(
                    f"{path}: BentoML or Cog builds the container image", [Evidence(path)]
                )
            return Verdict.partial(
                f"{path} could build an image, but sets no docker/build section (base image, "
                "system packages)",
                [Evidence(path)],
            )
        web, batch, stubs = serving_modules(index)
        if not (web or batch or stubs):
            # Research code, a training-only project, a library: nothing runs as a service,
            # so there is no service image to define (a reviewer's "not applicable").
            return Verdict.not_applicable(
                "nothing is served (no serving app or batch prediction entry point), so there "
                "is no service to containerise"
            )
        if not web and not stubs and not deployed(index):
            return Verdict.not_applicable(_UNDEPLOYED.format(what="no service to containerise"))
        return Verdict.failed("no Dockerfile or Containerfile")
    # The shallowest Dockerfile (or Containerfile) is the project's image; Dockerfile.gpu and
    # the like are variants, judged only when there is no plain one.
    plain = [p for p in files if p.rsplit("/", 1)[-1] in ("Dockerfile", "Containerfile")]
    depth = min((p.count("/") for p in plain), default=0)
    primary = {p for p in plain if p.count("/") == depth}
    files.sort(key=lambda p: (p not in primary, p.count("/"), p))
    problems: list[tuple[str, str]] = []
    for path in files:
        text = index.text(path) or ""
        stages: set[str] = set()
        issue = ""
        for m in _FROM.finditer(text):
            image, alias = m.group(1), m.group(2)
            base = image.split("@")[0]
            tagged = "@sha256:" in image or _versioned_tag(base)
            if (
                image.lower() not in stages
                and image != "scratch"
                and "$" not in image
                and (not tagged or base.endswith(":latest"))
            ):
                issue = f"base image '{image}' is not pinned to a version"
            if alias:
                stages.add(alias.lower())
        if not _FROM.search(text):
            issue = "no FROM instruction"
        elif not issue and not any(
            _INSTALL_CMD.search(m.group(0)) for m in _INSTALL.finditer(text)
        ):
            issue = "installs nothing (no pip/uv/poetry/conda/apt install)"
        issue = issue or _dev_or_stale(index, path, text)
        if not issue:
            return Verdict.passed(
                f"{path} builds on a pinned base and installs the project", [Evidence(path, 1)]
            )
        problems.append((path, issue))
        if path in primary:  # the image the project means; variants do not make up for it
            break
    path, issue = problems[-1] if problems[-1][0] in primary else problems[0]
    return Verdict.partial(f"{path}: {issue}", [Evidence(p, 1, i) for p, i in problems[:3]])


_CODENAMES = frozenset(
    "bookworm bullseye buster stretch trixie jammy focal bionic noble xenial trusty lunar "
    "mantic kinetic oracular".split()
)
_OS_IMAGES = frozenset(("debian", "ubuntu", "buildpack-deps"))
# Language images whose major-only tags move with every minor release (Node's majors are
# release lines, so node:20 is a pin).
_RUNTIMES = frozenset(("python", "pypy"))


def _versioned_tag(image: str) -> bool:
    """Whether an image's tag names a version: a number (python:3.11-slim), or a release
    codename of an OS image (ubuntu:jammy, debian:bookworm-slim); not latest, slim, alpine or
    latest-gpu-py3, nor a codename that pins the OS under a language's image (python:bookworm)."""
    name, _, tag = image.rsplit("/", 1)[-1].partition(":")
    parts = tag.lower().split("-")
    if not tag or "latest" in parts:
        return False
    if (
        name.lower() in _RUNTIMES
        and parts[0].isdigit()
        and not any(p[:1].isdigit() and "." in p for p in parts)
    ):
        return False  # python:3-slim follows each new minor release of Python 3
    if any(c.isdigit() for c in tag):
        return True
    return name.lower() in _OS_IMAGES and bool(_CODENAMES.intersection(parts))


# The image's last command: a shell or a notebook server is a development environment.
_LAST_CMD = lazy(r"^[ \t]*(?:CMD|ENTRYPOINT)[ \t]+([^\n]*)", linear.I | linear.M)
_DEV_CMD = lazy(
    r"^\[?\s*[\"']?(/bin/|/usr/bin/)?(bash|sh|zsh|jupyter|jupyter-lab|ipython|sleep)\b", linear.I
)
# A shell that runs a program (`sh -c "alembic upgrade head && uvicorn app:app"`) starts the
# service, not a developer's session.
_SHELL_RUNS = lazy(
    r"[\s\"']-c\b[^\n]*\b(uvicorn|gunicorn|hypercorn|streamlit|flask|python\d?|bentoml|mlflow|"
    r"torchserve|fastapi|gradio|celery|prefect|airflow|node|java)\b",
    linear.I,
)
_NOTEBOOK_SERVER = lazy(r"\b(jupyter|ipython)", linear.I)
# An image that gets the project without COPY: bind-mounted at build time; a model server's
# (Triton, TorchServe) serves models mounted when it runs, and an orchestrator's step image
# (ZenML) gets the code from the orchestrator. (A clone or git install of the project itself,
# and a compose service mounting it, are judged in _pulls_the_project.)
_PULLS_THE_PROJECT = lazy(
    r"--mount=type=bind|"
    r"tritonserver|torchserve|tensorflow/serving|seldon|kserve|mlserver|vllm|zenml|"
    r"text-generation-inference",
    linear.I,
)
# A repository cloned or pip-installed from git: the project itself only when it is named as
# the project is (pip install git+https://github.com/online-ml/river installs a library).
_GIT_CLONE = lazy(r"\bgit[ \t]+clone\b([^\n;&|]*)", linear.I)
_GIT_PLUS = lazy(r"\bgit\+([^\s\"'\\]+)", linear.I)
# git clone's options that take a value as the next word (--depth 1, -b main).
_CLONE_VALUED = frozenset(
    "-b --branch --depth -o --origin -c --config --reference --reference-if-able "
    "--separate-git-dir -j --jobs --filter --shallow-since --shallow-exclude --template "
    "-u --upload-pack --server-option --bundle-uri".split()
)
# A checkout folder's name beyond the project's: churn-main (a GitHub archive), churn-1.2.
_CHECKOUT_SUFFIX = lazy(r"[-_.](main|master|dev|develop|trunk|v?\d[\w.]*)$", linear.I)


def _cloned_names(text: str) -> list[str | None]:
    """The repository names a Dockerfile clones or pip-installs from git, in order; None for
    one it names through a variable ($REPO), "" for a clone without a URL."""
    text = text.replace("\\\n", " ")  # a command continued over lines
    names: list[str | None] = []
    for m in itertools.islice(_GIT_CLONE.finditer(text), 20):
        words = [w.strip("\"'") for w in m.group(1).split()]
        url, skip = None, False
        for word in words:
            if skip:
                skip = False
            elif word.startswith("-"):
                skip = word in _CLONE_VALUED
            else:
                url = word
                break
        names.append(_repository_name(url))
    for m in itertools.islice(_GIT_PLUS.finditer(text), 20):
        names.append(_repository_name(m.group(1).split("#", 1)[0]))
    return names


def _repository_name(url: str | None) -> str | None:
    """The repository a URL names; None when a variable names it ($REPO), "" when there is no
    URL ("no git clone" in a comment)."""
    if not url:
        return ""
    if "$" in url:
        return None
    last = url.rstrip("/").replace(":", "/").rsplit("/", 1)[-1]
    return normalise(last.split("@", 1)[0].removesuffix(".git"))


_COMPOSE = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
_MAX_SERVICES = 50


def _compose_mounts_project(index: RepoIndex, dockerfile: str) -> bool:
    """Whether a compose file (beside the Dockerfile or at the root) has a service that builds
    this Dockerfile and mounts the project into it (volumes: - $PWD:/workspace, - ..:/app
    from docker/, or the long form's source): the project is in the container when it runs.
    A mount in another service (a notebook server beside an MLflow image) does not count."""
    from mlscaffold.score.read.readers.structured import load_yaml

    folder = dockerfile.rpartition("/")[0]
    places = [folder, ""] if folder else [""]
    for place in places:
        for name in _COMPOSE:
            compose = posixpath.join(place, name) if place else name
            if compose not in index.by_path:
                continue
            doc, _ = load_yaml(index.text(compose) or "")
            services = doc.get("services") if isinstance(doc, dict) else None
            if not isinstance(services, dict):
                continue
            for service in itertools.islice(services.values(), _MAX_SERVICES):
                if isinstance(service, dict) and _builds_and_mounts(service, place, dockerfile):
                    return True
    return False


def _builds_and_mounts(service: dict, place: str, dockerfile: str) -> bool:
    build = service.get("build")
    if isinstance(build, str):
        context, file = build, "Dockerfile"
    elif isinstance(build, dict):
        context, file = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    else:
        return False
    if not isinstance(context, str) or not isinstance(file, str):
        return False
    root = posixpath.normpath(posixpath.join(place or ".", context))
    if posixpath.normpath(posixpath.join(root, file)) != posixpath.normpath(dockerfile):
        return False
    volumes = service.get("volumes")
    for volume in itertools.islice(volumes if isinstance(volumes, list) else (), _MAX_SERVICES):
        if isinstance(volume, str):
            source = volume.split(":", 1)[0] if ":" in volume else ""
        elif isinstance(volume, dict) and volume.get("type") == "bind":
            source = volume.get("source")
        else:
            continue
        if not isinstance(source, str) or not source:
            continue
        source = source.replace("${PWD}", ".").replace("$PWD", ".")
        if source.startswith(("/", "~", "$")) or not source.startswith("."):
            continue  # an absolute path, a variable or a named volume: not the project
        mounted = posixpath.normpath(posixpath.join(place or ".", source))
        if mounted in (".", root):
            return True
    return False


def _pulls_the_project(index: RepoIndex, text: str, path: str) -> bool:
    if _PULLS_THE_PROJECT.search(text):
        return True
    if _compose_mounts_project(index, path):
        return True
    folder_name = os.path.basename(index.root.rstrip("/\\"))
    own = {normalise(folder_name), normalise(_CHECKOUT_SUFFIX.sub("", folder_name))}
    if distribution := facts.distribution_name(index):
        own.add(normalise(distribution))
    # A clone of an unknown repository (git clone $REPO) is given the benefit of the doubt.
    return any(name is None or name in own for name in _cloned_names(text))


_COPIED = lazy(r"^[ \t]*(?:COPY|ADD)[ \t]+([^\n]*)", linear.I | linear.M)
_DEPENDENCY_FILE = lazy(
    r"^(requirements[\w.-]*\.txt|environment[\w.-]*\.ya?ml|pyproject\.toml|setup\.py|Pipfile|"
    r"Pipfile\.lock|poetry\.lock|uv\.lock|conda[\w.-]*\.ya?ml)$"
)


def development_command(text: str) -> str | None:
    """A Dockerfile's last command when it starts a shell or a notebook server (an image for
    the developers, not the service's), else None."""
    commands = list(_LAST_CMD.finditer(text))
    if not commands:
        return None
    command = commands[-1].group(1)
    if _DEV_CMD.search(command) and (
        _NOTEBOOK_SERVER.search(command) or not _SHELL_RUNS.search(command)
    ):
        return command.strip()
    return None


def _installs_own(index: RepoIndex, text: str) -> bool:
    """Whether the image installs the project's own published package (``pip install
    churn-model==1.2.0``)."""
    name = facts.distribution_name(index)
    if not name:
        return False
    wanted = normalise(name)
    for m in _PIP_INSTALL_LINE.finditer(text):
        for word in m.group(1).split():
            if normalise(word.split("[", 1)[0].split("=", 1)[0].split(">", 1)[0]) == wanted:
                return True
    return False


_PIP_INSTALL_LINE = lazy(r"pip\d?[ \t]+install[ \t]+([^\n]*)")


def _dev_or_stale(index: RepoIndex, path: str, text: str) -> str:
    """Why an image is not the service's: it starts a shell or a notebook server, it holds
    none of the project (no COPY, clone, bind mount or install of the project's package: a
    tool's image), it copies a file the repository no longer has (the image no longer
    builds), or it starts a program the repository does not have (it does not run)."""
    if (command := development_command(text)) is not None:
        return f"a development environment (runs {command[:40]}), not a service image"
    if (
        not _COPIED.search(text)
        and not _pulls_the_project(index, text, path)
        and not _installs_own(index, text)
    ):
        # python + pip install mlflow boto3: a tracking server's or a proxy's image, not the
        # project's (its code and model are not in it).
        return "copies none of the project's files (an image of its tools, not of the project)"
    folder = path.rpartition("/")[0]
    for m in itertools.islice(_COPIED.finditer(text), _MAX_COPIES):
        if "{{" in m.group(1) or "{%" in m.group(1):
            continue  # an unrendered template's instruction
        words = _copy_arguments(m.group(1))
        if any(w.startswith("--from") for w in words):  # from another stage or image
            continue
        sources = [w for w in words if w and not w.startswith("--")][:-1]
        for source in sources[:_MAX_SOURCES]:
            name = source.removeprefix("./").rstrip("/")
            if "/" not in name and _DEPENDENCY_FILE.search(name):
                near = f"{folder}/{name}" if folder else name
                if near not in index.by_path and name not in index.by_path:
                    return f"copies {name}, which the repository does not have (a stale image)"
            elif _absent_source(index, folder, name):
                return (
                    f"copies {name[:60]}, which the repository does not have (the image does "
                    "not build as written)"
                )
    script = _absent_program(index, path, text)
    if script:
        return f"starts {script[:60]}, which the repository does not have (the image does not run)"
    return ""


# The Python file a command runs: the first .py word that is not an option's value
# (CMD ["python", "app.py"], streamlit run app.py; not gunicorn -c gunicorn_conf.py).
_CMD_SCRIPT = lazy(r"(?:^|[\s\[\"',=/])([\w.-]+\.py)(?:$|[\s\]\"',])")
# Options whose value is a file the program reads, not the program (gunicorn -c conf.py).
_OPTION_BEFORE = lazy(
    r"(^|[\s\[\"',])(-c|--config|--conf|--config-file|--log-config|--settings|-e|--env-file)"
    r"[\s\"',=]*$"
)


def _absent_program(index: RepoIndex, path: str, text: str) -> str | None:
    """The Python file the image's last CMD or ENTRYPOINT runs when no file of that name is
    anywhere in the repository and nothing else in the Dockerfile names it (a COPY that renames
    a script, a RUN that makes one, an ADD from a URL): the app was renamed, and the image
    starts what is not there. None when it runs no named file, one the repository has (a
    link included) or the build makes (a notebook converted to a script), or a variable or
    template names it."""
    commands = list(_LAST_CMD.finditer(text))
    if not commands:
        return None
    # the last ENTRYPOINT names the program when a later CMD gives only its arguments
    entry = [m for m in commands if m.group(0).lstrip().upper().startswith("ENTRYPOINT")]
    for last in dict.fromkeys([commands[-1], *entry[-1:]]):
        found = _missing_in(index, path, text, last)
        if found:
            return found
    return None


def _missing_in(index: RepoIndex, path: str, text: str, last) -> str | None:
    """The first program ``last`` (a CMD or ENTRYPOINT match) runs that is nowhere."""
    command = last.group(1)
    if any(mark in command for mark in ("$", "{{", "{%")):
        return None
    for m in itertools.islice(_CMD_SCRIPT.finditer(command), _MAX_SOURCES):
        if _OPTION_BEFORE.search(command[: m.start(1)]):
            continue  # an option's value: a config file, not the program
        name = m.group(1)
        made = name[:-2]  # app. of app.py, app.ipynb (nbconvert --to script) or app.pyc
        if index.glob([name]) or made in text[: last.start()] or made in text[last.end() :]:
            return None
        folder = path.rpartition("/")[0]
        folders = [folder, "", *itertools.islice(index.paths.folders, _MAX_LINK_FOLDERS)]
        if any(os.path.lexists(os.path.join(index.root, d, name)) for d in dict.fromkeys(folders)):
            return None  # a link in the repository (not followed: only its name is looked at)
        return name
    return None


_MAX_LINK_FOLDERS = 500  # folders looked in for a link of the program's name
_MAX_COPIES = 50
_MAX_SOURCES = 20


def _copy_arguments(arguments: str) -> list[str]:
    """A COPY's words: the exec form's JSON list (``["app/my config.yaml", "/app/"]``) or the
    shell form's words."""
    stripped = arguments.strip()
    if stripped.startswith("["):
        try:
            words = json.loads(stripped)
        except ValueError:
            words = None
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            return words
    return [w.strip("\"'[],") for w in stripped.split()]


# COPY sources a build makes or a run writes before the image is built: trained models and
# their artefacts, tokenizers, data, build outputs; absent from a clone by design.
_MADE_BEFORE_BUILD = lazy(
    r"(^|/)(models?|model_store|artifacts?|artefacts?|outputs?|mlruns|mlartifacts|"
    r"checkpoints?|checkpoint-\d+|weights|tokenizers?|data|dist|build|target|saved_models?|"
    r"bentos?|runs|logs|reports)(/|$)|"
    r"\.(pkl|pickle|joblib|pt|pth|h5|keras|onnx|ckpt|bin|safetensors|tflite|pb|mar|gguf|"
    r"engine|plan|xgb|cbm|ubj|sav|model|whl|tar\.gz|zip|db|sqlite|csv|parquet|json|npy|npz|"
    r"lock|env|pem|crt|key)$|(^|/)\w*model\w*\.txt$",
    linear.I,
)


def _absent_source(index: RepoIndex, folder: str, name: str) -> bool:
    """Whether a COPY source names nothing in the repository from any folder the build's
    context can be (the Dockerfile's folder, one above it, a compose file's build context),
    and is not something a run or a build makes first: a model, data or a wheel, or what the
    repository says a run makes (DVC outputs). Globs, variables, URLs and git
    sources are not judged."""
    if (
        not name
        or name == "."
        or any(c in name for c in "*?[${<%@:")  # globs, variables, placeholders, URLs, git
        or name.startswith(("/", ".."))
        or _MADE_BEFORE_BUILD.search(name)
    ):
        return False
    folders, made, contexts = _copy_context(index)
    if name in made or name.rpartition("/")[2] in made or name.partition("/")[0] in made:
        return False
    parts = folder.split("/") if folder else []
    candidates = ["", *("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))]
    for context in [*candidates, *contexts]:
        path = f"{context}/{name}" if context else name
        if path in index.by_path or path in folders:
            return False
    return True


_DVC_OUT = lazy(r"^[ \t]*-[ \t]*([\w./-]+)[ \t]*:?[ \t]*$", linear.M)
_COMPOSE_CONTEXT = lazy(r"^[ \t]*context:[ \t]*['\"]?([\w./-]+)", linear.M)
_MAX_MADE_FILES = 20


def _copy_context(index: RepoIndex) -> tuple[set[str], set[str], list[str]]:
    """Once a run: every folder of the repository (ancestors included), the names it says a
    run makes (DVC outputs and pointers), and compose build contexts."""
    if "copy_context" not in index.memo:
        folders: set[str] = set()
        for folder in index.paths.folders:
            while folder and folder not in folders:
                folders.add(folder)
                folder = folder.rpartition("/")[0]
        # (Not what .gitignore lists: an ignored web/ folder of source code is as absent from a
        # clone as a model, and only the model is made by a run.)
        made: set[str] = {f.path[: -len(".dvc")] for f in index.with_suffixes(".dvc")}
        for entry in index.glob(["**/dvc.yaml"])[:_MAX_MADE_FILES]:
            text = (index.text(entry.path) or "")[:100_000]
            made.update(m.group(1).removeprefix("./").rstrip("/") for m in _DVC_OUT.finditer(text))
        contexts = []
        for entry in index.glob(_COMPOSE_FILES)[:_MAX_MADE_FILES]:
            text = (index.text(entry.path) or "")[:100_000]
            base = entry.path.rpartition("/")[0]
            for m in itertools.islice(_COMPOSE_CONTEXT.finditer(text), 50):
                context = posixpath.normpath(posixpath.join(base, m.group(1)))
                if not context.startswith(".."):
                    contexts.append("" if context == "." else context)
        index.memo["copy_context"] = (folders, made, contexts)
    return index.memo["copy_context"]


_COMPOSE_FILES = ["**/docker-compose*.yml", "**/docker-compose*.yaml", "**/compose.yml",
                  "**/compose.yaml"]  # fmt: skip


# Commands that run the tests (quoted first when a workflow runs them), each within one line:
# a step named "Run tests with coverage" above `run: |` runs no coverage.
_TESTS = (
    r"\bpy\.?test\b|\btox\b|\bnox\b|make[ \t]+(test|check|ci)\b|\bunittest\b|"
    r"coverage[ \t]+run|hatch[ \t]+(run[ \t]+)?test|\bpoe[ \t]+test|npm[ \t]+(run[ \t]+)?test"
)
_TEST_CMD = lazy(_TESTS)
# ... and the other checks: linters, type checkers, a smoke run of the pipeline.
_CHECK_CMD = lazy(
    _TESTS + r"|make[ \t]+lint\b|\bruff\b|\bflake8\b|\bmypy\b|pre-commit(/action|[ \t]+run)|"
    r"\bpylint\b|black[ \t]+--check|mlscaffold[ \t]+score|\bbandit\b|\bpyright\b|"
    # a smoke run of the pipeline's own scripts (train, validate, detect, export) checks it too
    r"\bpython\d?[ \t]+(-m[ \t]+)?[\w./-]*(train|val|validate|test|detect|predict|evaluate|export|"
    r"benchmarks?)[\w-]*(\.py)?(?:[ \t]+|[ \t]*\\?\r?\n[ \t]*)-{1,2}[A-Za-z]"
)


_TASK_RUNNER = lazy(
    r"\b(pixi|hatch|pdm|poe|poetry|uv|rye|just|task|invoke|inv|nox|tox|make)\b[^\n]*"
    r"\b(tests?|lint|linters|check|checks|pytest|typecheck|ci)\b"
)
# Files a CI step hands work to: shell scripts, job specs and templates (YAML), compose files.
_FILE_REF = lazy(r"([\w.{}$/-]*[\w-]\.(?:sh|ya?ml))\b")
_ECHO = lazy(r"\b(echo|printf)\b[^\n;&|]*")
_COMMENT_LINE = lazy(r"^[ \t]*#[^\n]*", linear.M)
_FOLLOW_DEPTH = 2  # CI -> job spec -> script
_FOLLOW_FILES = 20
_MAX_FOLLOWED_CHARS = 256 * 1024  # of the files one CI file hands work to, in all
_MAX_FOLLOWED_FILE_CHARS = 32 * 1024  # of each


def ci_commands(index: RepoIndex, path: str) -> str:
    """CI text with echoed strings removed ("echo 'Running unit tests'" runs nothing), plus the
    text of the files it hands work to (a shell script, a job spec or a pipeline template, a
    compose file whose service runs pytest), and of those they name in turn: indirection
    counts, two levels deep."""
    memo = index.memo.setdefault("ci_commands", {})
    if path in memo:
        return memo[path]
    parts: list[str] = []
    seen = {path}
    frontier = [path]
    cleaned = index.memo.setdefault("ci_cleaned", {})
    followed = 0  # characters of the files followed, kept with this file's own
    for _ in range(_FOLLOW_DEPTH + 1):
        following: list[str] = []
        for current in frontier:
            text = cleaned.get(current)
            if text is None:
                # A commented-out job runs nothing (lines kept, so line numbers hold).
                text = _COMMENT_LINE.sub("", _ECHO.sub(" ", index.text(current) or ""))
                cleaned[current] = text
            if current == path and _never_triggered(path, text):
                text = ""
            elif current != path:
                # Each followed file's start, within a bound for them all: 800 workflows
                # naming the same twenty 100 KB scripts kept 2.8 GB of copies (an OpenAPI
                # spec named first must not crowd out the test script named next).
                text = text[: min(_MAX_FOLLOWED_FILE_CHARS, _MAX_FOLLOWED_CHARS - followed)]
                followed += len(text)
            parts.append(text)
            for m in _FILE_REF.finditer(text):
                target = _resolve(index, current, m.group(1))
                if target and target not in seen and len(seen) < _FOLLOW_FILES:
                    seen.add(target)
                    following.append(target)
        frontier = following
    memo[path] = "\n".join(parts)
    return memo[path]


# A GitHub workflow's trigger key with nothing under it (every trigger commented out).
# (A top-level key or the end next; a list item at column 0, "- push", is a trigger.)
_EMPTY_TRIGGER = lazy(
    r"^['\"]?on['\"]?[ \t]*:[ \t]*(#[^\n]*)?\r?\n(?:[ \t]*\r?\n)*(?:[^ \t\r\n-]|\z)", linear.M
)


def _never_triggered(path: str, text: str) -> bool:
    """Whether a GitHub Actions workflow has no live trigger, so it never runs."""
    return path.startswith(".github/workflows/") and _EMPTY_TRIGGER.search(text) is not None


def _resolve(index: RepoIndex, start: str, ref: str) -> str | None:
    """The listed file a reference names: from the repository root, or beside the file that
    names it (``template: code-quality-template.yml`` in .pipelines/)."""
    ref = ref.removeprefix("./").removeprefix("$(pwd)/").removeprefix("${{ github.workspace }}/")
    folder = start.rsplit("/", 1)[0] + "/" if "/" in start else ""
    for candidate in (ref, folder + ref):
        if candidate in index.by_path:
            return candidate
    return None


def ci_search(index: RepoIndex, pattern: linear.Pattern, clean=None) -> list[Located]:
    """Where each CI file (with the files it hands work to) first matches ``pattern``."""
    hits = []
    for path in index.ci_files:
        text = ci_commands(index, path)
        if clean is not None:
            text = clean(text)
        m = pattern.search(text)
        if m:
            hits.append(Located(path, text.count("\n", 0, m.start()) + 1, m.group(0)))
    return hits


@rule("ci_runs_checks", reads_contents=False)
def ci_runs_checks(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    if not index.ci_files:
        return Verdict.failed("no CI configuration (.github/workflows, .gitlab-ci.yml, ...)")
    hits = ci_search(index, _CHECK_CMD) or ci_search(index, _TASK_RUNNER)
    runs = {h.path: _check_steps(index, h.path) for h in hits}
    if hits and all(kind == "none" for kind in runs.values()):
        return Verdict.partial(
            f"CI only installs or names its test tools ({hits[0].path}: "
            f"{hits[0].value.strip()}) and runs no tests or checks",
            [Evidence(h.path, h.line, h.value.strip()) for h in hits[:5]],
        )
    if hits and "fails" not in runs.values():
        return Verdict.partial(
            f"{hits[0].path} runs {' '.join(hits[0].value.split())}, but every check step is "
            "allowed to fail (continue-on-error, allow_failure or || true): CI never stops on them",
            [Evidence(h.path, h.line, h.value.strip()) for h in hits[:5]],
        )
    if hits:
        # Quote the tests when a passing workflow runs them, not the linter listed first.
        shown = next(
            (h for h in ci_search(index, _TEST_CMD) if runs.get(h.path) == "fails"),
            hits[0],
        )
        return Verdict.passed(
            f"{shown.path} runs {' '.join(shown.value.split())}",
            [
                Evidence(h.path, h.line, h.value.strip())
                for h in [shown, *(h for h in hits if h != shown)][:5]
            ],
        )
    return Verdict.partial(
        f"CI exists ({', '.join(index.ci_files[:3])}) but runs no tests or checks",
        [Evidence(p, 1) for p in index.ci_files[:3]],
    )


# A step or job allowed to fail, and a command that cannot fail.
_ALLOWED_TO_FAIL = lazy(r"^(continue-on-error|allow_failure)[ \t]*:[ \t]*(true|yes)\b", linear.I)
_NEVER_FAILS = lazy(r"\|\|[ \t]*(true|:|exit[ \t]+0)\b|;[ \t]*(true|exit[ \t]+0)[ \t]*$")
_INSTALLS_TOOLS = lazy(
    r"\b(pip3?|uv[ \t]+pip|conda|mamba|poetry|pipx|apt-get|brew)[ \t]+(install|add)\b"
)
_SEPARATOR = lazy(r"&&|\|\||;|\|")
_STEP_NAME = lazy(r"^[ \t]*(-[ \t]+)?(name|displayName|stage)[ \t]*:")
_MAX_CI_LINES = 5_000  # a workflow longer than this is taken to fail on its checks
_MAX_CHECKS_READ = 50


def _check_steps(index: RepoIndex, path: str) -> str:
    """How the check commands of the CI file ``path`` (and of the files it hands work to) run:
    "fails" when one of them can fail the run, "allowed" when all sit in steps or jobs marked
    ``continue-on-error: true`` (GitHub) or ``allow_failure: true`` (GitLab) or end in
    ``|| true``, "none" when the file only installs or names them."""
    own = _COMMENT_LINE.sub("", _ECHO.sub(" ", index.text(path) or ""))  # as ci_commands reads it
    if _never_triggered(path, own):
        own = ""
    text = ci_commands(index, path)
    lines = own.split("\n")
    if len(lines) > _MAX_CI_LINES:
        return "fails"
    tolerant: list[bool] | None = None  # per line, built on the first check that needs it
    found = "none"
    checks = itertools.chain(_CHECK_CMD.finditer(text), _TASK_RUNNER.finditer(text))
    for n, m in enumerate(checks):
        if n == _MAX_CHECKS_READ or m.start() >= len(own):
            return "fails"  # a script the CI runs: judged where it is called (taken to fail)
        line = own.count("\n", 0, m.start())
        start = own.rfind("\n", 0, m.start()) + 1
        end = own.find("\n", m.end())
        # The command the match belongs to: "pip install x && pytest" runs pytest; "poetry
        # install --with test" and "uv pip install pytest" install it.
        command = _SEPARATOR.split(own[start : m.end()])[-1]
        if _INSTALLS_TOOLS.search(command) or _STEP_NAME.search(lines[line]):
            continue  # "pip install black mypy", "name: Lint with mypy" name checks, run none
        rest = _SEPARATOR.split(own[m.start() : end if end != -1 else len(own)])
        after = own[m.start() : end if end != -1 else len(own)][len(rest[0]) :]
        if tolerant is None:
            tolerant = _tolerant_lines(lines)
        if not _NEVER_FAILS.search(after[:40]) and not tolerant[line]:
            return "fails"
        found = "allowed"
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _tolerant_lines(lines: list[str]) -> list[bool]:
    """Per line, whether a block enclosing it (a step, a job) says it may fail as one of its
    own keys (``continue-on-error: true`` beside ``run:``, ``allow_failure: true`` in a
    job). Linear: one pass with a stack of the open blocks finds each line's block and marks
    a block when a child at its children's indent allows failure; a second pass hands each
    line its blocks' marks (a block comes before its lines)."""
    count = len(lines)
    parent = [-1] * count
    marked = [False] * count
    child_indent: dict[int, int] = {}
    stack: list[tuple[int, int]] = []  # (indent, line) of the open blocks
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        indent = _indent(line)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack:
            up = stack[-1][1]
            parent[i] = up
            if child_indent.setdefault(up, indent) == indent and _ALLOWED_TO_FAIL.search(stripped):
                marked[up] = True
        if stripped.startswith("- ") and _ALLOWED_TO_FAIL.search(stripped[2:]):
            marked[i] = True
        stack.append((indent, i))
    tolerant = [False] * count
    for i in range(count):  # parents come first: each line inherits its parent's answer
        up = parent[i]
        tolerant[i] = marked[i] or (up >= 0 and (marked[up] or tolerant[up]))
    return tolerant


# Release or retraining steps: scheduled triggers, deploy/publish commands and actions, jobs
# named for it. Matched on CI text without branch/path filter lists and without --flags.
# A release or retraining step. A schedule alone is not one (it may run tests or update
# locks): it counts with a training or pipeline run in the same workflow (_SCHEDULED_RUN).
_RELEASE = lazy(
    r"docker[ \t]+push|build-push-action|twine[ \t]+upload|"
    r"\b(poetry|hatch|uv|flit|pdm|npm)[ \t]+publish\b|gh-action-pypi-publish|gh[ \t]+release\b|"
    r"action-gh-release|release-please|semantic-release|\bkubectl[ \t]+(apply|set|rollout)|"
    r"\bhelm[ \t]+(upgrade|install)|\bdvc[ \t]+repro\b|make[ \t]+(train|retrain|deploy|"
    r"release)\b|python[ \t]+(-m[ \t]+)?\S*[ \t]+(train|retrain)\b|\bretrain|"
    r"serverless[ \t]+deploy|gcloud[ \t]+(run|app|functions)[ \t]+deploy|\baz[ \t]+ml\b|"
    r"sagemaker|^[ \t]*-?[ \t]*(deploy|release|publish|retrain|train)[\w-]*[ \t]*:|"
    r"\bmlflow[ \t]+models[ \t]+serve|bentoml[ \t]+(build|containerize|deploy)|"
    r"\banyscale[ \t]+(service|job)[ \t]+(rollout|deploy|submit)|\baz[ \t]+(webapp|containerapp|"
    r"functionapp)[ \t]+(up|create|deploy|update)|\bAzureWebApp@|\bAzureCLI@|\bAzureML|"
    r"aiplatform|vertex[ \t]+ai|cloud[ \t]+run|"
    r"gcloud[ \t]+ai[ \t]+(models[ \t]+upload|endpoints[ \t]+deploy-model)\b|"
    # ... and as a Cloud Build step's argument list: args: ['ai', 'models', 'upload']
    r"['\"]ai['\"],[ \t]*['\"](models['\"],[ \t]*['\"]upload|"
    r"endpoints['\"],[ \t]*['\"]deploy-model)['\"]|"
    # an app pushed to Hugging Face Spaces, a model uploaded to the Hub
    r"huggingface\.co/spaces/|\b(huggingface-cli|hf)[ \t]+upload\b|"
    # Cloud deploy commands and actions: an image pushed to a registry, a function or service
    # updated, infrastructure applied.
    r"\baws[ \t]+(lambda[ \t]+update-function-\w+|ecs[ \t]+update-service|ecr[ \t]+\w+|"
    r"sagemaker[ \t]+(create|update)-\w+|apprunner[ \t]+\w+|cloudformation[ \t]+deploy)|"
    r"\b(gh-)?ecr-(push|deploy)\b|amazon-ecr-login|aws-actions/amazon-ecs-deploy|"
    r"\bterraform[ \t]+apply\b|\bcdk[ \t]+deploy\b|\bpulumi[ \t]+up\b|\bfly(ctl)?[ \t]+deploy\b|"
    r"\bheroku[ \t]+(container:(push|release)|deploy)|\beksctl[ \t]+\w+|"
    r"google-github-actions/deploy|"
    # Databricks: jobs deployed by dbx, an asset bundle or the jobs API (running a job, as
    # `dbx execute` does for a test, deploys nothing)
    r"\bdbx[ \t]+deploy\b|\bdatabricks[ \t]+bundle[ \t]+deploy\b|"
    r"\bdatabricks[ \t]+jobs[ \t]+(create|reset)\b",
    linear.I | linear.M,
)
_SCHEDULE = lazy(r"^[ \t]*schedule[ \t]*:|\bcron\b", linear.I | linear.M)
# A scheduled run that trains or predicts: not any script (a bot bumping action versions).
_SCHEDULED_RUN = lazy(
    r"\b(train|retrain|training|pipeline|predict|inference|scoring|score|batch|dvc[ \t]+repro|"
    r"make[ \t]+\w+|python[ \t]+\S*(train|pipeline|predict|infer|scor|batch|forecast|"
    r"retrain|refresh|model|main|run|flow|job)\w*\.py)\b",
    linear.I,
)
# What only publishes documentation.
_DOCS_ONLY = lazy(  # "docs", not the "doc" of "docker"
    r"gh-pages|gh-deploy|sphinx|\bdocs?\b|documentation|mkdocs|readthedocs|pages", linear.I
)
_FILTER_KEY = lazy(
    r"^([ \t]*)(branches|branches-ignore|tags|tags-ignore|paths|paths-ignore)[ \t]*:", linear.M
)
_FLAG = lazy(r"--[\w-]+")


@lru_cache(maxsize=1024)  # asked again of the same CI text for every release step found in it
def _without_filters(text: str) -> str:
    """CI text without --flags and without branch, tag and path filter lists (a key and the
    more-indented ``- item`` lines under it), which name branches, not release steps. Lines
    are blanked, not removed, so what is found keeps its line number."""
    keys = [(line - 1, len(m.group(1))) for line, m in _FILTER_KEY.finditer_lines(text)]
    if keys:
        lines = text.split("\n")
        for line, indent in keys:  # each key line, then the more-indented items under it
            lines[line] = ""
            below = line + 1
            while below < len(lines):
                item = lines[below]
                stripped = item.lstrip(" \t")
                if not (stripped.startswith("-") and len(item) - len(stripped) > indent):
                    break
                lines[below] = ""
                below += 1
        text = "\n".join(lines)
    return _FLAG.sub(" ", text)


# A `push:` input of docker/build-push-action (a block or a flow mapping's), or outputs
# pushing to a registry.
_PUSH_INPUT = lazy(r"\bpush:[ \t]*([^\s#,}][^\n#,}]*)|push=true|type=registry", linear.I)


def _pushes(step: str) -> bool:
    """Whether a build-push-action step's inputs push: ``push:`` with any value but false (an
    expression pushes on some events), or ``outputs:`` of ``push=true`` or ``type=registry``."""
    for m in _PUSH_INPUT.finditer(step):
        value = m.group(1)
        if value is None or value.strip().strip("'\"").lower() != "false":
            return True
    return False


def _unpushed_builds(text: str) -> str:
    """Blank the docker/build-push-action steps that push nothing (their lines kept).

    The action's ``push`` input defaults to false: a step without ``push:`` (or with
    ``push: false``) builds an image to test it, no release. A step is its ``uses:`` line and
    the lines indented at least as deep below it."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        at = line.find("build-push-action")
        if at < 0 or "uses:" not in line[:at]:
            i += 1
            continue
        depth = line.index("uses:")
        step = i + 1
        while step < len(lines) and (
            not lines[step].strip() or len(lines[step]) - len(lines[step].lstrip()) >= depth
        ):
            step += 1
        if not _pushes("\n".join(lines[i + 1 : step])):
            lines[i:step] = [""] * (step - i)
        i = step
    return "\n".join(lines)


def _release_text(text: str) -> str:
    """CI text as searched for release steps: without filters and flags, and with image builds
    that push nothing blanked (their lines kept)."""
    text = _without_filters(text)
    if "build-push-action" not in text:
        return text
    return _unpushed_builds(text)


@rule("automated_release", reads_contents=False)
def automated_release(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    if not index.ci_files:
        # Retraining on a clock needs no CI: a scheduled orchestrator flow, or a scheduler
        # inside the service (APScheduler's CronTrigger calling train_model).
        flows = _scheduled_flows(index)
        if flows:
            return Verdict.passed(
                f"{flows[0].path}: {flows[0].value.strip()[:60]}",
                [Evidence(h.path, h.line, h.value.strip()[:60]) for h in flows[:5]],
            )
        return Verdict.failed(
            "no CI configuration, so nothing is released or retrained automatically"
        )
    hits = ci_search(index, _RELEASE, _release_text)
    releases: list[Located] = []
    for hit in hits:  # the report shows five: a CI of hundreds of workflows need not be read on
        if not _docs_only(index, hit):
            releases.append(hit)
            if len(releases) == 5:
                break
    for path in index.ci_files:
        text = _without_filters(ci_commands(index, path))
        if not _SCHEDULE.search(text):
            continue
        for run in _SCHEDULED_RUN.finditer(text):
            if "test" in run.group(0).lower() or "lint" in run.group(0).lower():
                continue  # a scheduled test run is a check, not a release
            line = text.count("\n", 0, run.start()) + 1
            releases.append(Located(path, line, f"scheduled: {run.group(0)}"))
            break
    if not releases:
        releases = _retrains_and_publishes(index)
    if not releases:
        releases = _scheduled_flows(index)
    if releases:
        return Verdict.passed(
            f"{releases[0].path}: {releases[0].value.strip()[:60]}",
            [Evidence(h.path, h.line, h.value.strip()[:60]) for h in releases[:5]],
        )
    if hits:
        return Verdict.partial(
            f"CI only publishes documentation ({hits[0].path}: {hits[0].value.strip()[:40]})",
            [Evidence(h.path, h.line, h.value.strip()[:60]) for h in hits[:3]],
        )
    return Verdict.failed(
        "CI never deploys, publishes, releases or retrains (no deploy or train job, and no "
        "schedule that runs training or a pipeline)"
    )


# CI that trains the model and keeps what it trained (an uploaded artefact, a DVC or bucket
# push of the model): retraining on every change, released as the run's model. Training alone
# in CI is a smoke test.
_CI_TRAINS = lazy(r"python\d?[ \t]+(-m[ \t]+)?[\w./-]*\b(re)?train\w*(\.py)?\b", linear.I)
_CI_KEEPS_MODEL = lazy(
    r"upload-artifact@\S*(?:\n[^\n]*){0,6}?\n[ \t]*path:[^\n]*(model|\.pkl|\.joblib|\.pt\b|"
    r"\.pth|\.onnx|\.h5|\.cbm|\.ubj)|\bdvc[ \t]+push\b|"
    r"(aws[ \t]+s3[ \t]+(cp|sync)|gsutil[ \t]+(-m[ \t]+)?(cp|rsync)|az[ \t]+storage[ \t]+blob[ \t]+"
    r"upload)[^\n]*model",
    linear.I,
)


def _retrains_and_publishes(index: RepoIndex) -> list[Located]:
    found = []
    for path in index.ci_files:
        text = ci_commands(index, path)
        trains = _CI_TRAINS.search(text)
        if trains and _CI_KEEPS_MODEL.search(text):
            line = text.count("\n", 0, trains.start()) + 1
            found.append(Located(path, line, f"trains and keeps the model: {trains.group(0)}"))
    return found


# An orchestrator's flow on a schedule (Airflow's schedule_interval="@weekly", a Prefect
# deployment's cron=...) in a module that trains or predicts: retraining or scoring on a clock.
_FLOW_SCHEDULE = lazy(
    r"\b(schedule_interval|schedule|cron)[ \t]*=[ \t]*[\"'](@(hourly|daily|weekly|monthly)|"
    r"[0-9*/,-]+( [0-9*/,-]+){4})[\"']|"
    # A scheduler inside a service: APScheduler's triggers, schedule's every(), Celery beat.
    r"\b(CronTrigger|IntervalTrigger)[ \t]*\(|\bscheduled_job[ \t]*\([ \t]*[\"'](cron|interval)|"
    r"\bschedule\.every\(|\bcrontab[ \t]*\(|\bbeat_schedule\b"
)
# An Airflow DAG runs in the scheduler that holds it, on a clock or triggered there (from its
# UI, its API or another DAG, schedule=None or "@once"): the pipeline is automated either way.
_AIRFLOW_DAG = lazy(
    r"\bwith[ \t]+DAG[ \t]*\(|\bDAG[ \t]*\([ \t]*(dag_id[ \t]*=[ \t]*)?[\"']|@dag\b"
)
_FLOW_WORK = lazy(
    r"\b(re)?train\w*|\bpredict\w*|\binference\b|\bscor(e|es|ing)\b|\bforecast\w*|\.fit\(|"
    r"\bdeploy\w*|\bbento\w*|(^|[^.\w])model\b",  # not Django's app.models
    linear.I,
)
# A scheduler inside a service: its job is named beside its trigger (add_job(train_model,
# CronTrigger(...)), schedule.every().day.do(retrain)), so the work is looked for there.
_IN_SERVICE = lazy(r"Trigger|scheduled_job|schedule\.every|crontab")
_NEAR_LINES = 3
_SCHEDULERS = (
    "airflow", "prefect", "dagster", "metaflow", "flytekit", "zenml", "kfp", "apscheduler",
    "schedule", "celery",
)  # fmt: skip


_COMMENT = lazy(r"#[^\n]*")


def _without_prose(code: str) -> str:
    """The code without its triple-quoted strings (blanked) and comments (removed): only
    searched for words, never for positions."""
    regions = facts.triple_quoted(code)
    if regions:
        parts, pos = [], 0
        for start, end in regions:
            parts += [code[pos:start], " " * (end - start)]
            pos = end
        code = "".join([*parts, code[pos:]])
    return _COMMENT.sub("", code)


def _scheduled_flows(index: RepoIndex) -> list[Located]:
    """Flows on a schedule (see _FLOW_SCHEDULE), or Airflow DAGs whatever their schedule
    (_AIRFLOW_DAG), whose code (comments and docstrings aside) trains, predicts or deploys,
    looked for only in the modules that import an orchestrator or a scheduler; a scheduler
    inside a service counts when the job beside its trigger trains or predicts."""
    found = []
    flows = sorted(
        {u.path for u in index.importers_of(_SCHEDULERS) if index.is_production_code(u.path)}
    )
    for path in flows[:50]:
        code = index.code(path) or ""
        m = _FLOW_SCHEDULE.search(code) or _AIRFLOW_DAG.search(code)
        if m is None:
            continue
        where = _without_prose(code)  # a docstring's "data model" names no work
        if _IN_SERVICE.search(m.group(0)):  # the job beside the trigger, not the module
            start = m.start()
            for _ in range(_NEAR_LINES):
                start = max(code.rfind("\n", 0, start - 1), 0)
            end = m.end()
            for _ in range(_NEAR_LINES):
                end = code.find("\n", end + 1) if end != -1 else -1
            where = code[start : end if end != -1 else len(code)]
        if _FLOW_WORK.search(where):
            line = code.count("\n", 0, m.start()) + 1
            said = m.group(0)
            kind = "an Airflow DAG" if "DAG" in said.upper() else f"scheduled: {said}"
            found.append(Located(path, line, closed(kind)))
            if len(found) == 5:
                break
    return found


def _docs_only(index: RepoIndex, hit: Located) -> bool:
    """A deploy or publish step that publishes documentation: the step (from its first line,
    when that is at most four lines up: its name, the action it configures) and the twelve
    lines after it speak of docs and pages, and of nothing else released. A job named only
    "deploy:" is judged by its own body."""
    text = _without_filters(ci_commands(index, hit.path)).split("\n")
    line = hit.line or 1
    if line <= len(text) and _BARE_KEY.match(text[line - 1]):
        around = "\n".join(_block_under(text, line - 1))
    else:
        first = line - 1  # the step's first line ("- name: ..."), if it is a few lines up
        indent = len(text[first]) - len(text[first].lstrip())
        if not text[first].lstrip().startswith("- "):
            for i in range(line - 2, max(-1, line - 6), -1):
                stripped = text[i].lstrip()
                if stripped.startswith("- ") and len(text[i]) - len(stripped) < indent:
                    first = i
                    break
        around = "\n".join(text[first : line + 12])
    return bool(_DOCS_ONLY.search(around)) and not _RELEASES_MORE.search(around)


def _block_under(lines: list[str], at: int) -> list[str]:
    """The lines of the YAML block under the key on line ``at`` (0-based): up to the next
    line as indented as the key or less."""
    indent = len(lines[at]) - len(lines[at].lstrip())
    block = []
    for text in lines[at + 1 : at + 400]:
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        block.append(text)
    return block


_BARE_KEY = lazy(r"^[ \t]*[\w-]+:[ \t]*$")


# What, next to the docs, is released too (a CI job's `docker:` executor key releases nothing).
_RELEASES_MORE = lazy(
    r"docker\s+(push|build|buildx)|build-push-action|\bpypi\b|\btwine\b|\bmodels?\b|\bkubectl\b",
    linear.I,
)


_SERVING_NAME = lazy(
    r"(^|/)((predict|inference|infer|batch|serve|serving|app|api|score|scoring|sample|demo_app|"
    r"transcribe)"
    # generate.py, generate_text.py: a model's outputs; generate_metadata.py builds a dataset
    r"[^/]*|generate(_(text|samples?|completions?|responses?|answers?|outputs?|predictions?)"
    # a model's own inference script (2heads-resnest-inference.py, lgbm_predict.py)
    # ... or one job of several (level1_predict_future.py)
    r"[^/]*)?|[^/]*[-_](inference|predict|predictions)([-_][^/]*)?)\.py$"
)
_BATCH = lazy(
    r"\.predict(_proba)?\s*\(|\bpipeline\s*\(|\.generate\s*\(|\bmodel\s*\(|"
    r"\bbatch_predict\w*\s*\(|\bBatchPredict\w*\s*\(|\.predict_df\s*\(|"
    # a Metaflow flow reading the models a training flow's run stored
    r"\b(Run|Flow)\(\s*f?[\"'][^\"'\n]*[\"']\s*\)(\.latest_(successful_)?run)?\.data\b"
)
# A predict script that computes metrics and writes no predictions (no table or array; a
# metrics JSON is none) scores the test split: it evaluates the model and predicts nothing for
# anyone ("predict_model.py only scores the test split").
_SCORES_A_SPLIT = lazy(
    r"\b(accuracy_score|f1_score|roc_auc_score|precision_score|recall_score|r2_score|"
    r"mean_squared_error|mean_absolute_error|classification_report|confusion_matrix|"
    r"average_precision_score|log_loss)\s*\(|\bevaluate\.load\s*\("
)
_WRITES_TABLE = lazy(
    r"\.to_(csv|parquet)\s*\(|csv\.writer|np\.save"
)  # predictions, not a metrics JSON
# A predict script that loads trained weights and writes results predicts in batch, whatever
# the framework calls its forward pass (theano.function, session.run...).
_LOADS_WEIGHTS_SRC = (
    r"joblib\.load|pickle\.load|torch\.load|np\.load|load_model\s*\(|from_pretrained\s*\(|"
    r"load_state_dict|load_weights|set_all_param_values|InferenceSession|saver\.restore|"
    r"get_model_path"
)
_LOADS_WEIGHTS = lazy(_LOADS_WEIGHTS_SRC)
# Detectron2's predictor, built from a config naming the trained weights.
_PREDICTOR = lazy(r"\bDefaultPredictor\s*\(")
# The loaded model called, whatever the framework names its forward pass (Spark's transform,
# a predictor object called on an image).
_MODEL_CALL = lazy(
    r"\b\w*(model|predictor|net|pipeline)\w*\s*\.\s*(transform|forward|infer\w*|detect\w*|"
    r"generate|sample\w*)\s*\(|\bpredictor\s*\("
)
# A script that loads weights to write them out again converts or exports, it predicts nothing.
_EXPORTS_MODEL = lazy(
    r"\bonnx\.export|\.export\s*\(|torch\.save|save_pretrained|save_model|joblib\.dump|"
    r"\b(c?pickle|pkl)\.dump|\btflite\b|TFLiteConverter|torch\.jit\.(trace|script)"
)
# Scripts whose name says they convert a model or measure it: they load weights and write
# files without predicting for anyone.
_NOT_BATCH_NAME = lazy(
    r"(convert|export|quantiz|quantis|eval|benchmark|bench_|valid|metric|test)[^/]*$", linear.I
)
# A script that draws predictions for a figure (visualize_predictions.py, plot_preds.py)
# shows the model's work to its authors; it is no way to use the model.
_FIGURES = lazy(r"(visuali[sz]|plot|figure)[^/]*$", linear.I)
# A program, not a library module: a __main__ block, or weights loaded by a top-level statement.
_PROGRAM = lazy(rf"^if[ \t]+__name__[ \t]*==|^[A-Za-z_][^\n]*({_LOADS_WEIGHTS_SRC})", linear.M)
_WRITES_RESULTS = lazy(
    r"\.to_(csv|parquet|json)\s*\(|csv\.writer|json\.dump|np\.save|"
    r"open\s*\([^)\n]*,\s*[\"'][wa]b?[\"']|"
    # images a model produced (masks, generations, detections drawn)
    r"\b(cv2\.imwrite|imsave|save_image)\s*\(|\.save\s*\(\s*[\w.]*(out|output|result|dest|save)\w*"
)


# A model served by a platform from a module of conventional functions: an Azure ML scoring
# script (init/run), a SageMaker inference handler (model_fn with predict_fn/input_fn...), a
# TorchServe module handler (handle(data, context)); or code that puts a model behind a
# managed endpoint (SageMaker, Vertex AI, Azure ML), as _ENDPOINT_DEPLOY_SOURCE says.
_ENDPOINT_DEPLOY_SOURCE = (
    r"\bcreate_endpoint(_config)?[ \t]*\(|\.deploy[ \t]*\([^)]{0,400}\b(endpoint|"
    r"initial_instance_count|instance_count|instance_type|machine_type|traffic_split)\b|"
    # an orchestrator's model deployer (ZenML's MLflow, Seldon, BentoML, KServe deployers)
    r"\b(mlflow|seldon|bentoml|kserve)_model_deployer_step\b"
)
_PLATFORM_ENTRY = scan.CodePattern(
    lazy(r"^def[ \t]+(init|model_fn|handle)[ \t]*\(|" + _ENDPOINT_DEPLOY_SOURCE, linear.M)
)
_PARTNER = {
    "init": lazy(r"^def[ \t]+run[ \t]*\(", linear.M),
    "model_fn": lazy(r"^def[ \t]+(predict_fn|transform_fn|input_fn|output_fn)[ \t]*\(", linear.M),
    "handle": lazy(r"^def[ \t]+handle[ \t]*\([ \t]*\w+[ \t]*,[ \t]*context\b", linear.M),
}


# What deploys a model to a managed endpoint, looked for in a module whose first match was an
# entry function without its partner.
_ENDPOINT_DEPLOY = lazy(_ENDPOINT_DEPLOY_SOURCE)
_DECORATED_DEF = lazy(r"^[ \t]*@[^\n]*\n[ \t]*def[ \t]+(init|model_fn|handle)[ \t]*\(", linear.M)


def _platform_entries(index: RepoIndex) -> list[str]:
    """Modules a serving platform calls, or that deploy a model to a managed endpoint."""
    found = []
    for hit in facts.text_search(index, index.production_python, _PLATFORM_ENTRY):
        name = hit.value.split("(")[0].split()[-1] if hit.value.startswith("def") else ""
        partner = _PARTNER.get(name)
        if partner is None:
            found.append(hit.path)
            continue
        code = index.code(hit.path) or ""
        if (
            partner.occurs_in(code)
            and not _DECORATED_DEF.occurs_in(code)  # click's @cli.command() init/run
            and (name != "init" or _LOADS_WEIGHTS.occurs_in(code))  # a scoring script's init
        ) or _ENDPOINT_DEPLOY.occurs_in(code):  # loads the model it serves
            found.append(hit.path)
    return found


_SERVICE_NAME = lazy(r"(^|/)(service|serve|serving|server|app|api|main|predict)\w*\.py$")
# A client of a service (client.py, api_client.py) calls it; it serves nothing.
_CLIENT = lazy(r"(^|/|_)client\.py$")


def serving_modules(index: RepoIndex) -> tuple[list[str], list[str], list[str]]:
    """(web service modules, batch prediction modules, stub entry points), computed once."""
    if "serving" not in index.memo:
        platform = set(_platform_entries(index))
        web = sorted(set(web_apps(index)) | platform)
        real = [p for p in web if facts.has_real_code(index, p)]
        serves = _serving_a_model(index, [p for p in real if p not in platform])
        web_real = sorted(  # the service itself first (service.py before save_model.py)
            (p for p in real if p in platform or p in serves),
            key=lambda p: (not _SERVICE_NAME.search(p), p),
        )
        batch, stubs = [], [p for p in web if p not in web_real and facts.is_stub(index, p)]
        for path in index.production_python:
            if path in web or not _SERVING_NAME.search(path.lower()) or _FIGURES.search(path):
                continue
            if not facts.has_real_code(index, path):
                if facts.is_stub(index, path):
                    stubs.append(path)
            elif (
                (
                    _BATCH.search(code := index.code(path) or "")
                    or (_LOADS_WEIGHTS.search(code) and _WRITES_RESULTS.search(code))
                    or _PREDICTOR.search(code)  # Detectron2's predictor of the trained weights
                )
                and not (_SCORES_A_SPLIT.search(code) and not _WRITES_TABLE.search(code))
                and not _untrained(code)
                # a predict(images, model) helper that loads nothing, runs as no program and
                # that no code imports is no way to use the model
                and (
                    _LOADS_WEIGHTS.search(code)
                    or runs_code(index, path)
                    or _imported_anywhere(index, path)
                )
            ):
                batch.append(path)
        if not web_real and not batch:
            batch = _unnamed_batch_scripts(index, set(web))
        index.memo["serving"] = (web_real, batch, stubs)
    return index.memo["serving"]


# A scaffold that says it loads no trained weights yet ("Checkpoint loading is not implemented
# yet", "TODO: load actual trained weights") and loads none: it predicts with an untrained model.
_WEIGHTS_NOT_LOADED = lazy(
    r"\b(checkpoint|weights?)( loading| load)? (is |are )?not (yet )?implemented|"
    r"\bload(ing)? (of )?(the |actual |trained |saved )*(weights|checkpoints?)\b[^\n]{0,30}"
    r"\bnot (yet )?implemented|"
    r"\bTODO\b[^\n]{0,20}\bload (the |actual |trained |saved )*(weights|checkpoints?|model)\b|"
    r"\b(weights|checkpoints?) (are |is )?not (yet )?loaded\b",
    linear.I,
)


def _untrained(code: str) -> bool:
    return bool(_WEIGHTS_NOT_LOADED.search(code)) and not _LOADS_WEIGHTS.search(code)


def runs_code(index: RepoIndex, path: str) -> bool:
    """Whether a module does something when run: a top-level statement beyond imports,
    definitions, a docstring and assignments of plain values (a script's loop or call, a
    __main__ block, ``model = Blip()``). Unparseable: assume it does."""
    info = index.module_info(path)
    if info is None or info.tree is None:
        return True
    quiet = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in info.tree.body:
        if isinstance(node, quiet):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if value is not None and not any(isinstance(n, ast.Call) for n in ast.walk(value)):
            continue  # a constant: THRESHOLD = 0.5
        return True
    return False


def _imported_anywhere(index: RepoIndex, path: str) -> bool:
    """Whether another module or a notebook imports a module by its name (``from pkg.infer
    import predict``, ``import infer``), read from the import lists: no resolution. The names
    imported anywhere are gathered once a run, each with the modules importing it."""
    if "imported_names" not in index.memo:
        names: dict[str, set[str]] = {}
        for importer, refs in index.imports.items():
            tick()
            for ref in refs:
                names.setdefault(ref.module.rsplit(".", 1)[-1], set()).add(importer)
                for name in ref.names:
                    names.setdefault(name, set()).add(importer)
        index.memo["imported_names"] = names
    importers = index.memo["imported_names"].get(path.rsplit("/", 1)[-1].removesuffix(".py"), ())
    return bool(set(importers) - {path})


_MAX_BATCH_CANDIDATES = 300  # modules that load a model, read in path order


def _unnamed_batch_scripts(index: RepoIndex, web: set[str]) -> list[str]:
    """Scripts that predict in batch whatever their name (load_models.py, semi-label.py): a
    program that loads trained weights, calls the model and writes what it computed, and
    trains nothing itself (converters, exporters and evaluations are not one)."""
    trains = {t.path for t in facts.training(index).code}
    found = []
    for hit in facts.model_loaders(index)[:_MAX_BATCH_CANDIDATES]:
        tick()
        path = hit.path
        if path in web or path in trains or _NOT_BATCH_NAME.search(path) or _FIGURES.search(path):
            continue
        code = index.code(path) or ""
        if (
            _PROGRAM.search(code)
            and (_LOADS_WEIGHTS.search(code) or _PREDICTOR.search(code))
            and (_BATCH.search(code) or _MODEL_CALL.search(code))
            and _WRITES_RESULTS.search(code)
            and not _EXPORTS_MODEL.search(code)
            and not (_SCORES_A_SPLIT.search(code) and not _WRITES_TABLE.search(code))
            and not _untrained(code)
        ):
            found.append(path)
    return found


def web_apps(index: RepoIndex) -> list[str]:
    """Production modules that import a web framework, HTTP clients (client.py) aside: the
    candidates for serving, with a model behind them or not. Computed once."""
    if "web_apps" not in index.memo:
        index.memo["web_apps"] = sorted(
            {
                u.path
                for u in index.importers_of(facts.WEB_LIBS)
                if index.is_production_code(u.path)
                and not _CLIENT.search(u.path)
                and not _aiohttp_client(index, u.path)
            }
        )
    return index.memo["web_apps"]


def _aiohttp_client(index: RepoIndex, path: str) -> bool:
    """A module that imports aiohttp only for its ClientSession (a scraper): no server. A
    server imports ``aiohttp.web`` (``from aiohttp import web``) and the other web libraries
    it may import make it a web app anyway."""
    refs = index.imports.get(path, ())
    others = [lib for lib in facts.WEB_LIBS if lib != "aiohttp"]
    if any(r.module == lib or r.module.startswith(lib + ".") for r in refs for lib in others):
        return False
    for r in refs:
        if r.module == "aiohttp.web" or (r.module == "aiohttp" and "web" in r.names):
            return False
    return not _AIOHTTP_SERVER.search(index.code(path) or "")


# What only a server does with aiohttp (whatever the import looked like).
_AIOHTTP_SERVER = lazy(
    r"aiohttp\.web\b|\bweb\.(Application|run_app|RouteTableDef|json_response|Response|"
    r"AppRunner)\b"
)


# Libraries a web app calls a model through (besides ML_LIBS): model servers, runtimes,
# hosted-model clients.
_MODEL_CLIENTS = (
    "bentoml",
    "ray.serve",
    "kserve",
    "mlserver",
    "seldon_core",
    "ts.torch_handler",
    "litserve",
    "onnxruntime",
    "ultralytics",
    "sentence_transformers",
    *facts.LLM_CLIENTS,
    "ollama",
    "cohere",
    "google.generativeai",
    "vertexai",
    "tritonclient",
    "huggingface_hub",
    "diffusers",
    "timm",
    "keras_nlp",
    "tflite_runtime",
)
# A call to the model, in the app or behind it (an endpoint it posts to, a predict function).
_MODEL_WORD = lazy(
    r"predict|inference|\binfer\b|\.generate\(|generate_(text|response|answer|completion)|"
    r"classif|recommend|forecast|embedding|readnet|\.forward\(|\bdetect",
    linear.I,
)


def _serving_a_model(index: RepoIndex, apps: list[str]) -> set[str]:
    """The web apps with a model behind them: the app or a module it imports (within
    facts.IMPORT_DEPTH) loads or calls one or imports a model library or client, or the app
    itself speaks of predictions (posts to /predict). An app of only authentication routes or
    charts of a dataset serves no model."""
    loaders = {h.path for h in facts.model_loaders(index)}
    libs = (*facts.ML_LIBS, *_MODEL_CLIENTS)
    lib_set = set(libs)

    def uses_model(path: str) -> bool:  # a module's own imports: "ray.serve.x" is "ray.serve"
        if path in loaders:
            return True
        for ref in index.imports.get(path, ()):
            parts = ref.module.split(".", 3)
            if any(".".join(parts[:n]) in lib_set for n in (1, 2, 3)):
                return True
        return False

    found = {p for p in apps if uses_model(p)}
    rest = [p for p in apps if p not in found]
    if len(rest) <= 20:  # a few apps: walk each one's imports
        found.update(
            p for p in rest if any(uses_model(m) for m in facts.internal_imports(index, [p]))
        )
    elif rest:  # many: one walk back from the model modules over the import graph
        model_modules = loaders | {u.path for u in index.importers_of(libs)}
        found.update(set(rest) & _importers_within(index, model_modules, facts.IMPORT_DEPTH))
    found.update(p for p in apps if p not in found and _MODEL_WORD.search(index.code(p) or ""))
    return found


def _importers_within(index: RepoIndex, targets: set[str], depth: int) -> set[str]:
    """Production modules that reach one of ``targets`` through at most ``depth`` imports."""
    importers: dict[str, list[str]] = {}
    for path in index.production_python:
        for ref in index.imports.get(path, ()):
            for target in index.resolve_import_targets(path, ref):
                importers.setdefault(target, []).append(path)
    seen, frontier = set(targets), set(targets)
    for _ in range(depth):
        frontier = {p for t in frontier for p in importers.get(t, ())} - seen
        seen |= frontier
    return seen


@rule("serving_entry_point")
def serving_entry_point(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    web, batch, stubs = serving_modules(index)
    if web:
        return Verdict.passed(f"web service in {web[0]}", [Evidence(p) for p in web[:3]])
    if batch:
        return Verdict.passed(f"batch prediction in {batch[0]}", [Evidence(p) for p in batch[:3]])
    if stubs:
        return Verdict.failed(
            f"entry points are empty stubs: {', '.join(stubs[:3])}",
            [Evidence(p) for p in stubs[:3]],
        )
    server = _model_server_image(index)
    if server is not None:
        path, image = server
        return Verdict.passed(
            f"a model server's image serves the model ({path}: FROM {image})", [Evidence(path)]
        )
    apps = web_apps(index)
    if apps and facts.uses_ml(index):  # an ML system's app of authentication routes or charts
        return Verdict.failed(
            f"the web app ({apps[0]}) serves no model: nothing behind it loads or calls one",
            [Evidence(p) for p in apps[:3]],
        )
    if not facts.uses_ml(index):
        return Verdict.not_applicable("the repository has no model to serve")
    return Verdict.failed("no serving app and no batch prediction entry point")


# Images of model servers that serve a model copied into them (TF Serving, Triton,
# TorchServe, MLServer, TGI, vLLM): the service is the server, the model its payload. Not a
# server's client SDK image (tritonserver:...-py3-sdk) nor its tools run instead of it.
_MODEL_SERVER_IMAGE = lazy(
    r"^[ \t]*FROM[ \t]+(?:--platform=\S+[ \t]+)?(\S*(?:tensorflow/serving|tritonserver|"
    r"pytorch/torchserve|seldonio/mlserver|text-generation-inference|vllm/vllm-openai)\S*)",
    linear.M | linear.I,
)
_SERVER_TOOL = lazy(
    r"-sdk\b|torch-model-archiver|perf_analyzer|model-analyzer|genai-perf", linear.I
)
# A COPY of a model: a models/, saved_model/ or model repository folder, or a model file.
_COPIES_MODEL = lazy(
    r"^[ \t]*(COPY|ADD)\b[^\n]*(^|[\s/\.])(models?|serving_model|saved_?models?|model_store|"
    r"model_repository)(/|\s|$)|^[ \t]*(COPY|ADD)\b[^\n]*\.(pt|pth|onnx|mar|pb|savedmodel)\b",
    linear.M | linear.I,
)


def _model_server_image(index: RepoIndex) -> tuple[str, str] | None:
    """(Dockerfile, image) of a model server's image that copies a model in, or None; only
    the project's own (not under examples/, docs/, benchmarks/ or a put-away folder)."""
    for f in index.glob(DOCKERFILE_GLOBS)[:50]:
        if not index.is_production_folder(f.path[: f.path.rfind("/") + 1]):
            continue
        text = (index.text(f.path) or "")[:_MAX_DOCKERFILE_CHARS]
        m = _MODEL_SERVER_IMAGE.search(text)
        if m is not None and _COPIES_MODEL.search(text) and not _SERVER_TOOL.search(text):
            return f.path, m.group(1)
    return None


_MAX_DOCKERFILE_CHARS = 256 * 1024
_DRIFT_LIBS = (
    "evidently",
    "whylogs",
    "nannyml",
    "alibi_detect",
    "deepchecks",
    "frouros",
    "river.drift",
    "menelaus",
    "torchdrift",
)
_DRIFT_STATS = lazy(
    r"ks_2samp|wasserstein_distance|chisquare|chi2_contingency|jensenshannon|"
    r"population_stability|\bpsi\b|kl_div|anderson_ksamp|mannwhitneyu|"
    r"cramervonmises_2samp|\bdrift"
)
_SERVICE_METRICS = (
    "prometheus_client",
    "opentelemetry",
    "statsd",
    "datadog",
    "prometheus_fastapi_instrumentator",
    "starlette_exporter",
)


_MONITOR_NAME = lazy(r"drift|monitor", linear.I)


@rule("monitoring")
def monitoring(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    libs = [u for u in index.importers_of(_DRIFT_LIBS) if index.is_production_code(u.path)]
    if libs:
        return Verdict.passed(
            f"{libs[0].value} monitors data in {libs[0].path}",
            [Evidence(u.path, u.line, u.value) for u in libs[:3]],
        )
    candidates = [p for p in index.production_python if _MONITOR_NAME.search(p.rsplit("/", 1)[-1])]
    stats = [
        h
        for h in facts.text_search(index, candidates, _DRIFT_STATS)
        if facts.has_real_code(index, h.path)
    ]
    if stats:
        return Verdict.passed(
            f"drift check in {stats[0].path} ({closed(stats[0].value)})",
            [Evidence(h.path, h.line, h.value) for h in stats[:3]],
        )
    declared = index.declared(["evidently", "whylogs", "nannyml", "alibi-detect"])
    if declared:
        return Verdict.partial(
            f"{declared[0].name} is declared but never imported",
            [Evidence(declared[0].path, declared[0].line, declared[0].spec)],
        )
    service = [u for u in index.importers_of(_SERVICE_METRICS) if index.is_production_code(u.path)]
    if service:
        return Verdict.partial(
            f"only service metrics ({closed(service[0].value)}); no data or prediction drift",
            [Evidence(u.path, u.line) for u in service[:3]],
        )
    if candidates:
        return Verdict.failed(
            f"monitoring modules do nothing ({', '.join(candidates[:3])})",
            [Evidence(p) for p in candidates[:3]],
        )
    if not facts.uses_ml(index):
        return Verdict.not_applicable("the repository has no model to monitor")
    if not deployed(index):
        return Verdict.not_applicable(_UNDEPLOYED.format(what="nothing deployed to monitor"))
    return Verdict.failed("no drift or data-quality monitoring")


_UNDEPLOYED = (
    "predictions come only from a batch script that nothing deploys (a competition "
    "submission, a local command): {what}"
)
# What runs a batch job somewhere other than a laptop: a scheduler, an orchestrator, a cloud
# ML platform, a serving framework or packaging for one.
_DEPLOYING_LIBS = (
    "airflow",
    "prefect",
    "dagster",
    "kfp",
    "metaflow",
    "zenml",
    "sagemaker",
    "azureml",
    "azure.ai.ml",
    "google.cloud.aiplatform",
    "vertexai",
    "databricks",
    "pyspark",
    "bentoml",
    "ray.serve",
    "mlflow.deployments",
    "mlflow.pyfunc",  # inference packaged as an MLflow model, which any MLflow server serves
    "kedro_mlflow",
    "modal",
    "kserve",
)
_DEPLOY_FILES = (
    "**/Chart.yaml",
    "**/k8s/**",
    "**/kubernetes/**",
    "**/helm/**",
    "**/manifests/**",
    "serverless.yml",
    "serverless.yaml",
    "Procfile",
    "app.yaml",
    *_COMPOSE_FILES,
    "**/*.tf",
    "**/dags/**",
)
_SCHEDULE = lazy(r"^[ \t]*(schedule|cron)[ \t]*:", linear.M)


def deployed(index: RepoIndex) -> bool:
    """Whether the model's predictions run anywhere but on the author's machine: a web
    service, or a batch job with something that deploys or schedules it (cluster manifests,
    an orchestrator, a cloud ML platform, a scheduled CI workflow). A competition's
    submission script and a local predict command are neither."""
    if "deployed" not in index.memo:
        web, _, _ = serving_modules(index)
        index.memo["deployed"] = bool(
            web
            or index.glob(_DEPLOY_FILES)
            or index.imports_any(_DEPLOYING_LIBS, where=index.is_production_code)
            or any(_SCHEDULE.occurs_in(index.text(p) or "") for p in index.ci_files[:50])
        )
    return index.memo["deployed"]


# Output calls counted in each Python module by the content pass (see _output_counts): print
# calls (not obj.print( or reprint(, not in a comment or a doctest line; Python 2 print
# statements too), and calls of a logger ("log.info(", "logging.warning(", "logger.exception(").
_PRINT_LINE = lazy(
    r"^[ \t]*(?:[^#\n>.\t ][^#\n]*?)?(?:^|[^\w.])print[ \t]*\(|^[ \t]*print[ \t]+[\"'\w]",
    linear.M,
)
_LOG_CALL = lazy(
    r"\b(?:logging|logger|log|_log|_logger|LOGGER|LOG|self\.logger|self\.log)\.(?:debug|info|"
    r"warning|warn|error|exception|critical|fatal|log|success|trace)[ \t]*\(",
)
_LOGGING_LIBS = ("logging", "loguru", "structlog", "absl.logging")
# Command-line front ends, demo clients and tool scripts may print; pipeline modules should
# log, and so should a pipeline step kept with the tools (scripts/train.py, mmdetection's
# tools/train.py: the pipeline's own entry point, not a tool).
_FRONT_END = lazy(
    r"(^|/)(cli|__main__|main|manage|setup|noxfile|tasks|conftest|client|\w+_client|demo\w*)\.py$|"
    r"(^|/)(scripts?|bin|tools|commands|cli)/"
)
_PIPELINE_SCRIPT = lazy(
    r"(^|/)(scripts?|tools|bin)/([^/]+/)*(train\w*|evaluate|eval|preprocess\w*|predict\w*|inference|infer|"
    r"batch_predict\w*|features?|build_features|make_dataset|prepare_data|split_data|pipeline|"
    r"run_pipeline|retrain\w*)\.py$|"
    # a step's own main.py (src/data/preprocessing/main.py, a pipeline task's entry point)
    r"(^|/)(preprocess\w*|train\w*|training|evaluat\w*|inference|features?|feature_\w+|"
    r"predict\w*|prediction)/main\.py$"
)


def _output_counts(path: str, data: bytes) -> list[int] | None:
    """[print calls, logger calls] of a module before its ``if __name__ == "__main__":`` block
    (a script's command-line output is not the pipeline's), or None when it has neither.
    Each pattern runs only on modules holding the word it needs (a substring test costs a
    fraction of a search)."""
    guard = linear.compiled(facts.MAIN_BLOCK_RE).first_span(data) if b"__main__" in data else None
    body = data[: guard[0]] if guard else data
    prints = linear.compiled(_PRINT_LINE).spans(body) if b"print" in body else iter(())
    logs = linear.compiled(_LOG_CALL).spans(body) if b"log" in body or b"LOG" in body else iter(())
    first_print, first_log = next(prints, None), next(logs, None)
    if first_print is None and first_log is None:  # strings are looked for only around a match
        return None
    strings = facts.triple_quoted(body)
    counts = [
        _count_outside(itertools.chain([first], rest), strings) if first is not None else 0
        for first, rest in ((first_print, prints), (first_log, logs))
    ]
    return counts if any(counts) else None


def _count_outside(spans, regions: list[tuple[int, int]]) -> int:
    """How many matches (``Pattern.spans``) lie outside every one of ``regions``. A match's
    place is its call's "(", where the whole match (its first span) ends: it may start on an
    earlier line (a docstring's closing quotes, before "\nprint(")."""
    return sum(1 for groups in spans if not facts.in_regions(groups[0][1] - 1, regions))


scan.TEXT_SCANNERS.append(
    scan.TextScanner(
        "output",
        lambda entry: entry.suffix == ".py",
        _output_counts,
        production_only=True,  # DE007 counts over the pipeline and serving modules only
    )
)


@rule("logging_not_print")
def logging_not_print(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """Logging used, and outweighing print: counted over the pipeline and serving modules
    (not front ends, tests or docs), each module's ``__main__`` block aside."""
    modules = [
        p for p in index.production_python if not _FRONT_END.search(p) or _PIPELINE_SCRIPT.search(p)
    ]
    if not modules:
        return Verdict.not_applicable("no pipeline or serving modules to inspect")
    counts = index.scanned("output")
    printing = [p for p in modules if counts.get(p, (0, 0))[0]]
    logging_modules = [p for p in modules if counts.get(p, (0, 0))[1]]
    prints = sum(counts[p][0] for p in printing)
    logs = sum(counts[p][1] for p in logging_modules)
    library = index.imports_any(_LOGGING_LIBS, where=index.is_production_code)
    ev = [Evidence(p, None, f"{counts[p][0]} print()") for p in printing[:5]]
    if not prints and not logs:
        # Nothing prints, so there is no print debt when logging is set up or a web framework
        # (uvicorn, Flask, Streamlit) logs the requests, as reviewers judge it.
        if library:
            return Verdict.passed("a logging library is set up and no module prints")
        web, _, _ = serving_modules(index)
        if web:
            return Verdict.passed(
                f"no print() in {len(modules)} pipeline or serving module(s); the service "
                f"({web[0]}) is logged by its framework"
            )
        return Verdict.partial("nothing logs: no logging library, and no print() either")
    if not logs:
        return Verdict.failed(
            f"{prints} print() call(s) in {len(printing)} module(s) and no logging ({printing[0]})",
            ev,
        )
    summary = f"{logs} logging call(s) in {len(logging_modules)} module(s)"
    if logs > prints:
        extra = f"; {prints} print() in {len(printing)} module(s)" if prints else ""
        return Verdict.passed(f"{summary} ({logging_modules[0]}){extra}", ev)
    against = f"{prints} print() call(s) in {len(printing)} module(s) against {summary}"
    if prints > 2 * logs:  # a few logger calls among many prints: the practice is missing
        return Verdict.failed(f"print() outweighs logging: {against}", ev)
    return Verdict.partial(f"print() as much as logging: {against}", ev)
