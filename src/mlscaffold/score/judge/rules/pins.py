"""MO006: dependencies are declared and pinned.

Exact pins or a lock file pass, unless what runs is not what is pinned: the code imports a
well-known library no file declares, or the service image installs a requirements file (or
packages) without exact versions.
"""

from __future__ import annotations

from typing import Any

from mlscaffold.score.budget import tick
from mlscaffold.score.judge.rules import facts, rule
from mlscaffold.score.model import Evidence, Status, Verdict
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import NON_PRODUCTION_RE, Located, RepoIndex
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.readers.deps import EXACT, UNPINNED, normalise

_DEV_TOOLS = frozenset(
    "pytest pytest-cov pytest-xdist pytest-mock coverage black ruff flake8 isort mypy pylint "
    "pre-commit tox nox ipykernel jupyter jupyterlab notebook ipython ipywidgets sphinx "
    "mkdocs mkdocs-material twine build wheel setuptools pip hatchling bandit pydocstyle "
    "codespell typos".split()
)
MAX_NAMED = 4  # packages named in a reason, each cut to MAX_NAME characters
MAX_NAME = 40


@rule("dependencies_pinned")
def dependencies_pinned(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    verdict = _declared_pins(index)
    if verdict.status is not Status.PASS:
        return verdict
    if not index.lock_files:
        # Exact pins of what is declared pin nothing of what is not: a module importing
        # scikit-learn that no requirement names runs with whatever version is installed.
        missing = _undeclared_imports(index)
        if missing:
            named = ", ".join(f"{dist} ({hit.path})" for dist, hit in missing[:MAX_NAMED])
            return Verdict.partial(
                f"{verdict.reason}, but the code imports packages no requirement declares: {named}",
                [
                    *verdict.evidence[:2],
                    *(Evidence(h.path, h.line, h.value) for _, h in missing[:3]),
                ],
            )
    # Pins the image does not use pin nothing: a requirements file of bare names, or
    # `RUN pip install torch`, installs whatever is newest on the day of the build.
    loose_file = _loose_image_requirements(index)
    if loose_file:
        image, path, loose_deps, total = loose_file
        return Verdict.partial(
            f"{verdict.reason}, but {image} installs {path}, where {len(loose_deps)} of "
            f"{total} requirements have no exact version "
            f"({', '.join(d.name for d in loose_deps[:MAX_NAMED])})",
            [*verdict.evidence[:2], Evidence(image), Evidence(path, loose_deps[0].line)],
        )
    loose = _unpinned_image_installs(index)
    if loose:
        path, names = loose[0]
        return Verdict.partial(
            f"{verdict.reason}, but {path} installs {', '.join(names)} without a version",
            [*verdict.evidence[:2], Evidence(path, None, " ".join(names))],
        )
    return verdict


# ----- the service images ----------------------------------------------------------------
MAX_DOCKERFILES = 20
# An uncommented RUN instruction (continuation lines joined), and a pip or conda install in
# it up to the end of its shell command; the exec form's words apart by '", "'.
_RUN = lazy(r"^[ \t]*RUN[ \t]([^\n]*)", linear.M | linear.I)
_SP = r"""["',\s]+"""
_PIP_INSTALL = lazy(rf"\bpip3?{_SP}install{_SP}([^&;|]*)")
_CONDA_INSTALL = lazy(rf"\b(?:conda|mamba|micromamba){_SP}install{_SP}([^&;|]*)")
# Options that take a value (the value is no package), and names that are not the model's.
_OPTION_ARGS = frozenset(
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f "
    "--find-links -t --target --prefix --root --src --trusted-host --platform -n --name "
    "-p --prefix --channel".split()
)
_BUILD_TOOLS = frozenset(("pip", "setuptools", "wheel", "uv", "poetry", "pipenv", "pdm"))
# A requirements file handed to pip (`pip install -r deploy/requirements.txt`), or a Bento's;
# constraints that pin what the requirements leave open.
_REQUIREMENTS_ARG = lazy(r"(?:^|\s)(?:-r|--requirement)[ \t=]+['\"]?([^\s'\"&;|]+)")
_CONSTRAINTS_ARG = lazy(r"(?:^|\s)(?:-c|--constraint)[ \t=]")
_BENTO_REQUIREMENTS = lazy(r"^[ \t]*requirements_txt:[ \t]*['\"]?([^\s'\"#]+)", linear.M)


_DOCS_IMAGE = lazy(r"(^|[._-])docs?([._-]|$)", linear.I)


def _service_images(index: RepoIndex) -> list[tuple[str, str]]:
    """(path, text with continuation lines joined) of the Dockerfiles that build what runs
    the model: not a developer's shell or notebook image, not an example's; asked once a run."""
    if "service_images" not in index.memo:
        from mlscaffold.score.judge.rules.deployment import DOCKERFILE_GLOBS, development_command

        images = []
        for entry in index.glob(DOCKERFILE_GLOBS):
            if NON_PRODUCTION_RE.search(entry.path) or _DOCS_IMAGE.search(entry.name):
                continue  # (an example's image; the image that builds the docs site)
            text = (index.text(entry.path) or "").replace("\r\n", "\n").replace("\\\n", " ")
            if development_command(text) is None:
                images.append((entry.path, text))
            if len(images) == MAX_DOCKERFILES:
                break
        index.memo["service_images"] = images
    return index.memo["service_images"]


def _install_words(arguments: str) -> list[tuple[str, bool]]:
    """(name, pinned exactly) of each package a ``pip install``'s arguments name; option
    values, paths, URLs, wheels and variables are no names."""
    names, skip = [], False
    for token in arguments.split()[:40]:
        token = token.strip("'\",[]")
        if skip:
            skip = False
            continue
        if token.startswith("-"):
            skip = token in _OPTION_ARGS
            continue
        if (
            not token
            or "@" in token
            or (any(c in token for c in "/$.{") and not any(op in token for op in "><~!="))
        ):
            continue  # a path, a URL, a wheel, a variable
        name = token.split("[", 1)[0]
        for op in (">", "<", "~", "!", "="):
            name = name.split(op, 1)[0]
        if name:
            names.append((name, "==" in token))
    return names


def _loose_packages(arguments: str) -> list[str]:
    """The packages a ``pip install``'s arguments name without an exact version."""
    return [
        name
        for name, exact in _install_words(arguments)
        if not exact and name.lower() not in _BUILD_TOOLS and name.lower() not in _DEV_TOOLS
    ]


def _unpinned_image_installs(index: RepoIndex) -> list[tuple[str, list[str]]]:
    """(Dockerfile, packages) for each service image whose ``pip install``s name packages
    without an exact version (``torch``, ``pandas>=2``): its first such."""
    found = []
    for path, text in _service_images(index):
        for run in _RUN.finditer(text):
            names = [
                name[:MAX_NAME]
                for m in _PIP_INSTALL.finditer(run.group(1))
                for name in _loose_packages(m.group(1))
            ]
            if names:
                found.append((path, names[:MAX_NAMED]))
                break
    return found


def _loose_image_requirements(index: RepoIndex) -> tuple[str, str, list, int] | None:
    """(image file, requirements file, its loose requirements, its count) for the first
    service image or bentofile that installs a requirements file most of whose requirements
    have no exact version. Where the file is depends on the build's context: it counts only
    when every file the name can mean (beside the image, at the root) is loose, and not when
    a constraints file comes with it."""
    by_file: dict[str, list] = {}
    for dep in index.dependencies:
        by_file.setdefault(dep.path, []).append(dep)
    installs: list[tuple[str, list[str]]] = []
    for path, text in _service_images(index):
        named = [
            m.group(1)
            for run in _RUN.finditer(text)
            for pip in _PIP_INSTALL.finditer(run.group(1))
            if not _CONSTRAINTS_ARG.search(pip.group(0))
            for m in _REQUIREMENTS_ARG.finditer(pip.group(0))
        ]
        installs.append((path, named))
    for name in ("bentofile.yaml", "bentofile.yml"):
        for entry in index.paths.named(name):
            text = index.text(entry.path) or ""
            installs.append((entry.path, [m.group(1) for m in _BENTO_REQUIREMENTS.finditer(text)]))
    for image, named in installs[:MAX_DOCKERFILES]:
        folder = image.rpartition("/")[0]
        for name in named[:10]:
            candidates = _requirement_candidates(name, folder, by_file)
            judged = []
            for path in candidates:
                deps = [d for d in by_file[path] if d.name not in _DEV_TOOLS]
                loose = [d for d in deps if d.pin != EXACT]
                judged.append((path, loose, len(deps)))
            if judged and all(deps and len(loose) * 2 > deps for _, loose, deps in judged):
                path, loose, count = judged[0]
                return image, path, loose, count
    return None


def _requirement_candidates(name: str, folder: str, by_file: dict[str, list]) -> list[str]:
    """The listed dependency files an image's ``-r NAME`` may mean: beside the image, at the
    root, or the only one of that name."""
    name = name.removeprefix("./").lstrip("/")
    found = [
        c for c in dict.fromkeys((f"{folder}/{name}" if folder else name, name)) if c in by_file
    ]
    if found:
        return found
    base = name.rpartition("/")[2]
    same = [p for p in by_file if p.rpartition("/")[2] == base]
    return same if len(same) == 1 else []


# ----- imports no file declares --------------------------------------------------------
# Import name -> the distributions that provide it (PyPI's and conda-forge's names), for the
# libraries a model's code is built on, and a few others whose import name is their
# distribution's (tabulate). Only these are asked about: an import of any other
# name may come from a package of any name (``import google.cloud``), from the base image or
# from the repository itself.
_TENSORFLOW = (
    "tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "tensorflow-macos",
    "tensorflow-intel", "tensorflow-aarch64",
)  # fmt: skip
_PROVIDED_BY: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "sklearn": ("scikit-learn", "sklearn"),
    "scipy": ("scipy",),
    "torch": ("torch", "pytorch", "torch-cpu"),
    "torchvision": ("torchvision",),
    "torchaudio": ("torchaudio",),
    "tensorflow": _TENSORFLOW,
    "xgboost": ("xgboost", "xgboost-cpu", "py-xgboost"),
    "lightgbm": ("lightgbm",),
    "catboost": ("catboost",),
    "matplotlib": ("matplotlib", "matplotlib-base"),
    "seaborn": ("seaborn",),
    "transformers": ("transformers",),
    "datasets": ("datasets",),
    "cv2": (
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
        "opencv",
        "py-opencv",
    ),
    "PIL": ("pillow", "pil"),
    "yaml": ("pyyaml", "yaml"),
    "mlflow": ("mlflow", "mlflow-skinny"),
    "nltk": ("nltk",),
    "spacy": ("spacy",),
    "dvclive": ("dvclive",),
    "pyarrow": ("pyarrow",),
    "statsmodels": ("statsmodels",),
    "optuna": ("optuna",),
    "wandb": ("wandb",),
    "fastapi": ("fastapi",),
    "flask": ("flask",),
    "streamlit": ("streamlit",),
    "gradio": ("gradio",),
    "skimage": ("scikit-image",),
    "lightning": ("lightning",),
    "pytorch_lightning": ("pytorch-lightning", "lightning"),
    "keras": ("keras", "tf-keras"),
    "jax": ("jax",),
    "flax": ("flax",),
    "optax": ("optax",),
    "peft": ("peft",),
    "trl": ("trl",),
    "bitsandbytes": ("bitsandbytes",),
    "accelerate": ("accelerate",),
    "timm": ("timm",),
    "sentence_transformers": ("sentence-transformers",),
    "ultralytics": ("ultralytics",),
    "albumentations": ("albumentations",),
    "librosa": ("librosa",),
    "gensim": ("gensim",),
    "shap": ("shap",),
    "lifelines": ("lifelines",),
    "sksurv": ("scikit-survival",),
    "evidently": ("evidently",),
    "prophet": ("prophet", "fbprophet"),
    "darts": ("darts", "u8darts"),
    "stable_baselines3": ("stable-baselines3",),
    "gymnasium": ("gymnasium",),
    "gym": ("gym",),
    "lightfm": ("lightfm",),
    "implicit": ("implicit",),
    "onnx": ("onnx",),
    "onnxruntime": (
        "onnxruntime",
        "onnxruntime-gpu",
        "onnxruntime-directml",
        "onnxruntime-openvino",
        "onnxruntime-silicon",
        "onnxruntime-training",
    ),
    "torch_geometric": ("torch-geometric",),
    "dgl": ("dgl",),
    "monai": ("monai",),
    "tabulate": ("tabulate",),
}
# Import name -> distributions that require it: declared and pinned, they bound it within
# their own requirements (scikit-learn brings numpy and scipy), as a reviewer accepts.
_REQUIRE_NUMPY = (
    "pandas", "scikit-learn", "scipy", "matplotlib", "matplotlib-base", "seaborn",
    "statsmodels", *_TENSORFLOW, "xgboost", "py-xgboost", "lightgbm", "catboost",
    "transformers", "datasets", "opencv-python", "opencv-python-headless", "torchvision",
    "ultralytics", "mlflow", "gensim", "librosa", "shap", "pyarrow", "numba", "streamlit",
    "gradio",
)  # fmt: skip
_BROUGHT_BY: dict[str, tuple[str, ...]] = {
    "numpy": _REQUIRE_NUMPY,
    "scipy": ("scikit-learn", "statsmodels", "seaborn", "gensim", "librosa", "ultralytics",
              "catboost", "xgboost", "lightgbm", "shap"),
    "pandas": ("mlflow", "seaborn", "statsmodels", "datasets", "ultralytics", "shap",
               "evidently", "pycaret", "great-expectations", "streamlit", "gradio"),
    "yaml": ("transformers", "datasets", "mlflow", "ultralytics", "pytorch-lightning",
             "lightning", "hydra-core", "omegaconf", "dvc", "wandb", "huggingface-hub",
             "accelerate", "timm"),
    "PIL": ("torchvision", "matplotlib", "ultralytics", "streamlit", "gradio", "scikit-image"),
    "matplotlib": ("seaborn", "ultralytics", "shap", "pycaret"),
    "torch": ("ultralytics", "pytorch-lightning", "lightning", "sentence-transformers",
              "torchvision", "timm", "accelerate", "peft"),
    "tensorflow": ("keras", "tf-keras"),
    "pyarrow": ("datasets", "mlflow", "streamlit"),
    "sklearn": ("pycaret", "sentence-transformers", "shap"),
    "keras": _TENSORFLOW,
    "jax": ("flax", "optax"),
    "accelerate": ("peft", "trl"),
    "gymnasium": ("stable-baselines3",),
    "gym": ("stable-baselines3",),  # before its 2.0
}  # fmt: skip
# A notebook installing a package for itself: !pip install xgboost==2.0.3, %pip install ...
_NOTEBOOK_PIP = lazy(r"^[ \t]*[!%][ \t]*pip3?[ \t]+install[ \t]+([^\n]*)", linear.M)
_MAX_NOTEBOOKS = 20


