"""Every regular expression the scorer applies to repository text, and inputs built to make a
backtracking engine take super-linear time on each (shared by the linear-time tests)."""

from __future__ import annotations

import importlib
import pkgutil
import re._constants as sre_constants
import re._parser as sre_parse
import sys

import mlscaffold.score
from mlscaffold.score.read import linear
from mlscaffold.score.read.scan import CodePattern

# Characters that hostile inputs are made of, besides those named in each pattern.
_EXTRA = " \t\n\r-_./:=#'\"aA0é"


def module_patterns() -> set[tuple[str, int]]:
    """(pattern, flags) of every pattern defined at module level in the scoring half."""
    for info in pkgutil.walk_packages(mlscaffold.score.__path__, "mlscaffold.score."):
        importlib.import_module(info.name)
    found: set[tuple[str, int]] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("mlscaffold.score"):
            continue
        for value in vars(module).values():
            if isinstance(value, CodePattern):
                value = value.regex
            if isinstance(value, linear.LazyPattern | linear.Pattern):
                found.add((value.pattern, value.flags))
    return found


def checklist_patterns() -> set[tuple[str, int]]:
    """(pattern, flags) of every pattern in the built-in checklist, as its detectors compile
    them."""
    from mlscaffold.score.judge.checklist import _walk_detectors, load_checklist
    from mlscaffold.score.judge.detectors import detector_patterns

    found = set()
    for check in load_checklist():
        for spec in _walk_detectors(check.detector):
            found.update((source, flags) for _, source, flags in detector_patterns(spec))
    return found


def _literals(pattern: str, flags: int) -> set[str]:
    """Characters the pattern names (literals and the ends of ranges), from Python's parser."""
    out: set[str] = set()
    try:
        tree = sre_parse.parse(pattern, flags)
    except Exception:
        return out
    stack = [list(tree)]
    while stack:
        for op, av in stack.pop():
            if op is sre_constants.LITERAL:
                out.add(chr(av))
            elif op is sre_constants.RANGE:
                out.update((chr(av[0]), chr(av[1])))
            elif op is sre_constants.IN:
                stack.append(list(av))
            elif op is sre_constants.BRANCH:
                stack.extend(list(b) for b in av[1])
            elif op in (sre_constants.SUBPATTERN,):
                stack.append(list(av[3]))
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                stack.append(list(av[2]))
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                stack.append(list(av[1]))
    return {c for c in out if c.isprintable() or c in "\t\n"}


def regexploit_attacks(pattern: str, flags: int, size: int) -> list[str]:
    """Inputs regexploit builds for the pattern (prefix, a repeated character, a character that
    makes the match fail): the classic exponential and polynomial backtracking."""
    from regexploit.ast.sre import SreOpParser
    from regexploit.redos import find

    try:
        parsed = SreOpParser().parse_sre(pattern, flags)
        found = find(parsed)
    except Exception:  # regexploit does not understand every construct
        return []
    attacks = []
    for redos in found[:4]:
        try:
            prefix = redos.example_prefix
            pump = redos.repeated_character.example()
            killer = redos.killer.example() if redos.killer else "\0"
        except Exception:  # noqa: S112 - an attack regexploit cannot spell out is skipped
            continue
        attacks.append(prefix + pump * size + killer)
    return attacks


def hostile_inputs(pattern: str, flags: int, size: int) -> tuple[str, ...]:
    """Long runs of each character the pattern names, of pairs of them, of each before a
    newline, plus regexploit's attacks: between them they exercise every repeat of the
    pattern against a text that almost matches. Built afresh for each call: kept for every
    pattern, the inputs of 300 patterns held 8.8 GB in the test process."""
    chars = sorted(_literals(pattern, flags) | set(_EXTRA))
    inputs = [c * size for c in chars]
    inputs += [(a + b) * (size // 2) for a, b in zip(chars, chars[1:] + chars[:1], strict=True)]
    inputs += [(c + "\n") * (size // 2) for c in chars[:8]]
    inputs.append("".join(chars) * (size // max(1, len(chars))))
    inputs += regexploit_attacks(pattern, flags, size)
    return tuple(inputs)
