"""Helpers for the generation tests: run the CLI, describe option combinations."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
TEMPLATE = REPO / "template"

if importlib.util.find_spec("mlscaffold") is None:  # running from a checkout without install
    sys.path.insert(0, str(SRC))

DEFAULTS: dict[str, Any] = {
    "problem_type": "classification",
    "serving": "rest",
    "tracking": "local",
    "data_versioning": "none",
    "ci": "github",
    "container": True,
    "monitoring": True,
    "licence": "MIT",
}


def cli_env(**extra: str) -> dict[str, str]:
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def run_cli(*args: str, cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``python -m mlscaffold ARGS`` in a subprocess with no terminal on stdin."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [sys.executable, "-m", "mlscaffold", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,
    )


def data_args(options: dict[str, Any]) -> list[str]:
    args = []
    for key, value in options.items():
        text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        args += ["--data", f"{key}={text}"]
    return args
