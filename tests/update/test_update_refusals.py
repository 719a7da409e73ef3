"""`mlscaffold update` refuses, in one line with exit 2, what it cannot update safely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from upd_helpers import (
    apply_v2_changes,
    base_env,
    commit_all,
    generate,
    git,
    make_template_repo,
    run_cli,
    tree_digest,
)

from mlscaffold.generate import history


def _refused(done, *needles: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlscaffold: error:"), done.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.slow
def test_dirty_tree_is_refused_and_left_alone(tmp_path: Path) -> None:
    template = make_template_repo(tmp_path / "template-repo")
    env = base_env(tmp_path / "home", template)
    project = generate(tmp_path / "proj", env)
    apply_v2_changes(template)
    commit_all(template, "v2")
    git(template, "tag", "v2.0.0")
    (project / "configs" / "training.yaml").write_text("seed: 1\n")
    before = tree_digest(project)
    _refused(run_cli("update", cwd=project, env=env), "uncommitted changes", "commit or stash")
    _refused(run_cli("update", "--dry-run", cwd=project, env=env), "uncommitted changes")
    assert tree_digest(project) == before


def test_directory_that_is_not_a_generated_project(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "README.md").write_text("# not generated\n")
    env = base_env(tmp_path / "home")
    _refused(run_cli("update", str(plain), cwd=tmp_path, env=env), "not a generated project")
    _refused(run_cli("update", "--check", cwd=plain, env=env), "no .copier-answers.yml")
    _refused(run_cli("update", str(tmp_path / "missing"), cwd=tmp_path, env=env), "not a directory")


def test_project_not_in_git_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".copier-answers.yml").write_text(
        f"_commit: v0.0.1\n_src_path: {history.RECORDED_SOURCE}\n"
    )
    env = base_env(tmp_path / "home")
    _refused(run_cli("update", cwd=project, env=env), "not in a git repository")


@pytest.mark.slow
def test_project_from_another_template_names_its_source(tmp_path: Path) -> None:
    other = make_template_repo(tmp_path / "other-template")
    env = base_env(tmp_path / "home")
    project = generate(tmp_path / "proj", env, "--template", str(other))
    _refused(
        run_cli("update", cwd=project, env=env),
        "generated from another template",
        f"_src_path: {other}",
        "copier update",
    )
    _refused(run_cli("update", "--check", cwd=project, env=env), str(other))


def test_project_without_recorded_version_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".copier-answers.yml").write_text(f"_src_path: {history.RECORDED_SOURCE}\n")
    git(project, "init", "--quiet")
    commit_all(project, "answers")
    _refused(run_cli("update", cwd=project, env=base_env(tmp_path / "home")), "_commit")


@pytest.mark.slow
def test_downgrade_is_refused_and_the_cache_keeps_newer_versions(tmp_path: Path) -> None:
    newer = make_template_repo(tmp_path / "newer")
    apply_v2_changes(newer)
    commit_all(newer, "v2")
    git(newer, "tag", "v2.0.0")
    home = tmp_path / "home"
    project = generate(tmp_path / "proj", base_env(home, newer))
    assert "_commit: v2.0.0" in (project / ".copier-answers.yml").read_text()
    older = tmp_path / "older"
    shutil.copytree(newer, older)
    git(older, "tag", "--delete", "v2.0.0")
    env = base_env(home, older)
    before = tree_digest(project)
    _refused(run_cli("update", cwd=project, env=env), "newer than the installed", "2.0.0", "1.0.0")
    _refused(run_cli("update", "--check", cwd=project, env=env), "no downgrades")
    assert tree_digest(project) == before
    # The user-level history merged both sources: v2.0.0 was not lost.
    tags = history.bundle_tags(home / ".local/share/mlscaffold/template.bundle")
    assert {"v1.0.0", "v2.0.0"} <= set(tags)


def test_pre_commit_blocks_conflict_markers_outside_a_merge(tmp_path: Path) -> None:
    import yaml

    config = yaml.safe_load(
        (
            Path(__file__).resolve().parents[2] / "template/project/.pre-commit-config.yaml"
        ).read_text()
    )
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    # The hook only looks during a git merge unless told otherwise; updates leave markers outside.
    assert "--assume-in-merge" in hooks["check-merge-conflict"].get("args", [])
