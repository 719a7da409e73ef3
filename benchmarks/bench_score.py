"""Benchmark: `mlscaffold score` against the floor of a static scorer, on synthetic repositories.

Usage:  python benchmarks/bench_score.py [--sizes 100,10000,100000] [--repeat 3]
                                        [--baseline OTHER_CHECKOUT/src]

For each size it builds a synthetic ML repository (Python modules with imports, Markdown docs,
YAML configs, notebooks, small CSVs, nested packages), then times in fresh processes:
  - floor: an os.scandir walk that reads every file under 64 KB (what any static scorer must do);
  - score: `mlscaffold score REPO -f json` end to end (process start included);
and prints the ratio and the peak memory (max RSS) of the scoring process and, on large
repositories, of the forked copy that shares the reading. It also times `mlscaffold --help`.
Medians of --repeat runs (and the fastest run). Figures are recorded in docs/performance.md.

With --baseline, each round also times the scorer found in that source folder (another
checkout's ``src``), right after this one: on a machine whose speed drifts from minute to
minute, two versions are compared fairly only when they run in turns.

Before timing, the package's bytecode is compiled, as pip does when it installs a wheel: an
editable install run with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module on
every start and measure the compiler, not the scorer.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = r"""
import os, sys
total = 0
stack = [sys.argv[1]]
while stack:
    d = stack.pop()
    with os.scandir(d) as it:
        for e in it:
            if e.is_dir(follow_symlinks=False):
                if e.name != ".git":
                    stack.append(e.path)
            elif e.is_file(follow_symlinks=False) and e.stat().st_size < 65536:
                with open(e.path, "rb") as f:
                    total += len(f.read())
print(total)
"""

SCORE = r"""
import resource, sys
from mlscaffold.cli import main
sys.stdout = open(os.devnull, "w") if False else sys.stdout
code = main(["score", sys.argv[1], "-f", "json", "-o", "/dev/null"])
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
copies_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(self_kb, copies_kb, file=sys.stderr)
sys.exit(code)
"""

PY = """import logging
import os

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from {pkg}.features import build_features

log = logging.getLogger(__name__)


def step_{i}(df: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = build_features(df)
    out["noise_{i}"] = rng.normal(size=len(out))
    log.info("step {i} done on %d rows", len(out))
    return out
"""
MD = "# Module {i}\n\n## Overview\n\nThis part of the pipeline handles step {i} of the data.\n"
YAML = "name: step{i}\nparams:\n  lr: 0.{i}\n  depth: {i}\nfeatures: [a, b, c]\n"
NB = json.dumps(
    {
        "cells": [{"cell_type": "code", "source": ["import pandas as pd\n", "df = 1\n"]}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
)


def build_repo(root: Path, n_files: int, seed: int = 0) -> None:
    rng = random.Random(seed)  # noqa: S311 - synthetic file mix, not security
    root.mkdir(parents=True)
    (root / "README.md").write_text(
        "# Synthetic\n\n## Problem statement\n\nWe predict churn for the retention team.\n"
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "synthetic"\nversion = "1"\n'
        'dependencies = ["pandas==2.2.3", "numpy==2.0.0"]\n'
        "[tool.ruff]\nline-length = 100\n"
    )
    (root / ".gitignore").write_text("data/raw/\n*.log\n")
    written = 3
    i = 0
    while written < n_files:
        pkg = f"pkg{i // 500}"
        sub = root / "src" / pkg / f"mod{(i // 50) % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        kind = rng.random()
        if kind < 0.45:
            (sub / f"step_{i}.py").write_text(PY.format(pkg=pkg, i=i))
        elif kind < 0.6:
            (sub / f"notes_{i}.md").write_text(MD.format(i=i))
        elif kind < 0.8:
            (sub / f"config_{i}.yaml").write_text(YAML.format(i=i))
        elif kind < 0.85:
            (sub / f"explore_{i}.ipynb").write_text(NB)
        else:
            (sub / f"sample_{i}.csv").write_text("a,b,c\n" + "1,2,3\n" * rng.randint(1, 50))
        written += 1
        i += 1


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed: {out.stderr[-500:]}")
    return elapsed, out.stdout, out.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", help="another checkout's src folder, timed in turns")
    args = parser.parse_args()
    baseline_env = None
    if args.baseline:
        if not (Path(args.baseline) / "mlscaffold" / "__init__.py").is_file():
            raise SystemExit(f"--baseline {args.baseline}: no mlscaffold package there")
        baseline_env = {**os.environ, "PYTHONPATH": str(Path(args.baseline).resolve())}
        subprocess.run([sys.executable, "-m", "compileall", "-q", args.baseline], check=True)
    py = sys.executable
    import mlscaffold

    package = Path(mlscaffold.__file__).parent
    subprocess.run([py, "-m", "compileall", "-q", str(package)], check=True)
    helps = [timed([py, "-m", "mlscaffold", "--help"])[0] for _ in range(max(5, args.repeat))]
    print(f"mlscaffold --help: {statistics.median(helps):.3f} s (median of {len(helps)})")
    print(
        f"{'files':>8} {'floor s':>8} {'score s':>8} {'ratio':>6} {'fastest':>8} "
        f"{'peak MB':>8} {'copy MB':>8}"
    )
    work = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-"))
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            repo = work / f"repo{size}"
            build_repo(repo, size)
            floors, scores, peaks, copies, baselines = [], [], [], [], []
            for _ in range(args.repeat):
                floors.append(timed([py, "-c", FLOOR, str(repo)])[0])
                elapsed, _, err = timed([py, "-c", "import os\n" + SCORE, str(repo)])
                scores.append(elapsed)
                if baseline_env is not None:
                    script = "import os\n" + SCORE
                    baselines.append(timed([py, "-c", script, str(repo)], baseline_env)[0])
                self_kb, copies_kb = err.strip().splitlines()[-1].split()
                peaks.append(int(self_kb) / 1024)
                copies.append(int(copies_kb) / 1024)
            floor, score = statistics.median(floors), statistics.median(scores)
            fastest = min(scores) / min(floors)
            print(
                f"{size:>8} {floor:>8.3f} {score:>8.3f} {score / floor:>6.2f} {fastest:>8.2f} "
                f"{max(peaks):>8.1f} {max(copies):>8.1f}"
            )
            if baselines:
                base = statistics.median(baselines)
                quickest = min(scores) / min(baselines)
                print(
                    f"{'':>8} baseline {base:.3f} s (fastest {min(baselines):.3f} s): this "
                    f"version takes {score / base:.2f} of its time (fastest: {quickest:.2f})"
                )
            shutil.rmtree(repo)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