def _undeclared_imports(index: RepoIndex) -> list[tuple[str, Located]]:
    """(distribution, first import) of each well-known library that the production code (or,
    where the model is trained only in notebooks, the training notebooks) imports and that no
    dependency file, service image or notebook install names."""
    training = facts.training(index)
    notebooks = [n.path for n in training.notebooks] if not training.code else []
    declared = {d.name for d in index.dependencies}
    declared |= _image_installed(index)
    declared |= _notebook_installed(index, notebooks[:_MAX_NOTEBOOKS])
    local = _top_level_names(index)
    wanted = set(notebooks)
    missing = []
    for top in sorted(_PROVIDED_BY):
        dists = _PROVIDED_BY[top]
        if top in local or declared.intersection(dists + _BROUGHT_BY.get(top, ())):
            continue
        hit = index.first_importer(
            [top],
            lambda p, top=top: (
                (index.is_production_code(p) or p in wanted)
                and not _beside(index, p, top)
                and not _optional_import(index, p, top)
            ),
        )
        if hit is not None:
            missing.append((dists[0], hit))
    return missing


_VENDOR_FOLDERS = ("third_party", "vendor", "vendored", "external", "extern", "libs", "lib")


def _beside(index: RepoIndex, path: str, top: str) -> bool:
    """Whether ``top`` is the repository's own package where ``path`` imports it from: a
    package beside the importer (app/gym/ for app/run.py, run from its folder), or a copy
    kept in a vendor folder (third_party/timm/, put on sys.path). A module file named like
    the library (src/models/xgboost.py) does not shadow it: it imports the library itself."""
    folder = path.rpartition("/")[0]
    prefix = f"{folder}/" if folder else ""
    if f"{prefix}{top}/__init__.py" in index.by_path:
        return True
    return any(f"{v}/{top}/__init__.py" in index.by_path for v in _VENDOR_FOLDERS)


# Imports that need not succeed: in a try block whose handler catches the import's failure,
# or for type checkers only.
_TRY = lazy(r"^[ \t]*try[ \t]*:")
_IMPORT_HANDLER = lazy(
    r"^[ \t]*except\b[^\n]*(ImportError|ModuleNotFoundError|Exception)|^[ \t]*except[ \t]*:"
)
_TYPE_CHECKING = lazy(r"^[ \t]*if[ \t]+([\w.]*\.)?TYPE_CHECKING\b")
_MAX_OPTIONAL_LOOK = 30  # lines looked at above an import for its block, and below for a handler


def _optional_import(index: RepoIndex, path: str, top: str) -> bool:
    """Whether every import of ``top`` in ``path`` is optional (see _TRY, _TYPE_CHECKING):
    ``try: import shap`` / ``except ImportError: shap = None`` installs nothing it needs."""
    lines = (index.code(path) or "").split("\n")
    refs = [r for r in index.imports.get(path, ()) if r.module.split(".", 1)[0] == top]
    return bool(refs) and all(_in_optional_block(lines, r.line) for r in refs[:20])


def _in_optional_block(lines: list[str], line: int) -> bool:
    if not 0 < line <= len(lines):
        return False
    text = lines[line - 1]
    indent = len(text) - len(text.lstrip())
    if indent == 0:
        return False
    for above in range(line - 2, max(-1, line - 2 - _MAX_OPTIONAL_LOOK), -1):
        opener = lines[above]
        stripped = opener.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(opener) - len(opener.lstrip()) >= indent:
            continue
        if _TYPE_CHECKING.search(opener):
            return True
        if not _TRY.search(opener):
            return False
        depth = len(opener) - len(opener.lstrip())
        for below in lines[line : line + _MAX_OPTIONAL_LOOK]:
            if below.strip() and len(below) - len(below.lstrip()) == depth:
                return bool(_IMPORT_HANDLER.search(below))
        return False
    return False


