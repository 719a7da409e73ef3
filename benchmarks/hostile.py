"""Score every hostile case of tests/adversarial/hostile.py and print its figures: exit code,
processor time (user + system) and peak memory of the scoring process, and wall time.

    python benchmarks/hostile.py [--markdown]

The figures in SECURITY.md come from this script.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.adversarial.hostile import CASES, measure  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    rows = []
    for name, build in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "repo"
            root.mkdir()
            expected = build(root)
            code, cpu, rss, wall, err = measure(root)
        rows.append((name, code, code in expected and "Traceback" not in err, cpu, rss, wall))
    if args.markdown:
        print("| case | exit | as expected | CPU s | peak MB | wall s |")
        print("|---|---|---|---|---|---|")
        for name, code, ok, cpu, rss, wall in rows:
            verdict = "yes" if ok else "NO"
            print(f"| {name} | {code} | {verdict} | {cpu:.2f} | {rss:.0f} | {wall:.2f} |")
    else:
        for name, code, ok, cpu, rss, wall in rows:
            print(
                f"{name:34} exit {code} {'ok ' if ok else 'BAD'} cpu {cpu:5.2f} s  "
                f"rss {rss:5.0f} MB  wall {wall:5.2f} s"
            )
    print(
        f"\n{len(rows)} cases; worst CPU {max(r[3] for r in rows):.2f} s, worst memory "
        f"{max(r[4] for r in rows):.0f} MB; {sum(not r[2] for r in rows)} not as expected"
    )
    return 0 if all(r[2] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
