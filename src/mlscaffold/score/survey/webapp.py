"""Find the web application a repository serves (FastAPI or Flask), by reading its source.

The module is parsed with ``ast``, never imported: the application object is a module-level
assignment such as ``app = FastAPI()``, and its routes are decorators such as
``@app.get("/health")``.
"""

from __future__ import annotations

import ast

from mlscaffold.repofacts import WebApp

FRAMEWORKS = {"FastAPI": "fastapi", "Flask": "flask"}
# File names that say "this is the service", tried first when several modules build an app.
_SERVICE_NAMES = ("app", "main", "api", "serve", "server", "service", "wsgi", "asgi")
_HEALTH_WORDS = ("health", "ping", "ready", "live", "status")


def find_web_app(candidates: list[tuple[str, str]]) -> WebApp | None:
    """The service among ``(path, source)`` pairs of production modules, if any."""
    found = [app for path, text in candidates if (app := _app_in(path, text)) is not None]
    if not found:
        return None
    found.sort(key=lambda a: (_rank(a.path), a.path.count("/"), a.path))
    return found[0]


def _rank(path: str) -> int:
    stem = path.rsplit("/", 1)[-1].removesuffix(".py")
    return _SERVICE_NAMES.index(stem) if stem in _SERVICE_NAMES else len(_SERVICE_NAMES)


def _app_in(path: str, text: str) -> WebApp | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    factories = _factories(tree)
    for node in tree.body:
        if not (isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        called = _called_name(node.value.func)
        framework = FRAMEWORKS.get(called) or factories.get(called)
        if names and framework:
            module, source_dir = module_path(path)
            return WebApp(
                path, module, names[0], framework, source_dir, _health_route(tree, names[0])
            )
    return None


def _factories(tree: ast.Module) -> dict[str, str]:
    """Module-level functions that build an app (``def get_app(): app = FastAPI(); ...``)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and _called_name(inner.func) in FRAMEWORKS:
                    found[node.name] = FRAMEWORKS[_called_name(inner.func)]
                    break
    return found


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def module_path(path: str) -> tuple[str, str]:
    """``src/churn/serve.py`` -> ("churn.serve", "src"); ``app/main.py`` -> ("app.main", "")."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if len(parts) > 1 and parts[0] == "src":
        return ".".join(parts[1:]), "src"
    return ".".join(parts), ""


def _health_route(tree: ast.Module, app: str) -> str | None:
    """A GET route of ``app`` whose handler takes no arguments, health-like names first."""
    routes = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.args.args or node.args.posonlyargs or node.args.kwonlyargs:
            continue
        for deco in node.decorator_list:
            route = _get_route(deco, app)
            if route is not None:
                routes.append(route)
    routes.sort(key=lambda r: (not any(w in r.lower() for w in _HEALTH_WORDS), r != "/", r))
    return routes[0] if routes else None


def _get_route(deco: ast.expr, app: str) -> str | None:
    if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
        return None
    owner = deco.func.value
    if not (isinstance(owner, ast.Name) and owner.id == app) or not deco.args:
        return None
    first = deco.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    route = first.value
    if "{" in route or "<" in route or not route.startswith("/"):
        return None  # a route with parameters needs input
    if deco.func.attr == "get":
        return route
    if deco.func.attr == "route":
        methods = next((k.value for k in deco.keywords if k.arg == "methods"), None)
        if methods is None:
            return route  # Flask's default is GET
        if isinstance(methods, ast.List | ast.Tuple) and any(
            isinstance(e, ast.Constant) and str(e.value).upper() == "GET" for e in methods.elts
        ):
            return route
    return None
