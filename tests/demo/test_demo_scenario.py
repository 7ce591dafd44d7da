"""The bundled W-F-05 life scenario: it covers every output type, and its figures are right.

Coverage (what the scenario must show, services/scenarios/wf05-life.md) is checked against
the list of output types in tests/resources/demo/wf05_hand_checked.toml; the figures against
the hand-worked records there.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from demo_golden import by_id, check, hand_checked, records, replayed

from services.commands.replay import replay_in_process
from services.scenarios import scenario_lines
from shared.terms import load_terms


def test_every_output_type_appears_at_least_once() -> None:
    seen = Counter(r["type"] for r in records())
    missing = [t for t in hand_checked()["output_types"] if seen[t] == 0]
    assert missing == []


def test_market_values_show_every_tier_the_listing_timeline_gives() -> None:
    values = [r for r in records() if r["type"] == "market_value"]
    kinds = {(r["venue"], r["tier"], r["approximate"]) for r in values}
    assert ("NASDAQ", "a", False) in kinds
    assert ("PINK", "b", False) in kinds
    assert ("OTCBB", "b", False) in kinds
    assert any(r["approximate"] for r in values)
    # the real delisting: Nasdaq up to 2005-10-04, Pink Sheets from the open of 2005-10-05
    assert {r["venue"] for r in values if r["date"] <= "2005-10-04"} == {"NASDAQ"}
    assert "NASDAQ" not in {r["venue"] for r in values if r["date"] >= "2005-10-05"}


def test_adjustments_cover_4b_4c_4d_4e() -> None:
    sections = {r["section"] for r in records() if r["type"] == "adjustment"}
    assert {"4(b)", "4(c)", "4(d)", "4(e)"} <= sections


def test_settlements_are_cash_cashless_and_combined() -> None:
    kinds = {(Decimal(r["cash_shares"]) > 0, Decimal(r["cashless_shares"]) > 0)
             for r in records() if r["type"] == "settlement"}
    assert kinds == {(True, False), (False, True), (True, True)}


def test_refusals_include_the_cap_and_others() -> None:
    reasons = [r["reason"] for r in records() if r["type"] == "exercise_refused"]
    assert "cap" in reasons
    assert set(reasons) - {"cap"}


def test_dead_letters_are_one_malformed_line_and_one_bad_field() -> None:
    reasons = [r["reason"] for r in records() if r["type"] == "dead_letter"]
    assert len(reasons) == 2
    assert any("malformed JSON" in x for x in reasons)
    assert any("bid 0.62 is above ask 0.59" in x for x in reasons)


def test_every_input_is_labelled_real_or_illustrative() -> None:
    for line in scenario_lines():
        try:
            ident = json.loads(line)["value"]["id"]
        except ValueError:
            continue  # the deliberately malformed line
        assert ident.startswith(("real-", "illustrative-")), ident


def test_the_same_scenario_twice_gives_byte_identical_output() -> None:
    again = replay_in_process(scenario_lines(), [load_terms()])
    assert tuple(again) == replayed()


def _cases() -> list[Any]:
    out = []
    for case in hand_checked()["record"]:
        marks = []
        if "known_engine_bug" in case:
            marks.append(pytest.mark.xfail(strict=True, reason=case["known_engine_bug"]))
        out.append(pytest.param(case, marks=marks, id=case["what"][:60]))
    return out


@pytest.mark.parametrize("case", _cases())
def test_hand_checked_figure(case: dict[str, Any]) -> None:
    assert case["working"].strip(), "every hand-checked record shows its working"
    check(case)


def test_the_cap_refusal_names_the_largest_passing_exercise() -> None:
    refusal = by_id("exercise_refused:illustrative-exercise-2005-09-29-over-cap")
    assert "223,152.99" in refusal["detail"]
