"""The ``library`` detector kind: use and declaration of a library, as an organisation's
checklist may ask for them (the built-in MO002 lets use alone pass)."""

from __future__ import annotations

from pathlib import Path

from mlscaffold.score.judge import detectors
from mlscaffold.score.read.index import RepoIndex

PARAMS = {"modules": ["wandb"], "distributions": ["wandb"]}


def _index(tmp_path: Path, files: dict[str, str]) -> RepoIndex:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    index = RepoIndex(str(tmp_path))
    index.read_contents()
    return index


def test_imported_but_undeclared_is_partial_by_default(tmp_path: Path) -> None:
    index = _index(tmp_path, {"train.py": "import wandb\n", "requirements.txt": "numpy==2\n"})
    verdict = detectors.library(index, PARAMS)
    assert verdict.status.value == "partial" and "not declared" in verdict.reason


def test_undeclared_passes_when_the_check_says_so(tmp_path: Path) -> None:
    index = _index(tmp_path, {"train.py": "import wandb\n", "requirements.txt": "numpy==2\n"})
    verdict = detectors.library(index, {**PARAMS, "undeclared_passes": True})
    assert verdict.status.value == "pass" and "wandb used" in verdict.reason


def test_declared_and_imported_passes(tmp_path: Path) -> None:
    index = _index(tmp_path, {"train.py": "import wandb\n", "requirements.txt": "wandb==0.18\n"})
    assert detectors.library(index, PARAMS).status.value == "pass"
