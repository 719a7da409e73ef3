"""Questions of a template and the answers given for them on the command line.

Parses ``--data key=value`` and ``--data-file``, rejects answers to questions the template does
not ask, and tells whether the answers are complete enough to generate without a terminal.
Value validation (types, choices, validators) is copier's job; its errors become UsageError.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mlscaffold.errors import PathError, UsageError

COPIER_FILES = ("copier.yml", "copier.yaml")
COOKIECUTTER_FILE = "cookiecutter.json"


def parse_data_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` -> ``{"a": "1", "b": "x=y"}``; a pair without ``=`` is an error."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--data expects key=value, got {pair!r}")
        data[key.strip()] = value
    return data


def load_data_file(path: Path) -> dict[str, Any]:
    """Answers from a YAML (or JSON) mapping, e.g. another project's ``.copier-answers.yml``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PathError(f"cannot read --data-file {path}: {exc.strerror or exc}") from exc
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(
            f"--data-file {path} is not valid YAML: {str(exc).splitlines()[0]}"
        ) from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"--data-file {path} must hold a mapping of question: answer")
    # Answers files carry copier's private keys (_src_path, _commit); they are not answers.
    return {str(k): v for k, v in loaded.items() if not str(k).startswith("_")}


def copier_config_path(template_dir: Path) -> Path | None:
    for name in COPIER_FILES:
        if (template_dir / name).is_file():
            return template_dir / name
    return None


def load_copier_questions(template_dir: Path) -> dict[str, dict[str, Any]] | None:
    """Questions declared in a local copier template, or None when they cannot be read here.

    Templates that use ``!include`` or split questions over files are left to copier.
    """
    path = copier_config_path(template_dir)
    if path is None:
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    if not isinstance(raw, dict):
        return None
    questions: dict[str, dict[str, Any]] = {}
    for key, spec in raw.items():
        if str(key).startswith("_"):
            continue
        # Shorthand `name: default` declares a question with that default.
        questions[str(key)] = spec if isinstance(spec, dict) else {"default": spec}
    return questions


def load_cookiecutter_variables(template_dir: Path) -> dict[str, Any]:
    path = template_dir / COOKIECUTTER_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path} is not a readable JSON object: {exc}") from exc
    if not isinstance(raw, dict):
        raise UsageError(f"{path} must hold a JSON object")
    return raw


def check_known(data: Mapping[str, Any], known: Iterable[str]) -> None:
    """Reject answers to questions the template does not ask (a typo would be silently ignored)."""
    known_set = set(known)
    unknown = sorted(k for k in data if k not in known_set)
    if unknown:
        raise UsageError(
            f"unknown question(s) {', '.join(unknown)}; this template asks: "
            + ", ".join(sorted(known_set))
        )


_BOOL_WORDS = {"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"}


def check_bool_answers(data: Mapping[str, Any], questions: Mapping[str, Mapping[str, Any]]) -> None:
    """Copier reads any unknown word as true for a bool question; refuse words it cannot mean."""
    for name, value in data.items():
        spec = questions.get(name, {})
        is_bool = spec.get("type") == "bool" and isinstance(value, str)
        if is_bool and value.strip().lower() not in _BOOL_WORDS:
            raise UsageError(f"{name} is a yes/no question; got {value!r}")


def missing_answers(data: Mapping[str, Any], required: Iterable[str]) -> list[str]:
    return [name for name in required if name not in data]


def required_copier_questions(questions: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Questions always asked: no ``when`` condition and not ``ask: false``."""
    return [
        name
        for name, spec in questions.items()
        if "when" not in spec and spec.get("ask", True) is not False
    ]
