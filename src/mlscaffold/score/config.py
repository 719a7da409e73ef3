"""``[tool.mlscaffold]`` in pyproject.toml, or ``.mlscaffold.toml``: what to ignore and select,
extra checklist files, policy thresholds. Read from the scanned repo, so treated as untrusted."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlscaffold.errors import ConfigError
from mlscaffold.score.model import STAGES
from mlscaffold.score.read.readers.structured import load_toml
from mlscaffold.score.read.safeio import read_regular_file, regular_file_mentions

KNOWN_KEYS = {"ignore", "select", "checklists", "fail_under", "max_file_size"}
MAX_CONFIG_BYTES = 256 * 1024
MAX_CHECKLIST_FILES = 20
MAX_SELECTORS = 200  # select / ignore entries


@dataclass
class ScoreConfig:
    ignore: dict[str, str] = field(default_factory=dict)
    select: list[str] = field(default_factory=list)
    checklists: list[Path] = field(default_factory=list)
    fail_under: dict[str, int] = field(default_factory=dict)  # "overall" or a stage -> minimum
    max_file_size: int | None = None
    source: str | None = None
    # A second configuration this one shadows (pyproject's table beside .mlscaffold.toml).
    shadowed: str | None = None


def _read_toml(root: str, name: str) -> dict[str, Any] | None:
    path = os.path.join(root, name)
    data = read_regular_file(path, MAX_CONFIG_BYTES + 1)
    if data is None:
        if name == ".mlscaffold.toml" and os.path.lexists(path):
            # A link, a FIFO, a folder: the policy it may hold cannot be read; scoring without
            # it would switch a CI gate off.
            raise ConfigError(f"{name} is not a regular file; its settings cannot be read")
        return None
    if len(data) > MAX_CONFIG_BYTES:
        # Cut at the limit, the file would parse as something else or not at all: a policy
        # (fail_under) past the cut would be dropped without a word and switch a CI gate off.
        # A pyproject.toml that never names mlscaffold holds no policy of ours.
        if name == ".mlscaffold.toml" or regular_file_mentions(path, b"mlscaffold"):
            raise ConfigError(
                f"{name} is larger than {MAX_CONFIG_BYTES // 1024} KiB; its mlscaffold "
                "settings are not read (keep them in a small .mlscaffold.toml)"
            )
        return None
    text = data.decode("utf-8", errors="replace")
    doc, err = load_toml(text)
    if err:
        # pyproject.toml is the project's, and its malformation is reported as a note elsewhere;
        # a dedicated .mlscaffold.toml that does not parse is a configuration error, and so is a
        # pyproject.toml that does not parse but holds our table: its policy (fail_under) cannot
        # be read, and scoring without it would let a broken file switch a CI gate off.
        if name == ".mlscaffold.toml" or _mentions_our_table(text):
            raise ConfigError(
                f"{name} is not valid TOML ({err}); its mlscaffold settings cannot be read"
            )
        return None
    return doc


def _mentions_our_table(text: str) -> bool:
    """A `[tool.mlscaffold]` header, a `tool.mlscaffold.x = ...` key, or an `mlscaffold = ...`
    key (under `[tool]`) on some line."""
    for line in text.splitlines():
        bare = line.strip().lstrip("[").replace(" ", "").replace("\t", "").replace('"', "")
        if bare.startswith(("tool.mlscaffold", "mlscaffold=", "mlscaffold.")):
            return True
    return False


def load_config(root: str) -> ScoreConfig:
    table: Any = None
    source = None
    dedicated = _read_toml(root, ".mlscaffold.toml")
    if dedicated is not None:
        table = (
            dedicated.get("tool", {}).get("mlscaffold", dedicated)
            if isinstance(dedicated.get("tool"), dict)
            else dedicated
        )
        source = ".mlscaffold.toml"
    else:
        pyproject = _read_toml(root, "pyproject.toml")
        tool = pyproject.get("tool") if isinstance(pyproject, dict) else None
        if isinstance(tool, dict) and "mlscaffold" in tool:
            table, source = tool["mlscaffold"], "pyproject.toml [tool.mlscaffold]"
    if table is None:
        return ScoreConfig()
    cfg = parse_config(table, root, source)
    if dedicated is not None:
        pyproject = _read_toml(root, "pyproject.toml")
        tool = pyproject.get("tool") if isinstance(pyproject, dict) else None
        if isinstance(tool, dict) and "mlscaffold" in tool:
            cfg.shadowed = "pyproject.toml [tool.mlscaffold]"
    return cfg


def parse_config(table: Any, root: str, source: str | None) -> ScoreConfig:
    where = source or "config"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(KNOWN_KEYS))}"
        )
    cfg = ScoreConfig(source=source)
    ignore = table.get("ignore", {})
    if isinstance(ignore, list):
        raise ConfigError(
            f"{where}: ignore needs a reason for each check, e.g. "
            'ignore = {DE004 = "a library; nothing to serve"}'
        )
    if not isinstance(ignore, dict):
        raise ConfigError(f"{where}: ignore must be a table of check id = reason")
    if len(ignore) > MAX_SELECTORS:
        raise ConfigError(f"{where}: ignore has more than {MAX_SELECTORS} entries")
    for key, reason in ignore.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where}: ignore.{key} needs a non-empty reason")
        cfg.ignore[str(key).upper()] = reason.strip()
    select = table.get("select", [])
    if not isinstance(select, list) or not all(isinstance(s, str) for s in select):
        raise ConfigError(f"{where}: select must be a list of check ids, id prefixes or stages")
    if len(select) > MAX_SELECTORS:
        raise ConfigError(f"{where}: select has more than {MAX_SELECTORS} entries")
    cfg.select = select
    checklists = table.get("checklists", [])
    if not isinstance(checklists, list) or not all(isinstance(s, str) for s in checklists):
        raise ConfigError(f"{where}: checklists must be a list of paths")
    if len(checklists) > MAX_CHECKLIST_FILES:
        raise ConfigError(f"{where}: at most {MAX_CHECKLIST_FILES} checklist files")
    for rel in checklists:
        cfg.checklists.append(_inside(root, rel, where))
    cfg.fail_under = parse_fail_under(table.get("fail_under"), where)
    size = table.get("max_file_size")
    if size is not None:
        if not isinstance(size, int) or isinstance(size, bool) or not 1024 <= size <= 64 << 20:
            raise ConfigError(f"{where}: max_file_size must be bytes between 1024 and 64 MiB")
        cfg.max_file_size = size
    return cfg


def parse_fail_under(value: Any, where: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {
            "overall": _minimum(value, f"{where}: fail_under", " (or a table of stage = minimum)")
        }
    out = {}
    for key, minimum in value.items():
        if key not in (*STAGES, "overall"):
            raise ConfigError(f"{where}: fail_under.{key}: unknown stage")
        out[key] = _minimum(minimum, f"{where}: fail_under.{key}")
    return out


def _minimum(value: Any, name: str, hint: str = "") -> int:
    """A score from 0 to 100; a whole float in that range (60.0) is that integer."""
    given = value
    if isinstance(value, float) and value.is_integer() and 0 <= value <= 100:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        shown = repr(given)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise ConfigError(f"{name} must be an integer from 0 to 100{hint}, not {shown}")
    return value


def _inside(root: str, rel: str, where: str) -> Path:
    """A checklist path from the repo's config stays inside the repo: no escape by .. or links."""
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, rel))
    if os.path.isabs(rel) or os.path.commonpath([real_root, candidate]) != real_root:
        raise ConfigError(f"{where}: checklist path {rel!r} points outside the repository")
    if os.path.islink(os.path.join(real_root, rel)) or not os.path.isfile(candidate):
        raise ConfigError(f"{where}: checklist file {rel!r} not found (or is a link)")
    return Path(candidate)


