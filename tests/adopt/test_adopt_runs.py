"""What adopt adds really does the job: the CI's install and test steps, run for real in a fresh
virtualenv, pass the repository's own tests; the Dockerfile's install steps and CMD start the
real server; the drift module runs on the reference data and fails on drifted data."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.adopt.repos import fastapi_service, poetry_library, requirements_training
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

REPOS = {"fastapi": fastapi_service, "poetry": poetry_library, "training": requirements_training}


class Env:
    """A fresh virtualenv standing in for the runner's setup-python (or the image's Python)."""

    def __init__(self, root: Path, name: str) -> None:
        self.venv = root / name
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True, timeout=120)
        self.env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        self.env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{self.env['PATH']}"
        self.env["POETRY_VIRTUALENVS_IN_PROJECT"] = "true"
        self.env["POETRY_CACHE_DIR"] = str(root / "poetry-cache")
        self.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    def sh(self, command: str, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-eo", "pipefail", "-c", command],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _steps(repo: Path) -> list[dict]:
    doc = yaml.safe_load((repo / ".github/workflows/ci.yml").read_text())
    return doc["jobs"]["test"]["steps"]


@pytest.fixture(scope="module", params=list(REPOS))
def ci_run(request, tmp_path_factory):
    """Adopt, then run the added workflow's Install and Test steps as CI would."""
    name = request.param
    root = tmp_path_factory.mktemp(f"run-{name}")
    repo = REPOS[name](root / name)
    out = run_cli("adopt", str(repo), timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    env = Env(root, "ci-venv")
    results = {}
    for step in _steps(repo):
        if step.get("name") in ("Install", "Test"):
            done = env.sh(step["run"], repo)
            assert done.returncode == 0, (step["run"], done.stdout[-3000:], done.stderr[-3000:])
            results[step["name"]] = done
    return name, repo, env, results


def test_the_added_ci_runs_the_repositorys_own_tests(ci_run) -> None:
    _name, _repo, _env, results = ci_run
    assert set(results) == {"Install", "Test"}
    summary = results["Test"].stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary


def test_the_drift_module_checks_the_reference_features(ci_run) -> None:
    name, repo, env, _ = ci_run
    if name != "fastapi":
        assert not list(repo.rglob("monitor.py"))  # no service: DE006 does not apply
        return
    same = env.sh("python -m service.monitor --current data/reference.csv", repo, timeout=120)
    assert same.returncode == 0, same.stdout + same.stderr
    report = yaml.safe_load((repo / "reports/drift.json").read_text())
    assert {f["feature"] for f in report["features"]} >= {"tenure_months", "monthly_charges"}
    shifted = env.sh(
        "python - <<'EOF'\nimport pandas as pd\nf = pd.read_csv('data/reference.csv')\n"
        "f[['tenure_months', 'monthly_charges', 'support_calls']] *= 3\n"
        "f.to_csv('data/shifted.csv', index=False)\nEOF\n"
        "python -m service.monitor --current data/shifted.csv",
        repo,
        timeout=120,
    )
    assert shifted.returncode == 1, shifted.stdout + shifted.stderr
    assert "DRIFT" in shifted.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dockerfile(repo: Path) -> tuple[list[str], list[str]]:
    """The pip commands of its RUN lines, and its CMD."""
    runs, cmd = [], []
    for line in (repo / "Dockerfile").read_text().splitlines():
        if line.startswith("RUN pip install"):
            runs.append("python -m " + line.removeprefix("RUN "))
        elif line.startswith("CMD "):
            cmd = yaml.safe_load(line.removeprefix("CMD "))
    return runs, cmd


def test_the_dockerfile_installs_and_starts_the_real_server(tmp_path: Path) -> None:
    repo = fastapi_service(tmp_path / "svc")
    assert run_cli("adopt", str(repo), "--only", "DE001").returncode == 0
    runs, cmd = _dockerfile(repo)
    assert runs and cmd[0] == "uvicorn"
    image = Env(tmp_path, "image-venv")  # only what the image installs
    for command in runs:
        done = image.sh(command, repo)
        assert done.returncode == 0, done.stderr[-3000:]
    port = _free_port()
    cmd = [*cmd[: cmd.index("--host")], "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        ["bash", "-c", shlex.join(cmd)],
        cwd=repo,
        env=image.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert r.status == 200 and b"ok" in r.read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.communicate(timeout=10)) from None
                time.sleep(0.5)
    finally:
        server.terminate()
        server.communicate(timeout=30)
