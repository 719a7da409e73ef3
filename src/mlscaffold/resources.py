"""Where the data that ships with mlscaffold lives: in the wheel, or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the directory of a shipped data folder (``checklist`` or ``template``).

    A wheel carries them under ``mlscaffold/_data``; an editable install or a source
    checkout has them at the repository root, two levels above the package.
    """
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mlscaffold's {name}/ folder is missing from this installation")


def schema_path(name: str) -> Path:
    """Return the path of a JSON Schema shipped inside the package."""
    return _PACKAGE_DIR / "schemas" / name
