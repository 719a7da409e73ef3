"""Every check against small real trees: each has at least one passing and one failing case."""

from __future__ import annotations

import json

import pytest

from mlscaffold.score.config import ScoreConfig
from mlscaffold.score.judge.checklist import load_checklist
from mlscaffold.score.judge.engine import score_repo
from mlscaffold.score.report.render.jsonout import render_json
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


def test_an_unfilled_scaffold_scores_as_the_empty_project_it_is(tree) -> None:
    """Every file of a cookiecutter-data-science-like layout, nothing inside."""
    stub = '"""{doc}."""\n\n\ndef main():\n    """TODO: implement."""\n    pass\n'
    root = tree(
        {
            "README.md": "# project\n\n## Overview\n\nA short description of the project.\n\n"
            "## Problem statement\n\nTODO\n",
            "docs/charter.md": "# Charter\n\n## Success metrics\n\n<!-- what good looks like -->\n",
            "src/proj/__init__.py": "",
            "src/proj/data/make_dataset.py": stub.format(doc="Make the dataset"),
            "src/proj/features/build_features.py": stub.format(doc="Build features"),
            "src/proj/models/train_model.py": (
                "def main():\n    print('training')\n    print('done')\n"
            ),
            "src/proj/models/predict_model.py": stub.format(doc="Predict"),
            "src/proj/visualization/visualize.py": stub.format(doc="Plots"),
            "tests/test_placeholder.py": "def test_something():\n    assert True\n",
            "requirements.txt": "scikit-learn\npandas\n",
            "Dockerfile": "FROM python\n",
            "configs/config.yaml": "name: model1\n",
        }
    )
    report = score_repo(str(root), config=ScoreConfig())
    status = {f.check_id: (f.status.value, f.reason) for f in report.findings}
    assert any("unfilled scaffold" in n.message for n in report.notes)
    assert report.score < 35 and report.maturity == 0
    for check_id in ("MO003", "DA005", "DE004"):
        assert status[check_id][0] == "fail" and "stub" in status[check_id][1], status[check_id]
    assert status["MO005"][0] == "partial" and "assert nothing" in status["MO005"][1]
    for check_id in ("SC001", "SC003"):
        assert status[check_id][0] == "fail", status[check_id]
    assert not any(
        f.status.value == "pass"
        for f in report.findings
        if f.check_id in ("MO003", "MO008", "DA005", "DE004", "SC001", "SC003")
    )
