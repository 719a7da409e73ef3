"""``new_project``: render a template into DEST atomically, from answers, defaults or prompts.

mlscaffold's own template is a copier template; ``template=`` accepts any other copier template
(local path or git URL) or a local cookiecutter template (detected by ``cookiecutter.json``).
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlscaffold.errors import TemplateError, UsageError, raised_by_interrupt
from mlscaffold.generate import answers as answers_mod
from mlscaffold.generate import history as history_mod
from mlscaffold.generate.staging import check_destination, staged
from mlscaffold.resources import data_dir

TemplateKind = Literal["copier", "cookiecutter"]

# Messages copier raises as plain ValueError/TypeError when an answer is invalid.
_ANSWER_ERROR_MARKERS = ("Validation error for question", "Invalid choice for", "is required")
_INVALID_ANSWER = re.compile(r"Validation error for question '(\w+)': (.*)", re.S)
_INVALID_CHOICE = re.compile(r"Invalid choice for '(\w+)': (.*) is not in (\[.*\])", re.S)


def answer_error(message: str) -> str:
    """copier's message about an invalid answer, said the way mlscaffold says the rest:
    the question, the answer given and what would do."""
    if match := _INVALID_CHOICE.fullmatch(message):
        key, value, listed = match.groups()
        try:  # copier prints the choices as a Python list: ['rest', 'batch'] or [1, 2]
            choices = ast.literal_eval(listed)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return message
        if not isinstance(choices, list):
            return message
        shown = ", ".join(str(c) for c in choices)
        value = value.strip("'\"")
        return f"{key}={value} is not an answer this template takes; choose one of: {shown}"
    if match := _INVALID_ANSWER.fullmatch(message):
        key, why = match.groups()
        return why if why.startswith(key) else f"{key}: {why}"
    return message


@dataclass(frozen=True)
class NewResult:
    """What ``new_project`` made."""

    dest: Path
    template: str
    kind: TemplateKind
    answers: dict[str, Any]
    answers_file: Path | None
    warnings: list[str] = field(default_factory=list)


def _no_such_version(source: object) -> str:
    """What to say of a --vcs-ref the template does not have: its versions, when known."""
    try:
        tags = sorted(history_mod.bundle_tags(Path(str(source)).expanduser()))
    except Exception:  # not a bundle we can list (a folder, a remote): say no more
        tags = []
    return "the template has no such version" + (f" (it has {', '.join(tags)})" if tags else "")


def default_template() -> Path:
    """The template shipped with mlscaffold."""
    return data_dir("template")


def builtin_history() -> history_mod.History:
    """Materialise the built-in template's history; its errors become TemplateError."""
    try:
        return history_mod.installed_history()
    except history_mod.HistoryError as exc:
        raise TemplateError(str(exc)) from exc


def detect_kind(template: str) -> TemplateKind:
    """Copier unless a local directory has ``cookiecutter.json`` and no ``copier.yml``."""
    path = Path(template).expanduser()
    if path.is_dir():
        if answers_mod.copier_config_path(path) is not None:
            return "copier"
        if (path / answers_mod.COOKIECUTTER_FILE).is_file():
            return "cookiecutter"
        raise UsageError(f"{template} has neither copier.yml nor cookiecutter.json")
    if path.exists():
        raise UsageError(f"--template {template} is a file, not a template directory")
    if "://" in template or template.startswith(("git@", "gh:", "gl:")):
        return "copier"  # remote templates are fetched by copier
    raise UsageError(f"--template {template}: no such directory")


def running_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def new_project(
    dest: Path | str,
    data: Mapping[str, Any] | None = None,
    *,
    defaults: bool = False,
    template: str | Path | None = None,
    interactive: bool | None = None,
    vcs_ref: str | None = None,
) -> NewResult:
    """Generate a project in ``dest`` (missing or empty) and return what was made.

    ``data`` answers questions up front; ``defaults`` takes the default for every other one;
    otherwise questions are asked on the terminal. Without a terminal (``interactive=False``,
    detected from stdin when None), the answers must be complete or ``defaults`` set.
    Raises UsageError for invalid answers, PathError for an unusable DEST, TemplateError when
    rendering fails. Nothing is left at ``dest`` unless generation succeeded.
    """
    dest_path = Path(dest).expanduser()
    check_destination(dest_path)
    answers = dict(data or {})
    questions_dir: Path | None = None
    record: tuple[str, str] | None = None
    if template is None:
        # The project must record `_src_path` (the user-level history, with ~) and `_commit`
        # (a version tag) so that `update` can merge. The installed template directory is that
        # tag's tree, so it is rendered directly (a clone of the history costs ~0.3 s) and the
        # history is recorded; another version, or an overriding history, renders from the bundle.
        history = builtin_history()
        source, kind = history.recorded_source, "copier"
        questions_dir = history_mod.questions_dir()
        same_tree = history_mod.installed_template_dir()
        if vcs_ref in (None, history.latest_tag) and same_tree is not None:
            source, record = str(same_tree), (history.recorded_source, history.latest_tag)
        else:
            vcs_ref = vcs_ref or history.latest_tag
    else:
        source = str(template)
        kind = detect_kind(source)
    if interactive is None:
        interactive = sys.stdin.isatty()
    if kind == "cookiecutter":
        from mlscaffold.generate.cookiecutter import render_cookiecutter

        return render_cookiecutter(
            Path(source).expanduser(),
            dest_path,
            answers,
            defaults=defaults,
            interactive=interactive,
        )
    return _render_copier(
        source,
        dest_path,
        answers,
        defaults,
        interactive,
        vcs_ref,
        questions_dir,
        template is None,
        record,
    )


