"""MO004's last question: does the pipeline read a file that only a notebook makes?

A notebook that cleans, merges or splits the data and writes the result (``df.to_csv(
"../data/processed/train.csv")``), or trains the tokenizer the pipeline loads, keeps a step of
the production path in a notebook even when training lives in modules: a re-run of the
pipeline depends on someone running the notebook by hand first. Reviewers rate that partial.

Found by name: the files notebooks write, with a literal path (or a variable assigned one in
the same notebook), against the files production modules and their settings name. A module
or a setting that writes the same file (a save call on the line, an output key or option)
makes it a pipeline product, whatever the notebook does too.
"""

from __future__ import annotations

from mlscaffold.score.budget import tick
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import NON_PRODUCTION_RE, Located, RepoIndex
from mlscaffold.score.read.linear import lazy

_SUFFIXES = r"csv|tsv|parquet|pq|feather|arrow|jsonl?|npy|npz|xlsx?|pkl|pickle"
# A quoted path ending in a data file's name, the name a whole part of it ("{n}tweets.csv" in
# an f-string names no one file).
_DATA_PATH = lazy(rf"""['"]((?:[^'"\n]{{0,200}}?[/\\])?([\w.-]{{1,80}}\.(?:{_SUFFIXES})))['"]""")
# Calls that write a file. (Model files a module loads, .pt or .h5, are MO004's other rule's;
# a pickle may hold data, a split or a mapping, so pickles are kept.)
_WRITES = lazy(
    r"\.to_(?:csv|parquet|feather|json|pickle|excel|hdf)\s*\(|\b(?:np|numpy)\s*\.\s*save"
    r"(?:z|txt|z_compressed)?\s*\(|\bsavetxt\s*\(|\.save(?:_to_disk)?\s*\(|"
    r"\bjson\s*\.\s*dump\s*\(|\b(?:joblib|c?pickle)\s*\.\s*dump\s*\(|"
    r"\.write_(?:text|bytes|csv|parquet|ipc|json)\s*\(|"
    r"""\bopen\s*\([^)\n]*,\s*(?:mode\s*=\s*)?[rbt]?['"][wax]b?t?\+?['"]"""
)
# What names a file as an output where a module, a runner or a setting mentions it: a
# write call on the line, or an output key or option before the name (output_path:, --out,
# save_to=, outs: of a DVC stage).
_OUTPUT_WORD = lazy(r"out|save|writ|export|dest|dump|target_path|result", linear.I)
# A call of a function named for writing (save_processed_data(df, path), def save_model(model,
# path=MODEL_PATH)): where a constant holding the name goes to be written.
_SAVING_CALL = lazy(r"\b\w*(?:save|write|export|dump|persist)\w*\s*\(", linear.I)
_COMMENT = lazy(r"^[ \t]*(#|//|;)")
# NAME = "...data.csv" (or a path built around the literal): a variable a write call names.
_ASSIGNED = lazy(r"""^[ \t]*([A-Za-z_]\w{0,60})[ \t]*(?::[^=\n]{1,60})?=[^=\n]""")
_FIRST_ARGUMENT = lazy(r"\(\s*([A-Za-z_]\w{0,60})\s*[,)]")
# Notebooks kept in an archive folder are history, not a path anything runs.
ARCHIVED = lazy(r"(^|/)(archived?|old|deprecated|legacy|attic)(/|$)", linear.I)
_SETTINGS = ["*.yaml", "*.yml", "*.toml", "*.cfg", "*.ini", "*.conf", "Makefile", "*.sh"]
_MAX_NOTEBOOKS = 100
_MAX_NAMES = 200
_MAX_READERS = 600


def made_by_notebook(index: RepoIndex) -> tuple[str, Located, str] | None:
    """(file, where production code or a setting reads it, the notebook writing it) for a file
    the pipeline reads that notebooks write and nothing in production writes; None if none."""
    written = _written_by_notebooks(index)
    if not written:
        return None
    by_name: dict[str, list[tuple[str, str]]] = {}
    for (parent, name), notebook in written.items():
        by_name.setdefault(name, []).append((parent, notebook))
    finder = linear.compile(
        "|".join(linear.escape(n) for n in sorted(by_name, key=len, reverse=True))
    )
    elsewhere = linear.compiled(NON_PRODUCTION_RE)  # docs/, examples/, hidden folders
    settings = [f.path for f in index.glob(_SETTINGS) if not elsewhere.search(f.path)]
    readers: dict[str, tuple[Located, str]] = {}
    produced: set[str] = set()
    constants: dict[str, str] = {}  # constant -> the file name it holds
    memo: dict[tuple[str, str], bool] = {}  # (module, constant) -> passed to a write there
    readable = [
        p for p in index.production_python + settings if not linear.compiled(ARCHIVED).search(p)
    ]
    for path in readable[:_MAX_READERS]:
        tick()
        text = index.text(path) or ""
        if not text or finder.search(text) is None:
            continue
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            if linear.compiled(_COMMENT).match(line):
                continue  # a path kept in a comment is read by nobody
            for m in finder.finditer(line):
                name = m.group(0)
                if _name_char(line[m.start() - 1 : m.start()]) or _name_char(
                    line[m.end() : m.end() + 1]
                ):
                    continue  # part of a longer name ("train.csv" in "x_train.csv")
                parent = _parent_before(line, m.start())
                notebook = next(
                    (nb for p, nb in by_name[name] if not p or not parent or p == parent), None
                )
                if notebook is None:
                    continue
                if _writes(line, m.start(), lines, path, memo):
                    produced.add(name)
                    continue
                constant = _constant(line[: m.start()], path)
                if constant:  # MODEL_PATH = "...", written where another module names it
                    constants[constant] = name
                if name not in readers:
                    readers[name] = (Located(path, number, line.strip()[:120]), notebook)
    if constants:
        produced |= _written_through(index, readable[:_MAX_READERS], constants)
    for name, (where, notebook) in readers.items():
        if name not in produced:
            return name, where, notebook
    return None


