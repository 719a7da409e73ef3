"""Fixtures shared by the generation tests."""

from __future__ import annotations

from pathlib import Path

import gen_helpers  # noqa: F401 - puts src/ on sys.path when mlscaffold is not installed
import pytest


@pytest.fixture(scope="session")
def generated_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")