def _render_copier(
    source: str,
    dest: Path,
    data: dict[str, Any],
    defaults: bool,
    interactive: bool,
    vcs_ref: str | None,
    questions_dir: Path | None = None,
    template_is_builtin: bool = False,
    record: tuple[str, str] | None = None,
) -> NewResult:
    import copier
    from copier.errors import CopierError, CopierWarning, UnsafeTemplateError, UserMessageError

    local = questions_dir or Path(source).expanduser()
    questions = answers_mod.load_copier_questions(local) if local.is_dir() else None
    user_defaults: dict[str, Any] = {}
    if questions is not None:
        answers_mod.check_known(data, questions)
        answers_mod.check_bool_answers(data, questions)
        if "project_name" in questions:
            user_defaults["project_name"] = dest.absolute().name
        choices = questions.get("python_version", {}).get("choices")
        if choices is not None and running_python() in choices:
            user_defaults["python_version"] = running_python()
        if not defaults and not interactive:
            missing = answers_mod.missing_answers(
                data, answers_mod.required_copier_questions(questions)
            )
            if missing:
                raise UsageError(
                    "no terminal to ask questions: pass --defaults, or --data for "
                    + ", ".join(missing)
                )
            defaults = True  # every question answered; `when`-skipped ones take their default
    elif not defaults and not interactive:
        raise UsageError("no terminal to ask questions: pass --defaults and/or --data")
    if template_is_builtin:  # questions unread (a history bundle): still name it after DEST
        user_defaults.setdefault("project_name", dest.absolute().name)

    caught: list[str] = []
    with staged(dest) as stage, warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always", CopierWarning)
        try:
            worker = copier.run_copy(
                source,
                stage,
                data=data,
                defaults=defaults,
                user_defaults=user_defaults,
                quiet=True,
                unsafe=False,
                vcs_ref=vcs_ref,
                overwrite=True,
            )
        except KeyboardInterrupt:
            raise
        except UnsafeTemplateError as exc:
            raise UsageError(
                f"template {source} wants to run {str(exc).splitlines()[0]}; "
                "mlscaffold does not run template tasks or extensions"
            ) from exc
        except (ValueError, TypeError, UserMessageError) as exc:
            message = " ".join(str(exc).split())
            if isinstance(exc, UserMessageError) or any(
                m in message for m in _ANSWER_ERROR_MARKERS
            ):
                raise UsageError(answer_error(message)) from exc
            if vcs_ref and "Unknown revision" in message:
                raise UsageError(f"--vcs-ref {vcs_ref}: {_no_such_version(source)}") from exc
            raise TemplateError(
                f"rendering {source} failed: {type(exc).__name__}: {message}"
            ) from exc
        except CopierError as exc:
            raise TemplateError(f"rendering {source} failed: {' '.join(str(exc).split())}") from exc
        except Exception as exc:  # a Jinja or I/O error inside the template
            if raised_by_interrupt(exc):
                raise KeyboardInterrupt from exc
            message = " ".join(str(exc).split())
            raise TemplateError(
                f"rendering {source} failed: {type(exc).__name__}: {message}"
            ) from exc
        caught = [
            str(r.message).splitlines()[0] for r in records if issubclass(r.category, Warning)
        ]
        answers_relpath = worker.answers_relpath
        if record is not None:
            history_mod.record_source(stage / answers_relpath, *record)
            source = record[0]
        final_answers = {
            k: v for k, v in worker.answers.combined.items() if k in worker.template.questions_data
        }
    answers_file = dest / answers_relpath
    return NewResult(
        dest=dest.absolute(),
        template=source,
        kind="copier",
        answers=final_answers,
        answers_file=answers_file if answers_file.is_file() else None,
        warnings=caught,
    )
