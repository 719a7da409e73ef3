"""What the scoring runs of one repository share: one walk, and what is read from each file.

A monorepo is scored sub-project by sub-project, then once more as a whole for the checks that
roll up from the root (see score.plan). Without sharing, each run walks its folder again,
reads and scans its files again, and parses its modules again: the whole-repository run
repeats every sub-project's work. ``SharedReads`` holds, for one repository and one process:

- the walk of the repository root, from which each sub-project's file list is cut (the
  root's ``.gitignore`` rules and git's index apply to every sub-project, as they do in git);
- the content pass's facts of each file, by absolute path, size and time stamp (a file
  scanned as production code answers for a run that sees it as a test or an example too:
  the rule patterns and production-only scanners are dropped);
- the parse of each Python module (``ast``), by absolute path.

Nothing here outlives the process (the cache module keeps facts between runs).
"""

from __future__ import annotations

import bisect
import os
from typing import Any

from mlscaffold.score.model import Note
from mlscaffold.score.read import scan
from mlscaffold.score.read.walk import SKIP_DIRS, FileEntry, WalkResult, path_of, walk_repo

# SKIP_DIRS entries that are paths: they are relative to the folder scored.
_SKIPPED_PATHS = tuple(d + "/" for d in SKIP_DIRS if "/" in d)


class SharedReads:
    """One repository's walk and per-file reads, shared by the runs over its folders."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self._walked: WalkResult | None = None
        self._facts: dict[str, tuple[int, int, dict[tuple[int, bool], scan.FileFacts]]] = {}
        self.modules: dict[str, Any] = {}  # absolute path -> python.ModuleInfo or None

    def covers(self, folder: str) -> bool:
        return folder == self.root or folder.startswith(self.root.rstrip(os.sep) + os.sep)

    # ----- the walk ---------------------------------------------------------------------
    def walk_of(self, folder: str) -> WalkResult:
        """The files of ``folder`` (the root or a folder inside it), paths relative to it."""
        if self._walked is None:
            self._walked = walk_repo(self.root)
        walked = self._walked
        if folder == self.root:
            return WalkResult(
                list(walked.files), list(walked.notes), list(walked.symlinks),
                dict(walked.by_dir), dict(walked.by_name),
            )  # fmt: skip
        rel = os.path.relpath(folder, self.root).replace(os.sep, "/")
        prefix = rel + "/"
        cut = len(prefix)
        files = walked.files
        # The sorted list holds every path under the prefix in one run.
        start = bisect.bisect_left(files, prefix, key=path_of)
        stop = bisect.bisect_left(files, rel + chr(ord("/") + 1), key=path_of)
        out = WalkResult()
        for entry in files[start:stop]:
            path = entry.path[cut:]
            if path.startswith(_SKIPPED_PATHS):
                continue
            mine = FileEntry(path, entry.size, None, entry.mtime, entry.ctime)
            out.files.append(mine)
            folder_of = path.rpartition("/")[0]
            out.by_dir.setdefault(folder_of, []).append(mine)
            out.add_name(path[len(folder_of) + 1 if folder_of else 0 :].lower(), mine)
        out.symlinks = [s[cut:] for s in walked.symlinks if s.startswith(prefix)]
        for note in walked.notes:
            if note.path.startswith(prefix):
                out.notes.append(Note(note.path[cut:], note.message))
        out.note_symlinks()
        return out

    # ----- facts of files ----------------------------------------------------------------
    def facts_view(self, folder: str, cache: Any = None) -> SharedFacts:
        """The content pass's cache for a run over ``folder``: shared facts first, then
        ``cache`` (the disk cache, or None)."""
        return SharedFacts(self, folder, cache)

    def remember(self, path: str, entry: FileEntry, flags: int, patterns: bool,
                 found: scan.FileFacts) -> None:  # fmt: skip
        known = self._facts.get(path)
        if known is None or known[:2] != (entry.size, entry.mtime):
            known = self._facts[path] = (entry.size, entry.mtime, {})
        known[2][(flags, patterns)] = found

    def recall(self, path: str, entry: FileEntry, flags: int, patterns: bool
               ) -> scan.FileFacts | None:  # fmt: skip
        known = self._facts.get(path)
        if known is None or known[:2] != (entry.size, entry.mtime):
            return None
        by_kind = known[2]
        found = by_kind.get((flags, patterns))
        if found is None and not patterns:
            richer = by_kind.get((flags, True))
            if richer is not None:  # read as production code: drop what only that run wants
                found = _without_production_facts(richer)
        return found


class SharedFacts:
    """A run's view of the shared facts, in the content pass's cache interface."""

    __slots__ = ("_cache", "_prefix", "_shared")

    def __init__(self, shared: SharedReads, folder: str, cache: Any) -> None:
        self._shared = shared
        self._prefix = folder.rstrip(os.sep) + os.sep
        self._cache = cache

    def get(self, entry: FileEntry, flags: int, patterns: bool) -> scan.FileFacts | None:
        path = self._prefix + entry.path
        found = self._shared.recall(path, entry, flags, patterns)
        if found is None and self._cache is not None:
            found = self._cache.get(entry, flags, patterns)
            if found is not None:
                self._shared.remember(path, entry, flags, patterns, found)
        return found

    def keep(self, fresh: dict[str, tuple[FileEntry, int, bool, scan.FileFacts]]) -> None:
        """Share the facts a run's content pass read itself."""
        for rel, (entry, flags, patterns, found) in fresh.items():
            self._shared.remember(self._prefix + rel, entry, flags, patterns, found)


def _without_production_facts(facts: scan.FileFacts) -> scan.FileFacts:
    only = {i for i, s in enumerate(scan.TEXT_SCANNERS) if s.production_only}
    return scan.FileFacts(
        facts.imports, [], facts.headings, [s for s in facts.scanned if s[0] not in only],
        facts.notes,
    )  # fmt: skip
