"""Gitignore-style globs over the file list, answered from indexes instead of a scan of every path.

Checks ask for a few dozen globs per run (``**/Dockerfile``, ``*.dvc``, ``.github/workflows/*``).
Matching each against 100,000 paths costs a tenth of a second per glob, so the file list is
indexed once by lower-case file name and by folder, and a glob only looks at the entries those
indexes point to: a file name is a dict lookup, a folder pattern reads that folder's entries,
and a name with wildcards reads only the names that contain its longest fixed part.
Matching is case-insensitive, as the checks' globs have always been.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, lru_cache

from mlscaffold.score.budget import tick
from mlscaffold.score.read import linear
from mlscaffold.score.read.walk import FileEntry, path_of


def _wild(part: str) -> bool:
    return "*" in part or "?" in part


def _longest_fixed(part: str) -> str:
    """The longest run of a glob part without wildcards (str methods: asked per glob per run)."""
    return max(part.replace("?", "*").split("*"), key=len)


MAX_JOINED_GLOBS = 16


class PathIndex:
    """``by_name``: entries by lower-case file name (one entry, or a list of several);
    ``folders``: entries by folder as written ("" for the root). Both come from the walk."""

    def __init__(
        self,
        files: list[FileEntry],
        by_name: dict[str, FileEntry | list[FileEntry]],
        folders: dict[str, list[FileEntry]],
    ) -> None:
        self.files = files
        self.by_name = by_name
        self.folders = folders
        self._globbed: dict[tuple[str, ...], list[FileEntry]] = {}
        self._components: dict[str, list[str]] | None = None

    def named(self, name: str) -> Sequence[FileEntry]:
        """Entries whose lower-case file name is ``name``."""
        found = self.by_name.get(name)
        if found is None:
            return ()
        return found if isinstance(found, list) else (found,)

    @cached_property
    def by_dir(self) -> dict[str, list[FileEntry]]:
        """Entries by lower-case folder (folders that differ only in case are merged)."""
        out: dict[str, list[FileEntry]] = {}
        for folder, entries in self.folders.items():
            out.setdefault(folder.lower(), []).extend(entries)
        return out

    @cached_property
    def _names_blob(self) -> str:
        return "\n" + "\n".join(self.by_name) + "\n"

    def glob(self, patterns: Iterable[str]) -> list[FileEntry]:
        """Files matching any of ``patterns``, sorted by path. The built-in checks' patterns
        often share candidates (``**/conf/**/*.yaml`` and ``**/configs/**/*.yaml`` both look
        at every YAML file), so a few patterns test each candidate once, against one regex
        of them all; many (an organisation's list) test each pattern on its own candidates,
        as one regex of thousands of alternatives costs more per path than it saves."""
        patterns = tuple(patterns)
        if patterns in self._globbed:  # checks ask for the same files (Dockerfiles, CI, configs)
            return list(self._globbed[patterns])
        found = self._glob(patterns)
        self._globbed[patterns] = found
        return list(found)

    def _glob(self, patterns: tuple[str, ...]) -> list[FileEntry]:
        hits: dict[str, FileEntry] = {}
        if len(patterns) <= MAX_JOINED_GLOBS:
            candidates: dict[str, FileEntry] = {}
            for pattern in patterns:
                for entry in self._candidates(pattern):
                    tick()
                    candidates[entry.path] = entry
            if candidates:  # most globs find nothing: compile their regex only when needed
                whole = matcher(patterns)
                for path, entry in candidates.items():
                    tick()
                    if whole(path):
                        hits[path] = entry
        else:
            for pattern in patterns:
                candidates_of = self._candidates(pattern)
                if candidates_of:
                    whole = matcher((pattern,))
                    for entry in candidates_of:
                        tick()
                        if whole(entry.path):
                            hits[entry.path] = entry
        return [hits[p] for p in sorted(hits)]

    def _candidates(self, pattern: str) -> Sequence[FileEntry]:
        anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
        body = pattern.lstrip("/")
        if not anchored:
            return self._by_name_pattern(body.lower())
        parts = body.split("/")
        fixed: list[str] = []
        for part in parts:
            if _wild(part):
                break
            fixed.append(part)
        rest = parts[len(fixed) :]
        if not rest:  # a literal path: its folder holds it, if anything does
            return self.by_dir.get("/".join(fixed[:-1]).lower(), ())
        folder = "/".join(fixed).lower()
        if len(rest) == 1 and "**" not in rest[0]:
            return self.by_dir.get(folder, ())
        below = folder + "/"
        last = rest[-1].lower()
        inner = [p.lower() for p in rest[1:-1] if not _wild(p)] if rest[0] == "**" else []
        wild_inner = [p.lower() for p in rest[1:-1] if p != "**"] if rest[0] == "**" else []
        part = _longest_fixed(wild_inner[0]) if wild_inner and not inner else ""
        folders: Sequence[str] | None = None
        if inner:
            # **/conf/**/*.yaml: only folders with a "conf" component (below the fixed start)
            # can hold a match, usually far fewer files than every YAML file.
            folders = self._folders_with(inner[0])
        elif len(part) >= _MIN_FOLDER_PART:
            # **/*_configs/**/*.yaml: only folders with a component holding "_configs".
            self._folders_with("")  # builds the component table
            components = self._components or {}
            folders = sorted({d for name, ds in components.items() if part in name for d in ds})
        if folders is not None:
            return [f for d in folders if not folder or d.startswith(below) for f in self.by_dir[d]]
        if "**" not in last and _longest_fixed(last):
            # conf/**/catalog.yml, src/**/train*.py: the file name narrows it most.
            return [
                f
                for f in self._by_name_pattern(last)
                if not folder or f.path.lower().startswith(below)
            ]
        return [
            f
            for d, entries in self.by_dir.items()
            if not folder or d == folder or d.startswith(below)
            for f in entries
        ]

    def _folders_with(self, component: str) -> list[str]:
        """The (lower-case) folders that have ``component`` among their path components."""
        if self._components is None:
            self._components = {}
            for d in self.by_dir:
                for part in set(d.split("/")):
                    self._components.setdefault(part, []).append(d)
        return self._components.get(component, [])

    def _by_name_pattern(self, name: str) -> Sequence[FileEntry]:
        if not _wild(name):
            return self.named(name)
        if "**" in name:  # "abcd**e" crosses folders: the file name alone does not narrow it
            return self.files
        # Names that contain the pattern's longest fixed part, found by str.find (C speed).
        fixed = _longest_fixed(name)
        if not fixed:
            return self.files
        blob = self._names_blob
        found: list[FileEntry] = []
        pos = blob.find(fixed)
        while pos != -1:
            start = blob.rfind("\n", 0, pos) + 1
            end = blob.find("\n", pos)
            found.extend(self.named(blob[start:end]))
            pos = blob.find(fixed, end)
        return found


class FileLookup:
    """Path -> entry over the sorted file list, by bisection (``in`` and ``get``, like a dict):
    a dict of 100,000 paths would hold 5 MB for lookups that a run makes a few hundred of."""

    __slots__ = ("_files",)

    def __init__(self, files: list[FileEntry]) -> None:
        self._files = files  # sorted by path (walk.walk_repo sorts it)

    def get(self, path: str, default: FileEntry | None = None) -> FileEntry | None:
        i = bisect_left(self._files, path, key=path_of)
        if i < len(self._files) and self._files[i].path == path:
            return self._files[i]
        return default

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None


_MIN_FOLDER_PART = 3  # a wildcard folder's fixed part that narrows the folders (_configs)


@lru_cache(maxsize=512)
def matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a path matches any of ``patterns`` (one regex for them all)."""
    joined = "|".join(f"(?:{glob_to_regex(p)})" for p in patterns)
    try:
        return linear.compile(joined, linear.I | linear.S).matches_whole
    except linear.PatternError:  # too large together (an org checklist's globs): one by one
        each = [
            linear.compile(glob_to_regex(p), linear.I | linear.S).matches_whole for p in patterns
        ]
        return lambda path: any(test(path) for test in each)


def glob_to_regex(pattern: str) -> str:
    """Translate a gitignore-style glob into a regex anchored at both ends.

    A pattern without a slash matches the file name at any depth, as in .gitignore; a leading
    slash anchors it at the repository root.
    """
    if pattern.startswith("/"):
        pattern = pattern[1:]
    elif "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        else:
            out.append(linear.escape(c))
        i += 1
    return "".join(out) + r"\Z"
