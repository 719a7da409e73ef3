"""A wheel built from the repo carries checklist/ and template/ and works in a fresh venv."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, build_wheel, make_tree
from tests.score import snippets as s


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(REPO_ROOT, tmp_path_factory.mktemp("dist"))


def test_wheel_carries_checklist_and_template(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("mlscaffold/_data/checklist/") and n.endswith(".yaml") for n in names)
    assert any(n.startswith("mlscaffold/_data/template/") for n in names)
    assert "mlscaffold/schemas/report.schema.json" in names
    assert "mlscaffold/_data/template.bundle" in names  # the tagged history `update` needs


def test_wheel_metadata_has_project_urls_classifiers_and_the_plugin(wheel: Path) -> None:
    from email.parser import Parser

    import trove_classifiers

    archive = zipfile.ZipFile(wheel)
    info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    meta = Parser().parsestr(archive.read(info).decode("utf-8"))
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Repository", "Issues", "Changelog", "Documentation"} <= set(urls)
    classifiers = meta.get_all("Classifier")
    assert len(classifiers) >= 10 and set(classifiers) <= trove_classifiers.classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers
    points = archive.read(info.replace("METADATA", "entry_points.txt")).decode("utf-8")
    assert "[repo_review.checks]" in points and "[repo_review.families]" in points


@pytest.mark.slow
def test_score_from_wheel_in_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run(
        [str(pip), "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    repo = make_tree(tmp_path / "repo", {**s.PIPELINE, "README.md": "# x\n"})
    out = subprocess.run(
        [str(venv / "bin" / "mlscaffold"), "score", str(repo), "-f", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert len(report["findings"]) >= 30
    checks = subprocess.run(
        [str(venv / "bin" / "mlscaffold"), "checks", "DE005"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checks.returncode == 0 and "shared-preprocessing" in checks.stdout
