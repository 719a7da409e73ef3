"""The score and checks commands driven through the real CLI, as a user would."""

from __future__ import annotations

import json
import os
import time

import jsonschema
import pytest

from mlscaffold.resources import schema_path
from tests.conftest import REPO_ROOT, run_cli
from tests.score import snippets as s

REPORT_SCHEMA = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def ml_repo(tree):
    return tree(
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "README.md": "# Churn\n\n## Problem statement\n\nWe predict which customers "
            "will cancel next month so retention can call them.\n",
            "requirements.txt": "pandas==2.2.3\nscikit-learn==1.5.2\nfastapi==0.115.0\n",
            "tests/test_features.py": s.TESTS,
        }
    )


def test_version_and_help() -> None:
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("mlscaffold ")
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("score", "checks", "new", "update", "report"):
        assert command in out.stdout


def test_no_command_prints_help_and_exits_2() -> None:
    out = run_cli()
    assert out.returncode == 2 and "usage" in out.stdout


def test_score_table_output(ml_repo) -> None:
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 0, out.stderr
    assert "SCOPING" in out.stdout and "DEPLOYMENT" in out.stdout
    assert "PASS SC001" in out.stdout
    assert "\x1b[" not in out.stdout  # NO_COLOR and not a TTY: no escape codes
    # failing first within a stage
    deployment = out.stdout.split("DEPLOYMENT", 1)[1]
    assert deployment.index("FAIL") < deployment.index("PASS")


def test_score_json_validates_against_schema(ml_repo) -> None:
    out = run_cli("score", str(ml_repo), "--format", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["schema_version"] == "1.2"
    statuses = {f["id"]: f["status"] for f in report["findings"]}
    assert statuses["DE005"] == "pass" and statuses["MO003"] == "pass"
    for f in report["findings"]:
        assert f["reason"]
        assert (f["fix"] is not None) == (f["status"] in ("fail", "partial"))


def test_score_markdown_and_output_file(ml_repo, tmp_path) -> None:
    target = tmp_path / "report.md"
    out = run_cli("score", str(ml_repo), "--format", "markdown", "--output", str(target))
    assert out.returncode == 0, out.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("## mlscaffold score")
    assert "| Stage | Score |" in text and "**SC001**" in text


def test_fail_under_exits_1(ml_repo) -> None:
    out = run_cli("score", str(ml_repo), "--fail-under", "100", "--format", "json")
    assert out.returncode == 1
    assert "below the minimum 100" in out.stderr
    json.loads(out.stdout)  # the report is still printed
    assert run_cli("score", str(ml_repo), "--fail-under", "0").returncode == 0


def test_per_stage_minimum_from_config(ml_repo) -> None:
    (ml_repo / ".mlscaffold.toml").write_text("fail_under = {scoping = 90}\n", encoding="utf-8")
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 1 and "scoping score" in out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("score", "/no/such/dir"), "no such directory"),
        (("score", "--fail-under", "150", "."), "between 0 and 100"),
        (("score", "--select", "ZZ9", "."), "matches no check"),
        (("score", "--ignore", "DE004", "."), "give a reason"),
        (("checks", "NOPE"), "no check named"),
        (("score", "--format", "yaml", "."), "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, message) -> None:
    out = run_cli(*args, cwd=REPO_ROOT)
    assert out.returncode == 2, out
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_not_a_directory_is_a_usage_error(tmp_path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x", encoding="utf-8")
    out = run_cli("score", str(f))
    assert out.returncode == 2 and "not a directory" in out.stderr


def test_bad_config_exits_2(tree) -> None:
    root = tree({"pyproject.toml": '[tool.mlscaffold]\nignore = ["DE004"]\n'})
    out = run_cli("score", str(root))
    assert out.returncode == 2 and "needs a reason" in out.stderr
    root = tree({".mlscaffold.toml": "colour = 'red'\n"}, name="other")
    out = run_cli("score", str(root))
    assert out.returncode == 2 and "unknown key" in out.stderr


def test_ignore_with_reason_is_reported(ml_repo) -> None:
    (ml_repo / ".mlscaffold.toml").write_text(
        '[tool.mlscaffold]\nignore = {DE001 = "deployed as a Lambda zip"}\n', encoding="utf-8"
    )
    report = json.loads(run_cli("score", str(ml_repo), "-f", "json").stdout)
    finding = next(f for f in report["findings"] if f["id"] == "DE001")
    assert finding["status"] == "ignored" and "Lambda" in finding["reason"]
    cli = json.loads(
        run_cli(
            "score", str(ml_repo), "-f", "json", "--ignore", "DE002=CI lives in the monorepo"
        ).stdout
    )
    assert next(f for f in cli["findings"] if f["id"] == "DE002")["status"] == "ignored"


def test_a_required_check_judges_its_dependants_when_ignored_or_not_selected(tree) -> None:
    """DE006 requires DE004 (something served to monitor): ignoring DE004, or selecting DE006
    alone, leaves DE006 not applicable in a repository that serves nothing."""
    root = tree(s.PIPELINE, name="unserved")
    for extra in (["--ignore", "DE004=we deploy elsewhere"], ["--select", "DE006"]):
        report = json.loads(run_cli("score", str(root), "-f", "json", *extra).stdout)
        finding = next(f for f in report["findings"] if f["id"] == "DE006")
        assert finding["status"] == "not_applicable", (extra, finding["reason"])
        assert "requires DE004" in finding["reason"]


def test_one_broken_configuration_costs_the_other_repositories_nothing(tree, tmp_path) -> None:
    good = tree(s.PIPELINE, name="good")
    bad = tree({"pyproject.toml": "[tool]\nmlscaffold = 3\n"}, name="bad")
    out_dir = tmp_path / "reports"
    out = run_cli("score", str(good), str(bad), "--jobs", "2", "-f", "json", "-o", f"{out_dir}/")
    assert out.returncode == 2
    assert f"{bad}: pyproject.toml [tool.mlscaffold]: expected a table" in out.stderr
    assert [p.name for p in out_dir.iterdir()] == ["good.json"]


def test_an_output_file_without_a_format_is_written_in_the_format_its_name_says(
    ml_repo, tmp_path
) -> None:
    out = run_cli(
        "score", str(ml_repo), "-o", str(tmp_path / "r.json"), "-o", str(tmp_path / "r.md")
    )
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "r.json").read_text())["project"]
    assert (tmp_path / "r.md").read_text().startswith("## mlscaffold score")


