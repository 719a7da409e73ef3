"""`mlscaffold report` across versions and identities: a newer minor version is read, a new
major version is refused, and repositories are told apart by who they are, not their name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import make_tree, run_cli
from tests.score import snippets as s


def _score(root: Path, out: Path) -> dict:
    done = run_cli("score", str(root), "-f", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _summary(*reports: Path) -> dict:
    done = run_cli("report", *map(str, reports), "-f", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _git(root: Path, remote: str) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin", remote], check=True)


def test_a_newer_minor_version_is_read_and_an_older_one_too(tmp_path) -> None:
    root = make_tree(tmp_path / "churn", {**s.PIPELINE, "README.md": "# churn\n"})
    data = _score(root, tmp_path / "now.json")
    newer = dict(data, schema_version="1.7", provenance={"runner": "x"})
    newer["findings"] = [dict(f, confidence=0.9) for f in data["findings"]]
    (tmp_path / "newer.json").write_text(json.dumps(newer), encoding="utf-8")
    older = {k: v for k, v in data.items() if k != "repository"}
    older["schema_version"] = "1.0"
    (tmp_path / "older.json").write_text(json.dumps(older), encoding="utf-8")
    for name in ("newer.json", "older.json"):
        summary = _summary(tmp_path / name)
        assert summary["repositories"][0]["score"] == data["score"], name
    broken = dict(newer)
    del broken["score"]  # a newer minor still has every field this version requires
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    done = run_cli("report", str(tmp_path / "broken.json"))
    assert done.returncode == 2 and "'score' is a required property" in done.stderr


def test_a_new_major_version_is_refused_in_words(tmp_path) -> None:
    root = make_tree(tmp_path / "churn", {"README.md": "# churn\n"})
    data = _score(root, tmp_path / "now.json")
    (tmp_path / "next.json").write_text(json.dumps(dict(data, schema_version="2.0")))
    done = run_cli("report", str(tmp_path / "next.json"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "schema_version 2.0 is not one this mlscaffold reads (1.x)" in done.stderr
    assert "upgrade mlscaffold" in done.stderr


def test_two_repositories_with_one_folder_name_stay_two(tmp_path) -> None:
    first = make_tree(tmp_path / "acme" / "churn", {**s.PIPELINE, "README.md": "# a\n"})
    second = make_tree(tmp_path / "other" / "churn", {"README.md": "# b\n"})
    _git(first, "https://github.com/acme/churn.git")
    _git(second, "git@github.com:other/churn.git")
    reports = [_score(first, tmp_path / "1.json"), _score(second, tmp_path / "2.json")]
    assert reports[0]["repository"]["remote"] == "https://github.com/acme/churn.git"
    summary = _summary(tmp_path / "1.json", tmp_path / "2.json")
    rows = summary["repositories"]
    assert len(rows) == 2 and {r["project"] for r in rows} == {"churn"}
    assert {r["label"] for r in rows} == {
        "churn (github.com/acme/churn)",
        "churn (github.com/other/churn)",
    }
    assert all(len(r["history"]) == 1 for r in rows)  # no trend made of two repositories
    # The same repository cloned elsewhere (another runner, ssh instead of https) is one.
    clone = make_tree(tmp_path / "ci" / "checkout", {"README.md": "# a, later\n"})
    _git(clone, "ssh://git@GitHub.com/acme/churn")
    later = _score(clone, tmp_path / "3.json")
    later["project"] = "churn"
    later["generated_at"] = "2999-01-01T00:00:00+00:00"
    (tmp_path / "3.json").write_text(json.dumps(later), encoding="utf-8")
    rows = _summary(*(tmp_path / f"{n}.json" for n in (1, 2, 3)))["repositories"]
    assert sorted(len(r["history"]) for r in rows) == [1, 2]
    page = tmp_path / "org.html"
    done = run_cli("report", *(str(tmp_path / f"{n}.json") for n in (1, 2)), "--html", str(page))
    assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    assert "churn (github.com/acme/churn)" in text and "churn (github.com/other/churn)" in text


def test_without_git_the_folder_tells_repositories_apart(tmp_path) -> None:
    first = make_tree(tmp_path / "a" / "churn", {"README.md": "# a\n"})
    second = make_tree(tmp_path / "b" / "churn", {**s.PIPELINE, "README.md": "# b\n"})
    _score(first, tmp_path / "1.json")
    _score(second, tmp_path / "2.json")
    rows = _summary(tmp_path / "1.json", tmp_path / "2.json")["repositories"]
    assert sorted(r["label"] for r in rows) == [f"churn ({first})", f"churn ({second})"]


def test_a_monorepo_report_is_one_repository(tmp_path) -> None:
    root = make_tree(
        tmp_path / "platform",
        {
            "services/a/requirements.txt": "x==1\n",
            "services/a/train.py": "m.fit(X, y)\n",
            "services/b/requirements.txt": "y==1\n",
        },
    )
    _score(root, tmp_path / "mono.json")
    (row,) = _summary(tmp_path / "mono.json")["repositories"]
    assert row["project"] == "platform"
    assert row["subprojects"] == ["platform/services/a", "platform/services/b"]
