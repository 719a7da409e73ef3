"""Outputs for CI: SARIF (validated against the 2.1.0 schema), badge, several formats in one run,
--diff against a base report, and many repositories at once."""

from __future__ import annotations

import json

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
    data = json.loads(run_cli("score", str(repo), "--diff", str(base), "-f", "json").stdout)
    notes = [n["message"] for n in data["notes"]]
    assert any("base report is for project 'another'" in n for n in notes), notes
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
        },
        name="platform",
    )


def test_monorepo_scores_each_project(monorepo) -> None:
    reports = json.loads(run_cli("score", str(monorepo), "-f", "json").stdout)
    assert [r["project"] for r in reports] == ["platform/services/churn", "platform/services/fraud"]
    for report in reports:
        jsonschema.validate(report, REPORT_SCHEMA)
    churn, fraud = reports
    status = {r["project"]: {f["id"]: f["status"] for f in r["findings"]} for r in reports}
    assert status["platform/services/churn"]["MO003"] == "pass"
    assert status["platform/services/fraud"]["MO003"] == "partial"  # one script
    assert churn["root"].endswith("services/churn") and fraud["files_scanned"] == 2


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
    reports = json.loads(run_cli("score", str(root), "-f", "json").stdout)
    assert [r["project"] for r in reports] == ["repo/services/a", "repo/services/wine"]


def test_only_the_secrets_rule_is_a_security_rule_in_sarif(repo) -> None:
    rules = json.loads(run_cli("score", str(repo), "-f", "sarif").stdout)["runs"][0]["tool"][
        "driver"
    ]["rules"]
    security = {r["id"] for r in rules if "security-severity" in r["properties"]}
    assert security == {"DE008"}
