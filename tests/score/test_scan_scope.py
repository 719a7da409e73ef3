"""Rule patterns run in the content pass on production modules and notebooks only; a rule that
asks about any other file still gets the answer, read on demand."""

from __future__ import annotations

import json
from pathlib import Path

from mlscaffold.score.judge.rules import facts
from mlscaffold.score.judge.rules.modeling import _SEED
from mlscaffold.score.read.index import RepoIndex


def test_patterns_skip_tests_but_answers_stay_complete(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "src" / "train.py").write_text("import numpy as np\nnp.random.seed(0)\n")
    (tmp_path / "tests" / "test_train.py").write_text("import numpy as np\n\nnp.random.seed(1)\n")
    cell = {"cell_type": "code", "source": ["import random\n", "random.seed(2)\n"]}
    (tmp_path / "notebooks" / "eda.ipynb").write_text(json.dumps({"cells": [cell]}))
    index = RepoIndex(str(tmp_path))
    table = index.code_matches(_SEED)
    assert table is not None
    assert sorted(table) == ["notebooks/eda.ipynb", "src/train.py"]  # the test was not matched
    assert "tests/test_train.py" in index.imports  # ...but its imports were read
    found = facts.text_search(index, ["tests/test_train.py", "src/train.py"], _SEED)
    assert [(f.path, f.line) for f in found] == [("tests/test_train.py", 3), ("src/train.py", 2)]
