"""Bad input to `mlscaffold report`: one line naming the file, exit 2, no traceback, no page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


def _assert_usage_error(done, *needles: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(("mlscaffold: error: ", "mlscaffold report: error: ")), done.stderr
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr
    assert done.stdout == ""


@pytest.fixture
def valid(org) -> dict:
    return json.loads(org.reports[0].read_text(encoding="utf-8"))


def _write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_missing_report(tmp_path) -> None:
    done = run_cli("report", str(tmp_path / "nope.json"), "--html", str(tmp_path / "o.html"))
    _assert_usage_error(done, "nope.json: no such file")
    assert not (tmp_path / "o.html").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON (line 1, column 2"),
        ("", "not valid JSON (line 1, column 1"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
    ids=["truncated", "empty", "deep"],
)
def test_report_that_is_not_json(tmp_path, content, message) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    _assert_usage_error(run_cli("report", str(bad)), "bad.json: ", message)


def test_report_that_is_not_text(tmp_path) -> None:
    bad = tmp_path / "bin.json"
    bad.write_bytes(b"\xff\xfe\x00{}")
    _assert_usage_error(run_cli("report", str(bad)), "bin.json: not UTF-8")


def test_a_directory_is_not_a_report(tmp_path) -> None:
    _assert_usage_error(run_cli("report", str(tmp_path)), "is a directory")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("score"), "'score' is a required property"),
        (lambda d: d.update(score=101), "at score: 101 is greater than the maximum of 100"),
        (lambda d: d["stages"][0].update(stage="testing"), "at stages/0/stage:"),
        (lambda d: d.update(schema_version="one"), "at schema_version:"),
        (lambda d: d["findings"][0].update(status="great"), "at findings/0/status:"),
    ],
    ids=["no-score", "score-101", "unknown-stage", "bad-version", "unknown-status"],
)
def test_report_that_breaks_the_schema(tmp_path, valid, change, message) -> None:
    change(valid)
    bad = _write(tmp_path / "invalid.json", valid)
    done = run_cli("report", str(bad))
    _assert_usage_error(done, "invalid.json: not an mlscaffold score report", message)


def test_json_that_is_not_a_report_at_all(tmp_path, valid) -> None:
    bad = _write(tmp_path / "list.json", [valid, 2, 3])  # the second item names itself
    _assert_usage_error(run_cli("report", str(bad)), "list.json[1]: not an mlscaffold score report")
    bad = _write(tmp_path / "number.json", 42)
    _assert_usage_error(run_cli("report", str(bad)), "number.json: not an mlscaffold score report")
    empty = _write(tmp_path / "empty.json", [])
    _assert_usage_error(run_cli("report", str(empty)), "empty.json: an empty list")


def test_generated_at_must_be_a_date(tmp_path, valid) -> None:
    valid["generated_at"] = "last tuesday"
    bad = _write(tmp_path / "when.json", valid)
    _assert_usage_error(run_cli("report", str(bad)), "when.json: generated_at 'last tuesday'")


def test_one_bad_report_among_good_ones_writes_no_page(org, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    out = tmp_path / "o.html"
    done = run_cli("report", *map(str, org.reports[:5]), str(bad), "--html", str(out))
    _assert_usage_error(done, "bad.json")
    assert not out.exists()


def test_unwritable_page(org, tmp_path) -> None:
    out = tmp_path / "missing-dir" / "o.html"
    _assert_usage_error(
        run_cli("report", str(org.reports[0]), "--html", str(out)), "cannot write", "o.html"
    )


def test_bad_options(org) -> None:
    _assert_usage_error(run_cli("report", str(org.reports[0]), "--top", "0"), "--top")
    _assert_usage_error(run_cli("report"), "REPORT.json")
    _assert_usage_error(run_cli("report", str(org.reports[0]), "-f", "xml"), "invalid choice")
