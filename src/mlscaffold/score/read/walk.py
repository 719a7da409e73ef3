"""List a repository's files safely, in one pass, honouring .gitignore.

Safety rules (the scanned repository is untrusted): symlinks are recorded and never followed,
only regular files are listed, the walk is iterative (a 1,500-level tree cannot exhaust the
stack), depth and entry counts are capped, and nothing is executed (not even ``git``).
"""

from __future__ import annotations

import bisect
import os
import stat
import sys
from dataclasses import dataclass, field

from mlscaffold.score.model import Note

# Folders that are never part of a project's own sources: tool caches, virtualenvs, VCS data.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "site-packages",
        ".eggs",
        ".dvc/cache",
        ".dvc/tmp",
    }
)
MAX_DEPTH = 64
MAX_ENTRIES = 300_000
GITIGNORE_MAX_BYTES = 256 * 1024


class FileEntry:
    """A listed file: repo-relative POSIX path, size, suffix (computed once, interned), and the
    modification and change times in nanoseconds (0 when unknown), which with the size tell
    whether the file is the one an earlier run read (see ``cache``)."""

    __slots__ = ("ctime", "mtime", "path", "size", "suffix")

    def __init__(
        self, path: str, size: int, name: str | None = None, mtime: int = 0, ctime: int = 0
    ) -> None:
        self.path = path
        self.size = size
        self.mtime = mtime
        self.ctime = ctime
        if name is None:
            name = path.rsplit("/", 1)[-1]
        dot = name.rfind(".")
        self.suffix = sys.intern(name[dot:].lower()) if dot > 0 else ""

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def __repr__(self) -> str:
        return f"FileEntry({self.path!r}, {self.size})"


@dataclass
class WalkResult:
    files: list[FileEntry] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    symlinks: list[str] = field(default_factory=list)
    # The same entries by folder ("" for the root) and by lower-case file name, gathered on
    # the way: the walk knows both for free, and globs are answered from them (globs.py).
    by_dir: dict[str, list[FileEntry]] = field(default_factory=dict)
    # by_name values: one FileEntry, or a list when several files share the name.
    by_name: dict[str, FileEntry | list[FileEntry]] = field(default_factory=dict)

    def add_name(self, key: str, entry: FileEntry) -> None:
        """List ``entry`` under its lower-case file name ``key``."""
        known = self.by_name.get(key)
        if known is None:
            self.by_name[key] = entry  # most names are unique: no list for them
        elif isinstance(known, list):
            known.append(entry)
        else:
            self.by_name[key] = [known, entry]

    def without(self, folders: frozenset[str]) -> WalkResult:
        """The files outside ``folders`` (repository-relative, POSIX), as a walk of its own."""

        def outside(path: str) -> bool:
            while path:
                if path in folders:
                    return False
                path = path.rpartition("/")[0]
            return True

        kept = WalkResult(
            [f for f in self.files if outside(f.path)],
            # The notes on the files kept; the symbolic links' summary is made again below.
            [n for n in self.notes if outside(n.path) and n.path != "."],
            [p for p in self.symlinks if outside(p)],
            {d: entries for d, entries in self.by_dir.items() if outside(d)},
        )
        kept.notes += [n for n in self.notes if n.path == "." and not _is_link_note(n)]
        kept.note_symlinks()
        for entry in kept.files:
            kept.add_name(entry.name.lower(), entry)
        return kept

    def note_symlinks(self) -> None:
        """One note for the symbolic links the walk did not follow."""
        if self.symlinks:
            shown = ", ".join(self.symlinks[:5]) + (" ..." if len(self.symlinks) > 5 else "")
            self.notes.append(Note(".", f"{len(self.symlinks)} {_LINK_NOTE}: {shown}"))


