"""Section 8 Per Share Market Value through the engine: replay lines in, `market_value` out.

The scenarios and their hand-worked figures are in
tests/resources/market_value/engine_scenarios.toml.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.engine import Engine
from shared.engine.replay import replay_lines
from shared.events.outputs import DeadLetter, MarketValue, OutputRecord
from shared.terms import load_terms

SCENARIOS = Path(__file__).parents[1] / "resources" / "market_value" / "engine_scenarios.toml"


def _scenarios() -> list[dict[str, Any]]:
    with SCENARIOS.open("rb") as handle:
        scenarios: list[dict[str, Any]] = tomllib.load(handle)["scenario"]
    return scenarios


def _run(lines: list[str]) -> list[OutputRecord]:
    engine = Engine([load_terms()])
    return [record for _, record in replay_lines(engine, lines)]


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: s["name"])
def test_market_values_of_scenario(scenario: dict[str, Any]) -> None:
    out = _run(scenario["lines"])
    letters = [r for r in out if isinstance(r, DeadLetter)]
    assert len(letters) == scenario.get("dead_letters", 0), [r.reason for r in letters]
    values = [r for r in out if isinstance(r, MarketValue)]
    got = [(r.date.isoformat(), r.value, r.tier, r.source_date.isoformat(), r.approximate)
           for r in values]
    wanted = [(e["date"], Decimal(e["value"]), e["tier"], e["source_date"], e["approximate"])
              for e in scenario["expect"]]
    assert got == wanted, "\n".join(r.basis for r in values)
    for record, expect in zip(values, scenario["expect"], strict=True):
        assert record.symbol == "GLOW"
        assert record.basis.strip()
        if "basis_says" in expect:
            assert expect["basis_says"] in record.basis.lower(), record.basis


def test_each_date_is_published_once() -> None:
    """A date's record is published once, however many later events pass its close."""
    for scenario in _scenarios():
        dates = [r.date for r in _run(scenario["lines"]) if isinstance(r, MarketValue)]
        assert len(dates) == len(set(dates)), scenario["name"]


def test_ids_are_deterministic_and_distinct() -> None:
    scenario = next(s for s in _scenarios() if s["name"] == "tier_a_nearest_preceding_date")
    first = [r.id for r in _run(scenario["lines"]) if isinstance(r, MarketValue)]
    again = [r.id for r in _run(scenario["lines"]) if isinstance(r, MarketValue)]
    assert first == again
    assert len(set(first)) == 3


def test_approximate_basis_says_which_source() -> None:
    """The stand-in is never silently passed off as (a): its basis names the last sale."""
    scenario = next(s for s in _scenarios() if s["name"] == "approximate_from_daily_bars")
    values = [r for r in _run(scenario["lines"]) if isinstance(r, MarketValue)]
    approximate = [r for r in values if r.approximate]
    exact = [r for r in values if not r.approximate]
    assert len(approximate) == 1
    assert len(exact) == 1
    assert "last" in approximate[0].basis.lower()
    assert "approximate" not in exact[0].basis.lower()


def test_tier_c_period_length_comes_from_the_terms() -> None:
    """conversion_period_trading_days = 20 in the bundled terms (docs/contract.md 8(c))."""
    assert load_terms().conversion_period_trading_days == 20
