"""Index queries with fast paths, checked against the plain way of answering them on real trees:
which files import a module, a rule pattern's matches over the whole scope, sections by heading."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mlscaffold.score.judge.rules import facts
from mlscaffold.score.read import linear
from mlscaffold.score.read.index import Located, RepoIndex

IMPORT_LINES = [
    "import sklearn", "from sklearn.metrics import f1_score", "import ray.serve, ray.data",
    "import os, os", "from . import features", "import Ray", "    import torch",
    "from ray import serve", "import sklearnx", "import mlflow.sklearn as m",
    "from fastapi import FastAPI", "import ray.data, ray.serve",
]  # fmt: skip
WANTED = ["sklearn", "ray.serve", "ray.data", "ray", "os", "mlflow", "torch", "fastapi", "Ray"]
FOLDERS = ["src/pkg", "tests", "src/pkg/serving", ""]

trees = st.lists(
    st.tuples(st.sampled_from(FOLDERS), st.lists(st.sampled_from(IMPORT_LINES), max_size=5)),
    min_size=1,
    max_size=6,
)


def _write(root: Path, tree: list[tuple[str, list[str]]]) -> None:
    for i, (folder, lines) in enumerate(tree):
        path = root / folder / f"mod{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


def _reference_importers(index: RepoIndex, modules: list[str]) -> list[Located]:
    """Each wanted name against every import of every file that imports its top module."""
    found: list[Located] = []
    seen: set[tuple[str, int, str]] = set()
    for wanted in sorted({m.lower() for m in modules}):
        top = wanted.split(".", 1)[0]
        for path in index._content.by_top.get(top, ()):
            for ref in index.imports[path]:
                name = ref.module.lower()
                key = (path, ref.line, ref.module)
                if (name == wanted or name.startswith(wanted + ".")) and key not in seen:
                    seen.add(key)
                    found.append(Located(path, ref.line, ref.module))
    found.sort(key=lambda loc: (loc.path, loc.line or 0))
    return found


@settings(max_examples=60, deadline=None)
@given(trees, st.lists(st.sampled_from(WANTED), min_size=1, max_size=3))
@example(
    [("src/pkg", ["import ray.serve, ray.data", "import os, os"])], ["ray.serve", "ray.data", "os"]
)
def test_importers_of_matches_a_look_at_every_import(tree, modules) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), tree)
        index = RepoIndex(tmp)
        expected = _reference_importers(index, modules)
        assert index.importers_of(modules) == expected
        outside_tests = any(not index.is_test(u.path) for u in expected)
        assert index.imports_any(modules, where=lambda p: not index.is_test(p)) == outside_tests


def test_a_rule_pattern_over_its_whole_scope_equals_a_look_at_each_file(tmp_path: Path) -> None:
    """text_search answers the whole scope from the content pass's table; a copy of the same
    list takes the general path, so both must agree (order included)."""
    fit = "model.fit(X, y)\n"
    for path, text in {
        "src/pkg/b_train.py": "import x\n" + fit,
        "src/pkg/a_train.py": fit,
        "src/pkg/quiet.py": "x = 1\n",
        "notebooks/explore.ipynb": '{"cells": [{"cell_type": "code", "source": ["m.fit(a)"]}]}',
        "notebooks/A.ipynb": '{"cells": [{"cell_type": "code", "source": ["m.fit(b)"]}]}',
        "tests/test_train.py": fit,
        "train.py": fit,
    }.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    index = RepoIndex(str(tmp_path))
    for paths in (index.pattern_code, index.production_python, index.notebooks):
        fast = facts.text_search(index, paths, facts.TRAIN_CALL)
        plain = facts.text_search(index, list(paths), facts.TRAIN_CALL)
        assert fast == plain
        assert fast
    assert [h.path for h in facts.text_search(index, index.pattern_code, facts.TRAIN_CALL)] == [
        "src/pkg/a_train.py",
        "src/pkg/b_train.py",
        "train.py",
        "notebooks/A.ipynb",
        "notebooks/explore.ipynb",
    ]


def test_sections_come_from_every_file_sharing_a_heading_line(tmp_path: Path) -> None:
    """Heading lines repeat across files; each file with a matching one gives its section."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# Tool\n\n## Owners\n\nThe data team.\n")
    (tmp_path / "docs" / "a.md").write_text("# A\n\n## Owners\n\nAlice.\n\n## Usage\n\nRun.\n")
    (tmp_path / "docs" / "b.md").write_text("# B\n\n## Usage\n\nRun it.\n")
    (tmp_path / "docs" / "c.md").write_text("# C\n\n```\n## Owners\n```\n")  # code, not heading
    index = RepoIndex(str(tmp_path))
    owners = index.sections_matching(linear.compile("owners", linear.I))
    assert [(s.path, s.body.strip()) for s in owners] == [
        ("README.md", "The data team."),
        ("docs/a.md", "Alice."),
    ]
    usage = index.sections_matching(linear.compile("usage", linear.I))
    assert [s.path for s in usage] == ["docs/a.md", "docs/b.md"]


