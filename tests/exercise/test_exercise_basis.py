"""B on the basis of the terms the exercise uses (shared/engine/basis.py; Sections 2(c), 8).

Figures by hand: a 2-for-1 split (ratio new/old 2) effective 2006-06-01 puts that date's
prices on the new basis, the terms only from 17:00 EDT that day (4(g)(ii)).
- 10:00 on 06-01, PSMV 1.50 (post-split): pre-split terms, B = 1.50 x 2 = 3.00.
- 17:00 on 06-01 or later: both post-split, B = 1.50.
- 05-31: both pre-split, B = the PSMV as it is.
The other direction (terms on the new basis, prices not yet), e.g. a 10% stock dividend
whose terms change at 17:00 on 06-01 while prices change only from 06-05: on 06-02 a PSMV of
3.30 (pre-dividend basis) is 3.30 / 1.1 = 3.00 on the terms' basis.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.engine.basis import on_terms_basis
from shared.engine.ownership import ShareChangeAt
from shared.market_value import ShareChange

EASTERN = ZoneInfo("America/New_York")
SPLIT_PRICES = [ShareChange(date(2006, 6, 1), Decimal("0.5"), "s1")]
SPLIT_TERMS = [ShareChangeAt(datetime(2006, 6, 1, 17, tzinfo=EASTERN), Decimal(2), "s1")]


def at(day: int, hour: int) -> datetime:
    return datetime(2006, 6, day, hour, tzinfo=EASTERN)


def test_before_close_of_business_on_the_effective_date_b_is_scaled_back() -> None:
    value, text = on_terms_basis(Decimal("1.50"), date(2006, 6, 1), at(1, 10), SPLIT_PRICES,
                                 SPLIT_TERMS)
    assert value == Decimal("3.00")
    assert "PSMV 1.50 x 2 (s1" in text


def test_from_close_of_business_and_before_the_date_nothing_changes() -> None:
    for day, hour in ((1, 17), (2, 10)):
        assert on_terms_basis(Decimal("1.50"), date(2006, 6, day), at(day, hour),
                              SPLIT_PRICES, SPLIT_TERMS) == (Decimal("1.50"), "")
    may_31 = datetime(2006, 5, 31, 10, tzinfo=EASTERN)
    assert on_terms_basis(Decimal("3.00"), date(2006, 5, 31), may_31, SPLIT_PRICES,
                          SPLIT_TERMS) == (Decimal("3.00"), "")


def test_terms_ahead_of_prices_divide() -> None:
    prices = [ShareChange(date(2006, 6, 5), Decimal(1) / Decimal("1.1"), "d1")]
    terms = [ShareChangeAt(at(1, 17), Decimal("1.1"), "d1")]
    value, text = on_terms_basis(Decimal("3.30"), date(2006, 6, 2), at(2, 10), prices, terms)
    assert value == Decimal("3.00")
    assert "/ 1.1 (d1" in text


def test_a_change_known_to_one_side_only_is_left_alone() -> None:
    assert on_terms_basis(Decimal("1.50"), date(2006, 6, 1), at(1, 10), [],
                          SPLIT_TERMS) == (Decimal("1.50"), "")
