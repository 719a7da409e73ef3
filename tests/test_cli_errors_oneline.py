"""Usage errors caught by argparse are one line too, like every other error."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize(
    "argv",
    [
        ["score", ".", "-f", "yaml"],
        ["checks", "--format", "yaml"],
        ["score", ".", "--fail-under", "abc"],
        ["no-such-command"],
    ],
)
def test_argparse_errors_are_one_line(argv: list[str]) -> None:
    done = run_cli(*argv)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and ": error: " in lines[0] and "--help" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", ""], "an empty path names no directory"),
        (["score", ".", "--sarif-category", "x"], "--sarif-category names a SARIF run"),
    ],
)
def test_usage_mistakes_are_named(argv: list[str], message: str) -> None:
    done = run_cli(*argv)
    assert done.returncode == 2
    assert done.stderr.strip() == f"mlscaffold: error: {message}; add --format sarif" or (
        done.stderr.strip() == f"mlscaffold: error: {message}"
    ), done.stderr
