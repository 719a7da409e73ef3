"""The two halves stay apart: generation never imports scoring and scoring never imports
generation; both meet only in the CLI's command modules."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

SRC = REPO_ROOT / "src" / "mlscaffold"


def _imports(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path.relative_to(SRC)), node.module))
            elif isinstance(node, ast.Import):
                found.update((str(path.relative_to(SRC)), a.name) for a in node.names)
    return found


def test_generation_never_imports_scoring() -> None:
    bad = [(p, m) for p, m in _imports(SRC / "generate") if m.startswith("mlscaffold.score")]
    assert bad == []


def test_scoring_never_imports_generation() -> None:
    bad = [(p, m) for p, m in _imports(SRC / "score") if m.startswith("mlscaffold.generate")]
    assert bad == []


def test_cli_imports_no_heavy_module_at_start() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import mlscaffold.cli; "
        "heavy = [m for m in ('copier', 'rich', 'jsonschema', 'yaml', 'markdown_it', "
        "'questionary', 'pathspec') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
