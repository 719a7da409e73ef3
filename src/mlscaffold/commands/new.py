"""``mlscaffold new DEST``: generate a new ML project from the template (or --template SRC)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from mlscaffold.generate import new_project
from mlscaffold.generate.answers import load_data_file, parse_data_pairs
from mlscaffold.generate.history import RECORDED_SOURCE


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dest",
        metavar="DEST",
        type=Path,
        nargs="?",
        default=Path("."),
        help="directory to create, missing, empty or a fresh clone holding only .git "
        "(default: the current directory)",
    )
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="take the default answer for every question not given with --data",
    )
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="answer one question (repeatable), e.g. --data serving=batch",
    )
    parser.add_argument(
        "--data-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="YAML file of answers (e.g. another project's .copier-answers.yml); --data wins",
    )
    parser.add_argument(
        "--template",
        default=None,
        metavar="SRC",
        help="another copier template (path or git URL) or a local cookiecutter template",
    )
    parser.add_argument("--vcs-ref", default=None, help="git tag or commit of a copier template")


def _style(text: str, code: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return f"\033[{code}m{text}\033[0m"


def run(args: argparse.Namespace) -> int:
    data: dict[str, Any] = {}
    if args.data_file is not None:
        data.update(load_data_file(args.data_file))
    data.update(parse_data_pairs(args.data))
    result = new_project(
        args.dest, data, defaults=args.defaults, template=args.template, vcs_ref=args.vcs_ref
    )
    for warning in result.warnings:
        print(f"mlscaffold: warning: {warning}", file=sys.stderr)
    if getattr(args, "verbosity", 0) < 0:  # -q: the project is the result; say nothing
        return 0
    where = os.path.relpath(result.dest) if result.dest.is_relative_to(Path.cwd()) else result.dest
    count = len(result.answers)
    answers = f"{count} answer{'' if count == 1 else 's'}"
    recorded = (
        f"{answers} recorded in {result.answers_file.name}"
        if result.answers_file
        else f"{answers}; the template keeps no answers file"
    )
    print(f"{_style('Created', '1;32')} {where} from {result.kind} template ({recorded})")
    if result.template == RECORDED_SOURCE:  # the built-in template
        print(
            "Next steps:\n"
            f"  cd {shlex.quote(str(where))}\n"
            "  python -m venv .venv && . .venv/bin/activate\n"
            "  pip install -e '.[dev]'\n"
            "  make pipeline test   # train, evaluate, predict, monitor; then the tests\n"
            "  fill in the TODO lines of docs/charter.md, docs/model_card.md, docs/data.md\n"
            "  mlscaffold score .\n"
            "  git init && git add -A && git commit -m 'mlscaffold new'   # update needs git"
        )
    return 0
