"""Static reading of Python source: imports by a fast regex scan, definitions by ``ast`` on demand.

Nothing is imported or executed. ``ast.parse`` runs only on files a rule asks about, with a
recursion guard, because deeply nested expressions in hostile files raise RecursionError.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import\b[ \t(]*([\w, \t]*)"
    r"|import[ \t]+([\w.]+(?:[ \t]*(?:as[ \t]+\w+)?[ \t]*,[ \t]*[\w.]+)*))",
    re.M,
)


@dataclass(frozen=True, slots=True)
class ImportRef:
    module: str  # dotted name as written ("sklearn.metrics", ".features" for relative)
    line: int
    names: tuple[str, ...] = ()  # "from pkg import data, model": names that may be modules


def _intern(name: str) -> str:
    # Module names repeat across thousands of files ("numpy", "pandas"): keep one copy.
    return sys.intern(name)


def scan_imports(text: str) -> list[ImportRef]:
    """Imports at the start of a line (including indented ones), found without parsing."""
    refs: list[ImportRef] = []
    for m in _IMPORT.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1) is not None:
            module = m.group(1)
            if module and module.strip("."):
                names = tuple(
                    _intern(part.strip().split()[0])
                    for part in m.group(2).split(",")
                    if part.strip()
                )
                refs.append(ImportRef(_intern(module), line, names))
            elif module:  # "from . import features": the names are the modules
                for part in m.group(2).split(","):
                    name = part.strip().split()[0] if part.strip() else ""
                    if name:
                        refs.append(ImportRef(_intern(module + name), line))
        else:
            for part in m.group(3).split(","):
                name = part.strip().split()[0] if part.strip() else ""
                if name:
                    refs.append(ImportRef(_intern(name), line))
    return refs


def top_module(name: str) -> str:
    return name.lstrip(".").split(".", 1)[0]


def parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


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


def _module_info(tree: ast.Module) -> ModuleInfo:
    functions: list[FunctionInfo] = []
    has_code = False
    for node in ast.walk(tree):
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
