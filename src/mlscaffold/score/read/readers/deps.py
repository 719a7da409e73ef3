"""Declared dependencies from every common format, read without executing anything.

Formats: PEP 621 and PEP 735 (pyproject), Poetry, PDM, uv, Pixi, requirements*.txt / *.in,
setup.cfg, setup.py (through ``ast``: never run), conda environment files and Pipfile.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from mlscaffold.score.read import linear
from mlscaffold.score.read.readers.structured import dig, load_toml, load_yaml

EXACT, RANGE, UNPINNED = "exact", "range", "unpinned"

LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "pixi.lock",
    "Pipfile.lock",
    "conda-lock.yml",
    "conda-lock.yaml",
    "requirements.lock",
    "requirements-lock.txt",
    "pylock.toml",
)
_NAME_RE = linear.lazy(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_SEPARATORS = linear.lazy(r"[-_.]+")
_POETRY_EXACT = linear.lazy(r"=?=?\s*\d[\w.+!-]*")
_CONDA_EXACT = linear.lazy(r"==?\s*[\w.+!-]+(=[\w.]+)?")
# A requirement string longer than this is not one (packaging is not asked to read it).
MAX_SPEC = 500


@dataclass(frozen=True)
class Dependency:
    name: str  # normalised (PEP 503): lower case, runs of -_. become -
    spec: str
    pin: str  # EXACT, RANGE or UNPINNED
    path: str
    line: int | None


def normalise(name: str) -> str:
    low = name.lower()
    if "_" not in low and "." not in low and "--" not in low:
        return low  # the usual name is already normal: no search
    return _SEPARATORS.sub("-", low)


# The everyday requirement ("numpy", "pandas==2.2.3", "scikit-learn>=1.4,<2"): a name and
# plain release versions. packaging reads anything else; importing it costs a tenth of a small
# repository's score, and a test proves both readings agree on every string this accepts.
# name, optional [extras], then comparisons with plain versions (and a pre-, post- or dev-
# release): the forms lock files are made of. [0-9], not \d: packaging takes ASCII digits only.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"  # PEP 508: ends alphanumeric
_VERSION = r"[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
# One comparison: "~=" wants two release numbers; only "==" and "!=" take a ".*" wildcard.
_CLAUSE = (
    rf"(?:(?:===|<=|>=|<|>)[ \t]*{_VERSION}|~=[ \t]*[0-9]+(?:\.[0-9]+)+"
    rf"(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
    rf"|(?:==|!=)[ \t]*(?:{_VERSION}|[0-9]+(?:\.[0-9]+)*\.\*))[ \t]*"
)
# An environment marker of plain comparisons ("python_version < '3.12' and sys_platform ==
# 'linux'"): it decides where a dependency installs, not how it is pinned.
_MARKER_VAR = (
    r"(?:python_version|python_full_version|os_name|sys_platform|platform_release|"
    r"platform_system|platform_version|platform_machine|platform_python_implementation|"
    r"implementation_name|implementation_version|extra)"
)
_MARKER_VALUE = r"(?:'[ !#-&(-\[\]-~]*'|\"[ !#-\[\]-~]*\")"  # printable, no quote or backslash
_MARKER_ITEM = (
    rf"(?:{_MARKER_VAR}[ \t]*(?:===|==|~=|!=|<=|>=|<|>)[ \t]*{_MARKER_VALUE}"
    rf"|{_MARKER_VALUE}[ \t]*(?:===|==|~=|!=|<=|>=|<|>)[ \t]*{_MARKER_VAR})"
)
_SIMPLE_REQUIREMENT = linear.lazy(
    rf"[ \t]*({_NAME})[ \t]*"
    rf"(?:\[[ \t]*{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*\]"
    r"[ \t]*)?"
    rf"((?:{_CLAUSE}(?:,[ \t]*{_CLAUSE})*)?)"
    rf"(?:;[ \t]*{_MARKER_ITEM}(?:[ \t]+(?:and|or)[ \t]+{_MARKER_ITEM})*[ \t]*)?"
)


def _pin_of(ops: str) -> str:
    """EXACT for ``==`` (``===``) without a wildcard, RANGE when a bound holds versions back
    (``<2``, ``~=1.4``, ``==1.*``), UNPINNED for no version or lower bounds and exclusions
    alone (``>=1.4``: any future release)."""
    operators = {_operator(clause.strip()) for clause in ops.split(",") if clause.strip()}
    if operators & {"==", "==="} and "*" not in ops:
        return EXACT
    if operators - {">=", ">", "!="}:
        return RANGE
    return UNPINNED


def _operator(clause: str) -> str:
    if clause.startswith("==="):
        return "==="
    return clause[:2] if clause[:2] in ("==", "!=", "<=", ">=", "~=") else clause[:1]


def _classify_pep508(spec: str) -> tuple[str, str] | None:
    """Return (name, pin) of a PEP 508 string, or None if it is not one."""
    if len(spec) > MAX_SPEC:
        return None
    simple = _SIMPLE_REQUIREMENT.fullmatch(spec)
    if simple:
        ops = simple.group(2)
        return normalise(simple.group(1)), _pin_of(ops)
    first = spec.lstrip(" \t")[:1]
    if not (first.isascii() and first.isalnum()):
        return None  # PEP 508 names start with a letter or digit: "./pkg", "'numpy',", ".[extra]"
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(spec)
    except (InvalidRequirement, ValueError, TypeError):
        return None
    if req.url:
        return normalise(req.name), EXACT if "@" in req.url or "#" in req.url else RANGE
    ops = [s.operator for s in req.specifier]
    if any(op in ("==", "===") for op in ops) and not any("*" in s.version for s in req.specifier):
        pin = EXACT
    elif any(op not in (">=", ">", "!=") for op in ops):
        pin = RANGE
    else:  # no version, or only a lower bound: tomorrow's release installs
        pin = UNPINNED
    return normalise(req.name), pin


# A file declaring more dependencies than this is hostile or generated: the rest are not read.
MAX_DEPENDENCIES = 2_000
_MAX_MISSES = 32  # strings not found in the text before line numbers are given up


class _Lines:
    """Line numbers of strings in one text. Declarations come in the order of the text, so each
    search starts where the last one ended (a thousand dependencies cost one pass, not a
    thousand), and starts over only for a string not found after it."""

    __slots__ = ("_lines", "_misses", "_pos", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._lines = 1  # the line at _pos
        self._misses = 0

    def __call__(self, needle: str) -> int | None:
        if self._misses >= _MAX_MISSES:
            return None  # strings spelt otherwise in the text (TOML escapes) cost a pass each
        text = self._text
        pos = text.find(needle, self._pos)
        if pos < 0:
            pos = text.find(needle, 0, self._pos)
            if pos < 0:
                self._misses += 1
                return None
            self._pos, self._lines = 0, 1
        self._lines += text.count("\n", self._pos, pos)
        self._pos = pos
        return self._lines


def _poetry_pin(value: Any) -> str:
    if isinstance(value, dict):
        if "path" in value or "git" in value or "url" in value:
            return EXACT if ("rev" in value or "tag" in value or "path" in value) else RANGE
        value = value.get("version", "*")
    if not isinstance(value, str) or value.strip() in ("", "*"):
        return UNPINNED
    v = value.strip()
    if _POETRY_EXACT.fullmatch(v):
        return EXACT
    return RANGE


def from_pyproject(path: str, text: str) -> tuple[list[Dependency], str | None]:
    doc, err = load_toml(text)
    if err or not isinstance(doc, dict):
        return [], err
    deps: list[Dependency] = []
    _line_of = _Lines(text)

    def add_pep508(items: Any) -> None:
        if not isinstance(items, list):
            return
        for item in items:
            if isinstance(item, str):
                parsed = _classify_pep508(item) if len(deps) < MAX_DEPENDENCIES else None
                if parsed:
                    deps.append(Dependency(parsed[0], item, parsed[1], path, _line_of(item)))

    add_pep508(dig(doc, "project", "dependencies"))
    for group in (
        (dig(doc, "project", "optional-dependencies") or {}).values()
        if isinstance(dig(doc, "project", "optional-dependencies"), dict)
        else ()
    ):
        add_pep508(group)
    groups = doc.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups.values():
            add_pep508(group)
    for key in ("dev-dependencies",):
        add_pep508(dig(doc, "tool", "uv", key))
    pdm_dev = dig(doc, "tool", "pdm", "dev-dependencies")
    if isinstance(pdm_dev, dict):
        for group in pdm_dev.values():
            add_pep508(group)

    def add_table(table: Any) -> None:
        if not isinstance(table, dict):
            return
        for name, value in table.items():
            if len(deps) >= MAX_DEPENDENCIES:
                return
            if not isinstance(name, str) or normalise(name) == "python":
                continue
            deps.append(
                Dependency(
                    normalise(name), str(value)[:80], _poetry_pin(value), path, _line_of(name)
                )
            )

    add_table(dig(doc, "tool", "poetry", "dependencies"))
    add_table(dig(doc, "tool", "poetry", "dev-dependencies"))
    poetry_groups = dig(doc, "tool", "poetry", "group")
    if isinstance(poetry_groups, dict):
        for group in poetry_groups.values():
            add_table(dig(group, "dependencies"))
    add_table(dig(doc, "tool", "pixi", "dependencies"))
    add_table(dig(doc, "tool", "pixi", "pypi-dependencies"))
    return deps, None


MAX_JOINED_CHARS = 4096  # a requirement continued over lines, as pip joins them


def _logical_lines(text: str):
    """(first line number, line) of a requirements file, with lines ending in a backslash
    joined to the next as pip joins them ("torch \\" then "==2.5.0"), options (--hash=...)
    cut off, comments removed."""
    pending: list[str] = []
    size = start = 0
    cut = False  # an option has begun: the rest of the logical line is cut off anyway
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if line.startswith("#"):
            line = ""
        if line.endswith("\\"):
            if not pending:
                start, cut = n, False
            elif line.startswith("--") and not cut:
                # "    --hash=sha256:..." lines of a lock: the first marks the cut, and what
                # follows is not kept (it would be cut off after the join).
                cut = True
                if size < MAX_JOINED_CHARS:
                    pending.append("--")
            if not cut and size < MAX_JOINED_CHARS:  # a run of backslashes may not grow forever
                pending.append(line[:-1])
                size += len(line)
            continue
        if pending:
            pending.append(line)
            line, n = " ".join(pending), start
            pending, size = [], 0
        yield n, line.split(" --", 1)[0].strip()
    if pending:
        yield start, " ".join(pending).split(" --", 1)[0].strip()


def from_requirements(path: str, text: str) -> list[Dependency]:
    deps: list[Dependency] = []
    for n, line in _logical_lines(text):
        if len(deps) >= MAX_DEPENDENCIES:
            break
        if not line or line.startswith(("#", "-", "--")):
            continue
        parsed = _classify_pep508(line.split(";")[0].strip() if "@" not in line else line)
        if parsed:
            deps.append(Dependency(parsed[0], line, parsed[1], path, n))
    return deps


def from_setup_cfg(path: str, text: str) -> tuple[list[Dependency], str | None]:
    import configparser  # only for setup.cfg files

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
        raw = parser.get("options", "install_requires", fallback="")
    except (configparser.Error, ValueError, KeyError) as exc:
        return [], f"{type(exc).__name__}"
    deps: list[Dependency] = []
    _line_of = _Lines(text)
    for item in raw.splitlines()[:MAX_DEPENDENCIES]:
        item = item.strip()
        parsed = _classify_pep508(item) if item else None
        if parsed:
            deps.append(Dependency(parsed[0], item, parsed[1], path, _line_of(item)))
    return deps, None


def from_setup_py(path: str, text: str) -> list[Dependency]:
    """Literal lists passed as install_requires (or assigned to a *requires*/requirements name)."""
    try:
        tree = ast.parse(text)
        nodes = list(ast.walk(tree))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    lists: list[ast.AST] = []
    for node in nodes:
        is_kwarg = isinstance(node, ast.keyword) and node.arg in (
            "install_requires",
            "extras_require",
        )
        is_assign = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and "require" in t.id.lower() for t in node.targets
        )
        if is_kwarg or is_assign:
            lists.append(node.value)  # type: ignore[attr-defined]
    deps = []
    # Each node once (not descending into a node seen), and a bounded number of them:
    # install_requires= nested in install_requires= walked every inner list again for each
    # keyword around it.
    seen: set[int] = set()
    stack = list(reversed(lists))
    while stack:
        elt = stack.pop()
        if id(elt) in seen:
            continue
        seen.add(id(elt))
        if len(seen) > _MAX_SETUP_NODES or len(deps) >= MAX_DEPENDENCIES:
            break
        if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
            parsed = _classify_pep508(elt.value)
            if parsed:
                deps.append(Dependency(parsed[0], elt.value, parsed[1], path, elt.lineno))
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(elt))))
    return deps


_MAX_SETUP_NODES = 20 * MAX_DEPENDENCIES


_JOB_ENV_NAME = linear.lazy(r"[_-]env\.ya?ml$", linear.I)


def from_conda_env(path: str, text: str) -> tuple[list[Dependency], str | None]:
    doc, err = load_yaml(text)
    if err or not isinstance(doc, dict):
        return [], err
    deps: list[Dependency] = []
    _line_of = _Lines(text)
    if _JOB_ENV_NAME.search(path) and not ("channels" in doc or "name" in doc):
        return [], None  # a deployment's staging-env.yaml, not a conda environment
    items = doc.get("dependencies")
    seen_pip: set[int] = set()  # a YAML alias repeats one list: read it once
    for item in items[:MAX_DEPENDENCIES] if isinstance(items, list) else []:
        if len(deps) >= MAX_DEPENDENCIES:  # the cap is the file's, not each list's
            break
        if isinstance(item, str):
            m = _NAME_RE.match(item.split("::")[-1])
            if not m:
                continue
            rest = item.split("::")[-1][m.end() :].strip()
            if _CONDA_EXACT.fullmatch(rest) and "*" not in rest:
                pin = EXACT
            elif rest:
                pin = RANGE
            else:
                pin = UNPINNED
            if normalise(m.group(1)) not in ("python", "pip"):
                deps.append(Dependency(normalise(m.group(1)), item, pin, path, _line_of(item)))
        elif (
            isinstance(item, dict)
            and isinstance(item.get("pip"), list)
            and id(item["pip"]) not in seen_pip
        ):
            seen_pip.add(id(item["pip"]))
            for pip_item in item["pip"][: MAX_DEPENDENCIES - len(deps)]:
                if isinstance(pip_item, str):
                    deps.extend(
                        Dependency(d.name, d.spec, d.pin, path, _line_of(pip_item))
                        for d in from_requirements(path, pip_item)
                    )
    return deps, None


def from_pipfile(path: str, text: str) -> tuple[list[Dependency], str | None]:
    doc, err = load_toml(text)
    if err or not isinstance(doc, dict):
        return [], err
    deps: list[Dependency] = []
    _line_of = _Lines(text)
    for section in ("packages", "dev-packages"):
        table = doc.get(section)
        if isinstance(table, dict):
            for name, value in list(table.items())[:MAX_DEPENDENCIES]:
                deps.append(
                    Dependency(
                        normalise(str(name)),
                        str(value)[:80],
                        _poetry_pin(value),
                        path,
                        _line_of(str(name)),
                    )
                )
    return deps, None


def kind_of(path: str) -> str | None:
    """Which dependency format a repo-relative path is, or None."""
    name = path.rsplit("/", 1)[-1].lower()
    if name == "pyproject.toml":
        return "pyproject"
    if name == "setup.cfg":
        return "setup.cfg"
    if name == "setup.py":
        return "setup.py"
    if name == "pipfile":
        return "pipfile"
    if name.endswith((".yml", ".yaml")) and (
        name.startswith(("environment", "conda"))
        # Azure ML's and MLflow's job environments: training_env.yml, conda-env.yaml; a
        # project's own name before it: saint_environment.yml
        or name.rsplit(".", 1)[0].endswith(("_env", "-env", "_environment", "-environment"))
    ):
        return "conda"
    if (
        name.startswith("requirements") or "/requirements/" in f"/{path.lower()}"
    ) and name.endswith((".txt", ".in")):
        return "requirements"
    return None


def parse_dependency_file(path: str, text: str) -> tuple[list[Dependency], str | None]:
    kind = kind_of(path)
    if kind == "pyproject":
        return from_pyproject(path, text)
    if kind == "setup.cfg":
        return from_setup_cfg(path, text)
    if kind == "setup.py":
        return from_setup_py(path, text), None
    if kind == "pipfile":
        return from_pipfile(path, text)
    if kind == "conda":
        return from_conda_env(path, text)
    if kind == "requirements":
        return from_requirements(path, text), None
    return [], None
