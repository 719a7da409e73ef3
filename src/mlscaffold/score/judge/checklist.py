"""The checklist: checks as data, loaded from YAML and validated before use."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlscaffold.errors import ConfigError
from mlscaffold.resources import data_dir, schema_path
from mlscaffold.score.model import STAGES

SEVERITY_WEIGHT = {"critical": 3, "major": 2, "minor": 1}


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    title: str
    stage: str
    severity: str
    why: tuple[str, ...]
    description: str
    fix: str
    detector: dict[str, Any]
    example: str = ""
    references: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    template: str | None = None
    applies_if: str | None = None  # a condition from rules.facts.CONDITIONS
    source: str = ""
    # How a monorepo's sub-projects roll up into the repository (see score.rollup).
    rollup: str = "best"

    @property
    def weight(self) -> int:
        return SEVERITY_WEIGHT[self.severity]


@dataclass
class Checklist:
    checks: list[Check] = field(default_factory=list)

    def __iter__(self):
        return iter(self.checks)

    def __len__(self) -> int:
        return len(self.checks)

    def get(self, key: str) -> Check | None:
        """Find a check by id (``DE005``) or name (``shared-preprocessing``)."""
        key_l = key.lower()
        return next((c for c in self.checks if c.id.lower() == key_l or c.name == key_l), None)

    @property
    def version(self) -> str:
        import hashlib

        digest = hashlib.sha256("|".join(f"{c.id}:{c.detector}" for c in self.checks).encode())
        return digest.hexdigest()[:12]


def builtin_files() -> list[Path]:
    return sorted(data_dir("checklist").glob("*.yaml"))


# The built-in checklist, parsed ahead of time (python -m mlscaffold.score.judge.checklist --write):
# reading it as JSON spares every run the import of PyYAML and the parse. It records a
# fingerprint of the YAML files it was made from, and is used only while they still match.
COMPILED = "compiled.json"


def _fingerprint(paths: list[Path]) -> str:
    crc = 0
    for path in paths:
        crc = zlib.crc32(path.name.encode() + b"\0" + path.read_bytes(), crc)
    return f"{crc:08x}-{len(paths)}"


def _builtin_docs() -> list[tuple[Path, Any]]:
    """(path, parsed content) of each built-in checklist file."""
    paths = builtin_files()
    try:
        compiled = json.loads((data_dir("checklist") / COMPILED).read_text(encoding="utf-8"))
        if compiled["fingerprint"] == _fingerprint(paths):
            docs = compiled["files"]
            return [(path, docs[path.name]) for path in paths]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing or stale: read the YAML itself
    return [(path, _parse_yaml(path)) for path in paths]


def write_compiled() -> Path:
    paths = builtin_files()
    target = data_dir("checklist") / COMPILED
    data = {
        "generated": "from checklist/*.yaml by python -m mlscaffold.score.judge.checklist --write",
        "fingerprint": _fingerprint(paths),
        "files": {path.name: _parse_yaml(path) for path in paths},
    }
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def _validator():
    import jsonschema

    schema = json.loads(schema_path("checklist.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _parse_yaml(path: Path) -> Any:
    import yaml

    try:
        # The C loader, where PyYAML has it: the pure-Python one costs ~0.1 s per run here.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read checklist file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"checklist file {path} is not valid YAML: {str(exc).splitlines()[0]}"
        ) from exc


def load_file(path: Path, validate: bool, doc: Any = None) -> list[Check]:
    """The checks of one checklist file (``doc``: its content, when already parsed)."""
    if doc is None:
        doc = _parse_yaml(path)
    if validate:
        errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            err = errors[0]
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            raise ConfigError(f"checklist file {path}: {where}: {err.message[:200]}")
    if not isinstance(doc, dict) or not isinstance(doc.get("checks"), list):
        raise ConfigError(f"checklist file {path} has no 'checks' list")
    stage = doc.get("stage")
    checks = []
    for raw in doc["checks"]:
        checks.append(
            Check(
                id=raw["id"],
                name=raw["name"],
                title=raw["title"],
                stage=raw.get("stage", stage),
                severity=raw["severity"],
                why=tuple(raw["why"]),
                description=" ".join(raw["description"].split()),
                fix=" ".join(raw["fix"].split()),
                detector=raw["detector"],
                example=raw.get("example", ""),
                references=tuple(raw.get("references", ())),
                requires=tuple(raw.get("requires", ())),
                template=raw.get("template"),
                applies_if=raw.get("applies_if"),
                source=path.name,
                rollup=raw.get("rollup", "best"),
            )
        )
    return checks


def load_checklist(
    extra_files: list[Path] | None = None, validate_builtin: bool = False
) -> Checklist:
    """Load the built-in checklist plus an organisation's own files (always validated)."""
    checks: list[Check] = []
    for path, doc in _builtin_docs():
        checks.extend(load_file(path, validate_builtin, doc))
    for path in extra_files or []:
        checks.extend(load_file(path, validate=True))
    _check_consistency(checks)
    order = {s: i for i, s in enumerate(STAGES)}
    checks.sort(key=lambda c: (order.get(c.stage, 99), c.id))
    return Checklist(checks)


def _check_consistency(checks: list[Check]) -> None:
    from mlscaffold.score.judge.detectors import KINDS
    from mlscaffold.score.judge.rules import RULES

    seen: dict[str, str] = {}
    for check in checks:
        if check.stage not in STAGES:
            raise ConfigError(f"check {check.id}: unknown stage {check.stage!r}")
        if check.id in seen:
            raise ConfigError(
                f"check id {check.id} is defined twice ({seen[check.id]}, {check.source})"
            )
        seen[check.id] = check.source
        for spec in _walk_detectors(check.detector):
            kind = spec.get("kind")
            if kind == "rule" and spec.get("name") not in RULES:
                raise ConfigError(f"check {check.id}: unknown rule {spec.get('name')!r}")
            if kind not in KINDS and kind != "rule":
                raise ConfigError(f"check {check.id}: unknown detector kind {kind!r}")
    from mlscaffold.score.judge.rules.facts import CONDITIONS

    for check in checks:
        if check.applies_if is not None and check.applies_if not in CONDITIONS:
            raise ConfigError(f"check {check.id}: unknown applies_if {check.applies_if!r}")
    ids = set(seen)
    for check in checks:
        for req in check.requires:
            if req not in ids:
                raise ConfigError(f"check {check.id} requires unknown check {req}")


def _walk_detectors(spec: dict[str, Any]):
    yield spec
    for sub in spec.get("detectors", []) or []:
        yield from _walk_detectors(sub)


if __name__ == "__main__":  # python -m mlscaffold.score.judge.checklist --write
    import sys

    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m mlscaffold.score.judge.checklist --write")
    print(write_compiled())
