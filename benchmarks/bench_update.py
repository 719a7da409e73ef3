"""Benchmark (not a test): `mlscaffold update` against `copier update` on the same two versions.

A copy of mlscaffold's template is committed as v1.0.0, changed and tagged v2.0.0, and bundled.
One project is generated from v1.0.0 by `mlscaffold new` (pointed at that bundle through
MLSCAFFOLD_TEMPLATE_HISTORY), another by `copier copy` from the same bundle; both get the same
user edits (none on lines the template changes). Each round resets both projects to v1.0.0 and
updates them, as separate processes, alternating so cache effects fall on both alike. Prints the
median wall time of each and their ratio.

    python benchmarks/bench_update.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "update"))

from upd_helpers import GIT_IDENTITY, apply_v2_changes, commit_all, git  # noqa: E402


def _edit_like_a_user(project: Path, package: str) -> None:
    training = project / "configs" / "training.yaml"
    training.write_text(training.read_text().replace("n_estimators: 100", "n_estimators: 300"))
    features = project / "src" / package / "features.py"
    features.write_text(features.read_text() + "\n\ndef user_ratio(a, b):\n    return a / b\n")
    charter = project / "docs" / "charter.md"
    charter.write_text(charter.read_text() + "\n## Glossary\n")


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr}")
    return elapsed


def _reset(project: Path) -> None:
    git(project, "reset", "--quiet", "--hard", "edited")
    git(project, "clean", "--quiet", "-fdx")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        template = tmp / "template"
        shutil.copytree(REPO / "template", template, ignore=shutil.ignore_patterns("__pycache__"))
        git(template, "init", "--quiet", "--initial-branch=main")
        commit_all(template, "v1")
        git(template, "tag", "v1.0.0")
        bundle_v1 = tmp / "v1.bundle"
        git(template, "bundle", "create", "--quiet", str(bundle_v1), "--all")
        apply_v2_changes(template)
        commit_all(template, "v2")
        git(template, "tag", "v2.0.0")
        bundle = tmp / "v2.bundle"
        git(template, "bundle", "create", "--quiet", str(bundle), "--all")

        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MLSCAFFOLD_"))}
        env.update(GIT_IDENTITY, HOME=str(tmp / "home"), NO_COLOR="1")
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])
        )
        copier_exe = shutil.which("copier")
        copier = [copier_exe] if copier_exe else [sys.executable, "-m", "copier"]
        ours_env = {**env, "MLSCAFFOLD_TEMPLATE_HISTORY": str(bundle_v1)}
        _run([sys.executable, "-m", "mlscaffold", "new", "ours", "--defaults"], tmp, ours_env)
        _run(
            [
                *copier,
                "copy",
                "--defaults",
                "--quiet",
                str(bundle),
                "theirs",
                "--vcs-ref",
                "v1.0.0",
            ],
            tmp,
            env,
        )
        for name in ("ours", "theirs"):
            project = tmp / name
            git(project, "init", "--quiet", "--initial-branch=main")
            commit_all(project, "generated")
            _edit_like_a_user(project, name)
            commit_all(project, "edited")
            git(project, "tag", "edited")
        ours_env["MLSCAFFOLD_TEMPLATE_HISTORY"] = str(bundle)
        timings: dict[str, list[float]] = {"mlscaffold update": [], "copier update": []}
        for i in range(args.runs + 1):  # the first round warms caches and is discarded
            _reset(tmp / "ours")
            _reset(tmp / "theirs")
            ours = _run([sys.executable, "-m", "mlscaffold", "update"], tmp / "ours", ours_env)
            theirs = _run(
                [*copier, "update", "--defaults", "--quiet", "--conflict", "inline"],
                tmp / "theirs",
                env,
            )
            if i:
                timings["mlscaffold update"].append(ours)
                timings["copier update"].append(theirs)
        for name in ("ours", "theirs"):
            text = (tmp / name / "configs" / "training.yaml").read_text()
            assert "n_estimators: 300" in text and "template v2" in text, name
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, value in medians.items():
        print(f"{name:17s} median {value:.3f} s over {args.runs} runs")
    ratio = medians["mlscaffold update"] / medians["copier update"]
    print(f"ratio mlscaffold/copier: {ratio:.2f} (goal: <= 1.20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
