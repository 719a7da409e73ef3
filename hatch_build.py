"""Hatch build hook: put the template's versioned history (a git bundle) into the wheel.

The bundle holds one commit per released template (from this repository's version tags) plus the
working ``template/`` tagged with the package version; ``mlscaffold update`` merges between
them offline. See src/mlscaffold/generate/history.py.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

WHEEL_PATH = "mlscaffold/_data/template.bundle"


def _load_history_module(root: Path) -> Any:
    # Loaded from its file: the build environment may lack mlscaffold's dependencies.
    path = root / "src" / "mlscaffold" / "generate" / "history.py"
    spec = importlib.util.spec_from_file_location("_mlscaffold_history_build", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


class TemplateHistoryHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install builds the history from template/ when needed
        root = Path(self.root)
        history = _load_history_module(root)
        self._tmp = tempfile.TemporaryDirectory(prefix="mlscaffold-wheel-")
        bundle = Path(self._tmp.name) / "template.bundle"
        tags = history.build_bundle(
            bundle, root / "template", self.metadata.version, repo=root, subdir="template"
        )
        self.app.display_info(f"template history: {', '.join(sorted(tags))}")
        build_data["force_include"][str(bundle)] = WHEEL_PATH

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_tmp", None) is not None:
            self._tmp.cleanup()
