"""`mlscaffold update` merges a newer template into a project and keeps every user edit."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from upd_helpers import (
    V2_NEW_FILE,
    V2_TRAINING_COMMENT,
    apply_user_edits,
    assert_merged,
    base_env,
    commit_all,
    generate,
    git,
    make_template_repo,
    release_v2,
    run_cli,
)


@pytest.fixture
def v1_project(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A project generated from template v1.0.0 and committed, plus its template repository."""
    template = make_template_repo(tmp_path / "template-repo")
    env = base_env(tmp_path / "home", template)
    project = generate(tmp_path / "proj", env)
    return project, template, env


@pytest.mark.slow
def test_update_keeps_user_edits_brings_changes_and_reports_conflict(v1_project) -> None:
    project, template, env = v1_project
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.0.0"
    assert answers["_src_path"] == "~/.local/share/mlscaffold/template.bundle"
    apply_user_edits(project)
    commit_all(project, "our edits")
    release_v2(template)

    done = run_cli("update", cwd=project, env=env)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "1 conflict(s) left" in done.stderr and "README.md" in done.stderr
    assert "1.0.0 -> 2.0.0" in done.stdout
    assert_merged(project, done.stdout)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v2.0.0"
    assert answers["_src_path"] == "~/.local/share/mlscaffold/template.bundle"


@pytest.mark.slow
def test_update_without_conflict_succeeds_and_then_is_current(v1_project) -> None:
    project, template, env = v1_project
    release_v2(template)
    done = run_cli("update", str(project), cwd=project.parent, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conflict" not in done.stdout + done.stderr
    assert V2_TRAINING_COMMENT in (project / "configs" / "training.yaml").read_text()
    assert (project / V2_NEW_FILE).is_file()
    assert f"added {V2_NEW_FILE}" in " ".join(done.stdout.split())
    commit_all(project, "update to v2")
    again = run_cli("update", cwd=project, env=env)
    assert again.returncode == 0 and "up to date" in again.stdout
    check = run_cli("update", "--check", cwd=project, env=env)
    assert check.returncode == 0 and "up to date" in check.stdout


@pytest.mark.slow
def test_check_says_behind_with_both_versions(v1_project) -> None:
    project, template, env = v1_project
    current = run_cli("update", "--check", cwd=project, env=env)
    assert current.returncode == 0, current.stderr
    assert "1.0.0 (current), 1.0.0 (available): up to date" in current.stdout
    release_v2(template)
    behind = run_cli("update", "--check", cwd=project, env=env)
    assert behind.returncode == 1, behind.stderr
    assert "1.0.0 (current), 2.0.0 (available): behind" in behind.stdout
    assert git(project, "status", "--porcelain") == ""


@pytest.mark.slow
def test_dry_run_shows_the_diff_and_writes_nothing(v1_project) -> None:
    from upd_helpers import tree_digest

    project, template, env = v1_project
    apply_user_edits(project)
    commit_all(project, "our edits")
    release_v2(template)
    before = tree_digest(project)

    done = run_cli("update", "--dry-run", cwd=project, env=env)

    assert tree_digest(project) == before
    assert done.returncode == 1, done.stderr  # the README would conflict
    assert f"+{V2_TRAINING_COMMENT}" in done.stdout
    assert f"+++ b/{V2_NEW_FILE}" in done.stdout
    assert "-_commit: v1.0.0" in done.stdout and "+_commit: v2.0.0" in done.stdout
    assert "would conflict" in done.stdout and "README.md" in done.stdout
    assert "would be left" in done.stderr
    # The real update afterwards does what the dry run showed.
    real = run_cli("update", cwd=project, env=env)
    assert real.returncode == 1
    assert_merged(project, real.stdout)


@pytest.mark.slow
def test_dry_run_of_a_clean_update_exits_zero(v1_project) -> None:
    from upd_helpers import tree_digest

    project, template, env = v1_project
    release_v2(template)
    before = tree_digest(project)
    done = run_cli("update", "--dry-run", cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    assert "Nothing was written" in done.stdout
    assert tree_digest(project) == before


@pytest.mark.slow
def test_data_changes_an_answer_during_the_update(v1_project) -> None:
    project, template, env = v1_project
    release_v2(template)
    done = run_cli(
        "update", "--data", "description=Predicts which customers leave.", cwd=project, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["description"] == "Predicts which customers leave."
    assert answers["_commit"] == "v2.0.0"
    assert "Predicts which customers leave." in (project / "README.md").read_text()
    assert (project / V2_NEW_FILE).is_file()


@pytest.mark.slow
def test_data_at_the_current_version_rerenders_with_the_new_answer(v1_project) -> None:
    project, _template, env = v1_project
    assert (project / "src" / "proj" / "monitor.py").is_file()
    done = run_cli("update", "--data", "monitoring=no", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "with changed answers" in done.stdout
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["monitoring"] is False
    assert not (project / "src" / "proj" / "monitor.py").exists()
    assert not (project / "configs" / "monitoring.yaml").exists()


@pytest.mark.slow
def test_a_file_the_new_answers_drop_is_kept_when_the_user_edited_it(v1_project) -> None:
    project, _template, env = v1_project
    monitor = project / "src" / "proj" / "monitor.py"
    monitor.write_text(monitor.read_text() + "\n\n# our threshold, tuned by hand\n")
    commit_all(project, "tune monitoring")
    done = run_cli("update", "--data", "monitoring=no", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "our threshold, tuned by hand" in monitor.read_text()  # the edit survives
    assert "kept src/proj/monitor.py: you edited it" in done.stderr
    # What the user never touched goes, as the new answers say.
    assert not (project / "configs" / "monitoring.yaml").exists()
    # A dry run says the same and writes nothing.
    git(project, "checkout", "--quiet", "--", ".")
    git(project, "clean", "--quiet", "-fd")
    dry = run_cli("update", "--dry-run", "--data", "monitoring=no", cwd=project, env=env)
    assert "kept src/proj/monitor.py" in dry.stderr, dry.stdout + dry.stderr
    assert "our threshold" in monitor.read_text()


@pytest.mark.slow
def test_a_dropped_file_is_kept_when_the_old_version_cannot_be_rendered(
    v1_project, monkeypatch
) -> None:
    """Whether the user edited a file the update drops is told from the old version rendered
    again; when that fails, nothing counts as untouched."""
    from mlscaffold.generate import update

    project, _template, env = v1_project
    for key, value in env.items():  # the CLI's environment, in this process
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(update, "_render_version", lambda state, dest: None)
    result = update.update_project(project, {"monitoring": False})
    assert (project / "src" / "proj" / "monitor.py").is_file()
    assert any(
        w.startswith("kept src/proj/monitor.py: your edits could not be ruled out")
        for w in result.warnings
    ), result.warnings


def test_data_for_an_unknown_question_is_refused(tmp_path: Path) -> None:
    # Refused before anything runs: a bare answers file is enough.
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".copier-answers.yml").write_text(
        "_commit: v0.1.0\n_src_path: ~/.local/share/mlscaffold/template.bundle\n"
    )
    git(project, "init", "--quiet")
    commit_all(project, "answers")
    env = base_env(tmp_path / "home")
    done = run_cli("update", "--data", "colour=blue", cwd=project, env=env)
    assert done.returncode == 2, done.stderr
    assert "unknown question(s) colour" in done.stderr
    assert "Traceback" not in done.stderr
