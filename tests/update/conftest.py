"""Fixtures of the update tests."""

from __future__ import annotations

import upd_helpers  # noqa: F401 - tests import it by name, like tests/generate's gen_helpers
