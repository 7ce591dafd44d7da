"""Sections 4, 5 and 10 end to end: the scenarios of tests/resources/warrant/scenarios.toml.

Each scenario feeds records to the engine as they arrive on their topics and compares every
notice, rescission, rejection, refusal and dead letter, in order and with the input that
caused it, against the values worked by hand in the data file; then the terms in force.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from warrant_driver import (
    NOTICE_TYPES,
    Produced,
    encoded,
    feed,
    instant,
    new_engine,
    price_text,
    scenario_file,
    scenario_lines,
    shares_texts,
    state_of,
    watched,
)

DATA = "scenarios.toml"
DECIMAL_FIELDS = ("price_before", "price_after", "shares_before", "shares_after",
                  "warrant_price", "share_number")
TEXT_FIELDS = ("id", "warrant", "cause_id", "section")


def _scenarios() -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = scenario_file(DATA)["scenario"]
    return scenarios


def _run(scenario: dict[str, Any]) -> tuple[list[Produced], Any]:
    engine = new_engine(scenario.get("terms"))
    lines = scenario_lines(scenario, scenario_file(DATA)["prelude"])
    return feed(engine, lines), engine


def _describe(produced: list[Produced]) -> str:
    return "\n".join(f"  {p.by}: {p.type} {p.record.id}" for p in produced)


def _check(expected: dict[str, Any], got: Produced) -> None:
    where = f"{got.type} {got.record.id}"
    assert got.type == expected["type"], where
    assert got.by == expected["by"], f"{where} was produced by {got.by}"
    for name in TEXT_FIELDS:
        if name in expected:
            assert got.field(name) == expected[name], f"{where}: {name}"
    for name in DECIMAL_FIELDS:
        if name in expected:
            assert got.field(name) == Decimal(expected[name]), f"{where}: {name}"
    if "effective_at" in expected:
        assert got.field("effective_at") == instant(expected["effective_at"]), where
    text_field = "reason" if got.type in ("adjustment_rejected", "amendment_refused",
                                          "adjustment_not_required", "dead_letter") \
        else "calculation"
    for fragment in expected.get("calculation_contains", []):
        assert fragment in got.field("calculation"), f"{where}: {got.field('calculation')}"
    for fragment in expected.get("reason_contains", []):
        assert fragment in got.field(text_field), f"{where}: {got.field(text_field)}"


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: s["name"])
def test_scenario_outputs(scenario: dict[str, Any]) -> None:
    produced, _ = _run(scenario)
    got = watched(produced)
    expected: list[dict[str, Any]] = scenario.get("expect", [])
    assert len(got) == len(expected), f"outputs:\n{_describe(got)}"
    for want, have in zip(expected, got, strict=True):
        _check(want, have)


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: s["name"])
def test_scenario_final_terms(scenario: dict[str, Any]) -> None:
    _, engine = _run(scenario)
    for warrant, want in scenario["final"].items():
        state = state_of(engine, warrant)
        assert state.price == Decimal(want["price"])
        assert state.shares == Decimal(want["shares"])
        if "basket" in want:
            assert state.basket is not None
            assert [(b.asset, b.per_share) for b in state.basket] == [
                (asset, Decimal(per_share)) for asset, per_share in want["basket"]]
        else:
            assert state.basket is None


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: s["name"])
def test_every_notice_states_its_result(scenario: dict[str, Any]) -> None:
    """Section 5: the certificate sets out the method and the terms after the adjustment."""
    produced, _ = _run(scenario)
    for p in watched(produced):
        if p.type not in NOTICE_TYPES:
            continue
        text = p.field("calculation")
        shown = shares_texts(p.field("shares_after"))
        assert any(form in text for form in shown), f"{p.record.id}: {text}"
        assert price_text(p.field("price_after")) in text, f"{p.record.id}: {text}"


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: s["name"])
def test_scenario_replays_identically(scenario: dict[str, Any]) -> None:
    first, _ = _run(scenario)
    second, _ = _run(scenario)
    assert encoded(first) == encoded(second)
