"""The engine end to end against hand-worked scenarios (tests/resources/engine/*.toml).

Sections 1, 2, 4, 6, 7, 8, 12: settlement, refusals, the cap, delivery and defaults, driven
only through replay lines; each expected record was worked by hand (see the README there).
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_golden import (
    check_exhaustive,
    check_expect,
    run_records,
    scenario_id,
    scenario_input,
    scenarios,
)


@pytest.mark.parametrize("item", scenarios(), ids=scenario_id)
def test_scenario(item: tuple[str, dict[str, Any]]) -> None:
    _, scenario = item
    assert scenario["working"].strip(), "every scenario shows its working"
    emitted = run_records(scenario_input(scenario))
    for expect in scenario.get("expect", []):
        check_expect(expect, emitted)
    check_exhaustive(scenario, emitted)
