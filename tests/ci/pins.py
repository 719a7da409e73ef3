"""The pins the GitHub Action installs mlscaffold with (action/constraints.txt).

``python tests/ci/pins.py > action/constraints.txt`` writes them from the environment this
runs in (mlscaffold installed): every package mlscaffold needs at run time on this platform,
and the build backend pip needs to install it from the action's source tree.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re

from packaging.markers import default_environment
from packaging.requirements import Requirement

BUILD = ("hatchling",)
HEADER = (
    "# Exact versions the GitHub Action (action.yml) installs mlscaffold with, in a venv of\n"
    "# its own: every run-time dependency and the build backend. Regenerate with\n"
    "#   python tests/ci/pins.py > action/constraints.txt\n"
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _applies(req: Requirement, extras: tuple[str, ...]) -> bool:
    if req.marker is None:
        return True
    env = default_environment()
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in extras or ("",))


def runtime_closure(roots: list[Requirement]) -> dict[str, str]:
    """Installed name -> version for ``roots`` and everything they need, here."""
    found: dict[str, str] = {}
    todo = [(r.name, tuple(r.extras)) for r in roots if _applies(r, ())]
    while todo:
        name, extras = todo.pop()
        if canonical(name) in found:
            continue
        dist = metadata.distribution(name)
        found[canonical(name)] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            if _applies(req, extras):
                todo.append((req.name, tuple(req.extras)))
    return found


def mlscaffold_requirements() -> list[Requirement]:
    return [Requirement(line) for line in metadata.distribution("mlscaffold").requires or []]


def main() -> None:
    pins = runtime_closure(mlscaffold_requirements() + [Requirement(b) for b in BUILD])
    pins.pop("mlscaffold", None)
    print(
        HEADER + "".join(f"{name}=={version}\n" for name, version in sorted(pins.items())), end=""
    )


if __name__ == "__main__":
    main()
