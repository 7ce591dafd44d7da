"""A holder the engine never heard of has no headroom to report (docs/contract.md, Section 7).

The inputs are those of the scenario "unknown holders: ..." of
tests/resources/engine/corrected_readings.toml (worked there): a warrant of CIK 0009990005,
Form 4s of 0009990005 (500,000 shares) and 0001234567 (200,000), 40,000,000 outstanding.
Headroom of 0001234567 at 2008-11-24 10:00 EST, by hand: (0.04999 x 40,000,000 - 200,000) /
0.95001 = 1,799,600 / 0.95001 = 1,894,295.8... (0.95001 x 1,894,295 = 1,799,599.19;
x 1,894,296 = 1,799,600.14) -> 1,894,295.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from engine_golden import _load, run_records, scenario_input

from shared.engine import Engine
from shared.engine.queries import QueryError, headroom_view
from shared.terms import load_terms

AT = datetime(2008, 11, 24, 10, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    scenario = next(s for s in _load("corrected_readings.toml")["scenario"]
                    if s["name"].startswith("unknown holders"))
    built = Engine([load_terms()])
    run_records(scenario_input(scenario), built)
    return built


def test_a_holder_nobody_names_is_unknown_not_a_clean_bill(engine: Engine) -> None:
    with pytest.raises(QueryError, match="unknown holder 'nobody' of GLOW"):
        headroom_view(engine, "GLOW", "nobody", AT)


def test_a_cik_without_its_leading_zeros_is_pointed_at_the_known_one(engine: Engine) -> None:
    with pytest.raises(QueryError, match="0009990005 is known"):
        headroom_view(engine, "GLOW", "9990005", AT)


def test_a_holder_known_from_a_form4_alone_has_its_headroom(engine: Engine) -> None:
    view = headroom_view(engine, "GLOW", "0001234567", AT)
    assert view["owned"] == "200000"
    assert view["max_additional_shares"] == "1894295"
