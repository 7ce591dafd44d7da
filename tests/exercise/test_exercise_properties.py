"""Properties of the exercise and cap math (hypothesis), on exact Decimals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from exercise_golden import calendar, terms
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from shared.cap import check_cap, max_exercise, max_shares_issuable
from shared.delivery import delivery_schedule
from shared.events.inputs import NoticeDelivery
from shared.exercise.cashless import cashless_shares
from shared.exercise.settlement_math import settle_exercise
from shared.notices import notice_effective
from shared.numbers import round_cents

shares = st.decimals(min_value="0.01", max_value="10000000", places=2)
prices = st.decimals(min_value="0.0001", max_value="100", places=4)
caps = st.decimals(min_value="0.0001", max_value="0.9999", places=5)
counts = st.integers(min_value=0, max_value=10**12).map(Decimal)


@given(y=shares, a=prices, b=prices)
def test_cashless_issues_no_more_than_exercised(y: Decimal, a: Decimal, b: Decimal) -> None:
    assume(b > a)
    figures = cashless_shares(y, a, b)
    assert 0 < figures.shares <= y
    assert figures.shares + figures.canceled_in_payment == y


@given(cash=shares, cashless=shares, a=prices, b=prices, extra=shares)
def test_whole_shares_and_cash_in_lieu(
    cash: Decimal, cashless: Decimal, a: Decimal, b: Decimal, extra: Decimal
) -> None:
    assume(b > a)
    figures = settle_exercise(
        cash_shares=cash, cashless_shares=cashless, warrant_price=a, market_value=b,
        share_number=cash + cashless + extra,
    )
    assert figures.shares_issued == figures.shares_issued.to_integral_value()
    assert figures.shares_issued <= figures.total_shares < figures.shares_issued + 1
    # Section 6: the fraction is under one share, so its value is under the PSMV ...
    assert 0 <= figures.fraction < 1
    assert 0 <= figures.fraction_value < b
    assert figures.shares_issued * b + figures.fraction_value == cash * b + cashless * (b - a)
    # ... and once rounded to the cent it never exceeds the PSMV rounded to the cent.
    assert 0 <= figures.cash_in_lieu <= round_cents(b)
    assert figures.shares_remaining == extra
    assert figures.payment_due == round_cents(a * cash)


@given(outstanding=counts, per_mille=st.integers(0, 1000), cap=caps)
def test_cap_max_passes_and_max_plus_one_fails(
    outstanding: Decimal, per_mille: int, cap: Decimal
) -> None:
    assume(outstanding > 0)
    owned = (outstanding * per_mille / 1000).to_integral_value()
    largest = max_shares_issuable(owned, outstanding, cap)
    assert largest >= 0 and largest == largest.to_integral_value()
    if owned <= cap * outstanding:
        assert check_cap(owned, outstanding, largest, cap).passes
    else:
        assert largest == 0
        assert not check_cap(owned, outstanding, largest, cap).passes
    assert not check_cap(owned, outstanding, largest + 1, cap).passes


@settings(max_examples=200, deadline=None)
@given(
    owned=st.integers(0, 60000).map(Decimal),
    cash=st.decimals(min_value="0", max_value="80000", places=2),
    cashless=st.decimals(min_value="0", max_value="400000", places=2),
    a=st.decimals(min_value="0.50", max_value="5", places=2),
    b=st.decimals(min_value="0.50", max_value="9", places=3),
)
def test_largest_exercise_is_tight(
    owned: Decimal, cash: Decimal, cashless: Decimal, a: Decimal, b: Decimal
) -> None:
    assume(cash + cashless > 0 and b > a)
    outstanding, cap, step = Decimal(1000000), Decimal("0.04999"), Decimal("0.01")
    result = max_exercise(
        owned=owned, outstanding=outstanding, cap=cap, cash_shares=cash,
        cashless_shares=cashless, warrant_price=a, market_value=b,
    )
    assert result.cash_shares <= cash and result.cashless_shares <= cashless

    def passes(c: Decimal, cl: Decimal) -> bool:
        if c + cl == 0:
            return True
        issued = settle_exercise(
            cash_shares=c, cashless_shares=cl, warrant_price=a, market_value=b,
            share_number=Decimal(10**7),
        ).shares_issued
        return check_cap(owned, outstanding, issued, cap).passes

    if owned > cap * outstanding:
        assert result.total == 0
        return
    assert passes(result.cash_shares, result.cashless_shares)
    # One step more of the last part used (within the request) fails.
    if result.cashless_shares > 0 and result.cashless_shares < cashless:
        assert not passes(result.cash_shares, result.cashless_shares + step)
    elif result.cashless_shares == 0 and 0 < result.cash_shares < cash:
        assert not passes(result.cash_shares + step, Decimal(0))


instants = st.datetimes(
    min_value=datetime(2005, 1, 1), max_value=datetime(2011, 12, 31)
).map(lambda d: d.replace(tzinfo=UTC))


# The calendar builds its tables on first use; that one slow call is not the code's speed.
@settings(deadline=None)
@given(at=instants, how=st.sampled_from(list(NoticeDelivery)))
# 01:00 EDT, in the hour repeated when daylight saving time ended (found by hypothesis)
@example(at=datetime(2010, 11, 7, 5, 0, tzinfo=UTC), how=NoticeDelivery.HAND)
@example(at=datetime(2010, 11, 7, 6, 30, tzinfo=UTC), how=NoticeDelivery.HAND)
def test_notice_is_never_effective_before_it_is_sent(at: datetime, how: NoticeDelivery) -> None:
    effective = notice_effective(at, how, calendar(), terms())
    assert effective >= at
    if how is NoticeDelivery.HAND:
        assert effective == at
    else:
        local = effective.astimezone(terms().zone)
        assert calendar().is_trading_day(local.date())
        assert effective - at < timedelta(days=10)


@settings(deadline=None)
@given(d=st.dates(min_value=date(2005, 1, 1), max_value=date(2011, 12, 31)))
def test_delivery_due_is_a_later_trading_day(d: date) -> None:
    schedule = delivery_schedule(d, calendar(), terms())
    assert schedule.delivery_due > d
    assert calendar().is_trading_day(schedule.delivery_due)
    between = [
        d + timedelta(days=i) for i in range(1, (schedule.delivery_due - d).days + 1)
    ]
    assert sum(calendar().is_trading_day(x) for x in between) == 3
