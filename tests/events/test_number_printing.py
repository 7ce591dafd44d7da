"""docs/events.md "Numbers": one printed form per kind of figure, the value never changed.

The examples are written by hand from the rule; the end-to-end check reads the kinds and their
fields from the table in docs/events.md and holds every output of the bundled W-F-05 scenario
to them.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.commands.replay import replay_in_process
from services.scenarios import scenario_lines
from shared.numbers import (
    at_least_places,
    figure,
    show_amount,
    show_cents,
    show_price,
    show_shares,
    significant,
    text_cash,
    text_stock,
    text_value,
    text_warrant_shares,
    tidy,
    two_places_or_more,
    whole_or_exact,
)
from shared.terms import load_terms

EVENTS_MD = Path(__file__).resolve().parents[2] / "docs" / "events.md"
TWO_OR_MORE = re.compile(r"^-?\d+\.(\d\d|\d\d\d*[1-9])$")   # 2.40, 2.328; not 2.4, 2.300
WHOLE_OR_EXACT = re.compile(r"^-?\d+(\.\d*[1-9])?$")        # 40547, 0.5; not 40547.00


@pytest.mark.parametrize(("value", "printed"), [
    ("2.40", "2.40"), ("2.4", "2.40"), ("2.300", "2.30"), ("2.3280", "2.328"),
    ("1.927874997418024557029431397", "1.927874997418024557029431397"),
    ("1000000", "1000000.00"), ("1E+6", "1000000.00"), ("0", "0.00"), ("0.005", "0.005"),
    ("845283.02", "845283.02"),
])
def test_two_places_or_more(value: str, printed: str) -> None:
    assert two_places_or_more(Decimal(value)) == printed
    assert Decimal(printed) == Decimal(value)


@pytest.mark.parametrize(("value", "printed"), [
    ("40547", "40547"), ("2673120.00", "2673120"), ("1E+6", "1000000"), ("0", "0"),
    ("0.50", "0.5"), ("100.25", "100.25"),
])
def test_whole_or_exact(value: str, printed: str) -> None:
    assert whole_or_exact(Decimal(value)) == printed
    assert Decimal(printed) == Decimal(value)


def _kinds() -> dict[str, re.Pattern[str] | None]:
    """Field name -> the pattern its kind prints to, from the table of docs/events.md."""
    text = EVENTS_MD.read_text(encoding="utf-8")
    table = text.split("## Numbers\n", 1)[1].split("\n\n", 2)[1]
    out: dict[str, re.Pattern[str] | None] = {}
    for line in table.splitlines()[2:]:
        kind, fields, _ = (c.strip() for c in line.strip("|").split("|"))
        pattern = (None if kind.startswith("ratio") else
                   WHOLE_OR_EXACT if kind.startswith("shares of Common Stock") else TWO_OR_MORE)
        for name in re.findall(r"`([a-z_]+)`", fields):
            out[name] = pattern
    return out


def _figures(value: Any, kinds: dict[str, re.Pattern[str] | None]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in kinds and isinstance(item, str):
                found.append((key, item))
            else:
                found += _figures(item, kinds)
    elif isinstance(value, list):
        for item in value:
            found += _figures(item, kinds)
    return found


def test_the_table_names_every_kind() -> None:
    kinds = _kinds()
    assert kinds["price_after"] is TWO_OR_MORE and kinds["shares_after"] is TWO_OR_MORE
    assert kinds["owned"] is WHOLE_OR_EXACT and kinds["cash_in_lieu"] is TWO_OR_MORE
    assert kinds["cap"] is None and len(kinds) >= 25


def test_every_output_figure_of_the_bundled_scenario_follows_its_kind() -> None:
    kinds = _kinds()
    lines = replay_in_process(scenario_lines(), [load_terms()])
    checked = 0
    for line in lines:
        value = json.loads(line)["value"]
        if value["type"] == "dead_letter":
            continue  # its raw is an input as received
        for name, printed in _figures(value, kinds):
            pattern = kinds[name]
            if pattern is not None:
                assert pattern.match(printed), f"{value['type']}.{name} = {printed!r}"
                checked += 1
    assert checked >= 100  # 111 figures in the 55 outputs of wf05-life.jsonl


# --- calculation texts: the same rule per kind, with thousands separators -------------------

@pytest.mark.parametrize(("helper", "value", "printed"), [
    (text_warrant_shares, "1000000", "1,000,000.00"), (text_warrant_shares, "845283.02",
                                                       "845,283.02"),
    (text_warrant_shares, "159452.0547945205479", "≈159,452.054795"),
    (text_stock, "2673120.00", "2,673,120"), (text_stock, "22400.0", "22,400"),
    (text_stock, "40547.945205479452", "≈40,547.945205"), (text_stock, "0.50", "0.5"),
    (text_cash, "232800.000", "232,800.00"), (text_cash, "1.485", "1.485"),
    (text_value, "2.9", "2.90"), (text_value, "0.005", "0.005"),
])
def test_text_forms(helper: Any, value: str, printed: str) -> None:
    assert helper(Decimal(value)) == printed


# A Warrant Share Number, or warrant shares Y, as the texts of the bundled scenario name them
WARRANT_SHARES_IN_TEXT = re.compile(
    r"(?:Warrant Share Number(?: unchanged)?|Y_cash =|warrant shares \(cash|cashless|"
    r"remaining = share number - Y_cash - Y_cl =) (≈?[\d,]+(?:\.\d+)?)")
STOCK_IN_TEXT = re.compile(r"(?:^|; |: )(?:Section 6: )?([\d,]+(?:\.\d+)?) whole shares")


def test_texts_of_the_bundled_scenario_print_each_kind_one_way() -> None:
    """A notice that shows the Warrant Share Number as 1,000,000 in one place and
    1,000,000.00 in another (or shares of stock as 100,000.00) breaks the rule."""
    lines = replay_in_process(scenario_lines(), [load_terms()])
    shares = stock = 0
    for line in lines:
        value = json.loads(line)["value"]
        text = value.get("calculation") or value.get("detail") or ""
        for printed in WARRANT_SHARES_IN_TEXT.findall(text):
            assert re.fullmatch(r"≈?[\d,]+\.\d\d+", printed), (value["id"], printed, text)
            shares += 1
        for printed in STOCK_IN_TEXT.findall(text):
            assert "." not in printed, (value["id"], printed, text)
            stock += 1
    assert shares >= 15 and stock >= 3


# --- the other forms of shared/numbers.py, written by hand from their rule -------------------

@pytest.mark.parametrize(("helper", "value", "printed"), [
    # a ratio as held: its given places, no exponent; more than 6 places rounded, marked
    (figure, "0.04999", "0.04999"), (figure, "3.00", "3.00"), (figure, "1E+6", "1,000,000"),
    (figure, "0.33333333", "≈0.333333"), (figure, "1234.5678905", "≈1,234.567891"),
    # the Warrant Price in a text: 4 places, half up
    (show_price, "2.328", "2.3280"), (show_price, "2.30005", "2.3001"),
    (show_price, "1234.5", "1,234.5000"),
    # cash in the report: to the cent, half up
    (show_cents, "1.485", "1.49"), (show_cents, "232800", "232,800.00"),
    # a Section 4 share number: 2 places, more only when it has more
    (show_shares, "1000000", "1,000,000.00"), (show_shares, "845283.025", "845,283.025"),
    # a record's input figure as given, no positive exponent
    (show_amount, "5E+7", "50,000,000"), (show_amount, "0.50", "0.50"),
])
def test_other_text_forms(helper: Any, value: str, printed: str) -> None:
    assert helper(Decimal(value)) == printed


@pytest.mark.parametrize(("value", "tidied", "significant_", "two_or_more", "four_or_more"), [
    ("2.0E+3", "2000", "2000", "2000.00", "2000.0000"),
    ("3.00", "3.00", "3", "3.00", "3.0000"),
    ("2.3280", "2.3280", "2.328", "2.328", "2.3280"),
    ("129.0399", "129.0399", "129.0399", "129.0399", "129.0399"),
    ("0", "0", "0", "0.00", "0.0000"),
])
def test_decimal_forms(value: str, tidied: str, significant_: str, two_or_more: str,
                       four_or_more: str) -> None:
    number = Decimal(value)
    assert str(tidy(number)) == tidied
    assert format(significant(number), "f") == significant_
    assert str(at_least_places(number)) == two_or_more
    assert str(at_least_places(number, 4)) == four_or_more
    for form in (tidy(number), significant(number), at_least_places(number)):
        assert form == number  # a form never changes the value