def test_select_by_stage_and_id(ml_repo) -> None:
    report = json.loads(
        run_cli(
            "score", str(ml_repo), "-f", "json", "--select", "scoping", "--select", "DE005"
        ).stdout
    )
    ids = {f["id"] for f in report["findings"]}
    assert ids == {f"SC00{i}" for i in range(1, 9)} | {"DE005"}


def test_a_selection_shows_only_the_stages_it_runs(ml_repo) -> None:
    text = run_cli("score", str(ml_repo), "--select", "MO004").stdout
    assert "MODELING" in text and "MO004" in text
    assert not any(stage in text for stage in ("SCOPING", "DATA ", "DEPLOYMENT"))
    markdown = run_cli("score", str(ml_repo), "--select", "MO004", "-f", "markdown").stdout
    stages = ("scoping", "data", "modeling", "deployment")
    rows = [line[2:].split(" | ")[0] for line in markdown.splitlines() if line.startswith("| ")]
    assert [r for r in rows if r in stages] == ["modeling"]
    # JSON keeps every stage (its schema is fixed) and says which ran.
    report = json.loads(run_cli("score", str(ml_repo), "--select", "MO004", "-f", "json").stdout)
    assert [s["stage"] for s in report["stages"]] == ["scoping", "data", "modeling", "deployment"]
    assert [s["ran"] for s in report["stages"]] == [False, False, True, False]


def test_a_selection_says_its_score_covers_only_the_stages_that_ran(ml_repo) -> None:
    # A platform team reads the headline: a subset's score must not pass for the repository's.
    one = "a selection: 1 check of the modeling stage ran, and the score covers it alone"
    assert one in run_cli("score", str(ml_repo), "--select", "MO004").stdout
    stage = run_cli("score", str(ml_repo), "--select", "MO", "-f", "markdown").stdout
    assert "a selection: 10 checks of the modeling stage ran, and the score covers them" in stage
    badge = json.loads(run_cli("score", str(ml_repo), "--select", "MO004", "-f", "badge").stdout)
    assert badge["message"].endswith("(a selection)")
    whole = run_cli("score", str(ml_repo)).stdout
    assert "a selection" not in whole


