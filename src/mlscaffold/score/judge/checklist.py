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
    builtin: bool = False  # shipped with mlscaffold (else an organisation's, untrusted)
    # How a monorepo's sub-projects roll up into the repository (see score.rollup).
    rollup: str = "best"

    @property
    def weight(self) -> int:
        return SEVERITY_WEIGHT[self.severity]


@dataclass
class Checklist:
    checks: list[Check] = field(default_factory=list)
    _version: tuple[tuple[Check, ...], str] | None = field(
        default=None, init=False, repr=False, compare=False
    )

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
        """A digest of the checks' ids and detectors, computed once per list of checks (every
        sub-project of a monorepo reports it)."""
        import hashlib
        import operator

        checks = tuple(self.checks)
        known = self._version
        # Compared by identity (the checks are held, so no id is reused): equality would
        # compare every detector, the work the digest is kept to avoid.
        same = known is not None and len(known[0]) == len(checks)
        if not same or any(map(operator.is_not, known[0], checks)):
            text = "|".join(f"{c.id}:{c.detector}" for c in checks)
            known = self._version = (checks, hashlib.sha256(text.encode()).hexdigest()[:12])
        return known[1]


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


# Bounds on a checklist file. An organisation's checklist can come from the scanned repository
# (``[tool.mlscaffold] checklists``), so it is read as hostile: every refusal is one line, exit 2.
MAX_CHECKLIST_BYTES = 256 * 1024
MAX_CHECKS_PER_FILE = 500
MAX_YAML_DEPTH = 32  # a checklist nests a handful of levels
MAX_YAML_ALIASES = 100
MAX_EXPANDED_NODES = 100_000  # nodes once aliases are expanded (billion laughs: 10^9)
MAX_DETECTOR_DEPTH = 6  # "any" inside "any"...
MAX_PATTERN_LENGTH = 1_000
MAX_PATTERN_PROGRAM = 5_000  # RE2's program size: search time per byte grows with it
MAX_GLOB_WILDCARDS = 12


def _parse_yaml(path: Path) -> Any:
    """A checklist file's content, parsed within the bounds above."""
    import yaml

    from mlscaffold.score.read.safeio import read_regular_file

    data = read_regular_file(str(path), MAX_CHECKLIST_BYTES + 1)
    if data is None:
        raise ConfigError(f"cannot read checklist file {path} (not a regular file or unreadable)")
    if len(data) > MAX_CHECKLIST_BYTES:
        raise ConfigError(f"checklist file {path} is larger than {MAX_CHECKLIST_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"checklist file {path} is not UTF-8 ({exc.reason})") from exc
    # The C loader, where PyYAML has it: the pure-Python one costs ~0.1 s per run here.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _check_yaml_shape(path, text, loader)
        return yaml.load(text, Loader=loader)  # noqa: S506 - the safe loader
    except yaml.YAMLError as exc:
        # Where and what: the problem and its line (the context line alone, "while parsing a
        # flow sequence", says neither).
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
        problem = " ".join((getattr(exc, "problem", None) or str(exc)).split()[:40])
        raise ConfigError(f"checklist file {path} is not valid YAML:{at} {problem}") from exc


def _check_yaml_shape(path: Path, text: str, loader: Any) -> None:
    """Refuse deep nesting and alias bombs before anything walks the document: the events
    are read iteratively, then the node graph (where an alias is a shared node) is sized with
    each alias counted at its full, expanded size."""
    import yaml

    depth = aliases = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise ConfigError(
                    f"checklist file {path} nests deeper than {MAX_YAML_DEPTH} levels"
                )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise ConfigError(
                    f"checklist file {path} uses more than {MAX_YAML_ALIASES} aliases"
                )
    if not aliases:
        return
    root = yaml.compose(text, Loader=loader)
    if _expanded_size(root) > MAX_EXPANDED_NODES:
        raise ConfigError(
            f"checklist file {path}: its aliases expand to more than {MAX_EXPANDED_NODES} nodes"
        )


def _expanded_size(root: Any) -> int:
    """Nodes of a composed YAML graph with every alias expanded, each distinct node counted once
    (memoised, bottom-up, without recursion)."""
    import yaml

    size: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if node is None or id(node) in size:
            continue
        if isinstance(node, yaml.ScalarNode):
            size[id(node)] = 1
            continue
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if children_done:
            total = 1 + sum(size.get(id(c), 1) for c in children)
            size[id(node)] = min(total, MAX_EXPANDED_NODES + 1)  # no huge integers either
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return size.get(id(root), 0)


def load_file(path: Path, validate: bool, doc: Any = None, builtin: bool = False) -> list[Check]:
    """The checks of one checklist file (``doc``: its content, when already parsed)."""
    if doc is None:
        doc = _parse_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("checks"), list):
        raise ConfigError(f"checklist file {path} has no 'checks' list")
    if validate:
        _check_bounds(path, doc)
        errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            err = errors[0]
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            raise ConfigError(f"checklist file {path}: {where}: {err.message[:200]}")
        _check_patterns(path, doc, builtin)
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
                builtin=builtin,
                rollup=raw.get("rollup", "best"),
            )
        )
    return checks


