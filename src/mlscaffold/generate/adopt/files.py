"""Small configuration pieces: .gitignore rules for data and secrets, pre-commit and ruff."""

from __future__ import annotations

import re
from pathlib import Path

from mlscaffold.generate.adopt.model import PieceResult, Proposal, Request, Target

GITIGNORE = ".gitignore"
PRE_COMMIT = ".pre-commit-config.yaml"
RUFF = "ruff.toml"


def _spec(rules: list[str]):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(rules)


def _rules(text: str) -> list[str]:
    return [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]


def gitignore(
    rendered: dict[str, str],
    request: Request,
    targets: list[Target],
    root: Path,
    tracked: list[str],
) -> PieceResult:
    """The template's ignore rules that hide nothing the repository tracks, plus rules for the
    large data files DA002 names, which are also taken out of the index (they stay on disk).

    A committed secret (DE008) is never hidden behind a rule: it stays visible until it is
    removed and rotated."""
    result = PieceResult()
    by_id = {t.check_id: t for t in targets}
    secret_files: set[str] = set()
    if "DE008" in by_id:
        secret_files = set(by_id["DE008"].evidence)
        shown = ", ".join(sorted(secret_files)[:3]) or "see `mlscaffold score`"
        result.skipped["DE008"] = (
            f"a committed secret ({shown}) must be removed from git and rotated by hand; adopt "
            "does not hide it behind .gitignore"
        )
    large = [p for p in (by_id["DA002"].evidence if "DA002" in by_id else ()) if p in tracked]
    if "DA002" not in by_id:
        return result
    current = root / GITIGNORE
    existing = current.read_text(encoding="utf-8", errors="replace") if current.is_file() else None
    have = set(_rules(existing or ""))
    keep_visible = [p for p in tracked if p not in large]
    template_lines = rendered[GITIGNORE].splitlines()
    kept_lines, withheld = [], []
    for line in template_lines:
        rule = line.strip()
        if not rule or rule.startswith("#"):
            kept_lines.append(line)
            continue
        if rule in have:
            continue
        spec = _spec([rule])
        hidden = [p for p in keep_visible if spec.match_file(p)] + [
            p for p in secret_files if spec.match_file(p)
        ]
        if hidden:
            withheld.append(f"{rule} (it would hide {hidden[0]})")
            continue
        kept_lines.append(line)
    added = [ln.strip() for ln in kept_lines if ln.strip() and not ln.strip().startswith("#")]
    covered = _spec(added) if added else None
    extra = []
    for path in large:
        if covered is None or not covered.match_file(path):
            extra.append("/" + path)
    if extra:
        kept_lines += [
            "",
            "# Large data files found in the repository (DA2): keep them out of git.",
        ]
        kept_lines += [_escape(rule) for rule in extra]
    rules = added + extra
    if not rules:
        result.skipped["DA002"] = ".gitignore already has the template's rules"
        return result
    body = _drop_empty_groups(kept_lines) + "\n"
    if existing is None:
        result.proposals.append(Proposal(GITIGNORE, body, ("DA002",)))
    else:
        header = "# Added by `mlscaffold adopt` from the template's .gitignore\n"
        content = existing.rstrip("\n") + "\n\n" + header + body
        result.proposals.append(Proposal(GITIGNORE, content, ("DA002",), base=existing))
    result.untrack = list(large)
    if large:
        result.done["DA002"] = (
            f".gitignore keeps data out of git; {len(large)} large file(s) leave the index and "
            f"stay on disk ({', '.join(large[:3])}{' ...' if len(large) > 3 else ''})"
        )
    else:
        result.done["DA002"] = ".gitignore keeps data, models and secrets out of git"
    if withheld:
        result.notes.append("not added to .gitignore: " + "; ".join(withheld))
    return result


def _escape(rule: str) -> str:
    return re.sub(r"([*?\[\]!#\\ ])", r"\\\1", rule)


def _drop_empty_groups(lines: list[str]) -> str:
    """Join the lines, leaving out groups (runs between blank lines) that lost all their rules."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    kept = [g for g in groups if any(not ln.strip().startswith("#") for ln in g)]
    return "\n\n".join("\n".join(g) for g in kept)


def lint(
    rendered: dict[str, str], request: Request, targets: list[Target], existing: set[str]
) -> PieceResult:
    """The template's pre-commit hooks (ruff, nbstripout for notebooks, hygiene hooks) and its
    ruff settings as a ruff.toml."""
    result = PieceResult()
    facts = request.facts
    ids = tuple(t.check_id for t in targets)
    config = rendered[PRE_COMMIT]
    if not facts.notebooks:
        config = _drop_repo(config, "nbstripout")
    result.proposals.append(Proposal(PRE_COMMIT, config, ids))
    has_ruff = "ruff" in facts.lint_tools or RUFF in existing or ".ruff.toml" in existing
    if not has_ruff:
        result.proposals.append(
            Proposal(RUFF, ruff_toml(rendered["pyproject.toml"], facts.python_version), ids)
        )
    for check_id in ids:
        result.done[check_id] = (
            f"{PRE_COMMIT}"
            + ("" if has_ruff else f" and {RUFF}")
            + " (run `pre-commit install` once)"
        )
    return result


def _drop_repo(config: str, name: str) -> str:
    """Remove the ``- repo:`` entry whose URL ends with ``name``."""
    lines = config.splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if line.startswith("  - repo:"):
            skipping = line.rstrip().endswith("/" + name)
        if not skipping:
            out.append(line)
    return "".join(out)


def ruff_toml(pyproject: str, python_version: str | None) -> str:
    """The template's ``[tool.ruff*]`` tables, as a standalone ruff.toml."""
    out = [
        "# Ruff settings from mlscaffold's template (lint and format). Existing code may not\n",
        "# pass them all yet: `ruff check .` lists what to fix; pre-commit checks the files\n",
        "# you change.\n",
    ]
    inside = False
    for line in pyproject.splitlines(keepends=True):
        header = re.match(r"^\[(.+)\]\s*$", line)
        if header:
            name = header.group(1)
            inside = name == "tool.ruff" or name.startswith("tool.ruff.")
            if inside and name != "tool.ruff":
                out.append(f"[{name.removeprefix('tool.ruff.')}]\n")
            continue
        if inside:
            if line.startswith("target-version") and python_version:
                line = f'target-version = "py{python_version.replace(".", "")}"\n'
            out.append(line)
    return "".join(out).rstrip("\n") + "\n"
