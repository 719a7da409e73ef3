"""RepoIndex: everything the checks need to know about a repository, gathered once.

The file list comes from one walk (``walk.walk_repo``). Every other fact (imports, Markdown
sections, dependencies, config keys, CI files, Python definitions) is computed lazily on
first use and cached, so a run reads only the files that some check actually asks about.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import Any

from mlscaffold.score.budget import tick
from mlscaffold.score.model import Note
from mlscaffold.score.read import linear, scan
from mlscaffold.score.read.globs import FileLookup, PathIndex
from mlscaffold.score.read.readers import deps as deps_reader
from mlscaffold.score.read.readers import markdown, notebooks, python, structured
from mlscaffold.score.read.scan import Located
from mlscaffold.score.read.walk import FileEntry, path_of, walk_repo

__all__ = ["Located", "RepoIndex"]

# Larger files are listed but not parsed (notebooks are read further: scan.size_limit).
MAX_PARSE_BYTES = 1024 * 1024
MAX_MARKDOWN_FILES = 300  # scoping prose is in a few files; a docs site has thousands
MAX_KEYS_PER_FILE = 20_000  # a config file with more is generated or hostile
# Prose is parsed (markdown-it, pure Python) up to this many characters and sections a file.
MAX_PROSE_CHARS = markdown.MAX_PROSE_CHARS
MAX_PROSE_NOTEBOOKS = 30  # notebooks whose markdown cells are read as prose (DA004)
MAX_SECTIONS = 500
_MAX_NAMES_RESOLVED = 200  # names of one `from x import a, b, ...` looked up as modules
_NOTEBOOK_CACHE_CHARS = 32 << 20  # notebook code kept for the checks that ask again
MAX_CONTENT_FILES = 20  # main documents searched for a topic by content
MAX_STATEMENT_SECTIONS = 5  # sections of one document where a statement is looked for
MAX_DATA_READMES = 20

README_NAMES = ("readme.md", "readme.rst", "readme.txt", "readme.markdown", "readme")
# A dataset exported from Roboflow (YOLO projects) describes itself in these.
_DATA_README_NAMES = (*README_NAMES, "readme.dataset.txt", "readme.roboflow.txt")
# The last folder of a data folder's path: data/, datasets/, raw/, "Bike-Sharing-Dataset",
# "scraped_data" (not "data_utils/": a package of code about data).
_DATA_FOLDER = linear.lazy(r"(^|/)(raw|processed|interim)$|(^|/|[-_ ])(data|datasets?)$", linear.I)
# Any data folder on a path: data/, datasets/, and a RAG application's corpus/.
DATA_DIR = linear.lazy(r"(^|/)(data|datasets?|corpus|corpora)/", linear.I)
# Files of rows: a folder holding one is a data folder.
TABLE_SUFFIXES = (
    ".csv",
    ".tsv",
    ".dat",
    ".parquet",
    ".jsonl",
    ".xlsx",
    ".xls",
    ".arff",
    ".feather",
)

_TEST_DIR_RE = linear.lazy(r"(^|/)(tests?|testing)/")
_TEST_FOLDER = 1
_NON_PRODUCTION = 2
# Code that is not the project's own production path: examples, docs, vendored or generated code.
NON_PRODUCTION_RE = linear.lazy(
    r"(^|/)(docs?|examples?|tutorials?|notebooks?|scripts/legacy|third_party|vendor|benchmarks?|"
    r"migrations|\.[^/]+)/"
)
# Code put away (old/, archived/, old_files_backup/, pipeline_deprecated/): not the code that
# runs. Only for code: a Kaggle download unzips its data to archive/, and legacy_api/ may serve.
_PUT_AWAY_RE = linear.lazy(
    r"(?i)(^|/)((old|archived?|deprecated|legacy|attic|backups?)|"
    r"([\w-]*[_-])?(old|deprecated|backups?)|(old|deprecated|backups?)[_-][\w-]*)/"
)
# A URL in prose (its digits are no statement: see RepoIndex._without_urls).
_URL = linear.lazy(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s)\]>\"']+")
# Run stores (MLflow's, a W&B run's local folder with its config.yaml and the pip freeze of
# the run's environment): what they hold was logged by runs, not written by the project.
_RUN_STORE = linear.lazy(r"(^|/)(mlruns|mlartifacts|wandb/(offline-)?run-[^/]+)/")
_HIDDEN = linear.lazy(r"(^|/)\.[^/]+(/|$)")
# Not project configuration: CI and editor folders, and the files of packaging and tools.
_TOOL_FOLDER = linear.lazy(r"(^|/)(\.github|\.gitlab|\.circleci|node_modules)/")
_TOOL_FILE = linear.lazy(
    r"\.pre-commit[^/]*|docker-compose[^/]*|compose\.ya?ml|environment[^/]*|conda[^/]*|"
    r"[^/]*[_-]env\.ya?ml|"  # conda environments (deps.kind_of)
    r"package(-lock)?\.json|tsconfig\.json|[^/]*\.lock|\.gitlab-ci\.yml|mkdocs\.ya?ml|"
    r"codecov\.ya?ml|\.readthedocs\.ya?ml|pyproject\.toml|\.copier-answers\.ya?ml"
)
# recipes/: Hugging Face projects keep a run's configuration there (alignment-handbook, trl).
CONFIG_DIR_RE = linear.lazy(
    r"(^|/)(conf|confs|config|configs|configuration|params|hparams|recipes)/"
)
# Suffixes of the files deps_reader.kind_of can recognise (Pipfile has none).
_DEPENDENCY_SUFFIXES = (".toml", ".cfg", "", ".yml", ".yaml", ".txt", ".in")  # and setup.py
CONFIG_EXT = (".yaml", ".yml", ".toml", ".json", ".cfg", ".ini")
# A configuration file by its name, wherever it is (model/scripts/config.json, params.yaml,
# settings.dev.yaml): its first dotted part, with one of these suffixes.
_CONFIG_STEMS = frozenset(
    "config configs settings params parameters hyperparam hyperparams hparams dvc".split()
)
_CONFIG_NAME_SUFFIXES = (".yaml", ".yml", ".toml", ".json")
# Quarto and R Markdown reports are Markdown with code chunks.
PROSE_EXT = (".md", ".markdown", ".rst", ".qmd", ".rmd")
# Release notes, legal text and issue templates are prose, but not about the project's scope.
_NOT_PROSE = linear.lazy(
    r"(^|/)(changelog|changes|history|license|licence|copying|notice|code_of_conduct|"
    r"contributing|security|news|release[-_ ]?notes|migration|migrating|upgrading)[^/]*$|"
    # Change reports and plans (DATA_ISSUE_FIX_SUMMARY.md, DASHBOARD_IMPROVEMENTS_SUMMARY.md,
    # V2_2_REPAIR_PLAN.md): what a session changed or means to, not the project's scope.
    r"(^|/)[^/]*(fix|improvement|enhance|change|update|repair|cleanup|refactor)[^/]*"
    r"[-_ ](summary|plan)[^/]*$|"
    r"(^|[/_-])(fix|fixes|bugfix|hotfix)([-_][^/]*)?\.(md|markdown|rst)$|"
    r"(^|/)(whats_new|release[-_]?notes|releasenotes|changelog|changes|migrations?|"
    r"\.github|ISSUE_TEMPLATE)/|"
    # Instructions for coding assistants and tools' hidden folders (.agents/skills/*/SKILL.md:
    # "Out of scope" there is the agent's, not the model's).
    r"(^|/)\.[^/]+/|(^|/)(agents|claude|gemini|copilot-instructions)\.md$|"
    # Generated API references and the frozen copies of older docs: nobody's scoping prose.
    r"(^|/)(versioned_docs|reference_versioned_docs|api[-_]?reference|_autosummary|autoapi)/|"
    r"(^|/)reference/([^/]*[-_])?api([-_][^/]*)?/",
    linear.I,
)


# A git submodule's folder, as .gitmodules names it.
_SUBMODULE_PATH = linear.lazy(r"^[ \t]*path[ \t]*=[ \t]*([^\n]+?)[ \t]*$", linear.M)
_LICENCE_NAMES = ("license", "license.txt", "license.md", "licence", "copying", "license.rst")
_DISTRIBUTION_FILES = ("setup.py", "setup.cfg", "pyproject.toml")
_MAX_VENDORED = 50
_LICENCE_CHARS = 4000  # where a licence names its kind and its holder
# "Copyright (c) 2019-2024 Jane Doe and contributors": the holder after the years (not the
# templates' "[yyyy] [name of copyright owner]").
_COPYRIGHT = linear.lazy(
    r"copyright[ \t]*(?:\(c\)|©)?[ \t]*(?:[\d \t,\x{2013}-]+)?(?:by[ \t]+)?"
    r"([A-Za-z][^\n\[\]]{1,80})",
    linear.I,
)
_HOLDER_WORD = linear.lazy(r"[a-z][a-z0-9]+")
_NOT_HOLDER = frozenset("all rights reserved the and contributors authors inc ltd llc".split())


def _another_owner(
    folder: tuple[str, frozenset[str]] | None, root: tuple[str, frozenset[str]] | None
) -> bool:
    """Whether a folder's licence is someone else's: the project licenses nothing while the
    folder does, the holders share no word ("2025 Daniel Duque" and "2024 Daniel Duque
    (DuqueOM)" are one owner), or, with no holder to compare, the licences differ in kind."""
    if folder is None:
        return False
    if root is None:
        return True
    if folder[1] and root[1]:
        return not folder[1] & root[1]
    return folder[0] != root[0]


_ROOT_ONLY_FOLDERS = (".github/workflows", ".circleci")
# Folders named for copies of other projects.
_VENDOR_FOLDER = linear.lazy(
    r"(^|/)(third[_-]?party|3rd[_-]?party|vendor|vendored|external|extern)/", linear.I
)


class RepoIndex:
    """Facts about one repository rooted at ``root``; built once, queried by every detector."""

    def __init__(
        self,
        root: str,
        max_parse_bytes: int = MAX_PARSE_BYTES,
        shared: Any = None,
        exclude: frozenset[str] = frozenset(),
    ) -> None:
        self.root = os.path.realpath(root)
        self.max_parse_bytes = max_parse_bytes
        self._text_cache: dict[str, str | None] = {}
        self._ast_cache: dict[str, python.ModuleInfo | None] = {}
        self._real_function: dict[str, bool] = {}  # has_real_function's answers by path
        self._notebook_cache: dict[str, str | None] = {}  # code cells by path
        self._notebook_chars = 0  # held in it (past _NOTEBOOK_CACHE_CHARS, read again)
        self._resolved: dict[tuple[str, str], str | None] = {}  # (folder, module) -> path
        self._targets: dict[tuple[str, str, tuple[str, ...]], tuple[str, ...]] = {}
        self._sections_cache: dict[str, list[markdown.Section]] = {}
        self._noted: set[tuple[str, str]] = set()
        self._folder_kinds: dict[str, int] = {}
        self._lower_module: dict[str, str] = {}  # import names repeat: lower each once
        # Derived facts shared by several rules (see rules.facts), computed once.
        self.memo: dict[str, Any] = {}
        # An earlier run's facts of unchanged files (see cache), set by the engine.
        self.cache: Any = None
        # What the runs over one repository's folders share (see sharing), or None.
        self.shared = shared if shared is not None and shared.covers(self.root) else None
        walked = self.shared.walk_of(self.root) if self.shared else walk_repo(self.root)
        if exclude:  # a monorepo's own code beside its sub-projects (see plan)
            walked = walked.without(exclude)
        self.files: list[FileEntry] = walked.files
        self.notes: list[Note] = walked.notes
        self.paths = PathIndex(walked.files, walked.by_name, walked.by_dir)
        self.by_path = FileLookup(self.files)

    # ----- reading -------------------------------------------------------------------------
    def note(self, path: str, message: str) -> None:
        if (path, message) not in self._noted:
            self._noted.add((path, message))
            self.notes.append(Note(path, message))

    def text(self, path: str, cache: bool = True) -> str | None:
        """Decoded content of a listed file, or None if too large, binary or unreadable.
        ``cache=False`` for one-off reads whose facts are kept instead of the text."""
        if path in self._text_cache:
            return self._text_cache[path]
        entry = self.by_path.get(path)
        if entry is None:
            return None
        result, why_not = scan.read_text(self.root, path, entry.size, self.max_parse_bytes)
        if why_not:
            self.note(path, why_not)
        if cache:
            self._text_cache[path] = result
        return result

    def read_contents(self) -> None:
        """Do the content pass now (it is otherwise done when a check first asks)."""
        self._content  # noqa: B018 - a cached property: computing it is the point

    @cached_property
    def _content(self) -> scan.ContentFacts:
        """The single read of every file a check looks inside (see ``scan``), done when a
        check first asks (or the engine, before the checks). Rules imported after it add
        patterns: then it is done again, so that every pattern has its table."""
        cache = self.shared.facts_view(self.root, self.cache) if self.shared else self.cache
        facts = scan.scan_files(
            self.root, self.files, set(self.prose_files), self.max_parse_bytes,
            self.is_production_code, cache,
        )  # fmt: skip
        if self.shared:
            cache.keep(facts.fresh)
        for path, message in facts.notes:
            self.note(path, message)
        return facts

    @property
    def fresh_facts(self) -> dict[str, Any]:
        """Facts of the files the content pass read itself (for the cache); none if it did
        not run."""
        facts = self.__dict__.get("_content")
        return facts.fresh if facts is not None else {}

    def _facts(self) -> scan.ContentFacts:
        facts = self._content
        if not facts.fits_registry():
            del self.__dict__["_content"]
            facts = self._content
        return facts

    def scanned(self, name: str) -> dict[str, Any]:
        """What text scanner ``name`` found, by path (files where it found nothing are omitted)."""
        for i, scanner in enumerate(scan.TEXT_SCANNERS):
            if scanner.name == name:
                return self._facts().scanned[i]
        raise KeyError(f"no text scanner named {name!r}")

    # ----- file list queries --------------------------------------------------------------
    def glob(self, patterns: Iterable[str]) -> list[FileEntry]:
        """Files matching any gitignore-style glob (``**/Dockerfile``, ``*.dvc``, ``docs/**``)."""
        return self.paths.glob(patterns)

    @cached_property
    def by_suffix(self) -> dict[str, list[FileEntry]]:
        """The file list by lower-case suffix (``.py``; ``""`` for none), each in path order:
        most queries want one or two kinds of file, not all of them."""
        groups: dict[str, list[FileEntry]] = {}
        for f in self.files:
            group = groups.get(f.suffix)
            if group is None:
                groups[f.suffix] = [f]
            else:
                group.append(f)
        return groups

    def with_suffixes(self, *suffixes: str) -> list[FileEntry]:
        """Files with any of the lower-case ``suffixes``, in path order."""
        groups = [self.by_suffix.get(s, []) for s in suffixes]
        if len(groups) == 1:
            return list(groups[0])  # a copy: the grouping is shared by every query
        return sorted((f for group in groups for f in group), key=path_of)

    @cached_property
    def python_files(self) -> list[str]:
        return [f.path for f in self.by_suffix.get(".py", ())]

    @cached_property
    def notebooks(self) -> list[str]:
        return [f.path for f in self.by_suffix.get(".ipynb", ())]

    def _folder_kind(self, folder: str) -> int:
        """Test/non-production bits of a folder (``a/b/``), computed once per folder: the
        file list has far fewer folders than files."""
        kind = self._folder_kinds.get(folder)
        if kind is None:
            kind = (_TEST_FOLDER if _TEST_DIR_RE.search(folder) else 0) | (
                _NON_PRODUCTION
                if NON_PRODUCTION_RE.search(folder) or _PUT_AWAY_RE.search(folder)
                else 0
            )
            self._folder_kinds[folder] = kind
        return kind

    def is_test(self, path: str) -> bool:
        """Tests: anything under a test/, tests/ or testing/ folder, and test_*.py, *_test.py
        and conftest.py anywhere."""
        cut = path.rfind("/") + 1
        if self._folder_kind(path[:cut]) & _TEST_FOLDER:
            return True
        return _is_test_name(path[cut:])

    def is_production_code(self, path: str) -> bool:
        """Python that belongs to the project's own pipeline or service (not tests, docs...)."""
        if not path.endswith(".py"):
            return False
        cut = path.rfind("/") + 1
        return self.is_production_folder(path[:cut]) and not _not_production_name(path[cut:])

    def is_production_folder(self, folder: str) -> bool:
        """Whether a folder (``a/b/``, or ``""`` for the root) holds the project's own code:
        not tests, docs, examples or code put away."""
        return not self._folder_kind(folder)

    @cached_property
    def production_python(self) -> list[str]:
        out = []
        folder_kind = self._folder_kind
        folder, kind = None, 0
        for f in self.by_suffix.get(".py", ()):
            path = f.path
            if not path.endswith(".py"):  # train.PY is listed as Python, but never production
                continue
            cut = path.rfind("/") + 1
            if path[:cut] != folder:  # files of a folder mostly come together
                folder = path[:cut]
                kind = folder_kind(folder)
            if not kind and not _not_production_name(path[cut:]):  # tests/, docs/, hidden...
                out.append(path)
        return out

    # ----- Python -------------------------------------------------------------------------
    def notebook_code(self, path: str, cache: bool = True) -> str | None:
        if path in self._notebook_cache:
            return self._notebook_cache[path]
        content = self.__dict__.get("_content")  # the content pass kept what it parsed
        if content is not None and path in content.notebook_code:
            return content.notebook_code[path]
        # The code is kept, not the notebook: its outputs can weigh megabytes.
        text = self.text(path, cache=False)
        code = None
        if text is not None:
            code, err = notebooks.code_cells(text, self.max_parse_bytes)
            if err is not None:
                self.note(path, f"malformed notebook ({err})")
        if cache and self._notebook_chars < _NOTEBOOK_CACHE_CHARS:
            self._notebook_cache[path] = code
            self._notebook_chars += len(code or "")
        return code

    def code(self, path: str, cache: bool = True) -> str | None:
        if path.endswith(".ipynb"):
            return self.notebook_code(path, cache)
        return self.text(path, cache)

    @property
    def imports(self) -> dict[str, list[python.ImportRef]]:
        """Imports of every Python file and notebook, by path."""
        return self._facts().imports

    @cached_property
    def pattern_code(self) -> list[str]:
        """The files the content pass ran the rule patterns on: production modules, then
        notebooks. A rule asking about any other file reads it itself."""
        return self.production_python + self.notebooks

    @cached_property
    def pattern_scope(self) -> frozenset[str]:
        return frozenset(self.pattern_code)

    @cached_property
    def notebook_set(self) -> frozenset[str]:
        return frozenset(self.notebooks)

    def code_matches(self, pattern: Any) -> dict[str, Located] | None:
        """First match per file of a registered code pattern, or None if not registered."""
        for i, registered in enumerate(scan.CODE_PATTERNS):
            if registered is pattern:
                return self._facts().matches[i]
        return None

    @property
    def _importers_by_top(self) -> dict[str, list[str]]:
        """Files by the top-level modules they import (found in the content pass)."""
        return self._facts().by_top

    def importers_of(self, modules: Iterable[str]) -> list[Located]:
        """Where any of ``modules`` is imported: a top-level name (``mlflow``) matches every
        import under it, a dotted one (``ray.serve``) only that module and its children.
        Sorted by path and line, then by the wanted name that matched."""
        hits = list(self._import_hits(modules))
        hits.sort(key=_first_three)
        return [Located(path, line, module) for path, line, _, module in hits]

    def imports_any(self, modules: Iterable[str], where: Callable[[str], bool]) -> bool:
        """Whether a file that ``where`` accepts imports any of ``modules`` (as in
        ``importers_of``), stopping at the first: a library imported by tens of thousands of
        files need not be listed to answer."""
        return any(where(hit[0]) for hit in self._import_hits(modules))

    def first_importer(
        self, modules: Iterable[str], where: Callable[[str], bool]
    ) -> Located | None:
        """The first import of any of ``modules`` (as in ``importers_of``) in a file that
        ``where`` accepts, stopping there."""
        for path, line, _, module in self._import_hits(modules):
            if where(path):
                return Located(path, line, module)
        return None

    def _import_hits(self, modules: Iterable[str]) -> Iterator[tuple[str, int, int, str]]:
        """(path, line, rank of the wanted name, module) of each matching import, file by
        file; each importing file's imports are looked at once per top-level name."""
        ranked = sorted({m.lower() for m in modules})
        by_top: dict[str, list[tuple[str, int]]] = {}
        for rank, wanted in enumerate(ranked):
            by_top.setdefault(wanted.split(".", 1)[0], []).append((wanted + ".", rank))
        imports, lower = self.imports, self._lower_module
        for top in sorted(by_top):
            wanted = by_top[top]
            for path in self._importers_by_top.get(top, ()):
                mine: list[tuple[str, int, int, str]] = []
                for ref in imports[path]:
                    module = ref[0]
                    name = lower.get(module)
                    if name is None:
                        name = lower[module] = module.lower() + "."
                    for below, rank in wanted:  # "ray." matches "ray." and "ray.serve."
                        if name.startswith(below):
                            mine.append((path, ref[1], rank, module))
                            break
                if len(mine) > 1:
                    mine = list(dict.fromkeys(mine))  # "import os, os": one finding
                yield from mine

    def has_real_function(self, path: str) -> bool:
        """Whether a prefix of a large module already shows a function that does something
        (see ``python.has_real_function``); a module already parsed answers from its parse."""
        if path in self._ast_cache:
            info = self._ast_cache[path]
            return info is not None and any(not f.is_stub for f in info.functions)
        if path not in self._real_function:  # asked again by the next check: parse once
            code = self.code(path)
            self._real_function[path] = code is not None and python.has_real_function(code)
        return self._real_function[path]

    def module_info(self, path: str) -> python.ModuleInfo | None:
        if path not in self._ast_cache:
            shared = self.shared.modules if self.shared else None
            where = os.path.join(self.root, path)
            if shared is not None and where in shared:
                info, read = shared[where]
            else:
                code = self.code(path)
                read = code is not None
                info = python.module_info(code) if read else None
                if shared is not None:
                    shared[where] = (info, read)
            if read and info is None:
                self.note(path, "Python that does not parse; its definitions were not read")
            self._ast_cache[path] = info
        return self._ast_cache[path]

    @cached_property
    def local_modules(self) -> dict[str, str]:
        """Dotted module name -> path, for the repo's own Python (``pkg.features``)."""
        names: dict[str, str] = {}
        for path in self.python_files:
            parts = path[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            # A module may be imported as src.pkg.mod, pkg.mod or (scripts dir) mod.
            for start in range(len(parts)):
                dotted = ".".join(parts[start:])
                if dotted:
                    names.setdefault(dotted, path)
        return names

    @cached_property
    def _module_depth(self) -> int:
        """The most parts a module of the repository can be named by (``src.pkg.mod``: 3): an
        import's longer dotted name is cut to this before it is looked up (a hostile
        ``import a.a.a...`` of 150,000 parts made each lookup join every prefix)."""
        return max((path.count("/") + 1 for path in self.python_files), default=1)

    def resolve_import(self, importer: str, ref: python.ImportRef) -> str | None:
        """Path of the repo module an import refers to, if it is one of the repo's own."""
        module = ref.module
        if module.startswith("."):
            level = len(module) - len(module.lstrip("."))
            base = importer.split("/")[:-level] if level else importer.split("/")[:-1]
            rest = module.lstrip(".")
            candidate = "/".join(base + rest.split(".")[: self._module_depth])
            candidate = candidate if rest else "/".join(base)
            for path in (candidate + ".py", candidate + "/__init__.py"):
                if path in self.by_path:
                    return path
            return None
        folder = importer[: importer.rfind("/") + 1]
        key = (folder, module)
        if key not in self._resolved:
            self._resolved[key] = self._resolve_absolute(folder, module)
        return self._resolved[key]

    def _resolve_absolute(self, folder: str, module: str) -> str | None:
        parts = module.split(".", self._module_depth)[: self._module_depth]
        # A script or notebook's own folder comes first on Python's path: `import helpers`
        # beside it is that folder's helpers.py, not another folder's.
        if folder:
            for n in range(len(parts), 0, -1):
                candidate = folder + "/".join(parts[:n])
                for path in (candidate + ".py", candidate + "/__init__.py"):
                    if path in self.by_path:
                        return path
        while parts:
            hit = self.local_modules.get(".".join(parts))
            if hit:
                return hit
            parts.pop()
        return None

    def resolve_import_targets(self, importer: str, ref: python.ImportRef) -> list[str]:
        """Repo modules an import brings in: ``from pkg import data`` is pkg/data.py when that
        module exists, else pkg/__init__.py. A module beside the importer comes first, as in
        Python: ``from utils import data`` next to utils.py takes ``data`` from it."""
        # Asked again and again by the checks that follow imports (tens of thousands of times
        # on a large repository): the answer depends only on the importer's folder and the
        # import's module and names. A copy is returned: callers may extend it.
        key = (importer[: importer.rfind("/") + 1], ref.module, ref.names[:_MAX_NAMES_RESOLVED])
        hit = self._targets.get(key)
        if hit is None:
            hit = self._targets[key] = tuple(self._import_targets(importer, ref))
        return list(hit)

    def _import_targets(self, importer: str, ref: python.ImportRef) -> list[str]:
        if ref.module.startswith("."):
            hit = self.resolve_import(importer, ref)
            return [hit] if hit else []
        module = self.resolve_import(importer, ref)
        found = []
        if module is None or module.endswith("/__init__.py") or module == "__init__.py":
            # A package (or nothing): its names may be its modules.
            package = module[: -len("__init__.py")] if module else None
            for name in ref.names[:_MAX_NAMES_RESOLVED]:
                hit = None
                if package is not None:
                    hit = next(
                        (p for p in (f"{package}{name}.py", f"{package}{name}/__init__.py")
                         if p in self.by_path),
                        None,
                    )  # fmt: skip
                else:
                    hit = self.local_modules.get(f"{ref.module}.{name}")
                if hit:
                    found.append(hit)
        if not found and module:
            found.append(module)
        return found

    # ----- vendored copies of other projects --------------------------------------------
    @cached_property
    def vendored_roots(self) -> tuple[str, ...]:
        """Folders holding a copy of another project ("benchmark_VAE/"): a git submodule's
        path, even when its files were committed as the repository's own, or a distribution of
        its own (a licence beside setup.py, setup.cfg or pyproject.toml) that carries its own
        CI, or whose package code outside it imports under a licence other than the root's
        (the project's own package, licensed as the project is, stays the project's).
        Reviewers credit such code where the project uses it, not its tests or its documents.
        Asked after the content pass (it reads the imports)."""
        roots: set[str] = set()
        if ".gitmodules" in self.by_path:
            found = _SUBMODULE_PATH.finditer(self.text(".gitmodules") or "")
            for m in itertools.islice(found, _MAX_VENDORED):
                folder = m.group(1).strip().strip("/")
                inside = folder + "/"
                if folder and any(f == folder or f.startswith(inside) for f in self.paths.folders):
                    roots.add(inside)
        licences = {
            entry.path.rpartition("/")[0]: entry.path
            for name in _LICENCE_NAMES
            for entry in self.paths.named(name)
        }
        root_licence = self._licence(licences.pop("", None))
        candidates = []
        for folder in sorted(licences)[:_MAX_VENDORED]:
            if not any(f"{folder}/{name}" in self.by_path for name in _DISTRIBUTION_FILES):
                continue
            if any(f"{folder}/{ci}" in self.paths.folders for ci in _ROOT_ONLY_FOLDERS):
                # CI runs only at a repository's root: a distribution holding its own
                # .github/workflows was a repository of its own, copied in whole.
                roots.add(folder + "/")
            elif _another_owner(self._licence(licences[folder]), root_licence):
                candidates.append(folder)
        if candidates:
            inits = [e.path for e in self.paths.named("__init__.py")]
            importers: dict[str, list[str]] = {}  # top-level module -> the files importing it
            for path, refs in self._facts().imports.items():
                for top in {ref.module.partition(".")[0] for ref in refs}:
                    importers.setdefault(top, []).append(path)
            for folder in candidates:
                prefix = folder + "/"
                packages = set()
                for path in inits:
                    if path.startswith(prefix):
                        inner = path[len(prefix) :].removeprefix("src/").split("/")
                        if len(inner) == 2:  # pythae/__init__.py, src/pythae/__init__.py
                            packages.add(inner[0])
                if any(
                    not path.startswith(prefix)
                    for package in packages
                    for path in importers.get(package, ())
                ):
                    roots.add(prefix)
        return tuple(sorted(roots))

    def _licence(self, path: str | None) -> tuple[str, frozenset[str]] | None:
        """A licence's kind (its first line) and its holder's words, years aside; None when
        there is no licence file."""
        text = self.text(path, cache=False) if path else None
        if text is None:
            return None
        text = text[:_LICENCE_CHARS]
        kind = next((ln.strip().lower() for ln in text.splitlines() if ln.strip()), "")
        holder = _COPYRIGHT.search(text)
        words = frozenset(_HOLDER_WORD.findall(holder.group(1).lower())) if holder else frozenset()
        return kind, words - _NOT_HOLDER

    def is_vendored(self, path: str) -> bool:
        """Whether a file belongs to a copy of another project (see ``vendored_roots``) or to
        a folder named for such copies (third_party/, vendor/, external/)."""
        return bool(_VENDOR_FOLDER.search(path)) or path.startswith(self.vendored_roots)

    # ----- prose ----------------------------------------------------------------------------
    @cached_property
    def prose_files(self) -> list[str]:
        files = [f.path for f in self.with_suffixes(*PROSE_EXT) if self._is_prose(f)]
        files.sort(key=_prose_rank)
        if len(files) > MAX_MARKDOWN_FILES:
            self.note(
                ".",
                f"only {MAX_MARKDOWN_FILES} of {len(files)} Markdown files were read (READMEs "
                "and cards, then docs/, then the shallowest)",
            )
            files = files[:MAX_MARKDOWN_FILES]
        return files

    def _is_prose(self, f: FileEntry) -> bool:
        """Prose about the project (Markdown, Quarto, R Markdown or reStructuredText), before
        the cap on how many files are read."""
        return f.suffix in PROSE_EXT and not _NOT_PROSE.search(f.path) and not self.is_test(f.path)

    @cached_property
    def _heading_candidates(self) -> dict[str, list[str]]:
        """Heading-like lines of each prose file (root and docs/ first), from the content pass."""
        headings = self._facts().headings
        return {
            p: headings[p] for p in self.prose_files if p in headings and not self.is_vendored(p)
        }

    @cached_property
    def _files_by_heading_line(self) -> tuple[list[str], dict[str, list[int]]]:
        """The prose files with candidates, and for each distinct candidate line the positions
        of the files that have it: lines repeat across files ("## Usage"), so each heading
        pattern is tested once per distinct line."""
        paths = list(self._heading_candidates)
        by_line: dict[str, list[int]] = {}
        for i, path in enumerate(paths):
            for line in self._heading_candidates[path]:
                where = by_line.get(line)
                if where is None:
                    by_line[line] = [i]
                elif where[-1] != i:
                    where.append(i)
        return paths, by_line

    def sections_matching(self, heading: linear.Pattern) -> list[markdown.Section]:
        """Sections whose heading matches ``heading`` (see ``iter_sections``)."""
        return list(self.iter_sections(heading))

    def iter_sections(self, heading: linear.Pattern) -> Iterator[markdown.Section]:
        """Sections whose heading matches ``heading``, file by file in the order of
        ``prose_files``. Only files with a matching candidate heading line are parsed (with
        markdown-it, so code blocks and the like are not mistaken for headings), each at most
        once per run, and only as far as the caller reads: a check that finds its answer in
        the README parses nothing else."""
        paths, by_line = self._files_by_heading_line
        search = heading.occurs_in
        hits: set[int] = set()
        for line, where in by_line.items():
            tick()
            if search(line):
                hits.update(where)
        for path in (paths[i] for i in sorted(hits)):
            tick()
            for section in self._sections(path):
                if search(section.heading):
                    yield section

    def introductions_saying(self, content: linear.Pattern) -> Iterator[markdown.Section]:
        """The introductions (the paragraphs under a title, before the first section) that
        match ``content``, of the main documents: READMEs, cards and docs/ pages (the first
        MAX_CONTENT_FILES of ``prose_files``), where a project states its scope first."""
        for path in self.main_documents():
            tick()
            text = self.text(path) or ""
            if not content.occurs_in(text[:MAX_PROSE_CHARS]):
                continue
            intro = markdown.introduction(path, text[:MAX_PROSE_CHARS], self._sections(path))
            if intro is not None and content.occurs_in(intro.body):
                yield intro

    def main_documents(self) -> list[str]:
        """READMEs, cards and docs/ pages, the first MAX_CONTENT_FILES of ``prose_files``
        (generated pages aside): where a reviewer reads a project's scope."""
        found = self.memo.get("main_documents")
        if found is None:  # asked by several checks, after the content pass
            headings = self._facts().headings
            found = self.memo["main_documents"] = [
                p
                for p in self.prose_files
                if p in headings and _prose_rank(p)[0] <= 1 and not self.is_vendored(p)
            ][:MAX_CONTENT_FILES]
        return list(found)

    def statements(
        self,
        pattern: linear.Pattern,
        prose_only: bool = False,
        unless: linear.Pattern | None = None,
    ) -> Iterator[markdown.Section]:
        """For each main document whose text matches ``pattern``, the sections (or the
        introduction) where its matches are, in order, each once (the first may be a bare
        command that says nothing, the next a paragraph that says it). At most
        MAX_STATEMENT_SECTIONS a document. ``prose_only``: matches in fenced code blocks do
        not count (``{"f1": 0.5}`` in an example request states no result); ``unless``: nor
        do matches it occurs within 30 characters of (an option's "IoU threshold (default:
        0.45)")."""
        for path in self.main_documents():
            tick()
            text = (self.text(path) or "")[:MAX_PROSE_CHARS]
            sections = self._sections(path)
            seen: set[int] = set()
            code = markdown.fenced_lines(text) if prose_only else frozenset()
            if prose_only and "://" in text:
                text = self._without_urls(path, text)
            for line, m in pattern.finditer_lines(text):
                tick()
                if _dotted(text, m.start(), m.end()):
                    continue  # a version or a date ("than 8.5.1.7", "2024.03.15"), no value
                if line in code or (
                    # near the match, not anywhere on its line: a paragraph on one line may
                    # state a score and then an option's default
                    unless is not None
                    and unless.occurs_in(text[max(0, m.start() - 30) : m.end() + 30])
                ):
                    continue
                holding = [s for s in sections if s.line <= line]
                where = holding[-1].line if holding else 0
                if where in seen:
                    continue
                seen.add(where)
                if holding:
                    yield holding[-1]
                elif (intro := markdown.introduction(path, text, sections)) is not None:
                    yield intro
                if len(seen) == MAX_STATEMENT_SECTIONS:
                    break

    def _without_urls(self, path: str, text: str) -> str:
        """A document's text without its URLs, once a run: a URL's digits are no score
        ("Private LB](.../2018-08-30%2013.42.37.png)"). Removed, not blanked (no URL holds a
        line break), so "[Dice](https://...) of 0.988" still says one."""
        memo = self.memo.setdefault("text_without_urls", {})
        if path not in memo:
            memo[path] = _URL.sub("", text)
        return memo[path]

    @cached_property
    def data_readmes(self) -> list[str]:
        """READMEs (any of the usual suffixes, or none, or a Roboflow export's) in a data
        folder: one named for data (``data/``, ``dataset/``, ``raw/``, ``Bike-Sharing-Dataset/``),
        one under such a folder (``datasets/roboflow/``) or one that holds data files. Often a
        copied dataset's own description ("the following fields: ..."), not
        Markdown with a heading a section search would find. Shallowest first, at most 20."""
        found = []
        for name in _DATA_README_NAMES:
            for entry in self.paths.named(name):
                folder, _, _ = entry.path.rpartition("/")
                if not folder or NON_PRODUCTION_RE.search(entry.path):
                    continue
                if (
                    _DATA_FOLDER.search(folder)
                    or DATA_DIR.search(folder + "/")  # under data/: datasets/roboflow/
                    or any(f.suffix in TABLE_SUFFIXES for f in self.paths.folders.get(folder, ()))
                ):
                    found.append(entry.path)
        found.sort(key=lambda p: (p.count("/"), p))
        return found[:MAX_DATA_READMES]

    def section_at(self, path: str, line: int | None) -> markdown.Section | None:
        """The section of a prose file that starts at ``line`` (a finding's evidence)."""
        if path not in self.by_path:
            return None
        return next((s for s in self._sections(path) if s.line == line), None)

    def notebook_sections(self, pattern: linear.Pattern) -> Iterator[markdown.Section]:
        """The sections of notebooks' markdown cells whose heading matches ``pattern``: only
        the notebooks whose heading lines (from the content pass) match are read again, at
        most MAX_PROSE_NOTEBOOKS of them, each as prose up to MAX_PROSE_CHARS."""
        headings = self._facts().headings
        wanted = [
            p
            for p in self.notebooks
            if any(pattern.occurs_in(line) for line in headings.get(p, ())[:MAX_SECTIONS])
        ]
        for path in wanted[:MAX_PROSE_NOTEBOOKS]:
            tick()
            if path not in self._sections_cache:
                raw = self.text(path, cache=False)
                _code, prose, _err = (
                    notebooks.cells_by_kind(raw, MAX_PROSE_CHARS) if raw else (None, None, None)
                )
                self._sections_cache[path] = (
                    markdown.parse_markdown(path, prose)[:MAX_SECTIONS] if prose else []
                )
            for section in self._sections_cache[path]:
                if pattern.occurs_in(section.heading):
                    yield section

    def _sections(self, path: str) -> list[markdown.Section]:
        if path not in self._sections_cache:
            text = self.text(path) or ""
            if len(text) > MAX_PROSE_CHARS:  # a reference page, not a team's prose
                text = text[: text.rfind("\n", 0, MAX_PROSE_CHARS) + 1]
                self.note(path, f"only the first {MAX_PROSE_CHARS // 1024} KiB were read as prose")
            parse = markdown.parse_rst if path.endswith(".rst") else markdown.parse_markdown
            sections = parse(path, text)
            if len(sections) > MAX_SECTIONS:
                self.note(path, f"only the first {MAX_SECTIONS} sections were read")
                sections = sections[:MAX_SECTIONS]
            self._sections_cache[path] = sections
        return self._sections_cache[path]

    # ----- dependencies -----------------------------------------------------------------
    @cached_property
    def dependency_files(self) -> list[str]:
        kind_of = deps_reader.kind_of
        candidates = list(self.paths.named("setup.py"))  # the one Python dependency file
        for suffix in _DEPENDENCY_SUFFIXES:
            candidates += self.by_suffix.get(suffix, ())
        # A logged model's own environment (MLflow writes requirements.txt and conda.yaml
        # beside each MLmodel, in mlruns/ or wherever the model was saved) is an artefact's
        # record, not what the project declares.
        # (not the root: a repository is no logged model)
        logged = {f.path.rpartition("/")[0] for f in self.paths.named("mlmodel")} - {""}
        return sorted(
            f.path
            for f in candidates
            if kind_of(f.path)
            and not NON_PRODUCTION_RE.search(f.path)
            and not _RUN_STORE.search(f.path)
            and f.path.rpartition("/")[0] not in logged
        )

    @cached_property
    def dependencies(self) -> list[deps_reader.Dependency]:
        found: list[deps_reader.Dependency] = []
        for path in self.dependency_files:
            text = self.text(path)
            if text is None:
                continue
            parsed, err = deps_reader.parse_dependency_file(path, text)
            if err:
                self.note(path, f"malformed dependency file ({err})")
            found.extend(parsed)
        return found

    @cached_property
    def lock_files(self) -> list[str]:
        return sorted(
            f.path for name in deps_reader.LOCK_FILES for f in self.paths.named(name.lower())
        )

    def declared(self, names: Iterable[str]) -> list[deps_reader.Dependency]:
        wanted = {deps_reader.normalise(n) for n in names}
        return [d for d in self.dependencies if d.name in wanted]

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        text = self.text("pyproject.toml") if "pyproject.toml" in self.by_path else None
        if text is None:
            return {}
        doc, err = structured.load_toml(text)
        if err:
            self.note("pyproject.toml", f"malformed TOML ({err})")
        return doc if isinstance(doc, dict) else {}

    # ----- configuration files ---------------------------------------------------------
    @cached_property
    def config_files(self) -> list[str]:
        """Structured files that hold a project's configuration (not CI, lock or package files):
        files in a config folder (conf/, configs/, params/...), at the root, or named like
        params.yaml; never hidden (.devcontainer.json, .vscode/: tooling), test or tool files.
        Folder conditions are decided once per folder."""
        out = []
        for folder, entries in self.paths.folders.items():
            slashed = folder + "/" if folder else ""
            if (
                _TOOL_FOLDER.search(slashed)
                or _HIDDEN.search(slashed)
                or _RUN_STORE.search(slashed)
                or self._folder_kind(slashed) & _TEST_FOLDER
            ):
                continue
            anywhere = not folder or bool(CONFIG_DIR_RE.search(slashed))
            for f in entries:
                if f.suffix not in CONFIG_EXT:
                    continue
                name = f.path[len(slashed) :]
                if name[0] == "." or _TOOL_FILE.fullmatch(name):
                    continue
                if anywhere or (
                    f.suffix in _CONFIG_NAME_SUFFIXES
                    and name.lower().partition(".")[0] in _CONFIG_STEMS
                ):
                    out.append(f.path)
        out.sort()
        return out

    def config_doc(self, path: str, text: str | None = None) -> Any:
        text = self.text(path) if text is None else text
        if text is None:
            return None
        if path.endswith((".yaml", ".yml")):
            doc, err = structured.load_yaml(text)
        elif path.endswith(".toml"):
            doc, err = structured.load_toml(text)
        elif path.endswith(".json"):
            doc, err = structured.load_json(text)
        else:
            return None
        if err:
            self.note(path, f"malformed {path.rsplit('.', 1)[-1].upper()} ({err})")
        return doc

    @cached_property
    def config_keys(self) -> list[Located]:
        """Every dotted key of every config file, prefixed by the file's stem, so ``version``
        in configs/data.yaml reads as ``data.version`` (each node visited once)."""
        keys = []
        for path in self.config_files:
            text = self.text(path, cache=False) or ""  # one read: keys are kept, not text
            doc = self.config_doc(path, text) if text else None
            if doc is None:
                continue
            stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
            lines = _key_lines(text)
            for n, (dotted, _value, _depth) in enumerate(structured.iter_keys(doc)):
                if n == MAX_KEYS_PER_FILE:
                    self.note(path, f"only the first {MAX_KEYS_PER_FILE} keys were read")
                    break
                keys.append(Located(path, lines.get(dotted.rsplit(".", 1)[-1]), f"{stem}.{dotted}"))
        return keys

    # ----- CI ---------------------------------------------------------------------------------
    @cached_property
    def ci_files(self) -> list[str]:
        patterns = [
            ".github/workflows/*.yml",
            ".github/workflows/*.yaml",
            ".gitlab-ci.yml",
            ".gitlab-ci.yaml",
            ".gitlab/ci/**/*.yml",
            "Jenkinsfile",
            "azure-pipelines.yml",
            ".circleci/config.yml",
            "bitbucket-pipelines.yml",
            ".travis.yml",
            ".buildkite/*.yml",
            ".drone.yml",
            "cloudbuild.yaml",
            "cloudbuild.yml",
            "buildspec.yml",
            # Azure DevOps pipelines and Cloud Build configs also live in folders of their own.
            ".pipelines/**/*.yml",
            ".pipelines/**/*.yaml",
            ".azure-pipelines/**/*.yml",
            ".azuredevops/**/*.yml",
            ".azuredevops/**/*.yaml",
            ".azure/pipelines/**/*.yml",
            ".azure/pipelines/**/*.yaml",
            "azure-pipelines*.yml",
            "**/azure-pipelines*.yml",
            "**/cloudbuild*.yaml",
            "**/cloudbuild*.yml",
            "**/buildspec*.yml",
            "**/buildspec*.yaml",
            ".github/workflows/**/*.yml",
            ".github/workflows/**/*.yaml",
        ]
        return [f.path for f in self.glob(patterns)]


# Prose files named for the scoping documents a reviewer reads first, wherever they are.
_SCOPING_DOC = linear.lazy(
    r"(^|/)(readme|charter|model[_-]?cards?|data[_-]?cards?|datasheets?|data[_-]?dictionary|"
    r"scope|scoping|proposal|overview)[^/]*$",
    linear.I,
)


def _prose_rank(path: str) -> tuple[int, int, str]:
    """Where a prose file stands among those read: the root's files and scoping documents
    (READMEs, charters, cards) first, then docs/, then the rest, each shallowest first."""
    depth = path.count("/")
    if depth == 0 or _SCOPING_DOC.search(path):
        tier = 0
    elif path[:5].lower() == "docs/":
        tier = 1
    else:
        tier = 2
    return tier, depth, path


def _dotted(text: str, start: int, end: int) -> bool:
    """Whether a match begins or ends inside a dotted run of numbers (a version such as
    10.4.0.26, a date such as 2024.03.15): its number there is part of it, not a value."""
    after = text[end : end + 2]
    before = text[max(0, start - 2) : start]
    return (len(after) == 2 and after[0] == "." and after[1].isdigit()) or (
        len(before) == 2 and before[1] == "." and before[0].isdigit()
    )


def _is_test_name(name: str) -> bool:
    return (
        (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _not_production_name(name: str) -> bool:
    """File names (of .py files) of tests and tooling scripts, wherever they are (a Locust
    load test, locustfile.py, drives the service from outside)."""
    return _is_test_name(name) or name.startswith(("setup.py", "noxfile", "tasks.py", "locustfile"))


def _first_three(hit: tuple[str, int, int, str]) -> tuple[str, int, int]:
    return hit[:3]


_KEY_LINE = linear.lazy(r"^[ \t-]*[\"']?([^\"'\n:=]*?)[\"']?[ \t]*[:=]", linear.M)


def _key_lines(text: str) -> dict[str, int]:
    """The first line on which each key is set (``key:`` or ``key =``, quoted or not), from
    one pass over the text."""
    lines: dict[str, int] = {}
    for line, m in _KEY_LINE.finditer_lines(text):
        lines.setdefault(m.group(1), line)
    return lines