def test_an_empty_selection_is_an_error_not_every_check(ml_repo) -> None:
    out = run_cli("score", str(ml_repo), "--select", "")  # an unset CI variable
    assert out.returncode == 2 and "--select needs a check id" in out.stderr


def test_select_takes_a_comma_list_too(ml_repo) -> None:
    out = run_cli(
        "score", str(ml_repo), "-f", "json", "--select", "DE001,DE002", "--select", "SC001"
    )
    assert out.returncode == 0, out.stderr
    assert {f["id"] for f in json.loads(out.stdout)["findings"]} == {"DE001", "DE002", "SC001"}


def test_extra_checklist_from_config(ml_repo) -> None:
    (ml_repo / "org-checks.yaml").write_text(
        "stage: deployment\nchecks:\n  - id: ORG001\n    name: runbook\n"
        "    title: An on-call runbook exists\n    severity: minor\n    why: [DE6]\n"
        "    description: Looks for docs/runbook.md written by the team.\n"
        "    fix: Write docs/runbook.md with alerts and what to do.\n"
        "    detector: {kind: files, pass: [docs/runbook.md]}\n",
        encoding="utf-8",
    )
    (ml_repo / ".mlscaffold.toml").write_text(
        'checklists = ["org-checks.yaml"]\n', encoding="utf-8"
    )
    report = json.loads(run_cli("score", str(ml_repo), "-f", "json").stdout)
    assert next(f for f in report["findings"] if f["id"] == "ORG001")["status"] == "fail"
    (ml_repo / ".mlscaffold.toml").write_text(
        'checklists = ["../outside.yaml"]\n', encoding="utf-8"
    )
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 2 and "outside the repository" in out.stderr


