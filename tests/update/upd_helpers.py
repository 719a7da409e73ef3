"""Helpers for the update tests: template versions in a git repository, user edits, the CLI."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
TEMPLATE = REPO / "template"
PACKAGE = "proj"

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def base_env(home: Path, history: Path | None = None) -> dict[str, str]:
    """A user's environment: own HOME, no terminal colours, optionally another template history."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MLSCAFFOLD_"))}
    env.update(GIT_IDENTITY)
    env["HOME"] = str(home)
    env["NO_COLOR"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    if history is not None:
        env["MLSCAFFOLD_TEMPLATE_HISTORY"] = str(history)
    home.mkdir(parents=True, exist_ok=True)
    return env


def run_cli(
    *args: str,
    cwd: Path,
    env: dict[str, str],
    python: str = sys.executable,
    module: str = "mlscaffold",
) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` as a user runs it (mlscaffold, or copier itself)."""
    return subprocess.run(
        [python, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_IDENTITY)
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)


def make_template_repo(dest: Path, tag: str = "v1.0.0") -> Path:
    """A git repository holding a copy of mlscaffold's template/, tagged ``tag``."""
    shutil.copytree(TEMPLATE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(dest, "init", "--quiet", "--initial-branch=main")
    commit_all(dest, "template v1")
    git(dest, "tag", tag)
    return dest


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --- the second template version ----------------------------------------------------------

V2_TRAINING_COMMENT = "# Training settings, reviewed in template v2"
V2_FEATURES_DOC = "The one feature transformation (template v2) shared by training"
V2_CHARTER_HEADING = "## Timeline and milestones"
V2_README_TITLE = "(an ML project, template v2)"
V2_NEW_FILE = "docs/runbook.md"


def apply_v2_changes(template_dir: Path) -> None:
    """Template changes of v2: one per kind of user edit, plus a new file."""
    project = template_dir / "project"
    _edit(
        template_dir / "includes" / "training.yaml.jinja",
        "# Training settings",
        V2_TRAINING_COMMENT,
    )
    _edit(
        project / "src" / "{{ package_name }}" / "features.py.jinja",
        "The one feature transformation shared by training",
        V2_FEATURES_DOC,
    )
    _edit(project / "docs" / "charter.md.jinja", "## Timeline", V2_CHARTER_HEADING)
    # Same line the user edits: a conflict.
    _edit(
        project / "README.md.jinja",
        "# {{ project_name }}\n",
        f"# {{{{ project_name }}}} {V2_README_TITLE}\n",
    )
    # A file the user deleted changes in v2; it must stay deleted.
    _edit(project / "notebooks" / "README.md", "for exploration only", "for exploration only (v2)")
    (project / "docs" / "runbook.md.jinja").write_text(
        "# Runbook: {{ project_name }}\n\nWhat to do when the model misbehaves.\n", encoding="utf-8"
    )


# --- a user's edits -------------------------------------------------------------------------

USER_N_ESTIMATORS = "n_estimators: 300"
USER_FUNCTION = "def user_ratio(a: float, b: float) -> float:"
USER_SECTION = "## Glossary (ours)"
USER_TITLE = "# Churn model, owned by the risk team"
OPTIONAL_FILE = "notebooks/README.md"


def release_v2(template: Path) -> None:
    """Commit the v2 changes in a template repository made by make_template_repo and tag them."""
    apply_v2_changes(template)
    commit_all(template, "template v2")
    git(template, "tag", "v2.0.0")


def apply_user_edits(project: Path) -> None:
    _edit(project / "configs" / "training.yaml", "n_estimators: 100", USER_N_ESTIMATORS)
    features = project / "src" / PACKAGE / "features.py"
    features.write_text(
        features.read_text(encoding="utf-8")
        + f"\n\n{USER_FUNCTION}\n    return a / b if b else 0.0\n",
        encoding="utf-8",
    )
    charter = project / "docs" / "charter.md"
    charter.write_text(
        charter.read_text(encoding="utf-8") + f"\n{USER_SECTION}\n\nChurn: a customer leaves.\n",
        encoding="utf-8",
    )
    _edit(project / "README.md", f"# {PACKAGE}\n", f"{USER_TITLE}\n")
    (project / OPTIONAL_FILE).unlink()


def assert_merged(project: Path, stdout: str) -> None:
    """Every user edit survived, every other template change arrived, the README conflicts."""
    training = (project / "configs" / "training.yaml").read_text()
    assert USER_N_ESTIMATORS in training and V2_TRAINING_COMMENT in training
    features = (project / "src" / PACKAGE / "features.py").read_text()
    assert USER_FUNCTION in features and V2_FEATURES_DOC in features
    charter = (project / "docs" / "charter.md").read_text()
    assert USER_SECTION in charter and V2_CHARTER_HEADING in charter
    assert "## Timeline\n" not in charter
    assert not (project / OPTIONAL_FILE).exists()
    assert "Runbook: proj" in (project / V2_NEW_FILE).read_text()
    readme = (project / "README.md").read_text().splitlines()
    start = readme.index("<<<<<<< before updating")
    assert readme[start + 1] == USER_TITLE
    assert readme[start + 2] == "======="
    assert readme[start + 3] == f"# {PACKAGE} {V2_README_TITLE}"
    assert readme[start + 4] == ">>>>>>> after updating"
    listing = stdout[stdout.index("conflicts") :]
    assert "README.md" in listing
    for clean in ("configs/training.yaml", "docs/charter.md", "features.py"):
        assert clean not in listing
    unmerged = git(project, "diff", "--name-only", "--diff-filter=U").split()
    assert unmerged == ["README.md"]


def tree_digest(root: Path) -> str:
    """Digest of every file under ``root`` (names, modes and bytes), the .git directory included."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(root).as_posix()
            digest.update(f"{rel}\0{path.stat().st_mode}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def generate(dest: Path, env: dict[str, str], *extra: str, python: str = sys.executable) -> Path:
    """``mlscaffold new`` with defaults, then commit the project, as a user would."""
    done = run_cli("new", str(dest), "--defaults", *extra, cwd=dest.parent, env=env, python=python)
    assert done.returncode == 0, done.stderr
    git(dest, "init", "--quiet", "--initial-branch=main")
    commit_all(dest, "generated")
    return dest