def _top_level_names(index: RepoIndex) -> set[str]:
    """The names the repository's own code can be imported by from its root or its src/
    folder (a package ``xgboost/`` there shadows the library; ``src/models/xgboost.py`` does
    not)."""
    names = set()
    for path in index.python_files:
        parts = path.split("/")
        if parts[0] in ("src", "lib") and len(parts) > 1:
            parts = parts[1:]
        names.add(parts[0].removesuffix(".py"))
    return names


def _image_installed(index: RepoIndex) -> set[str]:
    """Distributions the service images install (pip or conda, pinned or not: MO006 judges
    their versions apart). A base image that ships a library (pytorch/pytorch) does not
    declare it: the code's requirements still do not say which version it needs."""
    names = set()
    for _, text in _service_images(index):
        for run in _RUN.finditer(text):
            tick()
            for m in _PIP_INSTALL.finditer(run.group(1)):
                names.update(normalise(n) for n, _ in _install_words(m.group(1)))
            for m in _CONDA_INSTALL.finditer(run.group(1)):
                names.update(normalise(n) for n, _ in _install_words(m.group(1)))
    return names


def _notebook_installed(index: RepoIndex, notebooks: list[str]) -> set[str]:
    names = set()
    for path in notebooks:
        for m in _NOTEBOOK_PIP.finditer(index.code(path) or ""):
            names.update(normalise(n) for n, _ in _install_words(m.group(1)))
    return names


