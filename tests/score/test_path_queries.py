"""The fast path queries (glob indexes, folder-level test/production classification, joined
.gitignore rules) answer exactly what the plain definitions answer, on generated paths."""

from __future__ import annotations

import re

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from mlscaffold.score.read.globs import PathIndex, glob_to_regex
from mlscaffold.score.read.index import _NOT_PROSE, NON_PRODUCTION_RE, RepoIndex
from mlscaffold.score.read.readers.deps import kind_of
from mlscaffold.score.read.walk import FileEntry, IgnoreRules, RuleChain

SEGMENTS = [
    "src", "tests", "test", "testing", "docs", "examples", ".github", "workflows", "conf",
    "base", "pkg", "Data", "raw", "feature_repo", "notebooks", "a.b", "ünï", "nn_configs",
    "Model_Config", "myconf",
]  # fmt: skip
NAMES = [
    "Dockerfile", "dockerfile", "Dockerfile.gpu", "api.Dockerfile", "train.py", "test_x.py",
    "x_test.py", "conftest.py", "setup.py", "noxfile.py", "catalog.yml", "ci.yml", "x.dvc",
    "dvc.yaml", "README.md", "requirements-dev.txt", "CODEOWNERS", "a.tar.gz", "keep.log",
    "weird name.py", "uv.lock", "TRAIN.PY", "Setup.py", "Explore.IPYNB", "İnfo.md",
]  # fmt: skip
GLOBS = [
    "Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dvc", "dvc.yaml", "/dvc.yaml", "docs/**",
    ".github/workflows/*.yml", "conf/**/catalog.yml", "catalog.yml", "feature_repo/**",
    "**/*.py", "*.py", "src/*/train.py", "*", "*.tar.gz", "requirements*.txt", "**/test/*",
    "data/", "/CODEOWNERS", ".github/CODEOWNERS", "t?st_x.py", "*/ci.yml", "src**train.py",
    "t**py", "**/conf/**/*.yml", "**/data/**", "**/workflows/*.yml", "src/**/conf/*",
    "**/Base/*/README.md", "**/ünï/**", "**/*_configs/**/*.yml", "**/*onf*/**/*.yml",
    "**/*_CONFIG/**", "**/a*/**/*.py",
]  # fmt: skip

paths = st.lists(
    st.tuples(st.lists(st.sampled_from(SEGMENTS), max_size=4), st.sampled_from(NAMES)).map(
        lambda t: "/".join([*t[0], t[1]])
    ),
    max_size=40,
    unique=True,
)


def _reference_glob(all_paths: list[str], patterns: list[str]) -> list[str]:
    regex = re.compile("|".join(f"(?:{glob_to_regex(p)})" for p in patterns), re.I | re.S)
    return sorted(p for p in all_paths if regex.match(p))


@settings(max_examples=300, deadline=None)
@given(paths, st.lists(st.sampled_from(GLOBS), min_size=1, max_size=3))
def test_indexed_glob_matches_the_plain_regex(all_paths: list[str], patterns: list[str]) -> None:
    index = _path_index([FileEntry(p, 1) for p in sorted(all_paths)])
    assert [f.path for f in index.glob(patterns)] == _reference_glob(all_paths, patterns)


@settings(max_examples=100, deadline=None)
@given(paths, st.lists(st.sampled_from(GLOBS), min_size=17, max_size=30))
def test_many_globs_at_once_match_the_plain_regex(all_paths: list[str], patterns: list[str]):
    """Past MAX_JOINED_GLOBS each pattern is tested on its own candidates: same answer."""
    index = _path_index([FileEntry(p, 1) for p in sorted(all_paths)])
    assert [f.path for f in index.glob(patterns)] == _reference_glob(all_paths, patterns)


def _path_index(files: list[FileEntry]) -> PathIndex:
    """The indexes the walk builds, built from a plain file list."""
    by_name: dict[str, FileEntry | list[FileEntry]] = {}
    folders: dict[str, list[FileEntry]] = {}
    for f in files:
        known = by_name.get(f.name.lower())
        by_name[f.name.lower()] = (
            f if known is None else [*known, f] if isinstance(known, list) else [known, f]
        )
        folders.setdefault(f.path.rpartition("/")[0], []).append(f)
    return PathIndex(files, by_name, folders)


_TEST_RE = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")


def _reference_production(path: str) -> bool:
    return (
        path.endswith(".py")
        and not _TEST_RE.search(path)
        and not NON_PRODUCTION_RE.search(path)
        and not path.rsplit("/", 1)[-1].startswith(("setup.py", "noxfile", "tasks.py"))
    )


@settings(max_examples=200, deadline=None)
@given(paths)
def test_folder_level_classification_matches_the_path_regexes(all_paths: list[str]) -> None:
    index = RepoIndex.__new__(RepoIndex)  # the classifiers need no walk
    index._folder_kinds = {}
    for path in all_paths:
        assert index.is_test(path) == bool(_TEST_RE.search(path)), path
        assert index.is_production_code(path) == _reference_production(path), path


