"""Plain `copier copy` + `copier update` work from mlscaffold's git repository (root copier.yml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from upd_helpers import (
    REPO,
    TEMPLATE,
    V2_CHARTER_HEADING,
    V2_NEW_FILE,
    apply_v2_changes,
    base_env,
    commit_all,
    git,
    run_cli,
)


def test_root_copier_yml_includes_the_one_question_file() -> None:
    text = (REPO / "copier.yml").read_text()
    assert "!include template/copier.yml" in text
    assert "_subdirectory: template/project" in text
    # Questions are defined once: the root file declares none of its own.
    for line in text.splitlines():
        assert line.startswith(("#", "---", "!include", "_")) or not line.strip(), line


@pytest.mark.slow
def test_copier_copy_and_update_from_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "mlscaffold-repo"
    shutil.copytree(TEMPLATE, repo / "template", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "copier.yml", repo / "copier.yml")
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit_all(repo, "v1")
    git(repo, "tag", "v1.0.0")
    env = base_env(tmp_path / "home")

    made = run_cli(
        "copy",
        "--defaults",
        "--quiet",
        "--data",
        "licence=Apache-2.0",
        str(repo),
        "proj",
        cwd=tmp_path,
        env=env,
        module="copier",
    )
    assert made.returncode == 0, made.stderr
    project = tmp_path / "proj"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.0.0" and answers["_src_path"] == str(repo)
    assert "Apache License" in (project / "LICENSE").read_text()  # a Jinja include resolves
    assert "n_estimators: 100" in (project / "configs/training.yaml").read_text()
    git(project, "init", "--quiet", "--initial-branch=main")
    commit_all(project, "generated")
    charter = project / "docs/charter.md"
    charter.write_text(charter.read_text() + "\n## Our section\n")
    commit_all(project, "edit")

    apply_v2_changes(repo / "template")
    commit_all(repo, "v2")
    git(repo, "tag", "v2.0.0")
    updated = run_cli("update", "--defaults", "--quiet", cwd=project, env=env, module="copier")

    assert updated.returncode == 0, updated.stderr
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v2.0.0"
    text = charter.read_text()
    assert V2_CHARTER_HEADING in text and "## Our section" in text
    assert (project / V2_NEW_FILE).is_file()
