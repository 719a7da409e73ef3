"""Small repositories crafted to make a scorer hang or balloon: text that makes backtracking
regular expressions take super-linear time, and organisation checklists (read from the
repository's own ``[tool.mlscaffold]``) that are hostile data. Each builder writes a tree and
returns the exit codes a correct scorer may give: 0 or 1 when the tree scores, 2 when its
checklist must be refused. Nothing large is committed; each case is built in a temp dir.

Used by tests/adversarial/test_hostile.py and benchmarks/hostile.py (figures in SECURITY.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

Builder = Callable[[Path], set[int]]
CASES: dict[str, Builder] = {}
SCORES = {0, 1}
REFUSED = {2}


def case(fn: Builder) -> Builder:
    CASES[fn.__name__] = fn
    return fn


def measure(root: Path) -> tuple[int, float, float, float, str]:
    """Score ``root`` in a new process: (exit code, its processor time in seconds, its peak
    memory in MB, wall seconds, what it printed on stderr)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlscaffold", "score", str(root), "-f", "json", "-o", os.devnull],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own usage, not all children's
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall, err


def _w(root: Path, rel: str, data: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


# ----- text that made built-in patterns backtrack ------------------------------------------
@case
def placeholder_readme(root: Path) -> set[int]:
    """133 bytes: "describe" + 40 letters + 25 " b" words hung the placeholder pattern."""
    _w(root, "README.md", "# X\n\n## Problem statement\n\ndescribe " + "a" * 40 + " b" * 25 + "\n")
    return SCORES


@case
def ci_run_of_dots(root: Path) -> set[int]:
    """One `run:` of 400,000 `a.` (the script-reference pattern)."""
    steps = "      - run: " + "a." * 200_000 + "\n"
    _w(root, ".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    steps:\n" + steps)
    return SCORES


@case
def dockerfile_of_newlines(root: Path) -> set[int]:
    _w(root, "Dockerfile", "\n" * 1_000_000)
    return SCORES


@case
def dvc_outs_lines(root: Path) -> set[int]:
    _w(root, "dvc.yaml", "- outs:\n" * 100_000)
    return SCORES


@case
def logger_then_newlines(root: Path) -> set[int]:
    _w(root, "src/app/serve.py", "import fastapi\n# logger" + "\n" * 1_000_000)
    return SCORES


@case
def unclosed_comment(root: Path) -> set[int]:
    """A section body that opens an HTML comment and never closes it, then 500 KB of dashes."""
    _w(root, "README.md", "# X\n\n## Problem\n\n<!--" + "<!-" * 170_000 + "\n")
    return SCORES


@case
def long_lines_everywhere(root: Path) -> set[int]:
    """One 900 KB line in each kind of file a check reads."""
    line = "a " * 450_000
    for rel in ("setup.cfg", "requirements.txt", "params.yaml", "Makefile", "README.md",
                "src/train.py", ".env", "config/secrets.ini"):  # fmt: skip
        text = f"[options]\ninstall_requires =\n    {line}\n" if rel == "setup.cfg" else line
        _w(root, rel, text)
    return SCORES


@case
def near_miss_secrets(root: Path) -> set[int]:
    """Texts that almost match the secret patterns many times over."""
    _w(root, "config/a.yaml", "password: " + "x" * 900_000 + "\n")
    _w(root, "config/b.yaml", "u://" + "a:" * 400_000 + "\n")
    _w(root, "src/c.py", "AKIA" * 200_000 + "\n")
    _w(root, "src/d.py", "ghp_" + "A" * 35 + " " + ("ghp_" + "A" * 35 + " ") * 20_000)
    return SCORES


@case
def import_lists(root: Path) -> set[int]:
    """`import a, a, a, ...` on one line and 100,000 short imports (the import pattern)."""
    _w(root, "src/one_line.py", "import " + "a, " * 300_000 + "b\n")
    _w(root, "src/many.py", "from a import b as c, d as e\n" * 30_000)
    return SCORES


@case
def copied_long_functions(root: Path) -> set[int]:
    """A 100 KiB transformation in training and its copy in a serving app (DE005 compares
    their bodies: difflib took minutes on them)."""
    body = "".join(
        f"    df['f{i}'] = np.tanh(df['a'] * {i}.5 + df['b'] / {i + 1}.25) - np.log1p(df['c'])\n"
        for i in range(1300)
    )
    fit = "model = LogisticRegression().fit(X, y)\n"
    _w(root, "src/features.py", f"import numpy as np\n\n\ndef transform_features(df):\n{body}")
    _w(
        root,
        "src/train.py",
        "from sklearn.linear_model import LogisticRegression\n"
        "from features import transform_features\n\nX = transform_features(X)\n" + fit,
    )
    _w(
        root,
        "app/main.py",
        "import joblib\nimport numpy as np\nfrom fastapi import FastAPI\n\n"
        "app = FastAPI()\nmodel = joblib.load('model.pkl')\n\n\n"
        f"def build_features(df):\n{body}\n\n@app.post('/predict')\ndef predict(x):\n"
        "    return model.predict(build_features(x))\n",
    )
    return SCORES


@case
def many_headings(root: Path) -> set[int]:
    _w(root, "README.md", "".join(f"## Problem {i}\n\nTBD\n\n" for i in range(40_000)))
    return SCORES


@case
def hostile_gitignore(root: Path) -> set[int]:
    """Rules with many stars against long file names (polynomial in a backtracking engine)."""
    rules = ["*a" * k + "b" for k in range(2, 40)] + ["!" + "*a" * 30 + "c", "**/" * 50 + "z"]
    _w(root, ".gitignore", "\n".join(rules) + "\n")
    for i in range(50):
        _w(root, f"d{i}/" + "a" * 200 + f"{i}.txt", "x")
    return SCORES


@case
def many_dependencies(root: Path) -> set[int]:
    deps = ", ".join(f'"pkg{i}>=1.0"' for i in range(40_000))
    _w(root, "pyproject.toml", f"[project]\nname = 'x'\ndependencies = [{deps}]\n")
    _w(root, "requirements.txt", "".join(f"pkg{i}==1.{i}\n" for i in range(60_000)))
    return SCORES


@case
def notebook_output_mentions(root: Path) -> set[int]:
    """A notebook writing a file that a module names 100,000 times on one line, and 4,000
    constants holding it (MO004 once judged each mention against its whole line, and each
    constant against its whole module)."""
    cell = {"cell_type": "code", "source": ["df.to_csv('data/a.csv')\n"], "outputs": []}
    _w(root, "notebooks/eda.ipynb", json.dumps({"cells": [cell], "nbformat": 4}))
    _w(root, "src/train.py", "FILES = [" + "'a.csv', " * 100_000 + "]\n")
    _w(root, "src/paths.py", "".join(f"PATH_{i} = 'data/a.csv'\n" for i in range(4000)))
    return SCORES


@case
def template_slots(root: Path) -> set[int]:
    """A section line of 13,500 angle-bracket slots (each slot was once replaced in turn)."""
    slots = " ".join(f"<t_{i}>" for i in range(13_500))
    _w(root, "README.md", f"# Churn model\n\n## Problem\n\n- Predict: {slots}\n")
    return SCORES


@case
def notebook_output_settings(root: Path) -> set[int]:
    """Four 800 KB settings files and three 10,000-line modules naming a file a notebook
    writes (MO004 once ran its patterns line by line over each, and built every module's
    table)."""
    cell = {"cell_type": "code", "source": ["df.to_csv('../data/processed/a.csv')\n"]}
    _w(root, "notebooks/eda.ipynb", json.dumps({"cells": [cell], "nbformat": 4}))
    for k in range(4):
        _w(root, f"conf/c{k}.cfg", "x\n" * 400_000 + "path = data/processed/a.csv\n")
    for k in range(3):
        module = "A = pd.read_csv('data/processed/a.csv')\n" + "y = f(x)\n" * 10_000
        _w(root, f"src/mod{k}.py", module)
    return SCORES


@case
def reexporting_packages(root: Path) -> set[int]:
    """2,000 modules importing a package whose __init__ imports all of them (MO003 once
    expanded the package's imports again for every module)."""
    _w(root, "pkg/__init__.py", "".join(f"from pkg.m{k} import f{k}\n" for k in range(2000)))
    for k in range(2000):
        _w(root, f"pkg/m{k}.py", f"from pkg import f0\n\n\ndef f{k}(x):\n    return x\n")
    _w(root, "src/train.py", "model.fit(x, y)\njoblib.dump(model, 'm.pkl')\n")
    return SCORES


# ----- organisation checklists from the repository itself ----------------------------------
_CONFIG = "[tool.mlscaffold]\nchecklists = ['ml.yaml']\n"


def _check(n: int, detector: str, extra: str = "") -> str:
    return (
        f"  - id: ORG{n:03d}\n    name: org-{n}\n    title: An organisation check\n"
        "    severity: major\n    why: [DA1]\n    description: a description that is long enough\n"
        f"    fix: a fix that is long enough to pass\n{extra}    detector: {detector}\n"
    )


def _checklist(root: Path, *checks: str, head: str = "") -> None:
    _w(root, "pyproject.toml", _CONFIG)
    _w(root, "ml.yaml", head + "stage: data\nchecks:\n" + "".join(checks))


@case
def alias_bomb(root: Path) -> set[int]:
    """Billion laughs: nine levels of nine aliases (1.4 GB once expanded, a hang before)."""
    anchors = ['  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    anchors += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    head = "x-anchors:\n" + "\n".join(anchors) + "\n"
    _checklist(root, _check(1, "{kind: files, pass: ['x']}", "    references: *a9\n"), head=head)
    return REFUSED


@case
def alias_bomb_in_place(root: Path) -> set[int]:
    """The bomb built inside the one field it targets (a check's references)."""
    items = ['&a0 "lol"'] + [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    references = f"    references: [{', '.join(items)}]\n"
    _checklist(root, _check(1, "{kind: files, pass: ['x']}", references))
    return REFUSED


@case
def catastrophic_content(root: Path) -> set[int]:
    _w(root, "x.txt", "a" * 100_000 + "!")
    _checklist(root, _check(1, "{kind: files, pass: ['x.txt'], content: '^(a+)+$'}"))
    return SCORES


@case
def catastrophic_headings(root: Path) -> set[int]:
    _w(root, "README.md", "# " + "x" * 100_000 + "\n\ntext\n")
    _checklist(root, _check(1, "{kind: markdown_section, topic: x, headings: ['(x+x+)+y']}"))
    return SCORES


@case
def catastrophic_keys(root: Path) -> set[int]:
    _w(root, "config.yaml", "".join(f"{'x' * 2_000}{i}: 1\n" for i in range(100)))
    _checklist(root, _check(1, "{kind: config_key, keys: '(x+x+)+y'}"))
    return SCORES


@case
def format_width(root: Path) -> set[int]:
    _w(root, "x.txt", "hello")
    detector = "{kind: files, pass: ['x.txt'], content: zzz, content_reason: '{found:>300000000}'}"
    _checklist(root, _check(1, detector))
    return SCORES


@case
def format_width_two_billion(root: Path) -> set[int]:
    _w(root, "x.txt", "hello")
    detector = "{kind: files, pass: ['x.txt'], content: zzz, content_reason: '{found:>2000000000}'}"
    _checklist(root, _check(1, detector))
    return SCORES


@case
def nested_any(root: Path) -> set[int]:
    detector = "{kind: files, pass: ['x']}"
    for _ in range(150):
        detector = "{kind: any, detectors: [" + detector + "]}"
    _checklist(root, _check(1, detector))
    return REFUSED


@case
def nested_any_within_yaml_depth(root: Path) -> set[int]:
    """Ten nested `any` fit the YAML depth limit; the detector depth limit refuses them."""
    detector = "{kind: files, pass: ['x']}"
    for _ in range(10):
        detector = "{kind: any, detectors: [" + detector + "]}"
    _checklist(root, _check(1, detector))
    return REFUSED


@case
def glob_storm(root: Path) -> set[int]:
    """The most checks a file may hold, each with a `**/**/**` glob, over 2,000 files."""
    for i in range(2_000):
        _w(root, f"d{i % 20}/e{i % 7}/f{i}.txt", "x")
    checks = [_check(i, f"{{kind: files, pass: ['**/**/**/**/**/zz{i}*']}}") for i in range(500)]
    _checklist(root, *checks)
    return SCORES


@case
def too_many_checks(root: Path) -> set[int]:
    """20,000 entries (15 to 47 s to validate and run before)."""
    checks = [_check(i % 1000, f"{{kind: files, pass: ['zz{i}']}}") for i in range(20_000)]
    _checklist(root, *checks)
    return REFUSED


@case
def many_checks_under_the_size_cap(root: Path) -> set[int]:
    """501 small checks: under 256 KiB, over the count limit."""
    _checklist(root, *[_check(i, "{kind: files, pass: [x]}") for i in range(501)])
    return REFUSED


@case
def invalid_pattern(root: Path) -> set[int]:
    _w(root, "x.txt", "hello")
    _checklist(root, _check(1, "{kind: files, pass: ['x.txt'], content: '(unclosed'}"))
    return REFUSED


@case
def look_behind_pattern(root: Path) -> set[int]:
    """Valid Python, but not linear-time: refused, not silently not applicable."""
    _checklist(root, _check(1, "{kind: config_key, keys: '(?<!x)seed'}"))
    return REFUSED


@case
def huge_pattern(root: Path) -> set[int]:
    """A short pattern with a huge automaton (nested counted repeats)."""
    _checklist(root, _check(1, "{kind: config_key, keys: '((a{1,100}){1,100}){1,100}'}"))
    return REFUSED


@case
def deep_yaml(root: Path) -> set[int]:
    _w(root, "pyproject.toml", _CONFIG)
    _w(root, "ml.yaml", "stage: data\nchecks: " + "[" * 100_000 + "]" * 100_000 + "\n")
    return REFUSED


@case
def oversized_checklist(root: Path) -> set[int]:
    _w(root, "pyproject.toml", _CONFIG)
    _w(root, "ml.yaml", "stage: data\n# " + "x" * 300_000 + "\nchecks: []\n")
    return REFUSED


@case
def too_many_checklist_files(root: Path) -> set[int]:
    names = [f"c{i}.yaml" for i in range(25)]
    _w(root, "pyproject.toml", "[tool.mlscaffold]\nchecklists = " + repr(names) + "\n")
    for name in names:
        _w(root, name, "stage: data\nchecks:\n" + _check(1, "{kind: files, pass: [x]}"))
    return REFUSED


@case
def wildcard_glob(root: Path) -> set[int]:
    _checklist(root, _check(1, "{kind: files, pass: ['" + "*a" * 60 + "']}"))
    return REFUSED


@case
def expensive_content_checks(root: Path) -> set[int]:
    """Many checks each searching fifty 1 MiB files: the run's budget for checks stops them."""
    for i in range(50):
        _w(root, f"big/f{i}.txt", ("ab" * 50_000 + "\n") * 10)
    checks = [
        _check(i, f"{{kind: files, pass: ['big/*.txt'], content: '(a|b)*c{i}'}}")
        for i in range(200)
    ]
    _checklist(root, *checks)
    return SCORES


@case
def spacy_workflow_alias_bomb(root: Path) -> set[int]:
    """A spaCy project.yml whose workflow holds an alias expanding to 9**8 names: loading it
    is cheap, turning each step into text would take gigabytes."""
    levels = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
    )
    _w(
        root,
        "project.yml",
        levels + "commands:\n  - name: train\n    script:\n"
        "      - python -m spacy train config.cfg\nworkflows:\n  all: [eval, train, *a8]\n",
    )
    _w(root, "train.py", "model.fit(X, y)\n")
    return SCORES


@case
def reexports_on_one_long_line(root: Path) -> set[int]:
    """A package importing 4,000 names on one line and four modules each taking 20 other
    names from it: MO003 read the line's words again for every import and every importer
    (70 s before)."""
    _w(root, "pkg/__init__.py", "from . import " + ", ".join(f"n{k}" for k in range(4000)) + "\n")
    for k in range(200):
        _w(root, f"pkg/n{k}.py", f"def f{k}(x):\n    return x\n")
    _w(
        root,
        "src/split.py",
        "from sklearn.model_selection import train_test_split\n\n\n"
        "def split(df):\n    a, b = train_test_split(df)\n    return a, b\n",
    )
    _w(root, "src/features.py", "import pandas as pd\n\n\ndef run(df):\n    return df.dropna()\n")
    _w(
        root,
        "src/train.py",
        "from sklearn.linear_model import LogisticRegression\n\n\n"
        "def train(X, y):\n    m = LogisticRegression()\n    m.fit(X, y)\n    return m\n",
    )
    _w(
        root,
        "src/evaluate.py",
        "from sklearn.metrics import accuracy_score\n\n\n"
        "def evaluate(m, X, y):\n    return accuracy_score(y, m.predict(X))\n",
    )
    for i in range(4):
        taken = "".join(f"from pkg import z{i}_{j}\n" for j in range(20))
        _w(root, f"src/use{i}.py", taken + "\n\ndef g():\n    return 1\n")
    return SCORES


@case
def git_index_of_growing_names(root: Path) -> set[int]:
    """A version-4 git index of 40,000 entries, each keeping the whole name before it and
    adding a byte: 2.6 MB of index, 800 MB of names once built (881 MB of memory before)."""
    entries = 40_000
    fixed = bytearray(40)
    fixed[24:28] = (0o100644).to_bytes(4, "big")  # a regular file
    entry = bytes(fixed) + bytes(20) + (1).to_bytes(2, "big") + b"\x00" + b"a\x00"
    index = b"DIRC" + (4).to_bytes(4, "big") + entries.to_bytes(4, "big") + entry * entries
    _w(root, ".git/index", index)
    _w(root, ".git/HEAD", "ref: refs/heads/main\n")
    _w(root, "README.md", "# x\n")
    return SCORES


# ----- a second hunt's trees (seventeenth round) --------------------------------------------
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _random_words(count: int, seed: int) -> list[str]:
    import random

    rnd = random.Random(seed)  # noqa: S311 (made-up passwords for a test tree)
    return ["".join(rnd.choice(_ALPHABET) for _ in range(12)) for _ in range(count)]


@case
def conda_pip_list_aliases(root: Path) -> set[int]:
    """An environment.yml of 1,000 aliases of one pip list of 1,000 pins: a million
    dependencies from 28 KB, each list capped on its own (11 s and 234 MB before)."""
    pins = ", ".join(f"p{i}==1.0" for i in range(1000))
    _w(
        root,
        "environment.yml",
        f"name: x\nchannels: [defaults]\nx-pins: &p [{pins}]\nx-d: &d {{pip: *p}}\n"
        f"dependencies: [{', '.join(['*d'] * 1000)}]\n",
    )
    _w(root, "train.py", "import p1\nmodel.fit(X, y)\n")
    return SCORES


@case
def setup_py_nested_requirements(root: Path) -> set[int]:
    """A setup.py of 48 nested install_requires= calls, each level holding 1,300 strings:
    every inner list was walked again for each keyword around it (5 s before)."""
    strings = ", ".join(["''"] * 1300)
    text = "x"
    for _ in range(48):
        text = f"f({strings}, install_requires={text})\n"
    _w(root, "setup.py", "from setuptools import setup\nsetup(install_requires=" + text + ")\n")
    return SCORES


@case
def dependencies_spelt_with_escapes(root: Path) -> set[int]:
    """Four 1 MB pyproject.toml files whose 2,000 dependencies are written with TOML escapes
    ("p\\u006bg1"): each name the text never spells cost two passes over it (4.8 s before)."""
    deps = ", ".join(f'"p\\u006bg{i}"' for i in range(2000))
    head = f"[project]\nname = 'x'\ndependencies = [{deps}]\n"
    text = head + ("# " + "z" * 98 + "\n") * ((1024 * 1024 - len(head)) // 101)
    _w(root, "pyproject.toml", text)
    for k in range(1, 4):
        _w(root, f"libs/l{k}/pyproject.toml", text)
    return SCORES


@case
def config_files_of_passwords(root: Path) -> set[int]:
    """Eight settings files of 10,000 `password:` lines: each hit's line was counted from the
    start of its file (4.7 s before)."""
    lines = "".join(f"password: {w}\n" for w in _random_words(10_000, 1))
    for k in range(8):
        _w(root, f"config/app{k}.yaml", lines)
    return SCORES


@case
def long_dotted_config_keys(root: Path) -> set[int]:
    """A 150 KB TOML table header of 50 keys of 2,000 letters over 5,000 keys: each key kept
    its whole dotted name (half a billion characters, 1 GB before)."""
    header = "[" + ".".join(chr(97 + i % 26) * 2000 for i in range(50)) + "]\n"
    _w(root, "configs/c0.toml", header + "".join(f"k{i} = 1\n" for i in range(5000)))
    return SCORES


@case
def workflows_naming_the_same_scripts(root: Path) -> set[int]:
    """100 workflows naming the same twenty 100 KB scripts: each kept its own cleaned copy of
    all twenty (10 s and 392 MB before)."""
    line = "python -m src.step --flag value   # step\n"
    body = "#!/bin/sh\n" + line * (100 * 1024 // len(line))
    for k in range(20):
        _w(root, f"scripts/s{k}.sh", body)
    refs = " ".join(f"scripts/s{k}.sh" for k in range(20))
    for i in range(100):
        _w(
            root,
            f".github/workflows/w{i}.yml",
            f"name: w{i}\non: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - run: bash {refs}\n",
        )
    return SCORES


@case
def thousands_of_validator_modules(root: Path) -> set[int]:
    """3,000 modules each defining validate_data() and importing eight modules: DA003 asked,
    for each, every import of the repository whether it imports that one (9.9 s before)."""
    body = "".join(
        f"import {m}\n" for m in "os sys json re math collections itertools functools".split()
    )
    body += "\n\ndef validate_data(df):\n    if df is None:\n        raise ValueError('no data')\n"
    body += "    return len(df.columns) > 2\n"
    for n in range(3000):
        _w(root, f"pkg/m{n:05d}.py", body)
    return SCORES