RULES = [
    "*.log", "!keep.log", "data/raw/", "/build", "Data/", "**/tests", "*.py[co]", "a.b/**",
    "*/", "**/", "src/*", "!src/pkg",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(paths, st.lists(st.sampled_from(RULES), min_size=1, max_size=4), st.booleans())
def test_joined_gitignore_rules_match_pathspec(
    all_paths: list[str], lines: list[str], as_dir: bool
) -> None:
    rules = IgnoreRules("", lines)
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    for path in all_paths:
        candidate = path + "/" if as_dir else path
        assert rules.ignores(candidate) == spec.match_file(candidate), (lines, candidate)


WALK_RULES = [
    *RULES, "mlruns/**", "conf/*/raw", "docs/_build/", "/src/pkg/", "Data", "*.md", "ünï/",
    "a?b", "!tests", "**/conf/**", "src/**/x_test.py", "[a-c]*", "*.tar.*", "\\#x", "!*.py",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(paths, st.lists(st.sampled_from(WALK_RULES), min_size=1, max_size=5), st.booleans())
def test_the_walks_shortcuts_decide_as_pathspec(
    all_paths: list[str], lines: list[str], nested: bool
) -> None:
    """The walk asks the rules only about the entries its per-folder and per-name shortcuts
    cannot clear (RuleChain, ignorefilter): every path they clear is one pathspec does not
    match, for the root's rules alone and with a nested folder's rules below them."""
    root = RuleChain((IgnoreRules("", lines),))
    below = root.extended(IgnoreRules("src", lines[::-1])) if nested else root
    specs = [("", pathspec.GitIgnoreSpec.from_lines(lines))]
    if nested:
        specs.append(("src/", pathspec.GitIgnoreSpec.from_lines(lines[::-1])))
    for path in all_paths:
        parts = path.split("/")
        for depth in range(len(parts)):
            rel = "/".join(parts[: depth + 1]) + ("/" if depth < len(parts) - 1 else "")
            prefix = "/".join(parts[:depth]) + "/" if depth else ""
            name = rel[len(prefix) :]
            chain = below if prefix.startswith("src/") else root  # src/.gitignore's folder
            expected = any(
                spec.match_file(rel[len(base) :])
                for base, spec in specs
                if rel.startswith(base) and rel != base
            )
            asked = not chain.clear_folder(prefix) or chain.name_may_match(name)
            if expected:
                assert asked, (lines, rel)
            assert (asked and chain.ignores(rel)) == expected, (lines, rel)
            if expected:
                break  # the walk does not go below an ignored folder


_SKIP = re.compile(
    r"(^|/)(\.github|\.gitlab|\.circleci|node_modules)/|(^|/)(\.pre-commit[^/]*|"
    r"docker-compose[^/]*|compose\.ya?ml|environment[^/]*|package(-lock)?\.json|"
    r"tsconfig\.json|[^/]*\.lock|\.gitlab-ci\.yml|mkdocs\.ya?ml|codecov\.ya?ml|"
    r"\.readthedocs\.ya?ml|pyproject\.toml|\.copier-answers\.ya?ml)$"
)
_HIDDEN = re.compile(r"(^|/)\.[^/]+(/|$)")
_CONFIG_DIR = re.compile(r"(^|/)(conf|confs|config|configs|configuration|params|hparams)/")
CONFIG_SEGMENTS = [*SEGMENTS, "configs", "conf", "hparams", ".vscode", "node_modules", "params"]
CONFIG_NAMES = [
    *NAMES, "params.yaml", "PARAMS.yml", "model.yaml", "x.toml", "pyproject.toml", "a.json",
    "package.json", "poetry.lock", ".pre-commit-config.yaml", "environment.yml", "c.ini",
    ".hidden.yaml", "mkdocs.yml", "s.cfg", "requirements.txt", "requirements/base.in", "Pipfile",
    "setup.cfg", "mysetup.py", "CHANGELOG.md", "notes.rst", "x.ipynb",
]  # fmt: skip
config_paths = st.lists(
    st.tuples(
        st.lists(st.sampled_from(CONFIG_SEGMENTS), max_size=3), st.sampled_from(CONFIG_NAMES)
    ).map(lambda t: "/".join([*t[0], t[1]])),
    max_size=40,
    unique=True,
)


def _reference_config(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    suffix = name[name.rfind(".") :].lower() if name.rfind(".") > 0 else ""
    if suffix not in (".yaml", ".yml", ".toml", ".json", ".cfg", ".ini"):
        return False
    if _SKIP.search(path) or _TEST_RE.search(path) or _HIDDEN.search(path):
        return False
    return bool(
        _CONFIG_DIR.search(path)
        or "/" not in path
        or name.lower() in ("params.yaml", "params.yml", "dvc.yaml")
    )


def _index_over(all_paths: list[str]) -> RepoIndex:
    files = [FileEntry(p, 1) for p in sorted(all_paths)]
    index = RepoIndex.__new__(RepoIndex)  # no walk: the queries read only the file list
    index.files = files
    index.paths = _path_index(files)
    index._folder_kinds = {}
    return index


@settings(max_examples=300, deadline=None)
@given(config_paths)
def test_folder_level_file_lists_match_the_path_rules(all_paths: list[str]) -> None:
    index = _index_over(all_paths)
    assert index.config_files == sorted(p for p in all_paths if _reference_config(p))
    assert index.production_python == sorted(p for p in all_paths if _reference_production(p))
    # Lists answered from the files grouped by suffix, against a look at every path.
    suffix = {p: FileEntry(p, 1).suffix for p in all_paths}
    assert index.python_files == sorted(p for p in all_paths if suffix[p] == ".py")
    assert index.notebooks == sorted(p for p in all_paths if suffix[p] == ".ipynb")
    assert index.dependency_files == sorted(
        p for p in all_paths if kind_of(p) and not NON_PRODUCTION_RE.search(p)
    )
    prose = [p for p in all_paths if suffix[p] in (".md", ".markdown", ".rst")]
    assert sorted(index.prose_files) == sorted(
        p for p in prose if not _NOT_PROSE.search(p) and not _TEST_RE.search(p)
    )
