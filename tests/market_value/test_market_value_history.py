"""Section 8 Per Share Market Value on `PriceHistory` directly.

The cases and their hand-worked figures are in tests/resources/market_value/price_history.toml.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.errors import MarketValueUnavailable
from shared.market_value import AppraisalValue, PriceHistory, ShareChange
from shared.venues import Venue

CASES = Path(__file__).parents[1] / "resources" / "market_value" / "price_history.toml"


def _cases() -> list[dict[str, Any]]:
    with CASES.open("rb") as handle:
        cases: list[dict[str, Any]] = tomllib.load(handle)["case"]
    return cases


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _history(case: dict[str, Any]) -> PriceHistory:
    history = PriceHistory()
    for day, at, bid, ask in case.get("quotes", []):
        assert isinstance(day, date) and isinstance(at, datetime)
        history.record_quote(day, at, _dec(bid), _dec(ask))
    for day, close in case.get("last_sales", []):
        history.record_last_sale(day, Decimal(close), f"daily bar of {day.isoformat()}")
    for effective, factor, cause in case.get("changes", []):
        history.record_change(ShareChange(effective, Decimal(factor), cause))
    for index, (day, value, selected_by) in enumerate(case.get("appraisals", [])):
        history.record_appraisal(AppraisalValue(day, Decimal(value), selected_by, f"ap{index}"))
    return history


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["name"])
def test_per_share_market_value(case: dict[str, Any]) -> None:
    history = _history(case)
    venue = Venue(case["venue"])
    period = tuple(case.get("conversion_period", ()))
    stands_in = case.get("last_sale_stands_in", True)
    if case.get("unavailable"):
        with pytest.raises(MarketValueUnavailable) as raised:
            history.per_share_market_value(case["day"], venue, conversion_period=period,
                                           last_sale_stands_in=stands_in)
        assert case["day"].isoformat() in str(raised.value)
        return
    result = history.per_share_market_value(case["day"], venue, conversion_period=period,
                                            last_sale_stands_in=stands_in)
    expect = case["expect"]
    assert result.value == Decimal(expect["value"]), result.basis
    assert result.tier == expect["tier"]
    assert result.source_date == expect["source_date"]
    assert result.approximate is expect["approximate"]
    assert result.date == case["day"]
    assert result.venue is venue
    if "basis_says" in case:
        assert case["basis_says"] in result.basis.lower(), result.basis


def test_cases_cover_every_tier() -> None:
    tiers = {c["expect"]["tier"] for c in _cases() if "expect" in c}
    assert tiers == {"a", "b", "c", "d"}


def test_period_lists_are_twenty_trading_days() -> None:
    """The hand-worked conversion periods have the terms' 20 Trading Days, none a holiday."""
    holidays = {date(2008, 10, 13), date(2008, 11, 4), date(2008, 11, 11)}
    for case in _cases():
        period = case.get("conversion_period")
        if period is None:
            continue
        assert len(period) == 20
        assert period == sorted(period)
        assert all(d.weekday() < 5 and d not in holidays for d in period)
        assert period[-1] == case["day"]


def test_unavailable_message_names_the_tier() -> None:
    with pytest.raises(MarketValueUnavailable) as raised:
        PriceHistory().per_share_market_value(date(2005, 10, 5), Venue.PINK)
    assert "(b)" in str(raised.value)


def test_abandoned_dividend_no_longer_adjusts() -> None:
    """4(g)(iv): a dividend abandoned is rescinded, so its ratio no longer adjusts prices."""
    history = PriceHistory()
    history.record_quote(date(2008, 12, 1), datetime.fromisoformat("2008-12-01T15:00:00-05:00"),
                         Decimal("4.00"), Decimal("4.20"))
    history.record_change(ShareChange(date(2008, 12, 15), Decimal("0.8"), "div"))
    assert history.per_share_market_value(date(2008, 12, 16), Venue.NASDAQ).value == \
        Decimal("3.28")  # 4.10 x 0.8
    history.remove_change("div")
    assert history.per_share_market_value(date(2008, 12, 16), Venue.NASDAQ).value == \
        Decimal("4.10")
