"""Interactive generation through a pseudo-terminal: copier's questionary prompts, and Ctrl-C."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from gen_helpers import TEMPLATE, cli_env

pexpect = pytest.importorskip("pexpect")

DOWN = "\x1b[B"


def _questions() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
    return {k: v for k, v in config.items() if not k.startswith("_")}


def _spawn(dest: Path, cwd: Path) -> Any:
    env = cli_env(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("NO_COLOR", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "mlscaffold", "new", str(dest)],
        cwd=str(cwd),
        env=env,
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=30,
    )


def _expect_question(child: Any, spec: dict[str, Any]) -> None:
    child.expect(re.escape(str(spec["help"])[:30]))


def test_answering_prompts_generates_the_project(tmp_path: Path) -> None:
    dest = tmp_path / "fraud"
    child = _spawn(dest, tmp_path)
    for name, spec in _questions().items():
        _expect_question(child, spec)
        if name == "project_name":
            child.send("\x15Fraud Detector\r")  # clear the suggested default, type a name
        elif name == "serving":
            child.send(DOWN + "\r")  # second choice: batch
        else:
            child.send("\r")  # accept the default
    child.expect("Created")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Fraud Detector"
    assert answers["package_name"] == "fraud_detector"
    assert answers["serving"] == "batch"
    assert (dest / "src" / "fraud_detector" / "predict.py").is_file()
    assert not (dest / "src" / "fraud_detector" / "serve.py").exists()


def test_ctrl_c_mid_questions_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "never"
    child = _spawn(dest, tmp_path)
    questions = list(_questions().values())
    for spec in questions[:3]:
        _expect_question(child, spec)
        child.send("\r")
    _expect_question(child, questions[3])
    child.sendintr()
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in output
    assert "interrupted" in output
    assert os.listdir(tmp_path) == []
