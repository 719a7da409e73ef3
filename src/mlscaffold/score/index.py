"""RepoIndex: everything the checks need to know about a repository, gathered once.

The file list comes from one walk (``walk.walk_repo``). Every other fact (imports, Markdown
sections, dependencies, config keys, CI files, Python definitions) is computed lazily on
first use and cached, so a run reads only the files that some check actually asks about.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from mlscaffold.score import safeio
from mlscaffold.score.model import Note
from mlscaffold.score.readers import deps as deps_reader
from mlscaffold.score.readers import markdown, notebooks, python, structured
from mlscaffold.score.walk import FileEntry, walk_repo

MAX_PARSE_BYTES = 1024 * 1024  # files larger than this are listed but not parsed
MAX_MARKDOWN_FILES = 2_000
_BINARY_SNIFF = 8192

TEST_RE = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")
# Code that is not the project's own production path: examples, docs, vendored or generated code.
NON_PRODUCTION_RE = re.compile(
    r"(^|/)(docs?|examples?|tutorials?|notebooks?|scripts/legacy|third_party|vendor|benchmarks?|"
    r"migrations|\.[^/]+)/"
)
# Generated reference pages ("<!-- Generated from ...; do not edit -->") are not the team's prose.
_GENERATED = re.compile(
    r"generated (from|by)\b.{0,200}\bdo not edit|do not edit.{0,80}generated", re.I | re.S
)
_HIDDEN = re.compile(r"(^|/)\.[^/]+(/|$)")
CONFIG_DIR_RE = re.compile(r"(^|/)(conf|confs|config|configs|configuration|params|hparams)/")
CONFIG_EXT = (".yaml", ".yml", ".toml", ".json", ".cfg", ".ini")
PROSE_EXT = (".md", ".markdown", ".rst")
# Release notes, legal text and issue templates are prose, but not about the project's scope.
_NOT_PROSE = re.compile(
    r"(^|/)(changelog|changes|history|license|licence|copying|notice|code_of_conduct|"
    r"contributing|security|news|release[-_ ]?notes)[^/]*$|(^|/)(whats_new|release[-_]?notes|"
    r"changelog|changes|\.github|ISSUE_TEMPLATE)/",
    re.I,
)


# Patterns the rules want matched in every Python file and notebook. They are all run in the
# single pass that also scans imports (RepoIndex._code_pass), so each file is read once and
# only the matches are kept, not the text (100,000 files would otherwise sit in memory).
CODE_PATTERNS: list[Any] = []


def register_code_pattern(pattern: Any) -> Any:
    """Add a compiled pattern (anything with ``.search(text)``) to the single pass over code."""
    CODE_PATTERNS.append(pattern)
    return pattern


@dataclass(frozen=True, slots=True)
class Located:
    """A fact found at a place in the repo."""

    path: str
    line: int | None
    value: str


class RepoIndex:
    """Facts about one repository rooted at ``root``; built once, queried by every detector."""

    def __init__(self, root: str, max_parse_bytes: int = MAX_PARSE_BYTES) -> None:
        self.root = os.path.realpath(root)
        self.max_parse_bytes = max_parse_bytes
        walked = walk_repo(self.root)
        self.files: list[FileEntry] = walked.files
        self.notes: list[Note] = walked.notes
        self.by_path: dict[str, FileEntry] = {f.path: f for f in self.files}
        self._text_cache: dict[str, str | None] = {}
        self._ast_cache: dict[str, python.ModuleInfo | None] = {}
        self._sections_cache: dict[str, list[markdown.Section]] = {}
        self._noted: set[tuple[str, str]] = set()
        # Derived facts shared by several rules (see rules.facts), computed once.
        self.memo: dict[str, Any] = {}

    # ----- reading -------------------------------------------------------------------------
    def note(self, path: str, message: str) -> None:
        if (path, message) not in self._noted:
            self._noted.add((path, message))
            self.notes.append(Note(path, message))

    def text(self, path: str, cache: bool = True) -> str | None:
        """Decoded content of a listed file, or None if too large, binary or unreadable.
        ``cache=False`` for one-pass reads whose facts are kept instead of the text."""
        if path in self._text_cache:
            return self._text_cache[path]
        entry = self.by_path.get(path)
        result: str | None = None
        if entry is None:
            result = None
        elif entry.size > self.max_parse_bytes:
            self.note(path, f"larger than {self.max_parse_bytes // 1024} KiB; not parsed")
        else:
            data = safeio.read_regular_file(os.path.join(self.root, path), self.max_parse_bytes)
            if data is None:
                self.note(path, "unreadable or no longer a regular file; skipped")
            elif b"\x00" in data[:_BINARY_SNIFF]:
                self.note(path, "binary content; not parsed")
            else:
                result = data.decode("utf-8", errors="replace")
                if "\ufffd" in result[:_BINARY_SNIFF] and not _mostly_text(result):
                    self.note(path, "not valid text; not parsed")
                    result = None
        if cache:
            self._text_cache[path] = result
        return result

    # ----- file list queries --------------------------------------------------------------
    @cached_property
    def _paths_blob(self) -> str:
        return "\n".join(f.path for f in self.files)

    def glob(self, patterns: Iterable[str]) -> list[FileEntry]:
        """Files matching any gitignore-style glob (``**/Dockerfile``, ``*.dvc``, ``docs/**``)."""
        regex = re.compile("|".join(f"(?:{_glob_to_regex(p)})" for p in patterns), re.M | re.I)
        hits = {m.group(0) for m in regex.finditer(self._paths_blob)}
        return [self.by_path[p] for p in sorted(hits) if p in self.by_path]

    @cached_property
    def python_files(self) -> list[str]:
        return [f.path for f in self.files if f.suffix == ".py"]

    @cached_property
    def notebooks(self) -> list[str]:
        return [f.path for f in self.files if f.suffix == ".ipynb"]

    def is_test(self, path: str) -> bool:
        return bool(TEST_RE.search(path))

    def is_production_code(self, path: str) -> bool:
        """Python that belongs to the project's own pipeline or service (not tests, docs...)."""
        return (
            path.endswith(".py")
            and not self.is_test(path)
            and not NON_PRODUCTION_RE.search(path)
            and not path.rsplit("/", 1)[-1].startswith(("setup.py", "noxfile", "tasks.py"))
        )

    @cached_property
    def production_python(self) -> list[str]:
        return [p for p in self.python_files if self.is_production_code(p)]

    # ----- Python -------------------------------------------------------------------------
    def notebook_code(self, path: str, cache: bool = True) -> str | None:
        text = self.text(path, cache)
        if text is None:
            return None
        code, err = notebooks.code_cells(text)
        if err is not None:
            self.note(path, f"malformed notebook ({err})")
        return code

    def code(self, path: str, cache: bool = True) -> str | None:
        if path.endswith(".ipynb"):
            return self.notebook_code(path, cache)
        return self.text(path, cache)

    @cached_property
    def _code_pass(self) -> tuple[dict[str, list[python.ImportRef]], list[dict[str, Located]]]:
        """One read of every Python file and notebook: its imports (regex scan, no parsing) and
        the first match of every registered code pattern."""
        imports: dict[str, list[python.ImportRef]] = {}
        matches: list[dict[str, Located]] = [{} for _ in CODE_PATTERNS]
        for path in self.python_files + self.notebooks:
            code = self.code(path, cache=False)
            if not code:
                continue
            imports[path] = python.scan_imports(code)
            for table, pattern in zip(matches, CODE_PATTERNS, strict=True):
                m = pattern.search(code)
                if m:
                    table[path] = Located(path, code.count("\n", 0, m.start()) + 1, m.group(0))
        return imports, matches

    @property
    def imports(self) -> dict[str, list[python.ImportRef]]:
        """Imports of every Python file and notebook, by path."""
        return self._code_pass[0]

    def in_code_pass(self, path: str) -> bool:
        return path.endswith((".py", ".ipynb"))

    def code_matches(self, pattern: Any) -> dict[str, Located] | None:
        """First match per file of a registered code pattern, or None if not registered."""
        for i, registered in enumerate(CODE_PATTERNS):
            if registered is pattern:
                return self._code_pass[1][i]
        return None

    @cached_property
    def _imports_by_top(self) -> dict[str, list[tuple[str, python.ImportRef]]]:
        by_top: dict[str, list[tuple[str, python.ImportRef]]] = {}
        for path, refs in self.imports.items():
            for ref in refs:
                if not ref.module.startswith("."):
                    by_top.setdefault(python.top_module(ref.module).lower(), []).append((path, ref))
        return by_top

    def importers_of(self, modules: Iterable[str]) -> list[Located]:
        """Where any of ``modules`` is imported: a top-level name (``mlflow``) matches every
        import under it, a dotted one (``ray.serve``) only that module and its children."""
        found: set[Located] = set()
        for wanted in {m.lower() for m in modules}:
            top = wanted.split(".", 1)[0]
            for path, ref in self._imports_by_top.get(top, ()):
                name = ref.module.lower()
                if wanted == top or name == wanted or name.startswith(wanted + "."):
                    found.add(Located(path, ref.line, ref.module))
        return sorted(found, key=lambda loc: (loc.path, loc.line or 0))

    def module_info(self, path: str) -> python.ModuleInfo | None:
        if path not in self._ast_cache:
            code = self.code(path)
            info = python.module_info(code) if code is not None else None
            if code is not None and info is None:
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

    def resolve_import(self, importer: str, ref: python.ImportRef) -> str | None:
        """Path of the repo module an import refers to, if it is one of the repo's own."""
        module = ref.module
        if module.startswith("."):
            level = len(module) - len(module.lstrip("."))
            base = importer.split("/")[:-level] if level else importer.split("/")[:-1]
            rest = module.lstrip(".")
            candidate = "/".join(base + rest.split(".")) if rest else "/".join(base)
            for path in (candidate + ".py", candidate + "/__init__.py"):
                if path in self.by_path:
                    return path
            return None
        parts = module.split(".")
        while parts:
            hit = self.local_modules.get(".".join(parts))
            if hit:
                return hit
            parts.pop()
        return None

    def resolve_import_targets(self, importer: str, ref: python.ImportRef) -> list[str]:
        """Repo modules an import brings in: ``from pkg import data`` is pkg/data.py when that
        module exists, else pkg/__init__.py."""
        found = []
        if not ref.module.startswith("."):
            for name in ref.names:
                hit = self.local_modules.get(f"{ref.module}.{name}")
                if hit:
                    found.append(hit)
        if not found:
            hit = self.resolve_import(importer, ref)
            if hit:
                found.append(hit)
        return found

    # ----- prose ----------------------------------------------------------------------------
    @cached_property
    def prose_files(self) -> list[str]:
        files = [
            f.path
            for f in self.files
            if f.suffix in PROSE_EXT and not _NOT_PROSE.search(f.path) and not self.is_test(f.path)
        ]
        # Root and docs/ first: they are where teams write scoping documents.
        files.sort(key=lambda p: (p.count("/") > 0 and not p.startswith("docs/"), p))
        if len(files) > MAX_MARKDOWN_FILES:
            self.note(".", f"only the first {MAX_MARKDOWN_FILES} Markdown files were read")
            files = files[:MAX_MARKDOWN_FILES]
        return files

    @cached_property
    def _heading_candidates(self) -> dict[str, list[str]]:
        """Heading-like lines of each prose file, found by a cheap regex scan."""
        out = {}
        for path in self.prose_files:
            text = self.text(path, cache=False)  # re-read only the few files that match
            if text is not None and not _GENERATED.search(text[:400]):
                out[path] = markdown.heading_candidates(text)
        return out

    def sections_matching(self, heading: re.Pattern[str]) -> list[markdown.Section]:
        """Sections whose heading matches ``heading``. Only files with a candidate heading line
        are parsed (with markdown-it, so code blocks and the like are not mistaken for headings);
        each file is parsed at most once per run."""
        result: list[markdown.Section] = []
        for path, candidates in self._heading_candidates.items():
            if not any(heading.search(c) for c in candidates):
                continue
            if path not in self._sections_cache:
                text = self.text(path) or ""
                parse = markdown.parse_rst if path.endswith(".rst") else markdown.parse_markdown
                self._sections_cache[path] = parse(path, text)
            result.extend(s for s in self._sections_cache[path] if heading.search(s.heading))
        return result

    # ----- dependencies -----------------------------------------------------------------
    @cached_property
    def dependency_files(self) -> list[str]:
        return [
            f.path
            for f in self.files
            if deps_reader.kind_of(f.path) and not NON_PRODUCTION_RE.search(f.path)
        ]

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
        names = {n.lower() for n in deps_reader.LOCK_FILES}
        return [f.path for f in self.files if f.name.lower() in names]

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
        """Structured files that hold a project's configuration (not CI, lock or package files)."""
        skip = re.compile(
            r"(^|/)(\.github|\.gitlab|\.circleci|node_modules)/|(^|/)(\.pre-commit[^/]*|"
            r"docker-compose[^/]*|compose\.ya?ml|environment[^/]*|package(-lock)?\.json|"
            r"tsconfig\.json|[^/]*\.lock|\.gitlab-ci\.yml|mkdocs\.ya?ml|codecov\.ya?ml|"
            r"\.readthedocs\.ya?ml|pyproject\.toml|\.copier-answers\.ya?ml)$"
        )
        out = []
        for f in self.files:
            if f.suffix not in CONFIG_EXT or skip.search(f.path) or self.is_test(f.path):
                continue
            if _HIDDEN.search(f.path):  # .devcontainer.json, .vscode/, .circleci/: tooling
                continue
            if (
                CONFIG_DIR_RE.search(f.path)
                or "/" not in f.path
                or f.name.lower() in ("params.yaml", "params.yml", "mlproject", "dvc.yaml")
            ):
                out.append(f.path)
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
            for dotted, _value, _depth in structured.iter_keys(doc):
                leaf = dotted.rsplit(".", 1)[-1]
                keys.append(Located(path, _line_of_key(text, leaf), f"{stem}.{dotted}"))
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
        ]
        return [f.path for f in self.glob(patterns)]


def _mostly_text(text: str) -> bool:
    sample = text[:_BINARY_SNIFF]
    return sample.count("\ufffd") < max(8, len(sample) // 100)


def _line_of_key(text: str, key: str) -> int | None:
    m = re.search(rf"^[ \t-]*[\"']?{re.escape(key)}[\"']?[ \t]*[:=]", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _glob_to_regex(pattern: str) -> str:
    """Translate a gitignore-style glob into a regex anchored at line start and end.

    A pattern without a slash matches the file name at any depth, as in .gitignore.
    """
    if pattern.startswith("/"):  # anchored at the repository root, as in .gitignore
        pattern = pattern[1:]
    elif "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^\n]*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append("[^\n]*")
            i += 2
            continue
        if c == "*":
            out.append("[^/\n]*")
        elif c == "?":
            out.append("[^/\n]")
        else:
            out.append(re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"
