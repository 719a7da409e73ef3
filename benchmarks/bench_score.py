"""Benchmark: `mlscaffold score` against the floor of a static scorer, on synthetic repositories.

Usage:  python benchmarks/bench_score.py [--sizes 100,10000,100000] [--repeat 3]
                                        [--baseline OTHER_CHECKOUT/src]

For each size it builds a synthetic ML repository (Python modules with imports, Markdown docs,
YAML configs, notebooks, small CSVs, nested packages), then times in fresh processes:
  - floor: an os.scandir walk that reads every file under 64 KB (what any static scorer must do);
  - score: `mlscaffold score REPO -f json --no-cache` end to end (process start included), a
    cold run;
and prints processor time (user + system, from ``os.wait4``), their ratio, the scorer's wall
time and its peak memory (max RSS). It also times `mlscaffold --help`. Medians of --repeat
runs. Figures are recorded in docs/performance.md.

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

SCORE = ["-m", "mlscaffold", "score", "-f", "json", "-o", os.devnull, "--no-cache"]
WALK = "import sys\nfrom mlscaffold.score.read.walk import walk_repo\nwalk_repo(sys.argv[1])\n"

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


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall seconds, processor seconds, peak RSS in MB) of one process, from ``os.wait4``:
    its own processor time, whatever else the machine is doing."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{cmd} failed: {err[-500:].decode(errors='replace')}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


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
        baseline_env = {"PYTHONPATH": str(Path(args.baseline).resolve())}
        subprocess.run([sys.executable, "-m", "compileall", "-q", args.baseline], check=True)
    py = sys.executable
    import mlscaffold

    package = Path(mlscaffold.__file__).parent
    subprocess.run([py, "-m", "compileall", "-q", str(package)], check=True)
    helps = [timed([py, "-m", "mlscaffold", "--help"])[1] for _ in range(max(5, args.repeat))]
    print(f"mlscaffold --help: {statistics.median(helps):.3f} s CPU (median of {len(helps)})")
    print(
        f"{'files':>8} {'floor CPU':>10} {'score CPU':>10} {'ratio':>6} {'wall':>7} {'peak MB':>8} "
        "warm/walk CPU"
    )
    work = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-"))
    # Cold runs (--no-cache), with a cache folder of their own all the same.
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            repo = work / f"repo{size}"
            build_repo(repo, size)
            floors, scores, walls, peaks, baselines = [], [], [], [], []
            for _ in range(args.repeat):
                floors.append(timed([py, "-c", FLOOR, str(repo)])[1])
                wall, cpu, peak = timed([py, *SCORE, str(repo)], env)
                scores.append(cpu)
                walls.append(wall)
                peaks.append(peak)
                if baseline_env is not None:
                    baselines.append(timed([py, *SCORE, str(repo)], {**env, **baseline_env})[1])
            floor, score = statistics.median(floors), statistics.median(scores)
            # A warm run (the cache filled by an earlier run, nothing changed) against a
            # process that imports the scorer and only walks the tree.
            cached = {**os.environ, "XDG_CACHE_HOME": str(work / "warm-cache")}
            timed([py, *SCORE[:-1], str(repo)], cached)
            warm = min(timed([py, *SCORE[:-1], str(repo)], cached)[1] for _ in range(args.repeat))
            walk = min(timed([py, "-c", WALK, str(repo)])[1] for _ in range(args.repeat))
            print(
                f"{size:>8} {floor:>10.3f} {score:>10.3f} {score / floor:>6.2f} "
                f"{statistics.median(walls):>7.3f} {max(peaks):>8.1f} "
                f"{warm:>6.3f}/{walk:.3f} ({warm / walk:.2f}x)"
            )
            if baselines:
                base = statistics.median(baselines)
                print(
                    f"{'':>8} baseline {base:.3f} s CPU: this version takes {score / base:.2f} "
                    "of its time"
                )
            shutil.rmtree(repo)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