def load_config_file(path: str) -> ScoreConfig:
    """A configuration the user names (``--config FILE``), such as an organisation's: the keys
    of ``[tool.mlscaffold]``, at the top level or in that table of a pyproject.toml. The user
    chose the file, so its checklist paths are relative to it and may lie outside any
    repository (a repository's own config keeps them inside the repository)."""
    where = f"--config {path}"
    text = _read_named(path, where)
    doc, err = load_toml(text)
    if err:
        raise ConfigError(f"{where}: not valid TOML ({err})")
    tool = doc.get("tool")
    table = tool.get("mlscaffold", doc) if isinstance(tool, dict) else doc
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    rest = {k: v for k, v in table.items() if k != "checklists"}
    cfg = parse_config(rest, os.path.dirname(os.path.abspath(path)), where)
    checklists = table.get("checklists", [])
    if not isinstance(checklists, list) or not all(isinstance(s, str) for s in checklists):
        raise ConfigError(f"{where}: checklists must be a list of paths")
    base = os.path.dirname(os.path.abspath(path))
    cfg.checklists = [external_checklist(os.path.join(base, rel), where) for rel in checklists]
    return cfg


def external_checklist(path: str, where: str) -> Path:
    """A checklist file named by the user (``--checklist FILE`` or a ``--config`` file)."""
    if not os.path.isfile(path):
        raise ConfigError(f"{where}: checklist file {path} not found")
    return Path(os.path.realpath(path))


def _read_named(path: str, where: str) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError as exc:
        raise ConfigError(f"{where}: no such file") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{where}: is a directory, not a TOML file") from exc
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_CONFIG_BYTES // 1024} KiB")
    return data.decode("utf-8", errors="replace")