def _load_ignore_rules(dir_path: str, rel_dir: str, notes: list[Note]) -> IgnoreRules | None:
    """Parse ``<dir>/.gitignore`` if it is a regular file."""
    path = os.path.join(dir_path, ".gitignore")
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    if st.st_size > GITIGNORE_MAX_BYTES:
        notes.append(
            Note(_join(rel_dir, ".gitignore"), "too large to parse; its rules were ignored")
        )
        return None
    from mlscaffold.score.read.safeio import read_regular_file

    data = read_regular_file(path, GITIGNORE_MAX_BYTES)
    if data is None:
        return None
    lines = data.decode("utf-8", errors="replace").splitlines()
    try:
        return IgnoreRules(rel_dir, lines)
    except Exception as exc:  # pathspec raises assorted errors on odd patterns
        notes.append(Note(_join(rel_dir, ".gitignore"), f"unparseable rules ignored ({exc})"))
        return None


_LINK_NOTE = "symbolic link(s) not followed"


def _is_link_note(note: Note) -> bool:
    return note.path == "." and _LINK_NOTE in note.message


class IgnoreRules:
    """The rules of one .gitignore, applied to paths below its folder.

    pathspec parses the rules with git's semantics (negations, directory rules) and matches
    them with its RE2 backend: one automaton for all the rules of the file, linear in the
    length of a path whatever the patterns (``a*a*a*a*b`` cannot make it backtrack)."""

    __slots__ = ("cut", "prefilter", "spec")

    def __init__(self, rel_dir: str, lines: list[str]) -> None:
        import pathspec

        from mlscaffold.score.read.ignorefilter import RulePrefilter

        self.cut = len(rel_dir) + 1 if rel_dir else 0
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines, backend="re2")
        self.prefilter = RulePrefilter.of(self.spec)

    def ignores(self, rel: str) -> bool:
        """``rel`` is relative to the repository root; a folder ends with ``/``."""
        rel = rel[self.cut :]
        # Most paths match no rule at all, which the prefilter tells for a fraction of what
        # pathspec's own matching costs (see ignorefilter).
        if self.prefilter is not None and not self.prefilter.may_match(rel):
            return False
        try:
            return self.spec.match_file(rel)
        except Exception:  # a pathological pattern must not stop the scan
            return False


class RuleChain:
    """The .gitignore rules in force in a folder (its own and its parents'), with what the
    walk asks of them per folder and per name."""

    __slots__ = ("_names", "rules")

    def __init__(self, rules: tuple[IgnoreRules, ...]) -> None:
        self.rules = rules
        self._names: dict[str, bool] = {}

    def extended(self, more: IgnoreRules) -> RuleChain:
        return RuleChain((*self.rules, more))

    def ignores(self, rel: str) -> bool:
        return any(rule.ignores(rel) for rule in self.rules)

    def clear_folder(self, prefix: str) -> bool:
        """Whether, in the folder ``prefix`` ("" or "a/b/"), a rule can match an entry only
        through the entry's own name (see ignorefilter): then ``name_may_match`` decides which
        entries need ``ignores``."""
        for rule in self.rules:
            if rule.prefilter is None or not rule.prefilter.clear_folder(prefix[rule.cut :]):
                return False
        return True

    def name_may_match(self, name: str) -> bool:
        """Whether a rule may match an entry named ``name`` (a folder's ends with ``/``) in a
        clear folder; names repeat, so each is asked once."""
        hit = self._names.get(name)
        if hit is None:
            hit = self._names[name] = any(r.prefilter.name_may_match(name) for r in self.rules)
        return hit


_NO_RULES = RuleChain(())


def _join(rel_dir: str, name: str) -> str:
    return f"{rel_dir}/{name}" if rel_dir else name


