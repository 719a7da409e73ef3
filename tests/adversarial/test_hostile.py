"""Hostile text and hostile checklists (tests/adversarial/hostile.py) score quickly and in
little memory, with the expected exit code and never a traceback: linear-time patterns,
bounded checklist loading and the checks' time budgets, seen from outside the process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.hostile import CASES, measure

CPU_SECONDS = 2.0
MEMORY_MB = 200
# Bounded by the run's time budget for checks (5 s), not by the size of the work.
BUDGET_BOUND = {"expensive_content_checks": 8.0}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_case_scores_fast_in_little_memory(name: str, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    expected = CASES[name](root)
    code, cpu, rss, _wall, err = measure(root)
    assert code in expected, err[-2000:]
    assert "Traceback" not in err
    if code == 2:  # a refusal is one line that says why
        assert err.startswith("mlscaffold: error: ") and err.count("\n") == 1, err
    assert cpu < BUDGET_BOUND.get(name, CPU_SECONDS), f"{name}: {cpu:.2f} s of processor time"
    assert rss < MEMORY_MB, f"{name}: {rss:.0f} MB"


def test_a_check_over_its_budget_is_a_note_not_a_verdict(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    CASES["expensive_content_checks"](tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "mlscaffold", "score", str(tmp_path), "-f", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    report = json.loads(out.stdout)
    stopped = [f for f in report["findings"] if f["reason"].startswith("not evaluated")]
    assert stopped, "the budget never stopped a check"
    assert all(f["status"] == "not_applicable" for f in stopped)
    notes = " ".join(n["message"] for n in report["notes"])
    assert "time for organisation checks was spent" in notes
    # Only the organisation's own checks pay: every built-in check kept its verdict.
    assert all(f["id"].startswith("ORG") for f in stopped)
    assert {"SC001", "DA001", "MO001", "DE008"} <= {f["id"] for f in report["findings"]}
