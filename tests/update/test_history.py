"""The template history: built from release tags plus the working template, cached per user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from upd_helpers import GIT_IDENTITY, REPO, TEMPLATE, commit_all, git, make_template_repo

from mlscaffold.generate import history


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(history.HISTORY_ENV, raising=False)
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    return home


def _show(bundle: Path, tag: str, path: str, tmp: Path) -> str:
    clone = tmp / f"clone-{tag}"
    if not clone.exists():
        git(tmp, "clone", "--quiet", str(bundle), str(clone))
    return git(clone, "show", f"{tag}:{path}")


def test_build_takes_released_trees_from_tags_and_the_working_template(
    tmp_path: Path, home: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(TEMPLATE, repo / "template", ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "--quiet")
    commit_all(repo, "release")
    git(repo, "tag", "v0.1.0")
    git(repo, "tag", "not-a-version")
    charter = repo / "template/project/docs/charter.md.jinja"
    charter.write_text(charter.read_text() + "\nworking copy\n")
    (repo / "template/project/__pycache__").mkdir()
    (repo / "template/project/__pycache__/x.pyc").write_bytes(b"\0")

    bundle = tmp_path / "out.bundle"
    tags = history.build_bundle(bundle, repo / "template", "0.2.0", repo=repo)

    assert set(tags) == {"v0.1.0", "v0.2.0"}
    assert set(history.bundle_tags(bundle)) == {"v0.1.0", "v0.2.0"}
    assert "working copy" not in _show(bundle, "v0.1.0", "project/docs/charter.md.jinja", tmp_path)
    assert "working copy" in _show(bundle, "v0.2.0", "project/docs/charter.md.jinja", tmp_path)
    assert "copier.yml" in git(tmp_path / "clone-v0.1.0", "ls-tree", "--name-only", "v0.2.0")
    assert "__pycache__" not in git(tmp_path / "clone-v0.1.0", "ls-tree", "-r", "v0.2.0")
    # Same files, same commit: rebuilding gives identical ids, so caches agree.
    again = history.build_bundle(tmp_path / "again.bundle", repo / "template", "0.2.0", repo=repo)
    assert again == tags


def test_cache_never_loses_tags_and_reports_the_installed_latest(
    tmp_path: Path, home: Path
) -> None:
    template = make_template_repo(tmp_path / "t", tag="v1.0.0")
    old = tmp_path / "old.bundle"
    history.bundle_repository(template, old)
    (template / "copier.yml").write_text((template / "copier.yml").read_text() + "\n")
    commit_all(template, "v2")
    git(template, "tag", "v2.0.0")
    new = tmp_path / "new.bundle"
    history.bundle_repository(template, new)

    first = history.materialise(new, "new")
    assert first.latest_tag == "v2.0.0"
    assert first.recorded_source.startswith("~/")
    assert first.path == home / ".local/share/mlscaffold/template.bundle"
    second = history.materialise(old, "old")  # an older mlscaffold runs for the same user
    assert second.latest_tag == "v1.0.0"
    assert set(history.bundle_tags(second.path)) == {"v1.0.0", "v2.0.0"}
    # Known sources are not re-read.
    assert history.materialise(new, "new").latest_tag == "v2.0.0"


def test_checkout_history_is_built_once_per_template_content(home: Path) -> None:
    from mlscaffold import __version__

    first = history.installed_history()
    assert first.latest_tag == f"v{__version__}"
    assert first.latest_tag in history.bundle_tags(first.path)
    mtime = first.path.stat().st_mtime_ns
    assert history.installed_history() == first
    assert first.path.stat().st_mtime_ns == mtime


def test_build_command_line(tmp_path: Path) -> None:
    out = tmp_path / "h.bundle"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlscaffold.generate.history",
            "build",
            "--out",
            str(out),
            "--version",
            "9.9.9",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "v9.9.9" in history.bundle_tags(out)


def test_new_renders_exactly_the_recorded_version(tmp_path: Path) -> None:
    """`mlscaffold new` renders the installed directory; copier rendering the recorded history at
    the recorded tag must give the same bytes, or the first update would see phantom edits."""
    from upd_helpers import base_env, run_cli

    env = base_env(tmp_path / "home")
    env.pop("MLSCAFFOLD_TEMPLATE_HISTORY", None)
    made = run_cli("new", "ours", "--defaults", "--data", "serving=batch", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    ours = tmp_path / "ours"
    answers = ours / ".copier-answers.yml"
    recorded = yaml.safe_load(answers.read_text())
    theirs = tmp_path / "theirs"
    copied = subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--defaults",
            "--quiet",
            "--data-file",
            str(answers),
            "--vcs-ref",
            recorded["_commit"],
            recorded["_src_path"],
            str(theirs),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert copied.returncode == 0, copied.stderr

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    assert files(ours) == files(theirs)