def _written_by_notebooks(index: RepoIndex) -> dict[tuple[str, str], str]:
    """(parent folder or "", file name) -> the first notebook writing it."""
    written: dict[tuple[str, str], str] = {}
    for nb in index.notebooks[:_MAX_NOTEBOOKS]:
        if index.is_test(nb) or linear.compiled(ARCHIVED).search(nb):
            continue
        tick()
        code = index.notebook_code(nb) or ""
        if linear.compiled(_WRITES).search(code) is None:
            continue
        lines = code.splitlines()
        assigned: dict[str, tuple[str, str]] = {}
        for line in lines:
            paths = [
                (_parent(m.group(1)), m.group(2))
                for m in linear.compiled(_DATA_PATH).finditer(line)
            ]
            target = linear.compiled(_ASSIGNED).match(line)
            if target and paths:
                assigned[target.group(1)] = paths[-1]
            write = linear.compiled(_WRITES).search(line)
            if write is None:
                continue
            argument = linear.compiled(_FIRST_ARGUMENT).match(line, write.end() - 1)
            named = paths
            if not named and argument is not None and argument.group(1) in assigned:
                named = [assigned[argument.group(1)]]  # df.to_csv(output_path)
            for key in named:
                if len(written) < _MAX_NAMES:
                    written.setdefault(key, nb)
    return written


def _parent(path: str) -> str:
    """The folder a path names its file in ("data/processed/x.csv" -> "processed"), or ""."""
    parts = [p for p in path.replace("\\", "/").split("/") if p and p not in (".", "..")]
    return parts[-2].lower() if len(parts) > 1 else ""


def _parent_before(line: str, start: int) -> str:
    """The folder named just before a file name on a line ("data/processed/x.csv"), or ""."""
    head = line[:start].replace("\\", "/")
    if not head.endswith("/"):
        return ""
    parts = head.rstrip("/").split("/")
    last = parts[-1].lstrip("'\"") if parts else ""
    return last.lower() if last and all(_name_char(c) for c in last) else ""


def _writes(
    line: str, at: int, lines: list[str], path: str, memo: dict[tuple[str, str], bool]
) -> bool:
    """Whether a mention writes the file: a write call on the line, an output word before the
    name, or, for a constant (OUT = "x.csv"), a line elsewhere in the file passing the constant
    to a write call or to a function named for saving."""
    before = line[:at]
    if linear.compiled(_WRITES).search(line) or linear.compiled(_OUTPUT_WORD).search(before):
        return True
    constant = _constant(before, path)
    if constant is None:
        return False
    if (path, constant) not in memo:  # once per module and constant, however many mentions
        named = linear.compile(rf"\b{linear.escape(constant)}\b")
        memo[path, constant] = any(_passed_to_a_write(other, named) for other in lines)
    return memo[path, constant]


def _constant(before: str, path: str) -> str | None:
    """The variable a Python line assigns the mention to (OUT = "x.csv" -> "OUT"), or None."""
    target = linear.compiled(_ASSIGNED).match(before) if path.endswith(".py") else None
    return target.group(1) if target else None


def _passed_to_a_write(line: str, named: linear.Pattern) -> bool:
    """Whether a line passes a name to a write call or to a function named for saving."""
    for call in (_WRITES, _SAVING_CALL):
        found = linear.compiled(call).search(line)
        if found is not None and named.search(line, found.start()):
            return True
    return False


def _written_through(index: RepoIndex, paths: list[str], constants: dict[str, str]) -> set[str]:
    """The file names whose constants a module passes to a write (a config module's
    MODEL_PATH that the training module saves to)."""
    names = sorted(constants, key=len, reverse=True)[:_MAX_NAMES]
    named = linear.compile(r"\b(?:" + "|".join(linear.escape(c) for c in names) + r")\b")
    found: set[str] = set()
    for path in paths:
        text = index.text(path) or "" if path.endswith(".py") else ""
        if not text or named.search(text) is None:
            continue
        tick()
        for line in text.splitlines():
            m = named.search(line)
            if m is not None and _passed_to_a_write(line, named):
                found.add(constants[m.group(0)])
    return found


def _name_char(c: str) -> bool:
    """A character that continues a file name ("{" and "}": a name built in an f-string)."""
    return bool(c) and (c.isalnum() or c in "_.-{}")
