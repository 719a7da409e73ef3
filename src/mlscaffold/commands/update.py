"""``mlscaffold update [PATH]``: merge the installed template version into a generated project."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from mlscaffold.errors import UpdateConflict


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        metavar="PATH",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the generated project (default: the current directory)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="only say whether the project is behind; exit 1 if it is (for CI)",
    )
    mode.add_argument(
        "--dry-run",
        action="store_true",
        help="show the diff the update would make, and write nothing",
    )
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one answer during the update (repeatable), e.g. --data serving=batch",
    )


def _describe(code: str) -> str:
    """A ``git status --porcelain`` code in words."""
    if "U" in code or code in {"AA", "DD"}:
        return "conflict"
    if code in {"??", "A"} or code.startswith("A"):
        return "added"
    if "D" in code:
        return "deleted"
    if "R" in code:
        return "renamed"
    return "modified"


def _where(path: Path) -> str:
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


def run(args: argparse.Namespace) -> int:
    from mlscaffold.generate.answers import parse_data_pairs
    from mlscaffold.generate.update import inspect_project, update_project

    data: dict[str, Any] = parse_data_pairs(args.data)
    if args.check:
        if data:
            print("mlscaffold: warning: --data is ignored with --check", file=sys.stderr)
        state = inspect_project(args.path)
        status = "behind" if state.behind else "up to date"
        print(
            f"{_where(state.path)}: template {state.current} (current), "
            f"{state.available} (available): {status}"
        )
        if state.behind and getattr(args, "verbosity", 0) >= 0:
            print("run `mlscaffold update` to merge the new template version")
        return 1 if state.behind else 0

    try:
        result = update_project(args.path, data, dry_run=args.dry_run)
    except KeyboardInterrupt:
        if not args.dry_run:  # a dry run works on a throw-away clone: nothing to restore
            # `update` refuses a dirty tree, so the last commit is exactly the state before it.
            target = shlex.quote(str(Path(args.path).resolve()))
            print(
                "mlscaffold: update interrupted; the project may be half-merged. Restore it with:"
                f"\n  git -C {target} reset --hard && git -C {target} clean -fd",
                file=sys.stderr,
            )
        raise
    for warning in result.warnings:
        print(f"mlscaffold: warning: {warning}", file=sys.stderr)
    state = result.state
    where = _where(state.path)
    if not result.ran:
        print(f"{where} is up to date with template {state.available}; nothing to do")
        return 0
    step = (
        f"template {state.current} -> {state.available}"
        if state.behind
        else f"template {state.available} with changed answers"
    )
    if result.dry_run:
        sys.stdout.write(result.diff)
        print(f"Dry run: updating {where} ({step}) would change {len(result.changed)} file(s):")
    else:
        print(f"Updated {where} ({step}); {len(result.changed)} file(s) changed:")
    for code, rel in result.changed:
        print(f"  {_describe(code):9s} {rel}")
    if result.conflicts:
        verb = "would conflict" if result.dry_run else "have conflicts"
        print(
            f"{len(result.conflicts)} file(s) {verb} where your edits and the template changed "
            "the same lines (between <<<<<<< before updating and >>>>>>> after updating):"
        )
        for rel in result.conflicts:
            print(f"  {rel}")
        raise UpdateConflict(
            f"{len(result.conflicts)} conflict(s) "
            + ("would be left" if result.dry_run else "left; resolve the markers, then commit")
            + f": {', '.join(result.conflicts)}"
        )
    if getattr(args, "verbosity", 0) < 0:  # -q: the list of changes is the result
        return 0
    if result.dry_run:
        print("Nothing was written.")
    else:
        print("Review with `git diff`, run the tests, then commit.")
    return 0