def test_internal_error_is_one_line_and_exit_3(ml_repo, monkeypatch, capsys) -> None:
    from mlscaffold import cli
    from mlscaffold.score.judge import engine

    def boom(*a, **k):
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(engine, "score_repo", boom)
    assert cli.main(["score", str(ml_repo)]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err and "second line" not in err
    assert "Traceback" not in err
    # --debug shows the traceback and keeps the exit code (CI tells failures apart by it).
    assert cli.main(["--debug", "score", str(ml_repo)]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: kaboom" in err
    assert cli.main(["--debug", "score", str(ml_repo / "missing")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "no such directory" in err.splitlines()[-1]


def test_colour_only_on_tty_and_never_with_no_color(ml_repo) -> None:
    import pexpect

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    child = pexpect.spawn(
        "python",
        ["-m", "mlscaffold", "score", str(ml_repo)],
        env=env,
        encoding="utf-8",
        dimensions=(50, 200),
        timeout=60,
    )
    child.expect(pexpect.EOF)
    assert "\x1b[" in child.before
    env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        "python",
        ["-m", "mlscaffold", "score", str(ml_repo)],
        env=env,
        encoding="utf-8",
        dimensions=(50, 200),
        timeout=60,
    )
    child.expect(pexpect.EOF)
    assert "\x1b[" not in child.before and "SCOPING" in child.before


def test_checks_list_and_describe() -> None:
    out = run_cli("checks")
    assert out.returncode == 0 and "DE005" in out.stdout and "shared-preprocessing" in out.stdout
    out = run_cli("checks", "shared-preprocessing")
    assert out.returncode == 0
    for part in ("What it checks", "How to fix", "Example", "DE1", "Requires: DE004"):
        assert part in out.stdout
    # `score` calls its text view "table": the same word lists the checks
    assert run_cli("checks", "-f", "table").stdout == run_cli("checks").stdout


def test_scores_this_repository_itself() -> None:
    out = run_cli("score", str(REPO_ROOT), "-f", "json")
    assert out.returncode == 0, out.stderr
    jsonschema.validate(json.loads(out.stdout), REPORT_SCHEMA)


def test_help_is_fast() -> None:
    start = time.perf_counter()
    assert run_cli("--help").returncode == 0
    # generous bound for a loaded CI machine; benchmarks/ measures the real figure
    assert time.perf_counter() - start < 2.0


def test_a_dedicated_config_beside_pyprojects_table_says_which_is_used(ml_repo) -> None:
    (ml_repo / ".mlscaffold.toml").write_text("fail_under = 10\n", encoding="utf-8")
    pyproject = ml_repo / "pyproject.toml"
    pyproject.write_text(
        (pyproject.read_text() if pyproject.exists() else "")
        + "\n[tool.mlscaffold]\nfail_under = 99\n",
        encoding="utf-8",
    )
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 0, out.stderr  # .mlscaffold.toml's 10, not pyproject's 99
    assert "used instead of pyproject.toml [tool.mlscaffold], which is ignored" in out.stdout


def test_a_select_typo_in_config_is_an_error_not_a_perfect_score(ml_repo) -> None:
    (ml_repo / ".mlscaffold.toml").write_text('select = ["nonexistent"]\n', encoding="utf-8")
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 2 and "select nonexistent matches no check" in out.stderr


def test_an_empty_directory_says_so(tmp_path) -> None:
    report = json.loads(run_cli("score", str(tmp_path), "-f", "json").stdout)
    assert any("no files found" in n["message"] for n in report["notes"])


def test_broken_notebooks_are_named_in_a_user_s_words(tmp_path) -> None:
    (tmp_path / "empty.ipynb").write_text("", encoding="utf-8")
    (tmp_path / "cut.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "train.py").write_text("import pandas\n", encoding="utf-8")
    notes = {
        n["path"]: n["message"]
        for n in json.loads(run_cli("score", str(tmp_path), "-f", "json").stdout)["notes"]
    }
    assert notes["empty.ipynb"] == "malformed notebook (an empty file)"
    assert notes["cut.ipynb"].startswith("malformed notebook (not valid JSON: ")
    assert "JSONDecodeError" not in json.dumps(notes)


@pytest.mark.parametrize("command", ["score", "checks", "report", "new", "update"])
def test_version_flag_after_the_command(command) -> None:
    for flag in ("-V", "--version"):
        out = run_cli(command, flag)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("mlscaffold ")


def test_checks_lists_a_stage_or_an_id_prefix_like_select(tmp_path) -> None:
    for wanted in ("DE", "deployment"):
        out = run_cli("checks", wanted)
        assert out.returncode == 0, out.stderr
        ids = [line.split()[0] for line in out.stdout.splitlines() if line.startswith("  ")]
        assert ids and all(i.startswith("DE") for i in ids) and "DE008" in ids
    assert "src/<package>/features.py" in run_cli("checks", "DE005").stdout


def test_output_file_in_a_missing_folder_is_written(ml_repo, tmp_path) -> None:
    target = tmp_path / "reports" / "nested" / "r.json"
    out = run_cli("score", str(ml_repo), "-f", "json", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["project"] == "repo"


def test_quiet_table_is_the_findings_without_the_closing_hint(ml_repo) -> None:
    loud, quiet = run_cli("score", str(ml_repo)), run_cli("score", str(ml_repo), "-q")
    assert loud.returncode == quiet.returncode == 0, quiet.stderr
    assert "explains a check" in loud.stdout.splitlines()[-1]
    assert "explains a check" not in quiet.stdout and quiet.stderr == ""
    assert quiet.stdout == loud.stdout.rsplit("\n", 2)[0].rstrip("\n") + "\n"


def test_quiet_verbose_and_debug_after_the_command(ml_repo, tmp_path, monkeypatch, capsys) -> None:
    loud = run_cli("score", str(ml_repo), "-f", "json", "-v")
    assert loud.returncode == 0, loud.stderr
    assert "mlscaffold: scored repo: " in loud.stderr and "with no configuration" in loud.stderr
    assert json.loads(loud.stdout)["project"] == "repo"  # stdout is still the report alone
    report = tmp_path / "r.json"
    report.write_text(loud.stdout, encoding="utf-8")
    page = tmp_path / "page.html"
    said = run_cli("report", str(report), "--html", str(page))
    assert said.returncode == 0 and "wrote" in said.stderr
    quiet = run_cli("report", str(report), "--html", str(page), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and page.is_file()
    from mlscaffold import cli
    from mlscaffold.score.judge import engine

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(engine, "score_repo", boom)
    assert cli.main(["score", str(ml_repo), "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err
    assert cli.main(["score", str(ml_repo), "-q"]) == 3
    assert "kaboom" in capsys.readouterr().err


ORG_CHECK = (
    "stage: deployment\nchecks:\n  - id: ORG001\n    name: runbook\n"
    "    title: An on-call runbook exists\n    severity: minor\n    why: [DE6]\n"
    "    description: Looks for docs/runbook.md written by the team.\n"
    "    fix: Write docs/runbook.md with alerts and what to do.\n"
    "    detector: {kind: files, pass: [docs/runbook.md]}\n"
)


@pytest.fixture
def org_files(tmp_path):
    org = tmp_path / "org"
    (org / "checks").mkdir(parents=True)
    (org / "checks" / "runbook.yaml").write_text(ORG_CHECK, encoding="utf-8")
    (org / "policy.toml").write_text(
        '[tool.mlscaffold]\nchecklists = ["checks/runbook.yaml"]\nfail_under = 99\n'
        'ignore = {DE004 = "libraries serve nothing"}\n',
        encoding="utf-8",
    )
    return org


def test_org_checks_from_outside_the_repository(ml_repo, org_files) -> None:
    checklist = org_files / "checks" / "runbook.yaml"
    out = run_cli("score", str(ml_repo), "-f", "json", "--checklist", str(checklist))
    assert out.returncode == 0, out.stderr
    assert _status_of(out.stdout)["ORG001"] == "fail"
    (ml_repo / "docs").mkdir()
    (ml_repo / "docs" / "runbook.md").write_text("# Runbook\n", encoding="utf-8")
    out = run_cli("score", str(ml_repo), "-f", "json", "--config", str(org_files / "policy.toml"))
    assert out.returncode == 1 and "below the minimum 99" in out.stderr  # the org's bar
    status = _status_of(out.stdout)
    assert status["ORG001"] == "pass" and status["DE004"] == "ignored"
    # --config replaces the repository's own configuration: its ignores no longer apply.
    (ml_repo / ".mlscaffold.toml").write_text(
        'ignore = {DE001 = "no container"}\n', encoding="utf-8"
    )
    out = run_cli("score", str(ml_repo), "-f", "json", "--config", str(org_files / "policy.toml"))
    assert _status_of(out.stdout)["DE001"] != "ignored"
    out = run_cli("score", str(ml_repo), "-f", "json", "--checklist", str(checklist))
    assert _status_of(out.stdout)["DE001"] == "ignored"  # --checklist alone keeps it


def test_checks_command_finds_org_checks(org_files) -> None:
    checklist = org_files / "checks" / "runbook.yaml"
    out = run_cli("checks", "ORG001", "--checklist", str(checklist))
    assert out.returncode == 0, out.stderr
    assert "An on-call runbook exists" in out.stdout and "From: runbook.yaml" in out.stdout
    out = run_cli("checks", "runbook", "--config", str(org_files / "policy.toml"), "-f", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["id"] == "ORG001"
    out = run_cli("checks", "ORG001")
    assert out.returncode == 2 and "no check named 'ORG001'" in out.stderr
    listing = json.loads(run_cli("checks", "--format", "json").stdout)
    assert len(listing["checks"]) >= 30 and listing["checklist_version"]
    de008 = next(c for c in listing["checks"] if c["id"] == "DE008")
    assert de008["rollup"] == "worst" and de008["detector"]["kind"] == "rule"


@pytest.mark.parametrize(
    "args, message",
    [
        (("--checklist", "/no/such.yaml"), "--checklist /no/such.yaml: checklist file"),
        (("--config", "/no/such.toml"), "--config /no/such.toml: no such file"),
        (("--ignore", "ZZ999=typo"), "--ignore ZZ999 matches no check"),
    ],
)
def test_bad_org_options_exit_2(ml_repo, args, message) -> None:
    out = run_cli("score", str(ml_repo), *args)
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_unknown_ignore_in_config_is_an_error(ml_repo, tmp_path) -> None:
    (ml_repo / ".mlscaffold.toml").write_text('ignore = {ZZ001 = "typo"}\n', encoding="utf-8")
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 2 and "ignore ZZ001 matches no check" in out.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("fail_under = [1]\n", encoding="utf-8")
    out = run_cli("score", str(ml_repo), "--config", str(bad))
    assert out.returncode == 2 and f"--config {bad}: fail_under" in out.stderr
    bad.write_text("not toml = = 1\n", encoding="utf-8")
    out = run_cli("checks", "--config", str(bad))
    assert out.returncode == 2 and "not valid TOML" in out.stderr


def test_a_malformed_pyproject_with_our_table_cannot_switch_the_policy_off(ml_repo) -> None:
    pyproject = ml_repo / "pyproject.toml"
    pyproject.write_text('[project\nname = "x"\n[tool.mlscaffold]\nfail_under = 99\n', "utf-8")
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 2 and "pyproject.toml is not valid TOML" in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    # Without our table a broken pyproject.toml is the project's problem: a note, not an error.
    pyproject.write_text('[project\nname = "x"\n[tool.ruff]\n# not [tool.mlscaffold]\n', "utf-8")
    out = run_cli("score", str(ml_repo), "-f", "json")
    assert out.returncode == 0, out.stderr
    notes = json.loads(out.stdout)["notes"]
    assert any(n["path"] == "pyproject.toml" and "malformed" in n["message"] for n in notes)


def _status_of(stdout: str) -> dict[str, str]:
    return {f["id"]: f["status"] for f in json.loads(stdout)["findings"]}


def test_a_policy_past_the_size_limit_is_an_error_not_dropped(ml_repo) -> None:
    # Cut at 256 KiB, the table after the cut vanished and the gate with it (exit 0).
    pyproject = ml_repo / "pyproject.toml"
    filler = '[project]\nname = "x"\nversion = "1"\n' + "# padding\n" * 30_000
    pyproject.write_text(filler + "[tool.mlscaffold]\nfail_under = 100\n", "utf-8")
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 2 and "larger than 256 KiB" in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    pyproject.write_text(filler + "[tool.ruff]\nline-length = 100\n", "utf-8")
    assert run_cli("score", str(ml_repo)).returncode == 0  # not ours: no policy to lose


def test_fail_under_takes_a_whole_float_and_explains_a_bad_value(ml_repo) -> None:
    config = ml_repo / ".mlscaffold.toml"
    config.write_text("fail_under = 100.0\n", encoding="utf-8")
    assert run_cli("score", str(ml_repo)).returncode == 1  # read as 100: the gate holds
    for bad in ("60.5", "true", "1000000000000000000000"):
        config.write_text(f"fail_under = {bad}\n", encoding="utf-8")
        out = run_cli("score", str(ml_repo))
        assert out.returncode == 2, bad
        assert "fail_under must be an integer from 0 to 100" in out.stderr, out.stderr


def test_an_unreadable_or_nested_policy_is_an_error(ml_repo, tmp_path) -> None:
    # A symbolic link (even inside the repository) or a FIFO as .mlscaffold.toml: its policy
    # cannot be read, and scoring without it would switch the gate off.
    real = ml_repo / "policy.toml"
    real.write_text("fail_under = 100\n", encoding="utf-8")
    (ml_repo / ".mlscaffold.toml").symlink_to(real)
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 2 and "not a regular file" in out.stderr, out.stderr
    (ml_repo / ".mlscaffold.toml").unlink()
    # `mlscaffold = {...}` under [tool], past the size limit: still ours.
    pyproject = ml_repo / "pyproject.toml"
    pyproject.write_text(
        "[tool]\n" + "# padding\n" * 30_000 + "mlscaffold = { fail_under = 99 }\n", "utf-8"
    )
    out = run_cli("score", str(ml_repo))
    assert out.returncode == 2 and "larger than 256 KiB" in out.stderr, out.stderr


def test_a_bad_fail_under_is_shown_as_written(ml_repo) -> None:
    config = ml_repo / ".mlscaffold.toml"
    for bad, shown in (("1e300", "1e+300"), ('"80"', "'80'")):
        config.write_text(f"fail_under = {bad}\n", encoding="utf-8")
        out = run_cli("score", str(ml_repo))
        assert out.returncode == 2 and f"not {shown}" in out.stderr, out.stderr
