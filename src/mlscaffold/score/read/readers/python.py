"""Static reading of Python source: imports by a fast regex scan, definitions by ``ast`` on demand.

Nothing is imported or executed. ``ast.parse`` runs only on files a rule asks about, with a
recursion guard, because deeply nested expressions in hostile files raise RecursionError.
"""

from __future__ import annotations

import ast
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from mlscaffold.score.read import linear

_IMPORT = linear.lazy(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import\b[ \t(]*([\w, \t]*)"
    r"|import[ \t]+([\w.]+(?:[ \t]*(?:as[ \t]+\w+)?[ \t]*,[ \t]*[\w.]+)*))",
    linear.M,
)


class ImportRef(NamedTuple):
    """One import. A named tuple: a large repository has hundreds of thousands of them."""

    module: str  # dotted name as written ("sklearn.metrics", ".features" for relative)
    line: int
    names: tuple[str, ...] = ()  # "from pkg import data, model": names that may be modules


_intern = sys.intern  # module names repeat across thousands of files: keep one copy of each
_new = tuple.__new__  # builds an ImportRef without the keyword handling of its constructor
_NO_NAMES: tuple[str, ...] = ()


def _first_words(names: str) -> list[str]:
    """``"a as b, c"`` -> ``["a", "c"]``."""
    return [_intern(part.split()[0]) for part in names.split(",") if part.strip()]


def scan_imports(code: bytes | str) -> list[ImportRef]:
    """Imports at the start of a line (including indented ones), found without parsing.

    This runs on every Python file of a repository, on its raw bytes. Every import statement
    has the word ``import`` on its first line, so only the lines that hold it are looked at (a
    substring search skips the rest far faster than an automaton), and a line already read in
    any module (``import os``, ``from typing import Any``: lines repeat across a repository) is
    not read again. Names are ASCII (the pattern's ``\\w`` is), so decoding cannot fail."""
    data = code.encode("utf-8", "replace") if isinstance(code, str) else code
    refs: list[ImportRef] = []
    memo = _LINES
    find, rfind, count = data.find, data.rfind, data.count
    line, last = 1, 0
    at = find(b"import")
    while at != -1:
        start = rfind(b"\n", 0, at) + 1
        end = find(b"\n", at)
        if end == -1:
            end = len(data)
        text = data[start:end]
        found = memo.get(text)
        if found is None:
            found = _import_line(text)
            if len(memo) < MAX_REMEMBERED_LINES:
                memo[text] = found
        if found:
            line += count(b"\n", last, start)  # counted from the previous import, not from 0
            last = start
            for module, names in found:
                refs.append(_new(ImportRef, (module, line, names)))
        at = find(b"import", end)
    return refs


# Import lines already read (their imports, or () for a line that holds no import statement).
_LINES: dict[bytes, tuple[tuple[str, tuple[str, ...]], ...]] = {}
MAX_REMEMBERED_LINES = 50_000  # a hostile repository's distinct lines are read, not kept


def _import_line(text: bytes) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(module, names) of each import of the statement at the start of one line."""
    spans = _IMPORT.compiled.match_at(text, 0, len(text))
    if spans is None:
        return ()
    (m_start, m_end), (n_start, n_end), (p_start, p_end) = spans[1], spans[2], spans[3]
    if m_start == -1:
        plain = text[p_start:p_end].decode("ascii")
        if "," in plain:
            return tuple((name, _NO_NAMES) for name in _first_words(plain))
        return ((_intern(plain.split(None, 1)[0]), _NO_NAMES),)
    module = text[m_start:m_end].decode("ascii")
    names = text[n_start:n_end].decode("ascii")
    if module.strip("."):
        if "," in names or len(names.split()) > 1:  # "a as b", also with tabs
            imported = tuple(_first_words(names))
        else:
            name = names.strip()
            imported = (_intern(name),) if name else _NO_NAMES
        return ((_intern(module), imported),)
    if module:  # "from . import features": the names are the modules
        return tuple((_intern(module + name), _NO_NAMES) for name in _first_words(names))
    return ()


def parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


# Modules up to this size are parsed whole; past it, first a prefix of about this size.
PREFIX_CHARS = 2048
# Top-level definitions, where a module can be cut into a prefix that parses on its own.
_TOP_LEVEL_STARTS = ("\ndef ", "\nclass ", "\nasync def ", "\n@")


def has_real_function(text: str) -> bool:
    """Whether a prefix of the module, cut before a top-level definition, parses and defines a
    function that does something (see ``is_stub_body``): enough to know that the module has
    code without parsing all of it (a library module of thousands of lines costs milliseconds
    to parse, its first functions a tenth of that). A prefix that parses ends between two
    statements (a cut inside a string or brackets does not parse), so its functions are the
    module's own. False means only that no prefix showed one: the caller parses the module."""
    target = PREFIX_CHARS
    while target < len(text) // 2:
        cut = _top_level_start(text, target)
        if cut is None:
            return False
        tree = parse(text[:cut])
        if tree is not None:
            try:
                if any(not f.is_stub for f in _module_info(tree).functions):
                    return True
            except RecursionError:
                return False
        target = cut * 4
    return False


def _top_level_start(text: str, after: int) -> int | None:
    """Where the first top-level ``def``, ``class`` or decorator line at or after ``after``
    begins (a decorated definition from its first decorator), or None."""
    hits = [at for start in _TOP_LEVEL_STARTS if (at := text.find(start, after)) != -1]
    if not hits:
        return None
    cut = min(hits) + 1
    while True:  # step back over the decorators of this definition
        previous = text.rfind("\n", 0, cut - 1) + 1
        if previous == cut or not text.startswith("@", previous):
            return cut
        cut = previous


@dataclass
class FunctionInfo:
    name: str
    line: int
    is_stub: bool
    node: ast.AST = field(repr=False)


@dataclass
class ModuleInfo:
    """What ``ast`` says about one module: its functions and whether it has real code."""

    functions: list[FunctionInfo]
    has_code: bool  # any statement beyond docstrings, imports, stubs and constants
    defines_classes: bool  # data models (pydantic, dataclasses) are declarations, not stubs
    tree: ast.Module | None = field(default=None, repr=False)


def last_name(node: ast.expr) -> str:
    """The last name of a reference, or of the function a call calls: ``field`` of
    ``dataclasses.field`` and of ``field(default=1)``, ``validator`` of
    ``@pydantic.validator("x")``; "" for anything else (a subscript, a lambda)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def is_stub_body(body: list[ast.stmt]) -> bool:
    """True when a function body does nothing: pass, ..., a docstring, raise NotImplementedError,
    or a lone print/log call."""
    stmts = list(body)
    if stmts and _is_docstring(stmts[0]):
        stmts = stmts[1:]
    if not stmts:
        return True
    if len(stmts) > 1:
        # Only messages ("print('training...')" three times) is still a stub.
        return all(_is_message(s) or isinstance(s, ast.Pass) for s in stmts)
    (s,) = stmts
    if isinstance(s, ast.Pass):
        return True
    if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is Ellipsis:
        return True
    if isinstance(s, ast.Raise) and s.exc is not None:
        exc = s.exc.func if isinstance(s.exc, ast.Call) else s.exc
        if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
            return True
    if _is_message(s):
        return True
    return isinstance(s, ast.Return) and (s.value is None or isinstance(s.value, ast.Constant))


def _is_message(stmt: ast.stmt) -> bool:
    """A bare print or log call: says something, does nothing."""
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and _call_name(stmt.value) in {"print", "info", "debug", "warning", "log", "echo", "secho"}
    )


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def module_info(text: str) -> ModuleInfo | None:
    tree = parse(text)
    if tree is None:
        return None
    try:
        return _module_info(tree)
    except RecursionError:
        return None


_STATEMENT_LISTS = ("body", "handlers", "orelse", "finalbody", "cases")


def _statements(tree: ast.Module) -> Iterator[ast.AST]:
    """The statements of a module, breadth first in ``ast.walk``'s order, without descending
    into expressions: no expression holds a ``def``, and walking them was most of the time
    spent here (a 1,000-line module has tens of thousands of expression nodes)."""
    todo = deque([tree])
    while todo:
        node = todo.popleft()
        yield node
        for name in _STATEMENT_LISTS:
            children = getattr(node, name, None)
            if children and isinstance(children, list):
                todo.extend(children)


def _module_info(tree: ast.Module) -> ModuleInfo:
    functions: list[FunctionInfo] = []
    has_code = False
    for node in _statements(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stub = is_stub_body(node.body)
            functions.append(FunctionInfo(node.name, node.lineno, stub, node))
            if not stub:
                has_code = True
    if not has_code and not functions:
        # A script without functions counts when it does more than define constants. A module
        # whose functions are all stubs does not, whatever wiring it has (``app = FastAPI()``).
        for stmt in tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom) or _is_docstring(stmt):
                continue
            if isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(
                getattr(stmt, "value", None), ast.Constant
            ):
                continue
            if isinstance(stmt, ast.ClassDef):
                continue
            if isinstance(stmt, ast.If) and _is_main_guard(stmt):
                if not is_stub_body(stmt.body):
                    has_code = True
                continue
            has_code = True
            break
    classes = any(isinstance(stmt, ast.ClassDef) for stmt in tree.body)
    return ModuleInfo(functions, has_code, classes, tree)


def _is_main_guard(stmt: ast.If) -> bool:
    test = stmt.test
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )
