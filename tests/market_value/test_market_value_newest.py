"""`PriceHistory.record_quote(..., newest=True)`: the engine's word that a quote is at or
after every instant recorded so far (it is event time) lets it win without comparing; the
prices kept are exactly those of comparing (hypothesis), and the last quote at or before the
close wins, an equal-time one replacing (Section 8 "closing bid").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.market_value import DayPrices, PriceHistory

DAY = date(2008, 6, 2)
OPEN = datetime(2008, 6, 2, 9, 30, tzinfo=timezone(timedelta(hours=-4)))
PRICE = st.none() | st.integers(100, 400).map(lambda n: Decimal(n) / 100)
QUOTE = st.tuples(st.integers(0, 390), PRICE, PRICE, PRICE)


def _instant(minutes: int, offset: int) -> datetime:
    # the same instant written with another offset: a comparison must not be by wall time
    return (OPEN + timedelta(minutes=minutes)).astimezone(timezone(timedelta(hours=offset)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(QUOTE, st.sampled_from([-4, 0, 9])), max_size=12))
def test_newest_keeps_what_comparing_keeps(quotes: list[tuple[tuple[int, Decimal | None,
                                           Decimal | None, Decimal | None], int]]) -> None:
    compared, told = PriceHistory(), PriceHistory()
    latest: datetime | None = None
    for (minutes, bid, ask, last), offset in quotes:
        at = _instant(minutes, offset)
        newest = latest is None or at >= latest
        latest = at if newest else latest
        compared.record_quote(DAY, at, bid, ask, last)
        told.record_quote(DAY, at, bid, ask, last, newest=newest)
    assert compared.days == told.days
    assert (compared.quoted_dates, compared.bid_dates, compared.last_sale_dates) == (
        told.quoted_dates, told.bid_dates, told.last_sale_dates)


def test_an_earlier_quote_does_not_replace_a_later_one() -> None:
    """11:00 bid 2.50 / ask 2.60, then one stamped 10:00 (arriving late) bid 2.40: the
    closing bid stays 2.50 at 11:00; then one at 11:00 exactly, ask 2.70, replaces the ask."""
    history = PriceHistory()
    eleven, ten = _instant(90, -4), _instant(30, -4)
    history.record_quote(DAY, eleven, Decimal("2.50"), Decimal("2.60"), newest=True)
    history.record_quote(DAY, ten, Decimal("2.40"), None)
    history.record_quote(DAY, _instant(90, 0), None, Decimal("2.70"), newest=True)
    assert history.days[DAY] == DayPrices(Decimal("2.50"), eleven, Decimal("2.70"),
                                          _instant(90, 0))
