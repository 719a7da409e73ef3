"""``update_project``: a 3-way merge of a generated project up to the installed template version.

copier renders the template at the project's recorded version (``_commit``) and at the installed
version, and applies the difference to the project; edits that touch other lines survive, and
same-line conflicts are written inline with standard markers. mlscaffold adds what copier does
not: the history is materialised first (so a wheel works offline, under any HOME), refusals come
before anything is written, ``--check`` and ``--dry-run`` never write, and conflicts are listed
and never reported as success.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from mlscaffold.errors import PathError, TemplateError, UsageError
from mlscaffold.generate import answers as answers_mod
from mlscaffold.generate import history as history_mod

ANSWERS_FILE = ".copier-answers.yml"
# Lines copier's inline conflicts start and end with (git merge-file with these labels).
CONFLICT_START = b"<<<<<<< before updating"
CONFLICT_END = b">>>>>>> after updating"


@dataclass(frozen=True)
class ProjectState:
    """Where a generated project stands against the installed template."""

    path: Path
    answers: dict[str, Any]
    current_tag: str
    available_tag: str
    history: history_mod.History

    @property
    def current(self) -> Version:
        return Version(self.current_tag)

    @property
    def available(self) -> Version:
        return Version(self.available_tag)

    @property
    def behind(self) -> bool:
        return self.available > self.current


@dataclass(frozen=True)
class UpdateResult:
    """What an update did (or, with ``dry_run``, would do)."""

    state: ProjectState
    changed: list[tuple[str, str]] = field(default_factory=list)  # (git status code, path)
    conflicts: list[str] = field(default_factory=list)
    diff: str = ""
    dry_run: bool = False
    ran: bool = True  # False when the project was already current and no answer changed
    warnings: list[str] = field(default_factory=list)


def _git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise TemplateError("git is needed to update a project but is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(  # noqa: S603 - git with arguments built here, no shell
        [git, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        detail = " ".join(done.stderr.split()) or f"exit {done.returncode}"
        raise TemplateError(f"git {args[0]} failed in {cwd}: {detail}")
    return done


def _load_answers(project: Path) -> dict[str, Any]:
    path = project / ANSWERS_FILE
    if not path.is_file():
        raise PathError(f"{project} is not a generated project (no {ANSWERS_FILE})")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PathError(f"cannot read {path}: {str(exc).splitlines()[0]}") from exc
    if not isinstance(loaded, dict):
        raise PathError(f"{path} is not a mapping of answers")
    return loaded


def _is_ours(src_path: object) -> bool:
    if not isinstance(src_path, str):
        return False
    if src_path == history_mod.RECORDED_SOURCE:
        return True
    return Path(src_path).expanduser() == history_mod.cache_path()


def inspect_project(path: Path | str) -> ProjectState:
    """Read a project's template version and compare it with the installed one.

    Refuses (PathError, TemplateError) a directory that is not a project generated from
    mlscaffold's template, a project with no recorded version, and a project made by a newer
    template than the installed one.
    """
    project = Path(path).expanduser().absolute()
    if not project.is_dir():
        raise PathError(f"{project} is not a directory")
    answers = _load_answers(project)
    src = answers.get("_src_path")
    if not _is_ours(src):
        raise TemplateError(
            f"{project} was generated from another template (_src_path: {src}); "
            "update it with `copier update`"
        )
    tag = answers.get("_commit")
    if history_mod.parse_version(tag) is None:
        raise TemplateError(
            f"{ANSWERS_FILE} records no template version (_commit: {tag}); cannot merge updates"
        )
    try:
        history = history_mod.installed_history()
    except history_mod.HistoryError as exc:
        raise TemplateError(str(exc)) from exc
    state = ProjectState(project, answers, str(tag), history.latest_tag, history)
    if state.current > state.available:
        raise TemplateError(
            f"{project} was generated by template {state.current}, newer than the installed "
            f"mlscaffold's {state.available}; upgrade mlscaffold instead (no downgrades)"
        )
    return state


def _check_git(project: Path) -> Path:
    """The project's git top level, refusing a project outside git or with uncommitted changes."""
    top = _git("rev-parse", "--show-toplevel", cwd=project, check=False)
    if top.returncode != 0:
        raise UsageError(
            f"{project} is not in a git repository; commit it to git first so the update "
            "can merge your edits and you can review the result"
        )
    # --no-optional-locks: only look; a plain `git status` may rewrite the index.
    dirty = _git("--no-optional-locks", "status", "--porcelain", cwd=project).stdout.splitlines()
    if dirty:
        raise UsageError(
            f"{project} has uncommitted changes ({len(dirty)} path(s), e.g. "
            f"{dirty[0][3:]}); commit or stash them first"
        )
    return Path(top.stdout.strip())


