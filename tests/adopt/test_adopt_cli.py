"""`mlscaffold adopt` driven as a user would, on real-style repositories committed to git."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlscaffold.score.read.readers.markdown import parse_markdown, placeholder_reason
from tests.adopt.repos import REPOS, commit, fastapi_service, git, notebook_project, poetry_library
from tests.conftest import run_cli

PROSE_CHECKS = {"SC001", "SC002", "SC003", "SC004", "SC005", "SC006", "SC007", "SC008", "DA004"}


def adopt(repo: Path, *args: str):
    return run_cli("adopt", str(repo), *args, timeout=180)


def score(repo: Path) -> dict[str, dict]:
    out = run_cli("score", str(repo), "-f", "json")
    assert out.returncode == 0, out.stderr
    return {f["id"]: f for f in json.loads(out.stdout)["findings"]}


def work_tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def one_line_error(out, exit_code: int, *words: str) -> None:
    assert out.returncode == exit_code, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlscaffold: error: "), out.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("name", list(REPOS))
def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path, name: str) -> None:
    repo = REPOS[name](tmp_path / name)
    before = work_tree(repo)
    out = adopt(repo, "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "Nothing was written." in out.stdout
    assert "+++ b/docs/charter.md" in out.stdout and "--- /dev/null" in out.stdout
    assert "{{" not in out.stdout.split("Not adopted:")[-1]  # no template variable shown
    assert work_tree(repo) == before
    assert git(repo, "status", "--porcelain") == ""


def test_fastapi_service_gets_every_piece_and_only_real_ones_pass(tmp_path: Path) -> None:
    repo = fastapi_service(tmp_path / "churn-service")
    before = score(repo)
    out = adopt(repo)
    assert out.returncode == 0, out.stderr
    added = {line.split()[1] for line in out.stdout.splitlines() if line.startswith("  added ")}
    assert {
        "docs/charter.md",
        "docs/model_card.md",
        "docs/data.md",
        ".github/workflows/ci.yml",
        "Dockerfile",
        ".dockerignore",
        ".pre-commit-config.yaml",
        "ruff.toml",
        "service/monitor.py",
        "configs/monitoring.yaml",
    } <= added
    after = score(repo)
    for check_id in ("DE001", "DE002", "DE006", "MO010"):
        assert before[check_id]["status"] == "fail" and after[check_id]["status"] == "pass"
        assert re.search(rf"^  {check_id}  fail -> pass", out.stdout, re.M)
    # Prompts are prompts: no prose check passes because adopt wrote a document.
    for check_id in PROSE_CHECKS:
        assert after[check_id]["status"] != "pass", after[check_id]
        assert "not filled in" in after[check_id]["reason"] or before[check_id]["status"] != "fail"
    # Adopt says which improvements were only a side effect of its files.
    aimed = {"DE001", "DE002", "DE006", "MO010"}
    side = [c for c in after if c not in aimed and after[c]["status"] != before[c]["status"]]
    if side:
        section = out.stdout.split("Also changed, as a side effect", 1)[1]
        assert all(c in section for c in side)


def test_documents_carry_the_facts_as_todo_lines(tmp_path: Path) -> None:
    repo = fastapi_service(tmp_path / "svc")
    assert adopt(repo).returncode == 0
    charter = (repo / "docs/charter.md").read_text()
    assert 'README.md says: "Serves churn predictions to the billing system' in charter
    assert "FastAPI (service/app.py)" in charter
    data = (repo / "docs/data.md").read_text()
    for column in ("tenure_months", "monthly_charges", "support_calls", "churned"):
        line = rf"^- TODO: `{column}` \((integer|number), in data/reference.csv\)"
        assert re.search(line, data, re.M)
    assert "x1 ... x6" not in data  # the template's synthetic data stays out
    for doc in ("charter.md", "model_card.md", "data.md"):
        path = f"docs/{doc}"
        sections = [s for s in parse_markdown(path, (repo / path).read_text()) if s.level == 2]
        assert sections
        for section in sections:  # what the scorer will read: prompts, never prose
            assert placeholder_reason(section.body) is not None, (path, section.heading)


def test_owner_candidates_named_but_left_to_people(tmp_path: Path) -> None:
    repo = poetry_library(tmp_path / "featurekit")
    out = adopt(repo, "--only", "SC002")
    assert out.returncode == 0, out.stderr
    charter = (repo / "docs/charter.md").read_text()
    assert "- TODO: Ada Lovelace is named in pyproject.toml authors" in charter
    assert "- TODO: Grace Hopper is named in pyproject.toml authors" in charter
    assert score(repo)["SC002"]["status"] != "pass"


def test_large_committed_data_is_ignored_and_untracked(tmp_path: Path) -> None:
    repo = notebook_project(tmp_path / "explore")
    big = repo / "data/customers.csv"
    assert big.stat().st_size > 1024 * 1024
    out = adopt(repo)
    assert out.returncode == 0, out.stderr
    assert "untrack   data/customers.csv" in out.stdout
    assert "/data/" in (repo / ".gitignore").read_text().splitlines()
    assert big.is_file()  # still on disk
    assert "data/customers.csv" not in git(repo, "ls-files")
    assert "D  data/customers.csv" in git(repo, "status", "--porcelain")
    assert re.search(r"^  DA002  fail -> pass", out.stdout, re.M)
    assert not (repo / ".github").exists()  # no tests: no CI that runs nothing
    assert "no tests to run" in out.stdout


def test_existing_gitignore_gets_only_missing_rules_in_a_clean_merge(tmp_path: Path) -> None:
    repo = notebook_project(tmp_path / "explore")
    (repo / ".gitignore").write_text("# ours\n.venv/\n/models/\n")
    commit(repo, "our ignore file")
    out = adopt(repo, "--only", "DA002")
    assert out.returncode == 0, out.stderr
    text = (repo / ".gitignore").read_text()
    assert text.startswith("# ours\n.venv/\n/models/\n")
    assert text.count("/models/") == 1 and "/data/" in text
    assert "<<<<<<<" not in text


def test_conflict_with_an_existing_file_is_marked_listed_and_exits_1(tmp_path: Path) -> None:
    repo = fastapi_service(tmp_path / "svc")
    workflow = repo / ".github/workflows/ci.yml"
    workflow.parent.mkdir(parents=True)
    ours = (
        "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: make\n"
    )
    workflow.write_text(ours)
    commit(repo, "a CI that only builds")
    dry = adopt(repo, "--only", "DE002", "--dry-run")
    one_line_error(dry, 1, "conflict", ".github/workflows/ci.yml")
    assert workflow.read_text() == ours
    out = adopt(repo, "--only", "DE002")
    one_line_error(out, 1, "conflict", "resolve the markers")
    text = workflow.read_text()
    assert text.startswith("<<<<<<< before adopting\n" + ours)
    assert ">>>>>>> after adopting" in text and "python -m pytest -q" in text
    assert "  .github/workflows/ci.yml" in out.stdout


def test_dirty_tree_is_refused_and_nothing_written(tmp_path: Path) -> None:
    repo = fastapi_service(tmp_path / "svc")
    (repo / "notes.txt").write_text("work in progress\n")
    before = work_tree(repo)
    one_line_error(adopt(repo), 2, "uncommitted changes", "commit or stash")
    one_line_error(adopt(repo, "--dry-run"), 2, "uncommitted changes")
    assert work_tree(repo) == before


@pytest.mark.parametrize(
    ("setup", "args", "words"),
    [
        ("missing", (), ("no such directory",)),
        ("file", (), ("not a directory",)),
        ("no-git", (), ("not in a git repository",)),
        ("repo", ("--only", "XX999"), ("--only XX999", "no such check")),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, setup: str, args, words) -> None:
    target = tmp_path / "target"
    if setup == "file":
        target.write_text("x")
    elif setup == "no-git":
        target.mkdir()
        (target / "train.py").write_text("print('hi')\n")
    elif setup == "repo":
        fastapi_service(target)
    one_line_error(adopt(target, *args), 2, *words)


def test_a_second_run_has_nothing_to_do(tmp_path: Path) -> None:
    repo = fastapi_service(tmp_path / "svc")
    assert adopt(repo).returncode == 0
    commit(repo, "adopted")
    out = adopt(repo)
    assert out.returncode == 0, out.stderr
    assert "Nothing to adopt." in out.stdout
    assert "present but not filled in" in out.stdout  # prompts wait for people
    assert git(repo, "status", "--porcelain") == ""


def test_only_limits_the_pieces(tmp_path: Path) -> None:
    repo = fastapi_service(tmp_path / "svc")
    out = adopt(repo, "--only", "DE001,mo010")
    assert out.returncode == 0, out.stderr
    changed = sorted(line[3:] for line in git(repo, "status", "--porcelain", "-uall").splitlines())
    assert changed == [".dockerignore", ".pre-commit-config.yaml", "Dockerfile", "ruff.toml"]
    commit(repo, "adopted")
    passing = adopt(repo, "--only", "DE005")
    assert "already passes" in passing.stdout or "not applicable" in passing.stdout
