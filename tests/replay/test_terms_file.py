"""The bundled W-F-05 terms read as the warrant text says (data/filings/, the W-F-05 text).

Each figure is quoted from the warrant (line numbers of the seed text):
- Section 1 (l.31-33): Term from March 14, 2005 to 5:00 p.m. eastern time, March 14, 2010.
- Section 2(a) (l.38-40): exercisable during the Term "commencing on September 15, 2005".
- Section 2(d) (l.85, l.89): certificates within "three (3) Trading Days after such exercise".
- Section 7 (l.588-596): "more than 4.999%", waiver on "sixty-one (61) days notice", no cap
  "during the sixty-one (61) days immediately preceding the expiration".
- Section 8 (l.635-636): Majority Holders hold "at least 51%"; (l.742) Warrant Price "$2.40".
- Section 9 (l.813-814): notice "at least twenty (20) days prior to the record date".
March 14, 2010 was the day US daylight saving time began (02:00 EST -> 03:00 EDT), so
17:00 eastern that day is EDT (-04:00): 21:00 UTC, not 22:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from shared.terms import load_terms
from shared.venues import Venue


def test_warrant_price() -> None:
    terms = load_terms()
    assert terms.initial_warrant_price == Decimal("2.40")
    assert isinstance(terms.initial_warrant_price, Decimal)


def test_term_and_expiry_at_21_utc() -> None:
    terms = load_terms()
    assert terms.term_starts == date(2005, 3, 14)
    assert terms.original_issue_date == date(2005, 3, 14)
    assert terms.expires_at == datetime(2010, 3, 14, 21, 0, tzinfo=UTC)
    assert terms.expires_at.utcoffset() == timedelta(hours=-4)
    assert terms.expires_at.astimezone(terms.zone).time() == time(17, 0)
    assert str(terms.zone) == "America/New_York"


def test_exercisable_from_september_15_2005() -> None:
    terms = load_terms()
    assert terms.exercisable_from == datetime(2005, 9, 15, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert terms.exercisable_from.astimezone(terms.zone).date() == date(2005, 9, 15)


def test_ownership_cap_and_its_61_days() -> None:
    terms = load_terms()
    assert terms.ownership_cap == Decimal("0.04999")
    assert isinstance(terms.ownership_cap, Decimal)
    assert terms.waiver_notice_days == 61
    assert terms.no_cap_days_before_expiry == 61


def test_delivery_within_three_trading_days() -> None:
    assert load_terms().delivery_trading_days == 3


def test_section_9_notice_and_majority_holders() -> None:
    terms = load_terms()
    assert terms.section9_notice_days == 20
    assert terms.majority_holders_fraction == Decimal("0.51")


def test_listing_and_market_value_defaults() -> None:
    terms = load_terms()
    assert terms.symbol == "GLOW"
    assert terms.initial_venue is Venue.NASDAQ
    assert terms.close_of_business == time(17, 0)
    assert terms.conversion_period_trading_days == 20
    assert terms.last_sale_stands_in is True