def _check_bounds(path: Path, doc: dict[str, Any]) -> None:
    """Counts and nesting, checked before the schema validator (which recurses) sees them."""
    checks = doc["checks"]
    if len(checks) > MAX_CHECKS_PER_FILE:
        raise ConfigError(
            f"checklist file {path} has {len(checks)} checks; at most {MAX_CHECKS_PER_FILE}"
        )
    for n, raw in enumerate(checks):
        detector = raw.get("detector") if isinstance(raw, dict) else None
        stack = [(detector, 1)]
        while stack:
            spec, depth = stack.pop()
            if depth > MAX_DETECTOR_DEPTH:
                raise ConfigError(
                    f"checklist file {path}: checks/{n}/detector nests detectors deeper than "
                    f"{MAX_DETECTOR_DEPTH} levels"
                )
            subs = spec.get("detectors") if isinstance(spec, dict) else None
            if isinstance(subs, list):
                stack.extend((sub, depth + 1) for sub in subs)


def _check_patterns(path: Path, doc: dict[str, Any], builtin: bool = False) -> None:
    """Every regular expression compiles with the linear-time engine, small enough to search
    fast (the built-in checklist is trusted with longer ones), and every glob stays simple:
    refused here, never discovered during a run."""
    from mlscaffold.score.judge.detectors import detector_patterns
    from mlscaffold.score.read import linear

    for n, raw in enumerate(doc["checks"]):
        where = f"checklist file {path}: checks/{n} ({raw.get('id', '?')})"
        for spec in _walk_detectors(raw["detector"]):
            for key, source, flags in detector_patterns(spec):
                if len(source) > MAX_PATTERN_LENGTH and not builtin:
                    raise ConfigError(
                        f"{where}: {key} is longer than {MAX_PATTERN_LENGTH} characters"
                    )
                try:
                    pattern = linear.compile(source, flags)
                except linear.PatternError as exc:
                    raise ConfigError(f"{where}: {key}: {exc}") from exc
                if pattern.program_size > MAX_PATTERN_PROGRAM and not builtin:
                    raise ConfigError(
                        f"{where}: {key} is too complex (RE2 program size "
                        f"{pattern.program_size}, at most {MAX_PATTERN_PROGRAM})"
                    )
            for key in ("pass", "partial", "exclude", "files"):
                for glob in spec.get(key) or () if isinstance(spec.get(key), list) else ():
                    wild = sum(glob.count(c) for c in "*?[")
                    if wild > MAX_GLOB_WILDCARDS:
                        raise ConfigError(
                            f"{where}: glob {glob[:60]!r} has {wild} wildcards; at most "
                            f"{MAX_GLOB_WILDCARDS}"
                        )


def load_checklist(
    extra_files: list[Path] | None = None, validate_builtin: bool = False
) -> Checklist:
    """Load the built-in checklist plus an organisation's own files (always validated)."""
    checks: list[Check] = []
    for path, doc in _builtin_docs():
        checks.extend(load_file(path, validate_builtin, doc, builtin=True))
    builtin = len(checks)
    for path in extra_files or []:
        checks.extend(load_file(path, validate=True))
    # The built-in checks' rule, kind and condition names are proved by the tests (which load
    # with validate_builtin); checking them on every run would load every rule module, a
    # fifth of a warm run's time beyond the walk.
    _check_consistency(checks, checks if validate_builtin else checks[builtin:])
    order = {s: i for i, s in enumerate(STAGES)}
    checks.sort(key=lambda c: (order.get(c.stage, 99), c.id))
    return Checklist(checks)


def _check_consistency(checks: list[Check], named: list[Check]) -> None:
    """Unique ids, known stages and requirements across ``checks``; known detector kinds,
    rule and condition names in ``named``."""
    seen: dict[str, str] = {}
    for check in checks:
        if check.stage not in STAGES:
            raise ConfigError(f"check {check.id}: unknown stage {check.stage!r}")
        if check.id in seen:
            raise ConfigError(
                f"check id {check.id} is defined twice ({seen[check.id]}, {check.source})"
            )
        seen[check.id] = check.source
    if named:
        from mlscaffold.score.judge.detectors import KINDS
        from mlscaffold.score.judge.rules import RULES
        from mlscaffold.score.judge.rules.facts import CONDITIONS

    for check in named:
        for spec in _walk_detectors(check.detector):
            kind = spec.get("kind")
            if kind == "rule" and spec.get("name") not in RULES:
                raise ConfigError(f"check {check.id}: unknown rule {spec.get('name')!r}")
            if kind not in KINDS and kind != "rule":
                raise ConfigError(f"check {check.id}: unknown detector kind {kind!r}")
        if check.applies_if is not None and check.applies_if not in CONDITIONS:
            raise ConfigError(f"check {check.id}: unknown applies_if {check.applies_if!r}")
    ids = set(seen)
    for check in checks:
        for req in check.requires:
            if req not in ids:
                raise ConfigError(f"check {check.id} requires unknown check {req}")


def _walk_detectors(spec: dict[str, Any]):
    """The detector and those nested in it (iteratively: nesting is bounded, not trusted)."""
    stack = [spec]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.get("detectors", []) or []))


if __name__ == "__main__":  # python -m mlscaffold.score.judge.checklist --write
    import sys

    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m mlscaffold.score.judge.checklist --write")
    print(write_compiled())
