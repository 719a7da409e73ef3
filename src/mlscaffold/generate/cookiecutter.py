"""Render a local cookiecutter template through cookiecutter's API, atomically, and write
``.cruft.json`` so the project can later be updated with cruft.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlscaffold.errors import TemplateError, UsageError, raised_by_interrupt
from mlscaffold.generate import answers as answers_mod
from mlscaffold.generate.staging import staged

if TYPE_CHECKING:
    from mlscaffold.generate.new import NewResult

CRUFT_FILE = ".cruft.json"


def _git_commit(template_dir: Path) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [git, "-C", str(template_dir), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def render_cookiecutter(
    template_dir: Path,
    dest: Path,
    data: dict[str, Any],
    *,
    defaults: bool,
    interactive: bool,
) -> NewResult:
    try:
        from cookiecutter.exceptions import CookiecutterException
        from cookiecutter.generate import generate_context, generate_files
        from cookiecutter.prompt import prompt_for_config
    except ImportError as exc:
        raise UsageError(
            f"{template_dir} is a cookiecutter template; install cookiecutter to render it"
        ) from exc

    from mlscaffold.generate.new import NewResult

    variables = answers_mod.load_cookiecutter_variables(template_dir)
    questions = [k for k in variables if not k.startswith("_")]
    answers_mod.check_known(data, questions)
    no_input = defaults or not interactive
    if not defaults and not interactive:
        missing = answers_mod.missing_answers(data, questions)
        if missing:
            raise UsageError(
                "no terminal to ask questions: pass --defaults, or --data for " + ", ".join(missing)
            )
    template_dir = template_dir.absolute()
    with staged(dest) as stage:
        try:
            context = generate_context(
                context_file=str(template_dir / answers_mod.COOKIECUTTER_FILE),
                extra_context={k: str(v) if not isinstance(v, str) else v for k, v in data.items()},
            )
            context["cookiecutter"] = prompt_for_config(context, no_input=no_input)
            context["cookiecutter"]["_template"] = str(template_dir)
            output = stage / ".render"
            output.mkdir()
            project = Path(
                generate_files(
                    repo_dir=str(template_dir),
                    context=context,
                    output_dir=str(output),
                    overwrite_if_exists=False,
                )
            )
        except KeyboardInterrupt:
            raise
        except (CookiecutterException, ValueError) as exc:
            raise TemplateError(f"rendering {template_dir} failed: {exc}") from exc
        except Exception as exc:  # a Jinja or I/O error inside the template
            if raised_by_interrupt(exc):
                raise KeyboardInterrupt from exc
            message = " ".join(str(exc).split())
            raise TemplateError(
                f"rendering {template_dir} failed: {type(exc).__name__}: {message}"
            ) from exc
        for child in project.iterdir():
            os.replace(child, stage / child.name)
        shutil.rmtree(output)
        answers = {k: v for k, v in context["cookiecutter"].items() if not k.startswith("_")}
        cruft = {
            "template": str(template_dir),
            "commit": _git_commit(template_dir),
            "checkout": None,
            "context": {"cookiecutter": dict(context["cookiecutter"])},
            "directory": None,
            "skip": [],
        }
        (stage / CRUFT_FILE).write_text(json.dumps(cruft, indent=2) + "\n", encoding="utf-8")
    return NewResult(
        dest=dest.absolute(),
        template=str(template_dir),
        kind="cookiecutter",
        answers=answers,
        answers_file=dest.absolute() / CRUFT_FILE,
    )
