"""Which paths no rule of a .gitignore can match, told without asking pathspec per path.

pathspec decides what a .gitignore ignores (git's semantics: negations, folder rules, the
last matching rule wins), but asking it costs a few microseconds a path, and most paths of a
repository match no rule at all. ``RulePrefilter`` answers "can any rule match this path?"
from pathspec's own expressions, cheaply, and never says no where pathspec would find a
match; only the paths it cannot rule out go to pathspec.

Two kinds of rule, told apart by pathspec's translation:

- rules that name one path component (``*.pyc``, ``build/``, ``**/qa.db``): pathspec writes
  them ``^(?:.+/)?X…`` with X inside a single component, so they match a path exactly when
  X is its last component or one of its folders. Their answer for a file name is kept
  (names repeat: ``__init__.py``), and a folder one of them matches marks everything below it
  for pathspec;
- the others (``/dist``, ``docs/_build/``, ``src/*``): anchored at the .gitignore's folder, they
  can only match below their literal start (``docs/_build``); a folder outside every such
  start skips them.
"""

from __future__ import annotations

from typing import Any

_NAME_RULE_START = "^(?:.+/)?"
_FOLDER_MARK = "(?P<ps_d>/)"
# Characters that end a rule's literal start in pathspec's expressions.
_SPECIAL = set("[(.*+?{|^$")


class RulePrefilter:
    """``may_match(rel)``: False only when no rule of the spec matches ``rel`` (relative to
    the .gitignore's folder; a folder ends with ``/``)."""

    __slots__ = ("_anchored", "_by_name", "_folders", "_named", "_starts")

    def __init__(self, named: Any, anchored: Any, starts: list[str]) -> None:
        self._named = named  # joined expression of the one-component rules, or None
        self._anchored = anchored  # joined expression of the others, or None
        self._starts = starts  # their literal starts ("" when a rule has none)
        self._by_name: dict[str, bool] = {}
        # Folder ("" or "a/b/") -> (a one-component rule matched it or a folder above it,
        #                            some anchored rule may match below it).
        self._folders: dict[str, tuple[bool, bool]] = {}

    @classmethod
    def of(cls, spec: Any) -> RulePrefilter | None:
        """The prefilter of a pathspec spec, or None when its expressions are not of the
        forms above (then every path goes to pathspec)."""
        from mlscaffold.score.read import linear

        named: list[str] = []
        anchored: list[str] = []
        starts: list[str] = []
        for pattern in spec.patterns:
            if pattern.include is None:  # a comment or a blank line
                continue
            source = getattr(pattern.regex, "pattern", None)
            if not isinstance(source, str) or source.count("(?P<") != source.count(_FOLDER_MARK):
                return None
            # Every "(" of a rule's own text is escaped: an unescaped group is pathspec's.
            plain = source.replace(_FOLDER_MARK, "(?:/)")
            if _one_component(source):
                named.append(f"(?:{plain})")
            else:
                anchored.append(f"(?:{plain})")
                starts.append(_literal_start(source))
        try:
            return cls(
                linear.Pattern("|".join(named)) if named else None,
                linear.Pattern("|".join(anchored)) if anchored else None,
                starts,
            )
        except linear.PatternError:
            return None

    def may_match(self, rel: str) -> bool:
        cut = rel.rfind("/", 0, len(rel) - 1) + 1
        folder, name = rel[:cut], rel[cut:]
        below_named, anchored_alive = self._folder(folder)
        if below_named or self.name_may_match(name):
            return True
        return anchored_alive and self._anchored.occurs_in(rel)

    def clear_folder(self, folder: str) -> bool:
        """Whether in ``folder`` ("" or "a/b/") only a one-component rule matching an entry's
        own name can match it: no such rule matched the folder or one above it, and no other
        rule can match below it."""
        below_named, anchored_alive = self._folder(folder)
        return not below_named and not anchored_alive

    def name_may_match(self, name: str) -> bool:
        """Whether a one-component rule matches ``name`` (a folder's ends with ``/``)."""
        if self._named is None:
            return False
        hit = self._by_name.get(name)
        if hit is None:
            hit = self._by_name[name] = self._named.occurs_in(name)
        return hit

    def _folder(self, folder: str) -> tuple[bool, bool]:
        known = self._folders.get(folder)
        if known is not None:
            return known
        if not folder:
            info = (False, self._anchored is not None)
        else:
            cut = folder.rfind("/", 0, len(folder) - 1) + 1
            parent_named, _ = self._folder(folder[:cut])
            named = parent_named or (
                self._named is not None and self._named.occurs_in(folder[cut:])
            )
            alive = self._anchored is not None and any(
                start.startswith(folder) or folder.startswith(start) for start in self._starts
            )
            info = (named, alive)
        self._folders[folder] = info
        return info


def _one_component(source: str) -> bool:
    """Whether pathspec's expression matches X as one whole path component: ``^(?:.+/)?X``
    then the end, a folder mark or a ``/``, with no ``/`` in X but those of ``[^/]``."""
    if not source.startswith(_NAME_RULE_START):
        return False
    body = source[len(_NAME_RULE_START) :]
    for tail in (f"(?:{_FOLDER_MARK}|$)", _FOLDER_MARK, "/"):  # "/": "mlruns/**"
        if body.endswith(tail):
            middle = body[: -len(tail)]
            return bool(middle) and "/" not in middle.replace("[^/]", "")
    return False


def _literal_start(source: str) -> str:
    """The text every match of an anchored expression starts with (``^docs/_build`` ->
    ``docs/_build``); "" when it has none or is not anchored."""
    if not source.startswith("^"):
        return ""
    out = []
    i = 1
    while i < len(source):
        c = source[i]
        if c == "\\":
            if i + 1 < len(source) and not source[i + 1].isalnum():
                if i + 2 < len(source) and source[i + 2] in "*?{":
                    break  # "a\.?": the escaped character may be absent
                out.append(source[i + 1])
                i += 2
                continue
            break
        if c in _SPECIAL:
            break
        out.append(c)
        i += 1
    if i < len(source) and source[i] in "*?{" and out:
        out.pop()  # "ab*": the b may be absent
    return "".join(out)
