"""Every check against small real trees: each has at least one passing and one failing case."""

from __future__ import annotations

import json

import pytest

from mlscaffold.score.checklist import load_checklist
from mlscaffold.score.config import ScoreConfig
from mlscaffold.score.engine import score_repo
from mlscaffold.score.render.jsonout import render_json
from tests.score.cases import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_case(case: Case, tree) -> None:
    root = tree(case.files)
    report = score_repo(str(root), config=ScoreConfig(), debug=True)
    finding = next(f for f in report.findings if f.check_id == case.check)
    assert finding.status.value == case.status, f"{case.check}: {finding.reason}"
    assert case.reason.lower() in finding.reason.lower(), finding.reason
    assert finding.reason
    if finding.status.value in ("fail", "partial"):
        assert finding.fix


def test_every_check_has_a_passing_and_a_failing_case() -> None:
    ids = {c.id for c in load_checklist()}
    passing = {c.check for c in CASES if c.status == "pass"}
    failing = {c.check for c in CASES if c.status in ("fail", "partial")}
    assert ids - passing == set(), "checks without a passing case"
    assert ids - failing == set(), "checks without a failing case"
    assert {c.check for c in CASES} <= ids, "cases for checks that do not exist"


def test_secret_values_never_reach_the_report(tree) -> None:
    secret = "AKIA" + "Q3EGRY7T2LMXAB4Z"
    password = "hunter2" + "-s3cret"
    root = tree({"a.py": f"KEY = '{secret}'\n", "configs/db.yaml": f"password: {password}\n"})
    report = score_repo(str(root), config=ScoreConfig())
    text = render_json(report)
    assert secret not in text and password not in text
    finding = next(f for f in json.loads(text)["findings"] if f["id"] == "DE008")
    assert finding["status"] == "fail"
    assert any("AKIA…" in e["note"] for e in finding["evidence"])
