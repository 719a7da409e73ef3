"""MO004's last question: does the pipeline read a file that only a notebook makes?

A notebook that cleans, merges or splits the data and writes the result (``df.to_csv(
"../data/processed/train.csv")``), or trains the tokenizer the pipeline loads, keeps a step of
the production path in a notebook even when training lives in modules: a re-run of the
pipeline depends on someone running the notebook by hand first. Reviewers rate that partial.

Found by name: the files notebooks write, with a literal path (or a variable assigned one in
the same notebook), against what production modules and their settings do with the same file
names. A mention reads the file when its line reads (``pd.read_csv(...)``), when a constant
holding it is later read, or when a setting names it as an input (a DVC stage's ``deps``, a
data path); it writes the file when its line writes, when a constant holding it goes to a
write or a ``save_*`` helper, or when an output key or option names it (``outs:``,
``output_path:``, ``--out``). Any write in production makes the file a pipeline product,
whatever the notebook does too; other mentions (a dict of paths, a log message) say nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from mlscaffold.score.budget import tick
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import NON_PRODUCTION_RE, Located, RepoIndex
from mlscaffold.score.read.linear import lazy

_SUFFIXES = r"csv|tsv|parquet|pq|feather|arrow|jsonl?|npy|npz|xlsx?|pkl|pickle"
# A quoted path whose last part is a data file's name ("{n}tweets.csv", built in an f-string,
# names no one file): the path and the name are the groups.
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
# A function named for writing (save_processed_data(df, path), def save_model(model,
# path=MODEL_PATH)): where a constant holding the name goes to be written.
_SAVING_CALL = lazy(r"\b\w*(?:save|write|export|dump|persist)\w*\s*\(", linear.I)
# Calls that read a file (an open() that writes was asked about first).
_READS = lazy(
    r"\bread_(?:csv|parquet|table|excel|json|feather|pickle|hdf|fwf|text|bytes)\s*\(|"
    r"\.scan_(?:csv|parquet)\s*\(|\.read\s*\(|\b(?:np|numpy)\s*\.\s*load(?:txt)?\s*\(|"
    r"\b(?:json|joblib|c?pickle)\s*\.\s*load\s*\(|\bload\w*\s*\(|\bopen\s*\(|"
    r"\b(?:open|read|get)_\w*(?:data|dataset|df|frame|file|csv|table)\w*\s*\(|"
    r"\bfrom_(?:pretrained|file|csv|parquet|json)\s*\(|Tokenizer\w*\s*\(|\bDataset\w*\s*\("
)
# An output key or option just before the literal: output_path: "x.csv", --out x.csv,
# save_to="x.csv" (word by word: "outputs/x.csv" or read_csv(RESULTS_DIR ...) is no option).
_OUTPUT_BEFORE = lazy(
    r"""(?:(?:^|[^\w-])(?:\w*[_.])?(?:out|outs|output|outputs|save\w*|dest|destination|export\w*|"""
    r"""target|result|results|metrics|plots)(?:[_-]\w*)?['"]?\s*[:=]\s*|"""
    r"""(?:^|\s)-{1,2}(?:o|out\w*|save\w*|dest\w*|export\w*)(?:\s+|=)|"""
    # an argparse or click option's default: add_argument("--output-path", default="x.csv")
    r"""['"]-{0,2}(?:o|out\w*|save\w*|dest\w*|export\w*)(?:[_-]\w*)?['"]\s*,[^)\n]{0,120}?"""
    r"""\bdefault\s*=\s*)[rbfu]?['"]?[^'"\s]*$""",
    linear.I,
)
# A write chained on the path expression holding the name: (res_dir / "x.json").write_text(
_CHAINED_WRITE = lazy(r"""[\w.-]*['"]\s*\)\s*\.(?:write_text|write_bytes|to_csv|to_parquet)\s*\(""")
# A Makefile or shell variable's definition (CLEAN := ..., CLEAN_DATA=...).
_MAKE_VARIABLE = lazy(r"^[ \t]*(?:export[ \t]+)?[\w.-]+[ \t]*(?::{1,2}=|\?=|\+=|!=|=)")
# A YAML key alone on its line (the list below it is its value: a DVC stage's outs:).
_YAML_KEY = lazy(r"^([ \t]*)-?[ \t]*([\w.-]+)[ \t]*:[ \t]*$")
_OUTPUT_KEY = lazy(
    r"(^|[_.-])(outs?|outputs?|metrics|plots|save\w*|dest\w*|export\w*|results?|target)([_.-]|$)",
    linear.I,
)
# NAME = "...data.csv" (or a path built around the literal): a variable a write call names.
_ASSIGNED = lazy(r"""^[ \t]*([A-Za-z_]\w{0,60})[ \t]*(?::[^=\n]{1,60})?=[^=\n]""")
_FIRST_ARGUMENT = lazy(r"\(\s*([A-Za-z_]\w{0,60})\s*[,)]")
_IDENTIFIER = lazy(r"\b[A-Za-z_]\w{0,60}\b")
ARCHIVED = lazy(r"(^|/)(archived?|old|deprecated|legacy|attic)(/|$)", linear.I)
_SETTINGS = ["*.yaml", "*.yml", "*.toml", "*.cfg", "*.ini", "*.conf", "Makefile", "*.sh"]
_YAML = (".yaml", ".yml")
_MAX_NOTEBOOKS = 100
_MAX_WRITTEN = 200  # file names taken from notebooks
_MAX_READERS = 600  # modules and settings searched
_MAX_MENTIONS = 50  # mentions judged in one file
_MAX_CONSTANT_USES = 200  # uses of the constants read in one module
_MAX_CONSTANTS = 200
_WINDOW = 200  # characters before a mention that say what it is
_CALL_CHARS = 400  # characters a call's arguments may run over
_KEY_LINES = 50  # lines above a YAML list item searched for its key
_MAX_CALLS = 2000  # write, save and read calls read in one module
_READ, _WRITE = "read", "write"
# Setting keys too common to follow into the code (a `path` is asked for everywhere).
_GENERIC_KEYS = frozenset(
    "paths file files filename filepath dataset datasets input inputs source sources folder "
    "value values train valid validation test name names split".split()
)


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
    archived = linear.compiled(ARCHIVED)
    settings = [f.path for f in index.glob(_SETTINGS) if not elsewhere.search(f.path)]
    # settings first: a large code base must not push dvc.yaml out of the files read
    readable = [p for p in settings + index.production_python if not archived.search(p)]
    readable = readable[:_MAX_READERS]
    readers: dict[str, tuple[Located, str]] = {}
    produced: set[str] = set()
    # a constant no use in its own module explains -> (its file, the notebook writing it)
    constants: dict[str, tuple[str, str]] = {}
    for path in readable:
        tick()
        text = index.text(path) or ""
        if not text or finder.search(text) is None:
            continue
        code = path.endswith(".py")
        module: _Module | None = None  # what the module does with its names, when asked
        lines: list[str] | None = None  # a setting's lines, when a list item needs its key
        for number, line, at, name in _mentions(text, finder):
            if name in produced:
                continue
            notebook = _writer_of(by_name[name], _parent_before(line, at))
            if notebook is None:
                continue
            where = Located(path, number, line.strip()[:120])
            if code:
                use = _code_use(line, at)
                constant = _constant(line, at) if use is None else None
                if constant:  # NAME = "x.csv": the name's uses in the module say
                    module = module or _Module(text)
                    use = module.use_of(constant)
                    if use is None and len(constants) < _MAX_CONSTANTS:
                        constants[constant] = (name, notebook)  # ... or another module's
            else:
                if lines is None and path.endswith(_YAML):
                    lines = text.splitlines()
                use, key = _setting_use(lines or [], line, number, at, path)
                if key and len(constants) < _MAX_CONSTANTS:
                    # a module writing to the setting (to_csv(params["processed"])) makes it
                    constants.setdefault(key, (name, notebook))
            if use == _WRITE:
                produced.add(name)
            elif use == _READ and name not in readers:
                readers[name] = (where, notebook)
    if constants:
        more_produced, more_readers = _through_constants(index, readable, constants)
        produced |= more_produced
        for name, found in more_readers.items():
            readers.setdefault(name, found)
    for name, (where, notebook) in readers.items():
        if name not in produced:
            return name, where, notebook
    return None


def _mentions(text: str, finder: linear.Pattern) -> Iterator[tuple[int, str, int, str]]:
    """(line number, line, offset in the line, name) of the whole-name mentions of a file,
    outside comments: the first _MAX_MENTIONS, from one pass over the text."""
    found = 0
    for number, m in itertools.islice(finder.finditer_lines(text), 20 * _MAX_MENTIONS):
        start, end = m.span()
        if _name_char(text[start - 1 : start]) or _name_char(text[end : end + 1]):
            continue  # part of a longer name ("train.csv" in "x_train.csv")
        first, line = _line_of(text, start)
        if line.lstrip().startswith(("#", "//", ";")):
            continue  # a path kept in a comment is read by nobody
        found += 1
        tick()
        yield number, line, start - first, m.group(0)
        if found >= _MAX_MENTIONS:
            return


def _line_of(text: str, at: int) -> tuple[int, str]:
    """(where it starts, the line) of the line holding offset ``at``."""
    first = text.rfind("\n", 0, at) + 1
    last = text.find("\n", at)
    return first, text[first : last if last != -1 else len(text)]


def _writer_of(writers: list[tuple[str, str]], parent: str) -> str | None:
    """The notebook writing the file in the same folder (either side may not name one)."""
    return next((nb for p, nb in writers if not p or not parent or p == parent), None)


class _Module:
    """What one module does with its names: the identifiers it passes to a write or a saving
    function, and those it passes to a read, from one pass of each pattern over the text (a
    call's arguments may run over lines: ``dvc.api.read(\n    path=path,``)."""

    def __init__(self, text: str) -> None:
        self.written: set[str] = set()
        self.read: set[str] = set()
        for pattern, names in ((_WRITES, self.written), (_SAVING_CALL, self.written)):
            for m in itertools.islice(linear.compiled(pattern).finditer(text), _MAX_CALLS):
                names.update(_identifiers(_call_text(text, m.start(), m.end())))
        for m in itertools.islice(linear.compiled(_READS).finditer(text), _MAX_CALLS):
            if not _in_comment(text, m.start()):
                self.read.update(_identifiers(_call_text(text, m.start(), m.end())))

    def use_of(self, constant: str) -> str | None:
        if constant in self.written:
            return _WRITE
        return _READ if constant in self.read else None


def _write_call(line: str) -> linear.Match | None:
    """Where a line calls a write or a function named for saving, or None."""
    return linear.compiled(_WRITES).search(line) or linear.compiled(_SAVING_CALL).search(line)


def _call_text(text: str, start: int, opened: int) -> str:
    """A call from its name to its closing parenthesis (at most _CALL_CHARS characters);
    ``opened`` is just after its opening one."""
    depth, end = 1, min(len(text), opened + _CALL_CHARS)
    for i in range(opened, end):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return text[start:end]


def _in_comment(text: str, at: int) -> bool:
    return text[text.rfind("\n", 0, at) + 1 : at].lstrip().startswith("#")


def _identifiers(text: str) -> list[str]:
    return [m.group(0) for m in itertools.islice(linear.compiled(_IDENTIFIER).finditer(text), 40)]


def _code_use(line: str, at: int) -> str | None:
    """What a module's line does with the file it names at ``at``: _WRITE (a write or a saving
    call holding it, an output option or keyword before it, a write chained on the path built
    around it), _READ (a read call holding it), or None (an assignment, whose name's uses
    decide; a dict of paths, a message)."""
    before = line[max(0, at - _WINDOW) : at]
    write = _write_call(line[max(0, at - _WINDOW) :])
    if (
        (write is not None and write.start() < min(at, _WINDOW))  # open(x, "w"), to_csv(x)
        or linear.compiled(_OUTPUT_BEFORE).search(before)
        or (linear.compiled(_CHAINED_WRITE).match(line, at) and _grouped_path(before))
    ):
        return _WRITE
    return _READ if linear.compiled(_READS).search(before) else None


def _grouped_path(before: str) -> bool:
    """Whether the parenthesis opened last before a name groups a path expression
    (``(res_dir / "x.json")``), not a call's arguments (``read_csv("x.csv")``)."""
    opened = before.rfind("(")
    return opened != -1 and not _name_char(before[opened - 1 : opened])


def _constant(line: str, at: int) -> str | None:
    """The name a line assigns the mention to (OUT = "x.csv", p = os.path.join(d, "x.csv"));
    None when the literal sits far into the line (no simple assignment)."""
    if at > 2 * _WINDOW:
        return None
    target = linear.compiled(_ASSIGNED).match(line[:at])
    return target.group(1) if target else None


def _setting_use(
    lines: list[str], line: str, number: int, at: int, path: str
) -> tuple[str | None, str | None]:
    """What a setting does with a file it names, and the key a module would ask for it by
    (when specific enough to look for): an output key or option writes it, a command (a DVC
    stage's cmd:, a Makefile recipe) runs a program that may do either, any other key or list
    reads it, unless a module writes to that key."""
    before = line[max(0, at - _WINDOW) : at]
    if linear.compiled(_OUTPUT_BEFORE).search(before):
        return _WRITE, None
    if path.endswith(("Makefile", ".mk", ".sh")):
        if ":" in line[at:] and not line[:1].isspace() and not path.endswith(".sh"):
            return _WRITE, None  # a Makefile target: its recipe makes it
        # a prerequisite (train: data/x.csv) is read; a variable (CLEAN := data/x.csv) or a
        # command may be either
        variable = linear.compiled(_MAKE_VARIABLE).match(line)
        prerequisite = ":" in line[:at] and not variable and not line[:1].isspace()
        return (_READ, None) if prerequisite and not path.endswith(".sh") else (None, None)
    key = _key_of(lines, line, number, path)
    if key is None:
        return None, None  # a command line: the program it runs says, not the line
    if linear.compiled(_OUTPUT_KEY).search(key):
        return _WRITE, None
    specific = len(key) >= 5 and key.lower() not in _GENERIC_KEYS and key.isidentifier()
    return _READ, key if specific else None


def _key_of(lines: list[str], line: str, number: int, path: str) -> str | None:
    """The key a setting's line gives the value of: on the line (``path: data/x.csv``,
    ``path = data/x.csv``), or for a YAML list item the key above it (a DVC stage's ``deps:``);
    None for commands (``cmd:``, Makefile recipes, shell lines)."""
    head = line.lstrip(" \t-")
    for sep in (":", "="):
        key, found, _ = head.partition(sep)
        if found and key.strip() and all(c.isalnum() or c in "_.-\"' " for c in key):
            key = key.strip().strip("\"'")
            return None if key in ("cmd", "command", "run", "script") else key
    if not path.endswith(_YAML) or not line.lstrip().startswith("-"):
        return None
    indent = len(line) - len(line.lstrip())
    for i in range(min(number - 2, len(lines) - 1), max(-1, number - 2 - _KEY_LINES), -1):
        m = linear.compiled(_YAML_KEY).match(lines[i])
        if m is not None and len(m.group(1)) <= indent:
            return m.group(2)
    return None


def _through_constants(
    index: RepoIndex, paths: list[str], constants: dict[str, tuple[str, str]]
) -> tuple[set[str], dict[str, tuple[Located, str]]]:
    """What other modules do with the constants holding the files (a config module's
    DATA_PATH that the training module reads, or the cleaning module writes): the file names
    written, and where each file is first read. One pass of one pattern over each module."""
    names = sorted(constants, key=len, reverse=True)
    named = linear.compile(r"\b(?:" + "|".join(linear.escape(c) for c in names) + r")\b")
    written: set[str] = set()
    readers: dict[str, tuple[Located, str]] = {}
    for path in paths:
        text = index.text(path) or "" if path.endswith(".py") else ""
        if not text or named.search(text) is None:
            continue
        tick()
        for number, m in itertools.islice(named.finditer_lines(text), _MAX_CONSTANT_USES):
            first, line = _line_of(text, m.start())
            if line.lstrip().startswith("#"):
                continue
            at = m.start() - first
            before = line[max(0, at - _WINDOW) : at]
            name, notebook = constants[m.group(0)]
            if _write_call(before) is not None:
                written.add(name)
            elif linear.compiled(_READS).search(before) and name not in readers:
                readers[name] = (Located(path, number, line.strip()[:120]), notebook)
    return written, readers


def _written_by_notebooks(index: RepoIndex) -> dict[tuple[str, str], str]:
    """(parent folder or "", file name) -> the first notebook writing it."""
    written: dict[tuple[str, str], str] = {}
    archived = linear.compiled(ARCHIVED)
    writes = linear.compiled(_WRITES)
    for nb in index.notebooks[:_MAX_NOTEBOOKS]:
        if index.is_test(nb) or archived.search(nb):
            continue
        tick()
        code = index.notebook_code(nb) or ""
        if writes.search(code) is None:
            continue
        assigned: dict[str, tuple[str, str]] = {}
        for line in code.splitlines():
            matches = list(itertools.islice(linear.compiled(_DATA_PATH).finditer(line), 20))
            paths = [(_parent(m.group(1)), m.group(2)) for m in matches]
            starts = [m.start() for m in matches]
            target = linear.compiled(_ASSIGNED).match(line)
            if target and paths:
                assigned[target.group(1)] = paths[-1]
            write = writes.search(line)
            if write is None:
                continue
            argument = linear.compiled(_FIRST_ARGUMENT).match(line, write.end() - 1)
            # what the write call holds: pd.read_csv("raw.csv").head().to_csv("sample.csv")
            # writes the sample, not the raw file
            named = [key for key, at in zip(paths, starts, strict=True) if at >= write.start()]
            if not named and argument is not None and argument.group(1) in assigned:
                named = [assigned[argument.group(1)]]  # df.to_csv(output_path)
            for key in named:
                if len(written) < _MAX_WRITTEN:
                    written.setdefault(key, nb)
    return written


def _parent(path: str) -> str:
    """The folder a path names its file in ("data/processed/x.csv" -> "processed"), or ""."""
    parts = [p for p in path.replace("\\", "/").split("/") if p and p not in (".", "..")]
    return parts[-2].lower() if len(parts) > 1 else ""


def _parent_before(line: str, start: int) -> str:
    """The folder named just before a file name on a line ("data/processed/x.csv"), or ""."""
    head = line[max(0, start - _WINDOW) : start].replace("\\", "/")
    if not head.endswith("/"):
        return ""
    last = head.rstrip("/").rpartition("/")[2].lstrip("'\"")
    return last.lower() if last and all(_name_char(c) for c in last) else ""


def _name_char(c: str) -> bool:
    """A character that continues a file name ("{" and "}": a name built in an f-string)."""
    return bool(c) and (c.isalnum() or c in "_.-{}")
