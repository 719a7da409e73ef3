"""The CI workflow: the template's GitHub Actions workflow, installing with the repository's own
dependency manager and running the repository's own test command.

Kept from the template: triggers, permissions, checkout, setup-python, the test step and the
score step. Changed: the install (pip and requirements files, poetry, uv, pdm or conda, as
found), the test command, the Python version, and the score minimum (the score adopt started
from, so CI fails when the project gets worse). Left out: the lint step (the repository's code may
not pass linters it never ran in CI; pre-commit brings them in file by file), the template
project's ``make pipeline`` step, and the scheduled retraining job (it needs data and
credentials adopt cannot see: DE003 stays with the team).
"""

from __future__ import annotations

import re

from mlscaffold.errors import TemplateError
from mlscaffold.generate.adopt.model import PieceResult, Proposal, Request, Target
from mlscaffold.repofacts import RepoFacts

WORKFLOW = ".github/workflows/ci.yml"
# Tools installed with pip in CI when the repository's manager needs them (current releases).
MANAGER_PINS = {"poetry": "poetry==2.5.1", "uv": "uv==0.13.9", "pdm": "pdm==2.29.4"}
RUNNER_PINS = {"tox": "tox==4.67.15", "nox": "nox"}
RUN_PREFIX = {"pip": "", "conda": "", "poetry": "poetry run ", "uv": "uv run ", "pdm": "pdm run "}


def template_pin(rendered_pyproject: str, name: str) -> str:
    """The template's own pin of ``name`` (``"pytest==9.1.1"``), or the bare name."""
    match = re.search(rf'"({re.escape(name)}==[^"]+)"', rendered_pyproject)
    return match.group(1) if match else name


def blocks(lines: list[str], indent: int) -> list[list[str]]:
    """Split ``lines`` where a line starts at exactly ``indent`` spaces (YAML keys or items);
    lines before the first such line form the first block."""
    out: list[list[str]] = [[]]
    for line in lines:
        stripped = line.lstrip(" ")
        at_indent = len(line) - len(stripped) == indent
        if at_indent and stripped.strip() and not stripped.startswith("#"):
            out.append([line])
        else:
            out[-1].append(line)
    return out


def _find(items: list[list[str]], pattern: str, what: str) -> list[str]:
    for block in items:
        if block and re.match(pattern, block[0].strip()):
            return block
    raise TemplateError(f"the template's {WORKFLOW} has no {what}; adopt cannot adapt it")


def install_commands(facts: RepoFacts, pytest_pin: str) -> list[str]:
    """Shell lines that install the project and its test runner with its own manager."""
    inst, tests = facts.install, facts.tests
    runner = tests.runner if tests else "pytest"
    if runner in RUNNER_PINS:  # tox and nox build their own environments: no manager needed
        return [f"python -m pip install {RUNNER_PINS[runner]}"]
    needs_runner = tests is not None and not tests.runner_declared and runner == "pytest"
    runner_pin = pytest_pin
    lines: list[str] = []
    if inst.manager in MANAGER_PINS:
        lines.append(f"python -m pip install {MANAGER_PINS[inst.manager]}")
    if inst.manager == "poetry":
        lines.append("poetry install --no-interaction")
        if needs_runner:
            lines.append(f"poetry run python -m pip install {runner_pin}")
    elif inst.manager == "uv":
        extra = f" --extra {inst.test_extra}" if inst.test_extra else ""
        group = (
            f" --group {inst.test_group}" if inst.test_group and inst.test_group != "dev" else ""
        )
        lines.append(f"uv sync{' --locked' if inst.lock_file else ''}{extra}{group}")
        if needs_runner:
            lines.append(f"uv pip install {runner_pin}")
    elif inst.manager == "pdm":
        extra = f" -G {inst.test_extra}" if inst.test_extra else ""
        lines.append(f"pdm install{extra}")
        if needs_runner:
            lines.append(f"pdm run python -m pip install {runner_pin}")
    else:  # pip, or pip inside a conda environment
        reqs = " ".join(f"-r {p}" for p in (*inst.requirements, *inst.dev_requirements))
        if reqs:
            lines.append(f"python -m pip install {reqs}")
        if inst.installable:
            target = f"'.[{inst.test_extra}]'" if inst.test_extra else "."
            lines.append(f"python -m pip install -e {target}")
        if inst.test_group:
            lines.append("python -m pip install --upgrade 'pip>=25.1'")  # --group is new in 25.1
            lines.append(f"python -m pip install --group {inst.test_group}")
        if needs_runner:
            lines.append(f"python -m pip install {runner_pin}")
    return lines


def test_command(facts: RepoFacts) -> str:
    if facts.tests is None:
        raise TemplateError("no test command to run")  # callers check first
    command = facts.tests.command
    if facts.tests.runner in ("tox", "nox"):
        return command  # they build their own environments
    return RUN_PREFIX[facts.install.manager] + command


def _run(name: str, commands: list[str]) -> list[str]:
    if len(commands) == 1:
        return [f"      - name: {name}\n", f"        run: {commands[0]}\n"]
    return [f"      - name: {name}\n", "        run: |\n", *(f"          {c}\n" for c in commands)]


