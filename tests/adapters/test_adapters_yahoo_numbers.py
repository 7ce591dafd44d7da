"""`yahoo_decimal`: the decimal Yahoo meant by a number it sent (its chart arrays are binary32)."""

from __future__ import annotations

import struct
from decimal import Decimal

import pytest
from adapters_golden import rows
from hypothesis import given
from hypothesis import strategies as st

from services.adapters.yahoo import yahoo_decimal
from shared.errors import RecordError


@pytest.mark.parametrize("row", rows("yahoo-numbers.csv"), ids=lambda r: r["json_text"])
def test_numbers_read_off_yahoo_files(row: dict[str, str]) -> None:
    expected = Decimal(row["decimal"])
    assert yahoo_decimal(Decimal(row["json_text"])) == expected  # parse_float=Decimal path
    assert yahoo_decimal(float(row["json_text"])) == expected  # yfinance float path
    assert yahoo_decimal(row["json_text"]) == expected


def _as_binary32(value: Decimal) -> float:
    """What Yahoo sends for `value`: the nearest binary32, widened to a double."""
    return float(struct.unpack("<f", struct.pack("<f", float(value)))[0])


@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=0, max_value=4))
def test_every_six_digit_price_survives_binary32(digits: int, places: int) -> None:
    # binary32 keeps 6 significant decimal digits: 2-4 place prices below 10,000 all come back
    price = Decimal(digits).scaleb(-places)
    assert yahoo_decimal(_as_binary32(price)) == price


@given(st.integers(min_value=1, max_value=99_999_999), st.integers(min_value=2, max_value=4))
def test_double_prices_come_back_exactly(digits: int, places: int) -> None:
    # a value Yahoo sends as a double (quote API, dividends) is read by its shortest repr
    price = Decimal(digits).scaleb(-places)
    assert yahoo_decimal(float(price)) == price


@pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), "abc", Decimal("NaN")])
def test_not_numbers_are_refused(bad: object) -> None:
    with pytest.raises(RecordError):
        yahoo_decimal(bad)  # type: ignore[arg-type]
