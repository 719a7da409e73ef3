"""The code base is linted in CI, security rules included (ruff's flake8-bandit "S" rules),
and every security exemption says why, on its line."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO_ROOT


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_check_including_security_rules() -> None:
    out = _ruff("check", "src", "tests", "benchmarks")
    assert out.returncode == 0, out.stdout[-3000:]
    security = _ruff("check", "--select", "S", "src")
    assert security.returncode == 0, security.stdout[-3000:]


def test_ruff_format() -> None:
    out = _ruff("format", "--check", "src", "tests", "benchmarks")
    assert out.returncode == 0, out.stdout[-3000:]


def test_every_security_exemption_is_justified() -> None:
    unjustified = []
    for path in (REPO_ROOT / "src").rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = re.search(r"#\s*noqa:\s*(S\d+[^#]*)", line)
            if m and not re.search(r"S\d+(,\s*\w+)*\s+-\s+\S", m.group(1)):
                unjustified.append(f"{path.relative_to(REPO_ROOT)}:{n}: {line.strip()}")
    assert unjustified == []
