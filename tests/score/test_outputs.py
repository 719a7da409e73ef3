"""Outputs for CI: SARIF (validated against the 2.1.0 schema), badge, several formats in one run,
--diff against a base report, and many repositories at once."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest

from mlscaffold.resources import schema_path
from tests.conftest import DATA, run_cli
from tests.score import snippets as s

SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tree):
    return tree(
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE_COPY,
            "README.md": "# Churn\n\n## Problem statement\n\nTODO\n",
            "requirements.txt": "pandas>=2\n",
        }
    )


def test_sarif_is_valid_and_locates_findings(repo) -> None:
    out = run_cli("score", str(repo), "--format", "sarif")
    assert out.returncode == 0, out.stderr
    sarif = json.loads(out.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) >= 30 and len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
    results = {r["ruleId"]: r for r in run["results"]}
    report = json.loads(run_cli("score", str(repo), "-f", "json").stdout)
    failing = {f["id"] for f in report["findings"] if f["status"] in ("fail", "partial")}
    assert set(results) == failing  # results only for failing and partial checks
    skew = results["DE005"]
    loc = skew["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "src/churn/serve.py"
    assert loc["region"]["startLine"] > 1
    assert skew["level"] == "error"  # critical
    # repo-level finding anchored to a real file
    assert (
        results["DE001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "README.md"
    )
    for r in run["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (repo / uri).is_file(), uri
    again = json.loads(run_cli("score", str(repo), "--format", "sarif").stdout)
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in run["results"]
    ]


def test_badge_has_shields_fields(repo) -> None:
    badge = json.loads(run_cli("score", str(repo), "--format", "badge").stdout)
    assert badge["schemaVersion"] == 1 and badge["label"]
    assert badge["message"].startswith("maturity ") and "/100" in badge["message"]
    assert badge["color"] in ("red", "orange", "yellow", "yellowgreen", "brightgreen")


def test_several_formats_in_one_run(repo, tmp_path) -> None:
    sarif = tmp_path / "a.sarif"
    out = run_cli(
        "score",
        str(repo),
        "--format",
        "sarif",
        "--output",
        str(sarif),
        "--format",
        "markdown",
        "--output",
        "-",
        "--format",
        "json",
        "--output",
        str(tmp_path / "r.json"),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("## mlscaffold score")
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(sarif.read_text()))
    jsonschema.validate(json.loads((tmp_path / "r.json").read_text()), REPORT_SCHEMA)


def test_two_formats_on_stdout_is_a_usage_error(repo) -> None:
    out = run_cli("score", str(repo), "-f", "json", "-f", "markdown")
    assert out.returncode == 2 and "standard output" in out.stderr


def test_markdown_is_truncated_under_one_mib(repo) -> None:
    import dataclasses

    from mlscaffold.score.config import ScoreConfig
    from mlscaffold.score.judge.engine import score_repo
    from mlscaffold.score.report.render.markdown import render_markdown

    report = score_repo(str(repo), config=ScoreConfig())
    small = render_markdown(report)
    assert "truncated" not in small
    long_reason = "x" * 2000
    report.findings = [dataclasses.replace(f, reason=long_reason) for f in report.findings] * 40
    text = render_markdown(report)
    assert len(text.encode()) < 1024 * 1024
    assert "Report truncated" in text


def test_diff_shows_improvements_and_regressions(repo, tmp_path) -> None:
    base = tmp_path / "base.json"
    assert run_cli("score", str(repo), "-f", "json", "-o", str(base)).returncode == 0
    # improve: serve imports the shared features; regress: delete the tests of nothing? add secret
    (repo / "src/churn/serve.py").write_text(s.SERVE, encoding="utf-8")
    (repo / ".env").write_text("API_TOKEN=9f8e7d6c5b4a\n", encoding="utf-8")
    out = run_cli("score", str(repo), "--diff", str(base))
    assert out.returncode == 0, out.stderr
    assert "better: DE005" in out.stdout and "worse: DE008" in out.stdout
    data = json.loads(run_cli("score", str(repo), "--diff", str(base), "-f", "json").stdout)
    jsonschema.validate(data, REPORT_SCHEMA)
    assert [r["id"] for r in data["diff"]["regressed"]] == ["DE008"]
    assert [r["id"] for r in data["diff"]["improved"]] == ["DE005"]
    out = run_cli("score", str(repo), "--diff", str(base), "--fail-on-regression")
    assert out.returncode == 1 and "DE008" in out.stderr
    (repo / ".env").unlink()
    out = run_cli("score", str(repo), "--diff", str(base), "--fail-on-regression")
    assert out.returncode == 0, out.stderr


def test_diff_against_another_project_says_so(repo, tree, tmp_path) -> None:
    other = tree({"README.md": "# other\n"}, name="another")
    base = tmp_path / "base.json"
    assert run_cli("score", str(other), "-f", "json", "-o", str(base)).returncode == 0
    out = run_cli("score", str(repo), "--diff", str(base), "-f", "json")
    notes = [n["message"] for n in json.loads(out.stdout)["notes"]]
    assert any("base report is for project 'another'" in n for n in notes), notes
    assert "warning:" in out.stderr and "base report is for project 'another'" in out.stderr
    same = tmp_path / "same.json"
    assert run_cli("score", str(repo), "-f", "json", "-o", str(same)).returncode == 0
    data = json.loads(run_cli("score", str(repo), "--diff", str(same), "-f", "json").stdout)
    assert not any("base report is for project" in n["message"] for n in data["notes"])


def test_diff_with_bad_base_is_a_usage_error(repo, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a report"}', encoding="utf-8")
    out = run_cli("score", str(repo), "--diff", str(bad))
    assert out.returncode == 2 and "not an mlscaffold score report" in out.stderr
    out = run_cli("score", str(repo), "--fail-on-regression")
    assert out.returncode == 2


def test_many_repositories_in_parallel(tree, tmp_path) -> None:
    roots = [tree({**s.PIPELINE, "README.md": f"# r{i}\n"}, name=f"repo{i}") for i in range(4)]
    roots.append(tree({"README.md": "# empty\n"}, name="bare"))
    outdir = tmp_path / "reports"
    out = run_cli("score", *map(str, roots), "--jobs", "2", "-f", "json", "-o", str(outdir))
    assert out.returncode == 0, out.stderr
    files = sorted(p.name for p in outdir.iterdir())
    assert files == ["bare.json", "repo0.json", "repo1.json", "repo2.json", "repo3.json"]
    for path in outdir.iterdir():
        jsonschema.validate(json.loads(path.read_text()), REPORT_SCHEMA)
    listing = json.loads(run_cli("score", *map(str, roots), "-j", "2", "-f", "json").stdout)
    assert [r["project"] for r in listing] == ["repo0", "repo1", "repo2", "repo3", "bare"]
    out = run_cli("score", *map(str, roots), "--fail-under", "50")
    assert out.returncode == 1 and "bare:" in out.stderr


@pytest.fixture
def monorepo(tree):
    return tree(
        {
            "README.md": "# platform\n",
            "services/churn/pyproject.toml": '[project]\nname = "churn"\nversion = "1"\n',
            **{f"services/churn/{k}": v for k, v in s.PIPELINE.items()},
            "services/fraud/requirements.txt": "scikit-learn==1.5.2\n",
            "services/fraud/train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n",
            "docs/index.md": "# docs\n",
            # the kernels' requirements of an exploration folder make it no project of its own
            "notebooks/requirements.txt": "jupyterlab\n",
        },
        name="platform",
    )


def _status(report: dict) -> dict[str, str]:
    return {f["id"]: f["status"] for f in report["findings"]}


def test_monorepo_is_one_report_with_its_subprojects(monorepo) -> None:
    out = run_cli("score", str(monorepo), "-f", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)  # one document, not a list
    assert report["project"] == "platform" and report["root"] == str(monorepo)
    subs = report["subprojects"]
    assert [r["project"] for r in subs] == ["platform/services/churn", "platform/services/fraud"]
    churn, fraud = subs
    assert _status(churn)["MO003"] == "pass"
    assert _status(fraud)["MO003"] == "fail"  # one script does it all
    assert churn["root"].endswith("services/churn") and fraud["files_scanned"] == 2
    assert churn["repository"]["path"] == "services/churn"
    rolled = {f["id"]: f for f in report["findings"]}
    assert rolled["MO003"]["status"] == "pass"  # a practice: the best sub-project's
    assert rolled["MO003"]["rollup"] == {
        "rule": "best",
        "subprojects": {"services/churn": "pass", "services/fraud": "fail"},
    }
    assert rolled["MO003"]["reason"].startswith("services/churn: ")
    assert all(e["path"].startswith("services/churn/") for e in rolled["MO003"]["evidence"])
    assert report["files_scanned"] >= churn["files_scanned"] + fraud["files_scanned"]
    badge = json.loads(run_cli("score", str(monorepo), "-f", "badge").stdout)
    assert isinstance(badge, dict) and badge["message"].endswith(f"{report['score']}/100")
    markdown = run_cli("score", str(monorepo), "-f", "markdown").stdout
    assert markdown.count("## mlscaffold score") == 1
    assert "(monorepo, 2 sub-projects)" in markdown and "`services/fraud`" in markdown


def test_sarif_uris_are_percent_encoded_references(tmp_path) -> None:
    """A path with spaces or braces (an unrendered template's folder) is a URI reference in
    SARIF: percent-encoded, and decoding it gives the file."""
    from urllib.parse import unquote

    folder = tmp_path / "{{ cookiecutter.repo_name }}"
    folder.mkdir()
    (folder / "train.py").write_text("from sklearn.svm import SVC\nSVC().fit(X, y)\n")
    out = run_cli("score", str(tmp_path), "--format", "sarif", "--no-cache")
    assert out.returncode == 0, out.stderr
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out.stdout)["runs"][0]["results"]
        for loc in r.get("locations", [])
    }
    assert "%7B%7B%20cookiecutter.repo_name%20%7D%7D/train.py" in uris
    assert all(" " not in u and "{" not in u for u in uris)
    assert all((tmp_path / unquote(u)).is_file() for u in uris)


def test_monorepo_sarif_is_one_file_with_paths_from_the_repository_root(monorepo, tmp_path) -> None:
    target = tmp_path / "x.sarif"
    out = run_cli("score", str(monorepo), "-f", "sarif", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert target.is_file()  # a file, not a directory of files
    sarif = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    (run,) = sarif["runs"]
    assert "automationDetails" not in run  # the uploader's category decides
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    seen = set()
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (monorepo / uri).is_file(), uri
        folder = result["message"]["text"][1:].split("]")[0]
        assert uri.startswith(folder + "/"), (uri, folder)
        seen.add(folder)
    assert seen == {"services/churn", "services/fraud"}
    prints = [r["partialFingerprints"]["mlscaffold/v1"] for r in run["results"]]
    assert len(prints) == len(set(prints))  # one check failing in two sub-projects: two alerts
    assert run["properties"]["subprojects"]["services/churn"]["score"] > 0
    named = json.loads(
        run_cli("score", str(monorepo), "-f", "sarif", "--sarif-category", "ml/platform").stdout
    )
    assert named["runs"][0]["automationDetails"] == {"id": "ml/platform/"}


@pytest.fixture
def shared_root(tree):
    """A monorepo whose root holds the CI, the README and tests for every sub-project, and
    whose hygiene fails in one sub-project (a secret) and at the root (a large data file)."""
    return tree(
        {
            "README.md": "# Platform\n\n## Problem statement\n\nWe predict which customers "
            "will cancel next month so retention can call them.\n",
            ".github/workflows/ci.yml": "on: [push, pull_request]\njobs:\n  test:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
            "tests/test_features.py": s.TESTS,
            "data/raw.csv": "a,b\n" + "1,2\n" * 300_000,
            "services/a/requirements.txt": "scikit-learn==1.5.2\n",
            "services/a/train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n",
            "services/a/serve.py": s.SERVE,
            "services/a/.env": "API_TOKEN=9f8e7d6c5b4a\n",
            "services/b/requirements.txt": "fastapi==0.115.0\n",
            "services/b/Dockerfile": "FROM python:3.11-slim-bookworm\nCOPY . /app\n"
            "RUN pip install --no-cache-dir /app\nUSER 10001\n",
        },
        name="shared",
    )


def test_monorepo_rolls_up_best_worst_and_shared(shared_root) -> None:
    report = json.loads(run_cli("score", str(shared_root), "-f", "json").stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    rolled = {f["id"]: f for f in report["findings"]}
    a, b = report["subprojects"]
    # Hygiene takes the worst: a secret in one sub-project, raw data at the root.
    assert _status(a)["DE008"] == "fail" and _status(b)["DE008"] == "pass"
    assert rolled["DE008"]["status"] == "fail"
    assert rolled["DE008"]["rollup"]["subprojects"]["services/a"] == "fail"
    assert _status(a)["DA002"] == _status(b)["DA002"] == "pass"
    assert rolled["DA002"]["status"] == "fail"  # data/raw.csv lies in no sub-project
    assert rolled["DA002"]["rollup"]["subprojects"]["."] == "fail"
    assert [e["path"] for e in rolled["DA002"]["evidence"]] == ["data/raw.csv"]
    # Presence takes the best: only b has a container.
    assert _status(a)["DE001"] == "fail" and rolled["DE001"]["status"] != "fail"
    # The root's CI, README and tests count for every sub-project.
    for sub in (a, b):
        found = {f["id"]: f for f in sub["findings"]}
        assert found["DE002"]["status"] == "pass", found["DE002"]
        assert found["DE002"]["evidence"][0]["path"] == "../../.github/workflows/ci.yml"
        assert found["DE002"]["reason"].startswith("outside the sub-projects: ")
        assert found["SC001"]["status"] == "pass" and found["MO005"]["status"] != "fail"
    alone = json.loads(run_cli("score", str(shared_root / "services" / "a"), "-f", "json").stdout)
    assert _status(alone)["DE002"] == "fail"  # what the root gave, not the folder's own
    assert alone["score"] < a["score"]
    sarif = json.loads(run_cli("score", str(shared_root), "-f", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    root_level = [r for r in results if r["message"]["text"].startswith("[repository root]")]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in root_level}
    assert uris == {"data/raw.csv"}
    secret = [r for r in results if r["ruleId"] == "DE008"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in secret] == [
        "services/a/.env"
    ]


def test_project_gets_the_root_and_paths_from_the_repository_root(shared_root) -> None:
    subprocess.run(["git", "init", "-q", str(shared_root)], check=True)
    one = json.loads(
        run_cli("score", str(shared_root), "--project", "services/a", "-f", "json").stdout
    )
    assert one["project"] == "shared/services/a" and "subprojects" not in one
    assert _status(one)["DE002"] == "pass"  # the root's CI counts for it
    assert one["repository"]["root"] == str(shared_root)
    assert one["repository"]["path"] == "services/a"
    for args in (
        (str(shared_root), "--project", "services/a"),
        (str(shared_root / "services" / "a"),),  # a folder inside a repository
    ):
        sarif = json.loads(run_cli("score", *args, "-f", "sarif").stdout)
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]
        }
        assert "services/a/.env" in uris
        assert all(uri.startswith("services/a/") for uri in uris), uris


def test_monorepo_policy_and_diff_cover_the_subprojects(shared_root, tmp_path) -> None:
    out = run_cli("score", str(shared_root), "--fail-under", "100")
    assert out.returncode == 1
    for name in ("shared:", "shared/services/a:", "shared/services/b:"):
        assert name in out.stderr
    base = tmp_path / "base.json"
    assert run_cli("score", str(shared_root), "-f", "json", "-o", str(base)).returncode == 0
    (shared_root / "services" / "b" / "Dockerfile").unlink()
    data = json.loads(run_cli("score", str(shared_root), "--diff", str(base), "-f", "json").stdout)
    jsonschema.validate(data, REPORT_SCHEMA)
    assert [r["id"] for r in data["diff"]["regressed"]] == ["DE001"]
    b = data["subprojects"][1]
    assert [r["id"] for r in b["diff"]["regressed"]] == ["DE001"]
    out = run_cli("score", str(shared_root), "--diff", str(base), "--fail-on-regression")
    assert out.returncode == 1 and "shared/services/b: regressions" in out.stderr


def test_monorepo_one_project_or_whole(monorepo) -> None:
    one = json.loads(
        run_cli("score", str(monorepo), "--project", "services/fraud", "-f", "json").stdout
    )
    assert one["project"] == "platform/services/fraud" and one["files_scanned"] == 2
    whole = json.loads(run_cli("score", str(monorepo), "--whole", "-f", "json").stdout)
    assert whole["project"] == "platform" and whole["files_scanned"] > 7
    for bad in ("../elsewhere", "/etc", "services/none"):
        out = run_cli("score", str(monorepo), "--project", bad)
        assert out.returncode == 2 and "--project" in out.stderr
    (monorepo / "NOTES.md").write_text("# notes\n", encoding="utf-8")
    out = run_cli("score", str(monorepo), "--project", "NOTES.md")
    assert out.returncode == 2 and "NOTES.md: not a directory" in out.stderr, out.stderr
    both = run_cli("score", str(monorepo), "--project", "services/fraud", "--whole")
    assert both.returncode == 2 and "give one" in both.stderr and "Traceback" not in both.stderr


def test_writing_a_file_says_so_unless_quiet(monorepo, tmp_path) -> None:
    target = tmp_path / "r.json"
    said = run_cli("score", str(monorepo), "-f", "json", "-o", str(target))
    assert said.returncode == 0 and f"mlscaffold: wrote {target} (json)" in said.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["project"] == "platform"
    quiet = run_cli("score", str(monorepo), "-f", "json", "-o", str(target), "-q")
    assert quiet.returncode == 0 and "wrote" not in quiet.stderr


def test_an_output_folder_gets_a_file_for_one_repository_too(monorepo, tmp_path) -> None:
    folder = tmp_path / "reports"
    said = run_cli("score", str(monorepo), "-f", "json", "-o", f"{folder}/")
    assert said.returncode == 0, said.stderr
    assert folder.is_dir() and [p.name for p in folder.iterdir()] == ["platform.json"]
    again = run_cli("score", str(monorepo), "-f", "sarif", "-o", str(folder))  # exists: a folder
    assert again.returncode == 0 and (folder / "platform.sarif").is_file()


def test_several_repositories_into_one_report_file_is_a_usage_error(monorepo, repo, tmp_path):
    target = tmp_path / "single.json"
    out = run_cli("score", str(monorepo), str(repo), "-f", "json", "-o", str(target))
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and "give a folder" in out.stderr
    assert not target.exists()  # no folder named like a file


def test_a_library_with_example_folders_is_one_project(tree) -> None:
    root = tree(
        {
            "pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n',
            "examples/a/requirements.txt": "x==1\n",
            "examples/b/requirements.txt": "y==1\n",
        }
    )
    report = json.loads(run_cli("score", str(root), "-f", "json").stdout)
    assert isinstance(report, dict) and report["project"] == "repo"


def test_monorepo_finds_an_mlflow_project_by_its_conda_file(tree) -> None:
    root = tree(
        {
            "services/a/requirements.txt": "x==1\n",
            "services/a/train.py": "m.fit(X, y)\n",
            "services/wine/conda.yaml": "dependencies: [python=3.11]\n",
            "services/wine/MLproject": "name: wine\n",
            "services/wine/train.py": "m.fit(X)\n",
        }
    )
    report = json.loads(run_cli("score", str(root), "-f", "json").stdout)
    assert [r["project"] for r in report["subprojects"]] == [
        "repo/services/a",
        "repo/services/wine",
    ]


def test_only_the_secrets_rule_is_a_security_rule_in_sarif(repo) -> None:
    rules = json.loads(run_cli("score", str(repo), "-f", "sarif").stdout)["runs"][0]["tool"][
        "driver"
    ]["rules"]
    security = {r["id"] for r in rules if "security-severity" in r["properties"]}
    assert security == {"DE008"}


def test_monorepo_root_config_serves_subprojects_without_their_own(shared_root) -> None:
    (shared_root / ".mlscaffold.toml").write_text(
        'ignore = {DE001 = "containers are built by the platform team"}\n', encoding="utf-8"
    )
    (shared_root / "services" / "b" / ".mlscaffold.toml").write_text(
        'ignore = {DE004 = "a library"}\n', encoding="utf-8"
    )
    serial = json.loads(run_cli("score", str(shared_root), "-f", "json").stdout)
    a, b = serial["subprojects"]
    assert _status(a)["DE001"] == "ignored"  # the root's configuration
    assert _status(b)["DE001"] != "ignored" and _status(b)["DE004"] == "ignored"  # its own
    parallel = json.loads(run_cli("score", str(shared_root), "-f", "json", "-j", "2").stdout)
    assert [_status(r) for r in parallel["subprojects"]] == [_status(a), _status(b)]
    assert _status(parallel) == _status(serial) and parallel["score"] == serial["score"]


def test_several_paths_one_document_each(monorepo, repo, tmp_path) -> None:
    listing = json.loads(run_cli("score", str(monorepo), str(repo), "-f", "json").stdout)
    assert [d["project"] for d in listing] == ["platform", "repo"]
    assert len(listing[0]["subprojects"]) == 2 and "subprojects" not in listing[1]
    sarif = json.loads(run_cli("score", str(monorepo), str(repo), "-f", "sarif").stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    assert [r["properties"]["project"] for r in sarif["runs"]] == ["platform", "repo"]
    out = run_cli("score", str(monorepo), str(repo), "-f", "badge")
    assert out.returncode == 2 and "a badge describes one repository" in out.stderr
    out = run_cli("score", str(monorepo), str(repo), "-f", "badge", "-o", str(tmp_path / "b"))
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        "platform.badge.json",
        "repo.badge.json",
    ]


def test_an_org_check_of_one_subproject_can_be_ignored(shared_root) -> None:
    from tests.score.test_cli import ORG_CHECK

    (shared_root / "services" / "a" / "org.yaml").write_text(ORG_CHECK, encoding="utf-8")
    (shared_root / "services" / "a" / ".mlscaffold.toml").write_text(
        'checklists = ["org.yaml"]\n', encoding="utf-8"
    )
    out = run_cli("score", str(shared_root), "-f", "json", "--ignore", "ORG001=not yet")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert _status(report["subprojects"][0])["ORG001"] == "ignored"
    assert _status(report)["ORG001"] == "ignored"


def test_monorepo_scores_the_code_beside_its_subprojects(tree) -> None:
    """A model and a service at the root beside sub-projects with their own requirements
    (an airflow/ folder, a data/ folder) are a project too: scored, and rolled up with them."""
    root = tree(
        {
            "README.md": "# energy\n",
            "airflow/requirements.txt": "apache-airflow==2.9.0\n",
            "airflow/dags/train_dag.py": "from airflow import DAG\n",
            "dataset/requirements.txt": "pandas==2.2.0\n",
            "dataset/scripts/clean.py": "import pandas as pd\n\n\ndef clean(df):\n"
            "    return df.dropna()\n",
            "model/train.py": "from sklearn.svm import SVC\n\n\ndef train(X, y):\n"
            "    return SVC().fit(X, y)\n",
            "model/features.py": "def build(df):\n    return df\n",
            "backend/app.py": s.SERVE,
        },
        name="energy",
    )
    out = run_cli("score", str(root), "-f", "json", "-v")
    assert out.returncode == 0, out.stderr
    assert "(3 sub-projects: airflow, dataset, and '.' (the root's own code" in out.stderr
    report = json.loads(out.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert [r["project"] for r in report["subprojects"]] == [
        "energy/airflow",
        "energy/dataset",
        "energy/.",
    ]
    rest = _status(report["subprojects"][2])
    assert rest["DE004"] == "pass"
    rolled = {f["id"]: f for f in report["findings"]}
    assert rolled["DE004"]["status"] == "pass"
    assert rolled["DE004"]["reason"].startswith("the code outside the sub-projects: ")
    assert rolled["DE004"]["rollup"]["subprojects"] == {
        "airflow": "not_applicable",
        "dataset": "not_applicable",
        "(root)": "pass",
    }
    assert all(e["path"].startswith("backend/") for e in rolled["DE004"]["evidence"])
    # The root's own code holds none of the sub-projects' files.
    assert report["subprojects"][2]["files_scanned"] == 4
    # Hygiene is the whole scan's: not counted twice.
    assert "(root)" not in rolled["DE008"]["rollup"]["subprojects"]
    markdown = run_cli("score", str(root), "-f", "markdown").stdout
    assert "(monorepo, 3 sub-projects)" in markdown


def test_a_few_root_helpers_beside_subprojects_are_no_project(monorepo) -> None:
    (monorepo / "tools.py").write_text("print('hi')\n", encoding="utf-8")
    report = json.loads(run_cli("score", str(monorepo), "-f", "json").stdout)
    assert [r["project"] for r in report["subprojects"]] == [
        "platform/services/churn",
        "platform/services/fraud",
    ]


def _energy(tree, extra: dict | None = None):
    return tree(
        {
            "README.md": "# energy\n",
            "airflow/requirements.txt": "apache-airflow==2.9.0\n",
            "airflow/dags/train_dag.py": "from airflow import DAG\n",
            "dataset/requirements.txt": "pandas==2.2.0\n",
            "model/train.py": "from sklearn.svm import SVC\n\n\ndef train(X, y):\n"
            "    return SVC().fit(X, y)\n",
            "model/features.py": "def build(df):\n    return df\n",
            "backend/app.py": s.SERVE,
            "model/big.csv": "a,b\n" + "1,2\n" * 300_000,
            **(extra or {}),
        },
        name="energy",
    )


def test_root_code_hygiene_is_reported_once_in_sarif(tree) -> None:
    root = _energy(tree)
    sarif = json.loads(run_cli("score", str(root), "-f", "sarif").stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    big = [
        r
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "DA002"
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "model/big.csv"
    ]
    assert len(big) == 1, [r["message"]["text"][:60] for r in big]


def test_ignored_build_output_is_no_root_code(tree) -> None:
    root = tree(
        {
            ".gitignore": "build/\n",
            "README.md": "# platform\n",
            "a/requirements.txt": "pandas==2.2.0\n",
            "b/requirements.txt": "pandas==2.2.0\n",
            **{f"build/lib/pkg/m{i}.py": "x = 1\n" for i in range(5)},
        },
        name="plat",
    )
    report = json.loads(run_cli("score", str(root), "-f", "json").stdout)
    assert [r["project"] for r in report["subprojects"]] == ["plat/a", "plat/b"]


def test_root_code_notes_only_its_own_links(tree, tmp_path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = _energy(tree)
    (root / "airflow" / "link").symlink_to(outside)
    (root / "model" / "weights").symlink_to(outside)
    report = json.loads(run_cli("score", str(root), "-f", "json").stdout)
    rest = next(r for r in report["subprojects"] if r["project"] == "energy/.")
    links = [n["message"] for n in rest["notes"] if "symbolic link" in n["message"]]
    assert links == ["1 symbolic link(s) not followed: model/weights"]


def test_a_selection_on_a_monorepo_shows_only_its_stages(monorepo) -> None:
    text = run_cli("score", str(monorepo), "--select", "MO003").stdout
    sub_lines = [line for line in text.splitlines() if "maturity" in line and "services/" in line]
    assert sub_lines and all("scoping" not in line for line in sub_lines)
    assert all("modeling" in line for line in sub_lines)
    markdown = run_cli("score", str(monorepo), "--select", "MO003", "-f", "markdown").stdout
    assert "| Sub-project | Score | Level | modeling |" in markdown


def test_a_hygiene_pass_quotes_the_whole_repositorys_reason(tree) -> None:
    notebook = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    root = _energy(tree, {"experiments/explore.ipynb": notebook})
    report = json.loads(run_cli("score", str(root), "-f", "json").stdout)
    mo004 = next(f for f in report["findings"] if f["id"] == "MO004")
    assert mo004["status"] == "pass" and "1 notebook(s)" in mo004["reason"], mo004["reason"]


def test_project_dot_is_the_roots_own_code(tree) -> None:
    root = _energy(tree)
    full = json.loads(run_cli("score", str(root), "-f", "json").stdout)
    rest = next(r for r in full["subprojects"] if r["project"] == "energy/.")
    alone = json.loads(run_cli("score", str(root), "--project", ".", "-f", "json").stdout)
    assert alone["project"] == "energy/." and alone["files_scanned"] == rest["files_scanned"]
    assert alone["score"] == rest["score"]


def test_markdown_lists_findings_worst_first_in_lifecycle_order(repo) -> None:
    # Within one result, scoping before data before modeling before deployment (was by id:
    # DA, DE, MO, SC), as the terminal table shows them.
    out = run_cli("score", str(repo), "-f", "markdown")
    rows = [line for line in out.stdout.splitlines() if line.startswith("| ") and "**" in line]
    stage_of = {"SC": 0, "DA": 1, "MO": 2, "DE": 3}
    by_icon: dict[str, list[int]] = {}
    for row in rows:
        icon, check = row.split("|")[1].strip(), row.split("**")[1]
        by_icon.setdefault(icon, []).append(stage_of[check[:2]])
    assert any(len(set(stages)) > 1 for stages in by_icon.values())
    assert all(stages == sorted(stages) for stages in by_icon.values())


_ESCAPES = "\x1b]2;PWNED-TITLE\x07\x1b[2J\x1b[H\x1b[31m"


@pytest.mark.parametrize("colour", ["NO_COLOR", "FORCE_COLOR"])
def test_terminal_output_never_sends_the_repository_s_escape_sequences(tmp_path, colour) -> None:
    """Headings, file names and settings carrying ESC sequences (a window title, a screen
    clear): the table shows them written out, plain or coloured."""
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "README.md").write_text(f"# Title {_ESCAPES}\n\n## Problem {_ESCAPES}\n\nWe predict.\n")
    (root / "config" / f"{_ESCAPES}creds.yaml").write_text("password: Zq8sK2mN4pL7\n")
    (root / "src" / f"{_ESCAPES}train.py").write_text(
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n"
    )
    env = {"NO_COLOR": "", "FORCE_COLOR": "1"} if colour == "FORCE_COLOR" else {}
    out = run_cli("score", str(root), "--no-cache", "-v", "--fail-under", "99", env=env)
    assert out.returncode == 1, out.stderr
    assert "creds.yaml" in out.stdout
    for stream in (out.stdout, out.stderr):
        assert "\x1b]" not in stream and "\x1b[2J" not in stream and "\x07" not in stream
    assert "\\x1b]2;PWNED-TITLE" in out.stdout
    # an organisation's checklist, listed and described
    (root / "checks").mkdir()
    (root / "checks" / "org.yaml").write_text(
        "stage: deployment\nchecks:\n  - id: ORG001\n    name: runbook\n"
        '    title: "A runbook \\e]2;PWNED-TITLE\\a\\e[2J exists"\n    severity: minor\n'
        '    why: [DE6]\n    description: "Looks for docs/runbook.md \\e[31mnow."\n'
        "    fix: Write docs/runbook.md.\n    detector: {kind: files, pass: [docs/runbook.md]}\n"
    )
    for args in (["checks"], ["checks", "ORG001"]):
        listed = run_cli(*args, "--checklist", str(root / "checks" / "org.yaml"), env=env)
        assert listed.returncode == 0, listed.stderr
        assert "ORG001" in listed.stdout and "\x1b]" not in listed.stdout


def test_a_service_s_dockerfile_above_its_app_folder_is_part_of_the_service(tree) -> None:
    """A monorepo service whose Dockerfile sits one folder above its app/requirements.txt
    (cloudrun/api/Dockerfile copying app/): the service is the folder with the image, so its
    container counts (DE001 failed in every sub-project when app/ alone was the project)."""
    root = tree(
        {
            "cloudrun/api/Dockerfile": "FROM python:3.11.9-slim\nCOPY app /app\n"
            'RUN pip install -r /app/requirements.txt\nCMD ["gunicorn", "main:app"]\n',
            "cloudrun/api/app/requirements.txt": "flask==3.0.0\ngunicorn==22.0.0\n",
            "cloudrun/api/app/main.py": "import joblib\nfrom flask import Flask, request\n\n"
            "app = Flask(__name__)\nmodel = joblib.load('model.pkl')\n\n\n"
            "@app.route('/predict', methods=['POST'])\ndef predict():\n"
            "    return str(model.predict([request.json['x']]))\n",
            "trainer/requirements.txt": "scikit-learn==1.5.0\n",
            "trainer/train.py": "import joblib\nfrom sklearn.svm import SVC\n\n"
            "joblib.dump(SVC().fit(X, y), 'model.pkl')\n",
            "docker/base/Dockerfile": "FROM python:3.11.9-slim\n",
        }
    )
    report = json.loads(run_cli("score", str(root), "-f", "json", "--no-cache").stdout)
    assert sorted(r["repository"]["path"] for r in report["subprojects"]) == [
        "cloudrun/api",
        "trainer",
    ]
    rolled = {f["id"]: f for f in report["findings"]}
    assert rolled["DE001"]["status"] == "pass", rolled["DE001"]["reason"]
    assert rolled["DE001"]["reason"].startswith("cloudrun/api: ")