# The libraries a model's numbers come from: a range on one of them is no nit, whatever
# else is pinned (a new torch or numpy changes results; a new tqdm does not).
_CORE_LIBS = frozenset(
    "torch torchvision torchaudio tensorflow keras jax jaxlib flax numpy scipy pandas "
    "scikit-learn xgboost lightgbm catboost transformers statsmodels".split()
)


# An upper bound: <, ~= (compatible release), ==X.*, Poetry's and pixi's ^ and ~.
_UPPER_BOUND = lazy(r"<|~|\^|==\s*[\w.]*\*")


def _bounded(spec: str) -> bool:
    """Whether a requirement's version has an upper bound (its environment marker aside:
    ``; python_version<'3.12'`` bounds no version)."""
    return _UPPER_BOUND.search(spec.split(";", 1)[0]) is not None


def _core_unpinned(loose: list[Any], exact: set[str]) -> list[Any]:
    """The loose requirements on a library the model's numbers come from, unbounded and pinned
    in no other declaration (a Pipfile's "*" beside a freeze is pinned by the freeze)."""
    return [
        d for d in loose if d.name in _CORE_LIBS and d.name not in exact and not _bounded(d.spec)
    ]


def _a_nit(loose: list[Any], deps: list[Any], core: list[Any]) -> bool:
    """A stray range or two among many pins, none on a core library: not worth a partial."""
    return len(loose) * 10 <= len(deps) and not core


