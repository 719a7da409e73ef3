"""Benchmark (not a test): `mlscaffold new --defaults` against `copier copy --defaults`.

Both render mlscaffold's own template into a fresh directory, as separate processes, alternating
so that cache effects fall on both alike. Prints the median wall time of each and their ratio.

    python benchmarks/bench_new.py [--runs 7]
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
TEMPLATE = REPO / "template"


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    copier = shutil.which("copier")
    copier_cmd = [copier] if copier else [sys.executable, "-m", "copier"]
    timings: dict[str, list[float]] = {"mlscaffold new": [], "copier copy": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs + 1):  # the first round warms caches and is discarded
            ours = _time(
                [sys.executable, "-m", "mlscaffold", "new", f"{tmp}/m{i}", "--defaults"], env
            )
            theirs = _time(
                [*copier_cmd, "copy", "--defaults", "--quiet", str(TEMPLATE), f"{tmp}/c{i}"], env
            )
            if i:
                timings["mlscaffold new"].append(ours)
                timings["copier copy"].append(theirs)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, value in medians.items():
        print(f"{name:15s} median {value:.3f} s over {args.runs} runs")
    ratio = medians["mlscaffold new"] / medians["copier copy"]
    print(f"ratio mlscaffold/copier: {ratio:.2f} (goal: <= 1.20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