def walk_repo(root: str) -> WalkResult:
    """Walk ``root`` iteratively and return its regular files: those git tracks (read from
    its index, see ``gitindex``) and those no ``.gitignore`` rule excludes."""
    from mlscaffold.score.read.gitindex import tracked_paths

    tracked = tracked_paths(root) or set()
    # Sorted, so "does git track anything under this folder" is one bisection: building every
    # ancestor folder of every path would cost length x depth on a hostile index.
    in_order = sorted(tracked)

    def holds_tracked(folder: str) -> bool:
        at = bisect.bisect_left(in_order, folder + "/")
        return at < len(in_order) and in_order[at].startswith(folder + "/")

    result = WalkResult()
    files = result.files
    notes = result.notes
    add_name = result.add_name
    # Stack items: (absolute dir, relative dir, depth, .gitignore rules in force).
    stack: list[tuple[str, str, int, RuleChain]] = [(root, "", 0, _NO_RULES)]
    entries = 0
    S_ISREG = stat.S_ISREG
    while stack:
        abs_dir, rel_dir, depth, rules = stack.pop()
        here = _load_ignore_rules(abs_dir, rel_dir, notes)
        if here is not None:
            rules = rules.extended(here)
        prefix = rel_dir + "/" if rel_dir else ""
        # Which entries the rules must be asked about: none without rules; in a clear folder
        # only those whose name some rule may match; else all.
        ruled = bool(rules.rules)
        by_names = ruled and rules.clear_folder(prefix)
        may_match = rules.name_may_match
        try:
            scan = os.scandir(abs_dir)
        except OSError as exc:
            notes.append(Note(rel_dir or ".", f"unreadable directory skipped ({exc.strerror})"))
            continue
        with scan:
            children = []
            here_files: list[FileEntry] = []
            for entry in scan:
                entries += 1
                if entries > MAX_ENTRIES:
                    notes.append(
                        Note(rel_dir or ".", f"stopped listing after {MAX_ENTRIES} entries")
                    )
                    stack.clear()
                    break
                name = entry.name
                rel = prefix + name
                if not name.isascii() and not _valid_utf8(name):
                    # Reports are UTF-8 (JSON, SARIF): a name that is not cannot be shown as is.
                    notes.append(Note(_printable(rel), "name is not valid UTF-8; skipped"))
                    continue
                try:
                    # A regular file (most entries) is neither a link nor a folder: one test.
                    is_file = entry.is_file(follow_symlinks=False)
                    if not is_file and entry.is_symlink():
                        result.symlinks.append(rel)
                        continue
                    is_dir = not is_file and entry.is_dir(follow_symlinks=False)
                except OSError:
                    notes.append(Note(rel, "could not be inspected; skipped"))
                    continue
                if is_dir:
                    if (
                        ruled
                        and (not by_names or may_match(name + "/"))
                        and rules.ignores(rel + "/")
                        and not holds_tracked(rel)
                    ):
                        continue
                    if name in SKIP_DIRS or rel in SKIP_DIRS:
                        continue
                    if depth + 1 > MAX_DEPTH:
                        notes.append(Note(rel, f"deeper than {MAX_DEPTH} levels; skipped"))
                        continue
                    children.append((entry.path, rel, depth + 1, rules))
                    continue
                if (
                    ruled
                    and (not by_names or may_match(name))
                    and rules.ignores(rel)
                    and rel not in tracked
                ):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    notes.append(Note(rel, "could not be inspected; skipped"))
                    continue
                if not S_ISREG(st.st_mode):
                    notes.append(Note(rel, "not a regular file (FIFO, socket or device); skipped"))
                    continue
                listed = FileEntry(rel, st.st_size, name, st.st_mtime_ns, st.st_ctime_ns)
                here_files.append(listed)
                key = name.lower()
                # Keep one string, not an equal copy, for the usual lower-case name.
                add_name(name if key == name else key, listed)
            if here_files:
                files.extend(here_files)
                result.by_dir[rel_dir] = here_files
            # Reverse so that the walk visits directories in listing order (stable output).
            stack.extend(reversed(children))
    files.sort(key=path_of)
    result.note_symlinks()
    return result


def path_of(entry: FileEntry) -> str:
    """Sort key of the file list (sorted by path: globs.FileLookup bisects it)."""
    return entry.path


def _valid_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir hands undecodable bytes back as lone surrogates
        return False
    return True


def _printable(rel: str) -> str:
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