def test_a_hostile_dotted_import_resolves_in_linear_time(tmp_path: Path) -> None:
    # `import a.a.a...` of 50,000 parts: every prefix was joined and looked up (quadratic;
    # 159 s of MO004 at 150,000 parts). Names longer than the repository's deepest module
    # cannot exist, so they are cut first.
    import time

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "deep.py").write_text("import " + ".".join(["a"] * 50_000) + "\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    index = RepoIndex(str(tmp_path))
    index.read_contents()
    started = time.process_time()
    (ref,) = index.imports["pkg/deep.py"]
    assert index.resolve_import("pkg/deep.py", ref) == "a.py"
    assert index.resolve_import_targets("notebooks/x.ipynb", ref) == ["a.py"]
    assert time.process_time() - started < 0.5


def test_from_a_module_beside_the_importer_takes_names_from_it(tmp_path: Path) -> None:
    # Python loads notebooks/utils.py for `from utils import data` run from notebooks/, not
    # src/utils/data.py.
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "utils.py").write_text("data = 1\n")
    (tmp_path / "notebooks" / "a.py").write_text("from utils import data\n")
    (tmp_path / "src" / "utils").mkdir(parents=True)
    (tmp_path / "src" / "utils" / "__init__.py").write_text("")
    (tmp_path / "src" / "utils" / "data.py").write_text("x = 1\n")
    (tmp_path / "src" / "b.py").write_text("from utils import data\n")
    index = RepoIndex(str(tmp_path))
    index.read_contents()
    (ref,) = index.imports["notebooks/a.py"]
    assert index.resolve_import_targets("notebooks/a.py", ref) == ["notebooks/utils.py"]
    (ref,) = index.imports["src/b.py"]
    assert index.resolve_import_targets("src/b.py", ref) == ["src/utils/data.py"]


def test_import_targets_are_remembered_per_folder_and_copied(tmp_path: Path) -> None:
    # The same relative import from two folders resolves in each folder, the second answer is
    # not the first one remembered, and a caller extending its list changes no later answer.
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
        (tmp_path / folder / "features.py").write_text("x = 1\n")
        (tmp_path / folder / "train.py").write_text("from .features import x\n")
        (tmp_path / folder / "serve.py").write_text("from .features import x\n")
    index = RepoIndex(str(tmp_path))
    index.read_contents()
    (ref_a,) = index.imports["a/train.py"]
    (ref_b,) = index.imports["b/train.py"]
    first = index.resolve_import_targets("a/train.py", ref_a)
    assert first == ["a/features.py"]
    assert index.resolve_import_targets("b/train.py", ref_b) == ["b/features.py"]
    first.append("elsewhere.py")
    (ref_serve,) = index.imports["a/serve.py"]
    assert index.resolve_import_targets("a/serve.py", ref_serve) == ["a/features.py"]


def test_import_targets_differ_by_the_names_imported(tmp_path: Path) -> None:
    # `from pkg import data` and `from pkg import model` in one folder are two answers.
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "data.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "model.py").write_text("y = 1\n")
    (tmp_path / "a.py").write_text("from pkg import data\n")
    (tmp_path / "b.py").write_text("from pkg import model\n")
    index = RepoIndex(str(tmp_path))
    index.read_contents()
    (ref_a,) = index.imports["a.py"]
    (ref_b,) = index.imports["b.py"]
    assert index.resolve_import_targets("a.py", ref_a) == ["pkg/data.py"]
    assert index.resolve_import_targets("b.py", ref_b) == ["pkg/model.py"]
