"""Render mlscaffold's copier template for an existing repository, once, into a temporary folder.

The answers come from what the survey found (name, package, description, owner, Python), and
the template's documents read an ``adopting`` mapping of facts: with it they write TODO lines
that name what was found, and leave out what only a generated project has (its synthetic data,
its metrics file). Without it (``mlscaffold new``) they render exactly as before.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

from mlscaffold.errors import TemplateError
from mlscaffold.repofacts import DataFile, RepoFacts
from mlscaffold.resources import data_dir

_DISTRIBUTIONS = {"sklearn": "scikit-learn"}  # import names that are not the package's name
PYTHON_CHOICES = ("3.11", "3.12", "3.13")  # the template's python_version choices
_RESERVED = {"test", "tests", "src", "and", "as", "class", "def", "import", "from", "in", "is"}


def _project_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9 ._-]+", "-", name).strip(" ._-")[:64]
    return cleaned if cleaned and cleaned[0].isalnum() else "project"


def _package_name(facts: RepoFacts) -> str:
    for candidate in (facts.package, facts.project_name):
        if not candidate:
            continue
        name = re.sub(r"[^a-z0-9]+", "_", candidate.lower()).strip("_")[:32]
        if name and not name[0].isdigit() and name not in _RESERVED:
            return name
    return "project"


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # unreachable


def _inline(text: str) -> str:
    """Facts go into Markdown: keep them on one line and out of inline code's way."""
    return " ".join(text.replace("`", "'").split())


def data_summary(file: DataFile) -> str:
    kind = file.format.upper() if file.format != "tsv" else "TSV"
    columns = f", {len(file.columns)} columns" if file.columns else ""
    return f"{kind}{columns}, {_size(file.size)}"


def adopting_context(facts: RepoFacts, max_columns: int = 200) -> dict[str, Any]:
    """The facts the template's documents show, as plain data."""
    files = []
    shown = 0
    for file in facts.data_files:
        columns = [
            {"name": _inline(c.name), "kind": c.kind}
            for c in file.columns[: max(0, max_columns - shown)]
        ]
        shown += len(columns)
        note = file.note
        if len(columns) < len(file.columns):
            note = f"{len(file.columns) - len(columns)} more columns not listed here"
        files.append(
            {
                "path": _inline(file.path),
                "summary": data_summary(file),
                "columns": columns,
                "note": _inline(note),
            }
        )
    web = facts.web_app
    return {
        "readme": facts.readme,
        "readme_sentence": _inline(facts.readme_sentence or "").replace('"', "'") or None,
        "owners": [{"name": _inline(o.name), "source": o.source} for o in facts.owners],
        "data_files": files,
        "web_app": {
            "framework": {"fastapi": "FastAPI", "flask": "Flask"}[web.framework],
            "path": web.path,
        }
        if web
        else None,
        "ml_libraries": [_DISTRIBUTIONS.get(m, m) for m in facts.ml_libraries],
        "train_command": facts.train_command,
    }


def answers_for(facts: RepoFacts) -> dict[str, Any]:
    version = facts.python_version if facts.python_version in PYTHON_CHOICES else PYTHON_CHOICES[0]
    author = next((o.name for o in facts.owners), None)
    description = facts.description or facts.readme_sentence
    return {
        "project_name": _project_name(facts.project_name),
        "package_name": _package_name(facts),
        "description": (description or "A machine-learning project.")[:200],
        "author": (author or "The ML team")[:100],
        "python_version": version,
        "problem_type": "classification",
        # Every optional file rendered: adopt picks the pieces it needs.
        "serving": "rest" if facts.web_app else "batch",
        "tracking": "local",
        "data_versioning": "none",
        "ci": "github",
        "container": True,
        "monitoring": True,
        "licence": "Proprietary",
    }


def render_template(facts: RepoFacts) -> dict[str, str]:
    """Every rendered text file of the template, by path (``{{ package_name }}`` resolved)."""
    import copier
    from copier.errors import CopierError

    answers = answers_for(facts)
    data = {**answers, "adopting": adopting_context(facts)}
    with tempfile.TemporaryDirectory(prefix="mlscaffold-adopt-") as tmp:
        out = Path(tmp) / "rendered"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                copier.run_copy(
                    str(data_dir("template")),
                    out,
                    data=data,
                    defaults=True,
                    quiet=True,
                    unsafe=False,
                    overwrite=True,
                )
            except KeyboardInterrupt:
                raise
            except (CopierError, ValueError, TypeError, OSError) as exc:
                message = " ".join(str(exc).split())
                raise TemplateError(f"rendering the template failed: {message}") from exc
        files = {}
        for path in sorted(out.rglob("*")):
            if path.is_file():
                try:
                    files[path.relative_to(out).as_posix()] = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue
    return files
