"""Read `mlscaffold score -f json` reports back, refusing anything that is not one.

Reports come from other repositories' CI jobs, so each file is treated as untrusted input: size
is capped, the JSON must match schemas/report.schema.json, and every problem becomes a one-line
error naming the file, not a traceback.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from mlscaffold.errors import ConfigError, PathError
from mlscaffold.resources import schema_path

# A report of a large repository is a few hundred KiB; anything far bigger is not a report and
# would only make the page slow to build and to open.
MAX_REPORT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LoadedReport:
    """One validated report and where it came from."""

    source: str
    data: dict[str, Any]
    when: datetime  # ``generated_at`` as an aware datetime, so reports sort by time

    @property
    def project(self) -> str:
        return self.data["project"] or self.data["root"]

    @property
    def key(self) -> tuple[str, ...]:
        """What makes two reports the same repository (folder): the origin remote and the
        folder in it when the report knows them, else the scored folder's absolute path;
        never the project name alone, which two repositories may share."""
        repository = self.data.get("repository") or {}
        remote = repository.get("remote")
        if remote:
            from mlscaffold.score.identity import remote_key

            return ("remote", remote_key(remote), repository.get("path") or ".")
        return ("root", self.data["root"])


READS_MAJOR = 1  # the schema major version this mlscaffold reads (any minor version of it)


@lru_cache(maxsize=2)
def _validator(lenient: bool = False):
    """The report schema's validator; ``lenient``: for a newer minor version, whose fields
    this version does not know (they are ignored, the known ones still checked)."""
    import jsonschema  # lazy: a heavy import that only `report` needs

    schema = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))
    if lenient:
        schema = _open(schema)
    return jsonschema.Draft202012Validator(schema)


def _open(node: Any) -> Any:
    """A copy of a schema that allows properties it does not name."""
    if isinstance(node, dict):
        return {
            k: _open(v)
            for k, v in node.items()
            if not (k in ("additionalProperties", "unevaluatedProperties") and v is False)
        }
    if isinstance(node, list):
        return [_open(v) for v in node]
    return node


def _version(source: str, data: Any) -> tuple[int, int] | None:
    """The report's schema version, when it is a MAJOR.MINOR string; a major version this
    mlscaffold cannot read is refused in words, not as a schema mismatch."""
    if not isinstance(data, dict) or not isinstance(data.get("schema_version"), str):
        return None
    major_text, dot, minor_text = data["schema_version"].partition(".")
    parts = (major_text, minor_text)
    if not dot or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        return None
    major, minor = int(major_text), int(minor_text)
    if major != READS_MAJOR:
        raise ConfigError(
            f"{source}: schema_version {data['schema_version']} is not one this mlscaffold "
            f"reads ({READS_MAJOR}.x)"
            + ("; upgrade mlscaffold to read it" if major > READS_MAJOR else "")
        )
    return major, minor


def _read_text(path: str) -> str:
    if os.path.isdir(path):
        raise PathError(f"{path}: is a directory, not a JSON report")
    try:
        size = os.path.getsize(path)
        if size > MAX_REPORT_BYTES:
            raise ConfigError(f"{path}: {size} bytes is too large for a report")
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise PathError(f"{path}: no such file") from exc
    except PermissionError as exc:
        raise PathError(f"{path}: permission denied") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text, so not a JSON report") from exc
    except OSError as exc:
        raise PathError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _parse_when(path: str, value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{path}: generated_at {value!r} is not an ISO 8601 date-time") from exc
    # A report without a zone offset is read as UTC, so it still sorts against the others.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _validated(source: str, data: Any) -> LoadedReport:
    import jsonschema

    from mlscaffold.score.report.render.jsonout import SCHEMA_VERSION

    version = _version(source, data)
    ours = tuple(int(n) for n in SCHEMA_VERSION.split("."))
    newer = version is not None and version > ours
    error = jsonschema.exceptions.best_match(_validator(newer).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise ConfigError(
            f"{source}: not an mlscaffold score report (at {where}: {_one_line(error.message)})"
        )
    return LoadedReport(source=source, data=data, when=_parse_when(source, data["generated_at"]))


def load_report_file(path: str) -> list[LoadedReport]:
    """One report, or the JSON array that `mlscaffold score A B C -f json` prints."""
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: JSON nested too deeply to be a report") from exc
    if isinstance(data, list):
        if not data:
            raise ConfigError(f"{path}: an empty list, no report in it")
        return [_validated(f"{path}[{i}]", item) for i, item in enumerate(data)]
    return [_validated(path, data)]


def load_reports(paths: list[str]) -> list[LoadedReport]:
    """Load every report, failing on the first bad one: a partial page would mislead."""
    return [report for path in paths for report in load_report_file(path)]
