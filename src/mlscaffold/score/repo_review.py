"""mlscaffold's checks as a repo-review plugin (https://github.com/scientific-python/repo-review).

repo-review finds a plugin by its entry points (pyproject.toml): ``repo_review.checks`` gives
the checks, ``repo_review.families`` their display names, and ``repo_review.fixtures`` the
``mlscaffold_report`` fixture, so the repository is scored once and every check reads its
verdict from that report. A check is a class in repo-review's style: ``family``,
``requires``, ``url``, its docstring as its title, and ``check()``, which returns True for a
pass, a message (the reason and the fix) for a fail or a partial pass, and None (skipped) for
a check that does not apply, is ignored, or when the repository is not a folder on this
machine (repo-review can read a GitHub repository remotely; mlscaffold reads only files on
disk).

Nothing here imports repo-review, and the CLI never imports this module.
"""

from __future__ import annotations

import os
from typing import Any

DOCS = "https://github.com/mlscaffold/mlscaffold/blob/main/docs/checks.md"
STAGE_NAMES = {
    "scoping": "ML scoping",
    "data": "ML data",
    "modeling": "ML modeling",
    "deployment": "ML deployment",
}


def _local(package: Any) -> str | None:
    """The folder on disk behind repo-review's ``package`` Traversable, if there is one."""
    try:
        path = os.fspath(package)
    except TypeError:
        return None
    return path if os.path.isdir(path) else None


def mlscaffold_report(package: Any):
    """Fixture: the repository scored by mlscaffold, once (None when it is not on disk or its
    mlscaffold configuration is unusable)."""
    from mlscaffold.errors import MlscaffoldError
    from mlscaffold.score.judge.engine import score_repo

    path = _local(package)
    if path is None:
        return None
    try:
        return score_repo(path)
    except MlscaffoldError:
        return None


def _checklist(package: Any):
    """The built-in checks and those the repository's own configuration adds."""
    from mlscaffold.errors import MlscaffoldError
    from mlscaffold.score.config import load_config
    from mlscaffold.score.judge.checklist import load_checklist

    path = _local(package)
    try:
        extra = load_config(path).checklists if path else []
        return load_checklist(extra)
    except MlscaffoldError:
        return load_checklist()


class MlscaffoldCheck:
    """Base of the generated checks; each subclass is one mlscaffold check."""

    family = ""
    requires: frozenset[str] = frozenset()
    url = ""
    check_id = ""

    def check(self, mlscaffold_report: Any) -> bool | str | None:
        from mlscaffold.score.model import Status

        if mlscaffold_report is None:
            return None
        finding = next((f for f in mlscaffold_report.findings if f.check_id == self.check_id), None)
        if finding is None or finding.status in (Status.NOT_APPLICABLE, Status.IGNORED):
            return None
        if finding.status is Status.PASS:
            return True
        where = ""
        if finding.evidence:
            first = finding.evidence[0]
            where = f" (at `{first.path}{':' + str(first.line) if first.line else ''}`)"
        partly = "Partly met: " if finding.status is Status.PARTIAL else ""
        return f"{partly}{finding.reason}{where}. {finding.fix}"


def _class_for(check) -> type[MlscaffoldCheck]:
    title = check.title.replace("{", "{{").replace("}", "}}")  # repo-review formats it
    return type(
        check.id,
        (MlscaffoldCheck,),
        {
            "__doc__": title,
            "family": f"mlscaffold-{check.stage}",
            "requires": frozenset(check.requires),
            "url": f"{DOCS}#{check.id.lower()}-{check.name}",
            "check_id": check.id,
        },
    )


def repo_review_checks(package: Any = None) -> dict[str, MlscaffoldCheck]:
    """Entry point ``repo_review.checks``: one check per mlscaffold check, by id."""
    return {check.id: _class_for(check)() for check in _checklist(package)}


def repo_review_families() -> dict[str, dict[str, Any]]:
    """Entry point ``repo_review.families``: one family per stage, after repo-review's own."""
    return {
        f"mlscaffold-{stage}": {
            "name": f"{name} (mlscaffold)",
            "order": 100 + i,
            "description": f"The {stage} stage of mlscaffold's ML lifecycle checklist; "
            "`mlscaffold checks ID` explains a check.",
        }
        for i, (stage, name) in enumerate(STAGE_NAMES.items())
    }