def _unlocked_requirements(index: RepoIndex) -> tuple[str, list[str]] | None:
    """The requirements.txt beside a lock file (which locks pyproject's or Pipfile's
    dependencies, not it) when it leaves a library the model's numbers come from, or more
    than a stray few, without an exact version: that file and those names. A lock written as
    requirements (requirements-lock.txt, pip-compile's output) covers its folder's files."""
    folders = {
        lock.rpartition("/")[0] for lock in index.lock_files if not lock.endswith(".txt")
    } - {lock.rpartition("/")[0] for lock in index.lock_files if lock.endswith(".txt")}
    by_file: dict[str, list[Any]] = {}
    for d in index.dependencies:
        folder, _, name = d.path.rpartition("/")
        if name == "requirements.txt" and folder in folders and d.name not in _DEV_TOOLS:
            by_file.setdefault(d.path, []).append(d)
    exact = {d.name for d in index.dependencies if d.pin == EXACT}
    for path, deps in by_file.items():
        folder = path.rpartition("/")[0]
        if any(f.path.rpartition("/")[0] == folder for f in index.paths.named("constraints.txt")):
            continue  # installed with -c constraints.txt, which pins what it leaves open
        loose = [d for d in deps if d.pin != EXACT and d.name not in exact]
        core = _core_unpinned(loose, exact)
        if not _a_nit(loose, deps, core):
            return path, [d.name for d in (core or loose)]
    return None


# ----- what is declared --------------------------------------------------------------------
def _declared_pins(index: RepoIndex) -> Verdict:
    if index.lock_files:
        lock = index.lock_files[0]
        loose_file = _unlocked_requirements(index)
        if loose_file is not None:  # what a Dockerfile or a reader installs is not locked
            path, names = loose_file
            return Verdict.partial(
                f"lock file {lock}, but {path}, which no lock covers, leaves "
                f"{', '.join(names[:4])} unpinned",
                [Evidence(lock), Evidence(path)],
            )
        return Verdict.passed(f"lock file {lock}", [Evidence(p) for p in index.lock_files[:3]])
    deps = index.dependencies
    if not deps:
        if index.dependency_files:
            # Not "declares nothing" when nobody can tell what it declares: a file that does
            # not parse, is binary or is too large (the reading left a note on it).
            why_not = {n.path: n.message for n in index.notes}
            first = next((p for p in index.dependency_files if p in why_not), None)
            if first is not None:
                why = why_not[first].removeprefix("malformed dependency file (").removesuffix(")")
                return Verdict.failed(
                    f"{first} could not be read ({why}), so what it pins is unknown",
                    [Evidence(first)],
                )
            return Verdict.failed(
                f"{index.dependency_files[0]} declares no dependencies",
                [Evidence(index.dependency_files[0])],
            )
        return Verdict.failed(
            "no dependencies declared (no pyproject, requirements or environment file)"
        )
    # What tests and lints the code is not what the model runs with: its pins do not count.
    runtime = [d for d in deps if d.name not in _DEV_TOOLS]
    deps = runtime or deps
    loose = [d for d in deps if d.pin != EXACT]
    if not loose:
        return Verdict.passed(
            f"all {len(deps)} dependencies pinned exactly",
            [Evidence(p) for p in sorted({d.path for d in deps})[:3]],
        )
    core = _core_unpinned(loose, {d.name for d in deps if d.pin == EXACT})
    if _a_nit(loose, deps, core):
        return Verdict.passed(
            f"{len(deps) - len(loose)} of {len(deps)} dependencies pinned exactly "
            f"(ranges: {', '.join(d.name for d in loose[:3])})",
            [Evidence(d.path, d.line, d.spec) for d in loose[:3]],
        )
    if all(d.pin == UNPINNED for d in deps):
        return Verdict.failed(
            f"{len(deps)} dependencies declared, none pinned (a lower bound alone lets any "
            "future release in)",
            [Evidence(d.path, d.line, d.spec) for d in loose[:5]],
        )
    few = _a_nit(loose, deps, [])  # few loose ones: partial only for the core library among them
    shown = core if few else loose
    return Verdict.partial(
        f"{len(loose)} of {len(deps)} dependencies use ranges or no version "
        f"({', '.join(d.name for d in shown[:4])}) and there is no lock file"
        + (f"; {core[0].name} is one the model's results depend on" if few else ""),
        [Evidence(d.path, d.line, d.spec) for d in shown[:5]],
    )