def _check_data(data: Mapping[str, Any]) -> None:
    questions_dir = history_mod.questions_dir()
    questions = answers_mod.load_copier_questions(questions_dir) if questions_dir else None
    if questions is not None:
        answers_mod.check_known(data, questions)
        answers_mod.check_bool_answers(data, questions)


def update_project(
    path: Path | str,
    data: Mapping[str, Any] | None = None,
    *,
    dry_run: bool = False,
) -> UpdateResult:
    """Merge the installed template version into the project at ``path``.

    ``data`` changes answers during the update. With ``dry_run`` the update runs on a clone and
    the project is not touched; the result carries the diff. Conflicts are returned in
    ``result.conflicts`` (the caller must not report success when there are any).
    """
    data = dict(data or {})
    state = inspect_project(path)
    top = _check_git(state.path)
    _check_data(data)
    if not state.behind and not data:
        return UpdateResult(state, dry_run=dry_run, ran=False)
    known = history_mod.bundle_tags(state.history.path)
    if state.current_tag not in known:
        raise TemplateError(
            f"template version {state.current_tag} of {state.path} is not in the template "
            f"history at {state.history.recorded_source} (it has {', '.join(sorted(known))})"
        )
    if not dry_run:
        caught = _run_copier_update(state.path, data, state.available_tag)
        return UpdateResult(
            state,
            changed=_changed(state.path),
            conflicts=_conflicts(state.path),
            warnings=caught,
        )
    with tempfile.TemporaryDirectory(prefix="mlscaffold-update-") as tmp:
        clone = Path(tmp) / "project"
        _git("clone", "--quiet", "--shared", str(top), str(clone), cwd=Path(tmp))
        sub = clone / state.path.relative_to(top)
        caught = _run_copier_update(sub, data, state.available_tag)
        conflicts = _conflicts(sub)
        changed = _changed(sub)
        _git("add", "--all", "--", ".", cwd=sub)
        diff = _git("diff", "--cached", "--no-color", "--relative", "HEAD", cwd=sub).stdout
    return UpdateResult(
        state, changed=changed, conflicts=conflicts, diff=diff, dry_run=True, warnings=caught
    )


def _run_copier_update(project: Path, data: dict[str, Any], vcs_ref: str) -> list[str]:
    import copier
    from copier.errors import CopierError, UnsafeTemplateError, UserMessageError

    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        try:
            copier.run_update(
                project,
                data=data,
                vcs_ref=vcs_ref,
                defaults=True,  # keep every recorded answer; new questions take their default
                overwrite=True,
                conflict="inline",
                quiet=True,
                unsafe=False,
            )
        except KeyboardInterrupt:
            raise
        except UnsafeTemplateError as exc:
            raise TemplateError(f"the template wants to run {str(exc).splitlines()[0]}") from exc
        except (ValueError, TypeError, UserMessageError) as exc:
            message = " ".join(str(exc).split())
            if isinstance(exc, UserMessageError) or "Validation error" in message:
                raise UsageError(message) from exc
            raise TemplateError(f"update failed: {type(exc).__name__}: {message}") from exc
        except CopierError as exc:
            raise TemplateError(f"update failed: {' '.join(str(exc).split())}") from exc
        except Exception as exc:  # a Jinja, git or I/O error while rendering
            message = " ".join(str(exc).split())
            raise TemplateError(f"update failed: {type(exc).__name__}: {message}") from exc
    return [str(r.message).splitlines()[0] for r in records if str(r.message).strip()]


def _changed(project: Path) -> list[tuple[str, str]]:
    """``git status`` of the project after the update: (code, path relative to the project)."""
    out = _git("status", "--porcelain", "-z", "--untracked-files=all", "--", ".", cwd=project)
    entries = out.stdout.split("\0")
    prefix = _git("rev-parse", "--show-prefix", cwd=project).stdout.strip()
    changed = []
    skip_next = False
    for entry in entries:
        if skip_next:  # the original name of a rename
            skip_next = False
            continue
        if len(entry) < 4:
            continue
        code, rel = entry[:2], entry[3:]
        skip_next = "R" in code or "C" in code
        changed.append((code.strip() or code, rel.removeprefix(prefix)))
    return changed


def _conflicts(project: Path) -> list[str]:
    """Files left with conflicts: unmerged in the index, or holding copier's markers."""
    prefix = _git("rev-parse", "--show-prefix", cwd=project).stdout.strip()
    unmerged = _git("diff", "--name-only", "--diff-filter=U", cwd=project).stdout.splitlines()
    found = {p.removeprefix(prefix) for p in unmerged}
    for code, rel in _changed(project):
        if rel.endswith(".rej"):
            found.add(rel)
            continue
        file = project / rel
        if "D" in code or not file.is_file():
            continue
        try:
            lines = {line.rstrip() for line in file.read_bytes().splitlines()}
        except OSError:
            continue
        if CONFLICT_START in lines or CONFLICT_END in lines:
            found.add(rel)
    return sorted(found)
