"""The Dockerfile: the template's (pinned slim base, non-root user), installing the repository's
dependencies and starting the web application the survey found.

Only a service adopt can start gets one: a FastAPI app (with uvicorn) or a Flask app (with
gunicorn when declared, else Flask's own server), installed from requirements files or the
project's own pyproject.toml. Anything else (a batch job, a notebook) gets no Dockerfile: an
image that starts nothing would not do the job.
"""

from __future__ import annotations

import re

from mlscaffold.errors import TemplateError
from mlscaffold.generate.adopt.ci import template_pin
from mlscaffold.generate.adopt.model import PieceResult, Proposal, Request, Target
from mlscaffold.repofacts import RepoFacts, WebApp

DOCKERFILE = "Dockerfile"
DOCKERIGNORE = ".dockerignore"
ENV_EXAMPLES = (".env.example", ".env.sample", ".env.template", ".env.dist")
PORT = 8000


def _instructions(text: str) -> list[list[str]]:
    """Lines grouped by instruction: comments and blank lines go with the instruction after them,
    continuation lines with theirs."""
    groups: list[list[str]] = [[]]
    continued = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if continued:
            groups[-1].append(line)
        elif not stripped or stripped.startswith("#"):
            if groups[-1] and _is_instruction(groups[-1][-1]):
                groups.append([])
            groups[-1].append(line)
        else:
            if groups[-1] and any(_is_instruction(x) for x in groups[-1]):
                groups.append([])
            groups[-1].append(line)
        continued = stripped.endswith("\\")
    return [g for g in groups if g]


def _is_instruction(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _keyword(group: list[str]) -> str:
    for line in group:
        if _is_instruction(line):
            return line.split(None, 1)[0].upper()
    return ""


def server_command(app: WebApp, facts: RepoFacts) -> list[str]:
    target = f"{app.module}:{app.variable}"
    if app.framework == "fastapi":
        command = ["uvicorn", target, "--host", "0.0.0.0", "--port", str(PORT)]  # noqa: S104 - in a container
        if app.source_dir and not facts.install.installable:
            command += ["--app-dir", app.source_dir]
        return command
    if facts.declares("gunicorn"):
        return ["gunicorn", "--bind", f"0.0.0.0:{PORT}", target]
    return ["flask", "--app", target, "run", "--host", "0.0.0.0", "--port", str(PORT)]  # noqa: S104 - in a container


def _install_lines(facts: RepoFacts, app: WebApp, pyproject: str) -> list[str]:
    inst = facts.install
    lines = ["# Dependencies first: a change to the code reuses the installed layer.\n"]
    packages = [f"-r {p}" for p in inst.requirements]
    if app.framework == "fastapi" and not facts.declares("uvicorn"):
        packages.append(template_pin(pyproject, "uvicorn"))  # the server the CMD starts
    if inst.requirements:
        lines.append(f"COPY {' '.join(inst.requirements)} ./\n")
    if packages:
        lines.append(f"RUN pip install --no-cache-dir {' '.join(packages)}\n")
    lines.append("COPY . .\n")
    if inst.installable:
        lines.append("RUN pip install --no-cache-dir .\n")
    elif app.source_dir and app.framework == "flask":
        lines.append(f"ENV PYTHONPATH=/app/{app.source_dir}\n")
    return lines


def build_dockerfile(rendered: str, pyproject: str, facts: RepoFacts, app: WebApp) -> str:
    version = facts.python_version or "3.11"
    out: list[str] = []
    seen_workdir = False
    for group in _instructions(rendered):
        keyword = _keyword(group)
        if keyword == "FROM":
            out += [re.sub(r"python:[\d.]+-", f"python:{version}-", line) for line in group]
        elif keyword in ("ENV", "RUN") and not seen_workdir:
            out += group  # the template's environment and its non-root user
        elif keyword == "WORKDIR":
            out += group
            out.append("\n")
            out += _install_lines(facts, app, pyproject)
            seen_workdir = True
        elif keyword == "USER":
            out.append("\n")
            out += [line for line in group if _is_instruction(line)]
        elif keyword == "EXPOSE":
            out.append(f"EXPOSE {PORT}\n")
        elif keyword == "HEALTHCHECK":
            if app.health_route:
                line = next(x for x in group if _is_instruction(x))
                out.append(line.replace("/health'", f"{app.health_route}'"))
        elif keyword == "CMD":
            command = ", ".join(f'"{part}"' for part in server_command(app, facts))
            out.append(f"CMD [{command}]\n")
        elif keyword == "" and not out:
            out += group  # the template's header comment
    if not seen_workdir or not any(line.startswith("CMD") for line in out):
        raise TemplateError(
            "the template's Dockerfile has no WORKDIR or CMD; adopt cannot adapt it"
        )
    if not any(line.startswith("EXPOSE") for line in out):
        out.insert(len(out) - 1, f"EXPOSE {PORT}\n")
    return "".join(out)


def build_dockerignore(facts: RepoFacts, app_source: str) -> str:
    """What stays out of the image: git, environments, caches, secrets, tests, notebooks, and
    the data folder unless the service reads from it."""
    lines = [
        "# Practices: DE2 (only what serving needs goes into the image), DE7 (no secrets or",
        "# data in it)",
        ".git",
        ".github",
        ".venv",
        "venv",
        "**/__pycache__",
        "**/*.py[cod]",
        ".env",
        ".env.*",
        "*.pem",
        "*.key",
        ".pytest_cache",
        ".ruff_cache",
        ".mypy_cache",
        "tests/",
        "notebooks/",
        "*.ipynb",
    ]
    if "data/" not in app_source:
        lines.append("data/")
    return "\n".join(lines) + "\n"


def dockerfile(
    rendered: dict[str, str],
    request: Request,
    targets: list[Target],
    app_source: str,
    existing: set[str],
) -> PieceResult:
    result = PieceResult()
    facts = request.facts
    ids = tuple(t.check_id for t in targets)
    app = facts.web_app

    def skip(reason: str) -> PieceResult:
        for check_id in ids:
            result.skipped[check_id] = reason
        return result

    if app is None:
        return skip(
            "no FastAPI or Flask app found: an image that starts nothing would not do the job"
        )
    if not (facts.install.requirements or facts.install.installable):
        return skip(
            "no requirements file and no installable pyproject.toml: the image could not install "
            "the service's dependencies"
        )
    if not facts.declares(app.framework):
        return skip(f"{app.framework} is imported by {app.path} but not a declared dependency")
    pyproject = rendered.get("pyproject.toml", "")
    text = build_dockerfile(rendered[DOCKERFILE], pyproject, facts, app)
    result.proposals.append(Proposal(DOCKERFILE, text, ids))
    if DOCKERIGNORE not in existing:
        result.proposals.append(Proposal(DOCKERIGNORE, build_dockerignore(facts, app_source), ids))
    command = " ".join(server_command(app, facts))
    for check_id in ids:
        result.done[check_id] = f"{DOCKERFILE} starts {app.module}:{app.variable} (`{command}`)"
    env_example = next((p for p in ENV_EXAMPLES if p in existing), None)
    if env_example:
        result.notes.append(
            f"{env_example} lists settings the service may need: pass them when the container "
            "starts (docker run --env-file .env ...); .dockerignore keeps .env out of the image"
        )
    if app.framework == "flask" and not facts.declares("gunicorn"):
        result.notes.append(
            "the Dockerfile starts Flask's development server; declare gunicorn and run adopt "
            "again (or edit the CMD) for production"
        )
    return result
