"""The hypothesis profile of tests/conftest.py: derandomized under CI=true, random otherwise."""

from __future__ import annotations

import os

from hypothesis import settings


def test_ci_runs_are_derandomized_and_local_runs_are_not() -> None:
    forced = os.environ.get("HYPOTHESIS_PROFILE")
    ci = os.environ.get("CI", "").lower() == "true"
    expected = forced == "ci" if forced else ci
    assert settings.default.derandomize is expected
    assert (settings.default.database is None) is expected