def _setup_python(block: list[str], facts: RepoFacts, version: str) -> list[str]:
    """The template's setup-python step with the project's Python and a cache keyed on its
    dependency files (or none when it has none)."""
    out = []
    dependency_files = [*facts.install.requirements, *facts.install.dev_requirements]
    if facts.install.lock_file:
        dependency_files.append(facts.install.lock_file)
    if facts.install.installable or facts.install.manager in ("poetry", "uv", "pdm"):
        dependency_files.append("pyproject.toml")
    for line in block:
        stripped = line.strip()
        if stripped.startswith("python-version:"):
            out.append(line[: line.index("python-version:")] + f'python-version: "{version}"\n')
        elif stripped.startswith("cache:"):
            if dependency_files:
                pad = line[: line.index("cache:")]
                out.append(line)
                out.append(f"{pad}cache-dependency-path: |\n")
                out.extend(f"{pad}  {p}\n" for p in dependency_files)
        else:
            out.append(line)
    return out


def _conda_setup(facts: RepoFacts, version: str) -> list[str]:
    return [
        "      - uses: conda-incubator/setup-miniconda@v3\n",
        "        with:\n",
        f"          environment-file: {facts.install.environment_file}\n",
        f'          python-version: "{version}"\n',
        "          auto-activate-base: false\n",
    ]


def _score_step(block: list[str], score: int) -> list[str]:
    out = []
    for line in block:
        stripped = line.strip()
        if stripped.startswith("#"):
            continue  # the template's comment is about a fresh project's score
        if "mlscaffold score" in line:
            line = re.sub(r"--fail-under \d+", f"--fail-under {score}", line)
        out.append(line)
        if stripped.startswith("- name:"):
            pad = line[: line.index("- name:")] + "  "
            out.append(
                f"{pad}# Fails when the score drops below the {score} that `mlscaffold adopt` "
                "started from;\n"
            )
            out.append(f"{pad}# raise it as the project improves.\n")
    return out


def build_workflow(rendered: str, rendered_pyproject: str, request: Request) -> str:
    facts = request.facts
    version = facts.python_version or "3.11"
    lines = rendered.splitlines(keepends=True)
    top = blocks(lines, 0)  # top[0]: the template's header comment, replaced by this one
    out = [
        "# Practices: DE3 (tests and checks on every change), MO7 (test suite), "
        "MO6 (pinned Python)\n",
        f"# Added by `mlscaffold adopt`: installs with {facts.install.manager} and runs "
        f"`{test_command(facts)}`.\n",
    ]
    for block in top[1:]:
        key = block[0].split(":", 1)[0].strip()
        if key == "on":
            kept = []
            skipping = False
            for line in block:
                if line.startswith("  ") and not line.startswith("    "):
                    skipping = line.strip().startswith("schedule:")
                if skipping:
                    continue
                kept.append(re.sub(r"branches: \[[^\]]*\]", f"branches: [{request.branch}]", line))
            out.extend(kept)
        elif key == "jobs":
            out.extend(_jobs(block, facts, version, rendered_pyproject, request.score))
        else:
            out.extend(block)
    return "".join(out).rstrip("\n") + "\n"


def _jobs(
    block: list[str], facts: RepoFacts, version: str, pyproject: str, score: int
) -> list[str]:
    jobs = blocks(block, 2)
    test = _find(jobs, r"test:", "test job")
    parts = blocks(test, 4)
    steps_at = next(i for i, p in enumerate(parts) if p[0].strip() == "steps:")
    steps = blocks(parts[steps_at][1:], 6)[1:]
    checkout = _find(steps, r"- uses: actions/checkout@", "checkout step")
    setup = _find(steps, r"- uses: actions/setup-python@", "setup-python step")
    test_step = _find(steps, r"- name: Test$", "Test step")
    score_step = _find(steps, r"- name: ML lifecycle score", "score step")
    new_steps = [*checkout]
    if facts.install.manager == "conda":
        new_steps += _conda_setup(facts, version)
    else:
        new_steps += _setup_python(setup, facts, version)
    install = install_commands(facts, template_pin(pyproject, "pytest"))
    if install:
        new_steps += _run("Install", install)
    new_steps += [test_step[0], f"        run: {test_command(facts)}\n"]
    new_steps += _score_step(score_step, score)
    head = [line for part in parts[:steps_at] for line in part] + [parts[steps_at][0]]
    if facts.install.manager == "conda":
        head.insert(1, "    defaults:\n      run:\n        shell: bash -el {0}\n")
    return [*jobs[0], *head, *new_steps]


def workflow(rendered: dict[str, str], request: Request, targets: list[Target]) -> PieceResult:
    result = PieceResult()
    facts = request.facts
    for target in targets:
        if target.check_id == "DE003":
            where = f" that runs `{facts.train_command}`" if facts.train_command else ""
            result.skipped["DE003"] = (
                "retraining needs the data and credentials adopt cannot see; add a scheduled "
                f"job{where} once it can run in CI"
            )
    wanted = [t.check_id for t in targets if t.check_id != "DE003"]
    if not wanted:
        return result
    if facts.tests is None:
        for check_id in wanted:
            result.skipped[check_id] = (
                "no tests to run: a CI that runs nothing would not do the job; write tests "
                "first (MO005), then run `mlscaffold adopt --only DE002`"
            )
        return result
    if facts.install.manager == "conda" and not facts.install.environment_file:
        for check_id in wanted:
            result.skipped[check_id] = "conda without an environment file: nothing to install from"
        return result
    text = build_workflow(rendered[WORKFLOW], rendered.get("pyproject.toml", ""), request)
    result.proposals.append(Proposal(WORKFLOW, text, tuple(wanted)))
    for check_id in wanted:
        result.done[check_id] = (
            f"{WORKFLOW} installs with {facts.install.manager} and runs `{test_command(facts)}`"
        )
    return result
