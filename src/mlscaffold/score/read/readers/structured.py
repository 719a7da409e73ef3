"""YAML, TOML and JSON parsed defensively: any failure is a None plus a message, never an exception.

Untrusted documents can nest thousands of levels (RecursionError), carry 5,000-digit numbers
(ValueError), python tags (refused by the safe loader) or billion-laughs aliases (cheap to load,
explosive to walk). Walkers here visit each node once by identity, so aliases cannot explode.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from typing import Any

MAX_NODES = 200_000
MAX_DEPTH = 200
# Lines plus commas: about the number of items a YAML document holds. A hand-written config
# has hundreds; past this it is generated or hostile, and loading it would cost seconds and
# hundreds of megabytes (100,000 "- outs:" lines).
MAX_YAML_ITEMS = 50_000

_LOADERS: dict[str, Any] = {}


def _loaders() -> tuple[Any, Any]:
    """(safe loader, config loader), built on first use: PyYAML costs 15 ms to import, and many
    runs read no YAML at all."""
    if not _LOADERS:
        import yaml

        # The C loader is ~10x faster; fall back to pure Python where libyaml is missing.
        safe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class ConfigLoader(safe):  # type: ignore[misc, valid-type]
            """The safe loader, reading application-specific local tags (copier's
            ``!include``, Hydra's, CloudFormation's ``!Ref``) as plain values instead of failing
            the whole file. Python tags (``tag:yaml.org,2002:python/...``) are not local tags
            and stay refused."""

        ConfigLoader.add_multi_constructor("!", _local_tag)
        _LOADERS.update(safe=safe, config=ConfigLoader)
    return _LOADERS["safe"], _LOADERS["config"]


def _local_tag(loader: Any, _suffix: str, node: Any) -> Any:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


def _guarded(fn, text):
    try:
        return fn(text), None
    except (RecursionError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
    except Exception as exc:  # parser-specific errors (yaml.YAMLError, TOMLDecodeError...)
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]


def _too_deep(text: str) -> bool:
    """Whether collections nest deeper than MAX_DEPTH, from libyaml's event stream (an
    iterative parser).

    libyaml's constructor recurses in C: 100,000 nested ``[`` crash the interpreter outright,
    with no exception to catch. Events are safe, so they measure the depth before a load."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=_loaders()[0]):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DEPTH:  # stop at once: libyaml slows down on deep streams too
                return True
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
    return False


def load_yaml_all(text: str) -> tuple[list[Any] | None, str | None]:
    """Parse every document of a YAML stream with the safe loader."""
    import yaml

    def load(t: str) -> list[Any]:
        if t.count("\n") + t.count(",") > MAX_YAML_ITEMS:
            raise ValueError(f"more than {MAX_YAML_ITEMS} items; not loaded")
        # Only text with many brackets can nest deeply enough to matter: block nesting that
        # deep would not fit under the parse size cap.
        if t.count("[") + t.count("{") > MAX_DEPTH and _too_deep(t):
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        return list(yaml.load_all(t, Loader=_loaders()[1]))

    return _guarded(load, text)


def load_yaml(text: str) -> tuple[Any, str | None]:
    docs, err = load_yaml_all(text)
    if err is not None or not docs:
        return None, err
    return docs[0], None


def load_toml(text: str) -> tuple[dict[str, Any] | None, str | None]:
    return _guarded(lambda t: tomllib.loads(t.lstrip("\ufeff")), text)


def load_json(text: str | bytes) -> tuple[Any, str | None]:
    """``text`` may be bytes (json detects UTF-8/16/32 and a UTF-8 BOM itself)."""
    if isinstance(text, bytes):
        return _guarded(json.loads, text)
    return _guarded(lambda t: json.loads(t.lstrip("\ufeff")), text)


MAX_DOTTED = 256  # characters of a key's parents kept in its dotted name


def iter_keys(doc: Any, max_nodes: int = MAX_NODES) -> Iterator[tuple[str, Any, int]]:
    """Yield (dotted key, value, depth) for every mapping key, each node visited once."""
    seen: set[int] = set()
    stack: list[tuple[str, Any, int]] = [("", doc, 0)]
    visited = 0
    while stack:
        prefix, node, depth = stack.pop()
        if id(node) in seen or depth > MAX_DEPTH:
            continue
        visited += 1
        if visited > max_nodes:
            return
        if isinstance(node, dict | list):
            seen.add(id(node))
        if isinstance(node, dict):
            # A name keeps its last parts only: a table header of fifty long keys over
            # thousands of siblings made half a billion characters of names from 150 KB.
            prefix = prefix if len(prefix) <= MAX_DOTTED else prefix[-MAX_DOTTED:]
            for key, value in node.items():
                dotted = f"{prefix}.{key}" if prefix else str(key)
                yield dotted, value, depth
                stack.append((dotted, value, depth + 1))
        elif isinstance(node, list):
            for item in node:
                stack.append((prefix, item, depth + 1))


def dig(doc: Any, *keys: str) -> Any:
    """Return ``doc[k1][k2]...`` or None when any level is missing or not a mapping."""
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc
