"""TradingCalendar: Section 8 "Trading Day" over a listing timeline, halts and observed volume."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from calendar_golden import calendar_for_row, dates, flag, iso, rows, terms_with
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.calendar import ListingChange, TradingCalendar
from shared.errors import CalendarQueryError, CalendarRangeError, NotATradingDayError
from shared.venues import Venue


def calendar(venue: Venue, **changes: object) -> TradingCalendar:
    return TradingCalendar(terms_with(venue, **changes))


@pytest.mark.parametrize("row", rows("trading_days_after.csv"), ids=lambda r: r["case"])
def test_trading_days_after(row: dict[str, str]) -> None:
    cal = calendar_for_row(row)
    assert cal.trading_days_after(iso(row["start"]), int(row["n"])) == iso(row["expected"])


@pytest.mark.parametrize("row", rows("trading_days_ending.csv"), ids=lambda r: r["case"])
def test_trading_days_ending(row: dict[str, str]) -> None:
    cal = calendar_for_row(row)
    assert cal.trading_days_ending(iso(row["end"]), int(row["n"])) == tuple(dates(row["expected"]))


# --- the "done when" checks, one by one ------------------------------------------


@pytest.mark.parametrize(
    "day", [date(2023, 10, 9), date(2024, 10, 14), date(2024, 11, 11), date(2008, 11, 11)]
)
def test_columbus_and_veterans_day_trade_on_nyse_but_not_under_the_proviso(day: date) -> None:
    # Markets open, banks closed (nyse_open_days.csv, federal_reserve_holidays.csv).
    assert calendar(Venue.NYSE).is_trading_day(day)
    assert not calendar(Venue.NONE).is_trading_day(day)


@pytest.mark.parametrize("day", [date(2024, 3, 29), date(2025, 4, 18), date(2022, 4, 15)])
def test_good_friday_markets_closed_banks_open(day: date) -> None:
    assert not calendar(Venue.NYSE).is_trading_day(day)
    assert not calendar(Venue.NASDAQ).is_trading_day(day)
    assert calendar(Venue.NONE).is_trading_day(day)


@pytest.mark.parametrize(
    "day",
    [date(2001, 9, 11), date(2001, 9, 12), date(2001, 9, 13), date(2001, 9, 14),
     date(2012, 10, 29), date(2012, 10, 30), date(2025, 1, 9)],
)
@pytest.mark.parametrize("venue", [Venue.NASDAQ, Venue.NYSE, Venue.AMEX, Venue.OTCBB, Venue.PINK])
def test_special_market_closures(venue: Venue, day: date) -> None:
    assert not calendar(venue).is_trading_day(day)


@pytest.mark.parametrize("row", rows("new_york_business_days.csv"), ids=lambda r: r["date"])
def test_proviso_tier_is_new_york_business_days(row: dict[str, str]) -> None:
    expected = flag(row["business_day"])
    assert calendar(Venue.NONE).is_trading_day(iso(row["date"])) is expected
    assert calendar(Venue.PINK_UNREPORTED).is_trading_day(iso(row["date"])) is expected


def test_fed_saturday_rule_on_the_proviso_tier() -> None:
    none = calendar(Venue.NONE)
    assert none.is_trading_day(date(2021, 12, 24))  # Christmas a Saturday: Friday open
    assert none.is_trading_day(date(2023, 11, 10))  # Veterans Day a Saturday: Friday open
    assert not none.is_trading_day(date(2022, 6, 20))  # Juneteenth a Sunday: Monday closed
    assert not calendar(Venue.NYSE).is_trading_day(date(2021, 12, 24))  # the NYSE does move it


# --- switches --------------------------------------------------------------------------------


def test_pink_sheets_switch() -> None:
    columbus = date(2023, 10, 9)
    assert calendar(Venue.PINK).is_trading_day(columbus)
    assert not calendar(Venue.PINK, pink_sheets_under_proviso=True).is_trading_day(columbus)
    good_friday = date(2024, 3, 29)
    assert not calendar(Venue.PINK).is_trading_day(good_friday)
    assert calendar(Venue.PINK, pink_sheets_under_proviso=True).is_trading_day(good_friday)
    # The switch touches PINK only.
    assert calendar(Venue.OTCBB, pink_sheets_under_proviso=True).is_trading_day(columbus)


def test_observed_trading_switch() -> None:
    base = calendar(Venue.NASDAQ, count_only_observed_trading=True)
    day = date(2008, 11, 26)
    assert not base.is_trading_day(day)
    assert base.with_observed_trading(day).is_trading_day(day)
    # Volume reported on a closed day does not make it a Trading Day.
    assert not base.with_observed_trading(date(2008, 11, 27)).is_trading_day(date(2008, 11, 27))
    # With the switch off, observed volume changes nothing.
    assert calendar(Venue.NASDAQ).is_trading_day(day)


def test_halt_removes_a_market_day_only() -> None:
    day = date(2023, 11, 6)
    assert not calendar(Venue.NASDAQ).with_halt(day).is_trading_day(day)
    assert calendar(Venue.NONE).with_halt(day).is_trading_day(day)


def test_extra_closures_touch_the_proviso_only() -> None:
    day = date(2012, 10, 31)
    closures = {"extra_closures": (day,)}
    assert not calendar(Venue.NONE, **closures).is_trading_day(day)
    assert calendar(Venue.NYSE, **closures).is_trading_day(day)


# --- timeline, immutability ---------------------------------------------------------------


def test_venue_on_follows_the_listing_timeline() -> None:
    cal = (
        calendar(Venue.NASDAQ)
        .with_listing(date(2023, 10, 6), Venue.PINK)
        .with_listing(date(2023, 10, 11), Venue.NONE)
    )
    assert cal.venue_on(date(2023, 10, 5)) is Venue.NASDAQ
    assert cal.venue_on(date(2023, 10, 6)) is Venue.PINK
    assert cal.venue_on(date(2023, 10, 10)) is Venue.PINK
    assert cal.venue_on(date(2023, 10, 11)) is Venue.NONE
    assert cal.venue_on(date(2030, 1, 1)) is Venue.NONE


def test_listings_out_of_order_and_replaced() -> None:
    cal = (
        calendar(Venue.NASDAQ)
        .with_listing(date(2023, 10, 11), Venue.NONE)
        .with_listing(date(2023, 10, 6), Venue.OTCBB)
        .with_listing(date(2023, 10, 6), Venue.PINK)  # same date: the later event wins
    )
    assert cal.listings == (
        ListingChange(date(2023, 10, 6), Venue.PINK),
        ListingChange(date(2023, 10, 11), Venue.NONE),
    )
    assert cal.venue_on(date(2023, 10, 9)) is Venue.PINK


def test_updates_leave_the_original_unchanged() -> None:
    original = calendar(Venue.NASDAQ)
    day = date(2008, 11, 26)
    halted = original.with_halt(day)
    moved = original.with_listing(day, Venue.NONE)
    assert original.is_trading_day(day) and not halted.is_trading_day(day)
    assert original.venue_on(day) is Venue.NASDAQ and moved.venue_on(day) is Venue.NONE
    assert original.halts == frozenset() and halted.halts == frozenset({day})
    with pytest.raises(AttributeError):
        original.halts = frozenset({day})  # type: ignore[misc]


def test_next_trading_day() -> None:
    assert calendar(Venue.NASDAQ).next_trading_day(date(2008, 11, 26)) == date(2008, 11, 28)
    assert calendar(Venue.NONE).next_trading_day(date(2023, 11, 6)) == date(2023, 11, 8)


# --- closes -------------------------------------------------------------------------------


def test_close_time() -> None:
    assert calendar(Venue.NASDAQ).close_time(date(2008, 11, 28)).isoformat() == (
        "2008-11-28T13:00:00-05:00"
    )
    assert calendar(Venue.NYSE).close_time(date(2024, 7, 5)).isoformat() == (
        "2024-07-05T16:00:00-04:00"
    )
    assert calendar(Venue.NONE).close_time(date(2024, 7, 5)).isoformat() == (
        "2024-07-05T17:00:00-04:00"
    )
    switched = calendar(Venue.PINK, pink_sheets_under_proviso=True)
    assert switched.close_time(date(2024, 3, 29)).isoformat() == "2024-03-29T17:00:00-04:00"


def test_close_time_of_a_day_that_is_not_a_trading_day() -> None:
    with pytest.raises(NotATradingDayError, match="2025-01-09 is not a Trading Day on NYSE"):
        calendar(Venue.NYSE).close_time(date(2025, 1, 9))
    with pytest.raises(NotATradingDayError, match="2023-11-07 is not a Trading Day on NONE"):
        calendar(Venue.NONE).close_time(date(2023, 11, 7))


# --- bad input ----------------------------------------------------------------------------


def test_dates_outside_the_tables() -> None:
    cal = calendar(Venue.NASDAQ)
    for outside in (date(1994, 12, 30), date(2036, 1, 2)):
        with pytest.raises(CalendarRangeError, match="outside the Trading Day tables"):
            cal.is_trading_day(outside)
        with pytest.raises(CalendarRangeError, match="outside the Trading Day tables"):
            cal.trading_days_after(outside, 1)
        with pytest.raises(CalendarRangeError, match="outside the Trading Day tables"):
            cal.close_time(outside)


def test_counting_past_the_end_of_the_tables() -> None:
    # December 2035: Fri 28th, Mon 31st are the last two sessions in the tables.
    for venue in (Venue.NASDAQ, Venue.NONE):
        cal = calendar(venue)
        assert cal.trading_days_after(date(2035, 12, 28), 1) == date(2035, 12, 31)
        with pytest.raises(CalendarRangeError, match="runs past 2035-12-31"):
            cal.trading_days_after(date(2035, 12, 28), 5)
    with pytest.raises(CalendarRangeError, match="runs past 2035-12-31"):
        calendar(Venue.NASDAQ).with_halt(date(2035, 12, 31)).trading_days_after(
            date(2035, 12, 28), 1
        )


def test_counting_back_before_the_start_of_the_tables() -> None:
    # January 1995: the 2nd (Monday) kept New Year's Day; the 3rd and 4th are the first sessions.
    cal = calendar(Venue.NYSE)
    assert cal.trading_days_ending(date(1995, 1, 4), 2) == (date(1995, 1, 3), date(1995, 1, 4))
    with pytest.raises(CalendarRangeError, match="before 1995-01-01"):
        cal.trading_days_ending(date(1995, 1, 4), 3)


@pytest.mark.parametrize("n", [-1, True, 2.0])
def test_bad_counts(n: object) -> None:
    cal = calendar(Venue.NASDAQ)
    with pytest.raises(CalendarQueryError, match="count of Trading Days"):
        cal.trading_days_after(date(2008, 11, 25), n)  # type: ignore[arg-type]
    with pytest.raises(CalendarQueryError, match="count of Trading Days"):
        cal.trading_days_ending(date(2008, 11, 25), n if n != -1 else 0)  # type: ignore[arg-type]


# --- counting agrees with judging day by day --------------------------------------------

VENUES = st.sampled_from(list(Venue))
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> TradingCalendar:
    cal = calendar(
        draw(VENUES),
        count_only_observed_trading=draw(st.booleans()),
        pink_sheets_under_proviso=draw(st.booleans()),
    )
    for effective, venue in draw(st.lists(st.tuples(DAYS, VENUES), max_size=4)):
        cal = cal.with_listing(effective, venue)
    for day in draw(st.lists(DAYS, max_size=4)):
        cal = cal.with_halt(day)
    if cal.terms.count_only_observed_trading:
        start = draw(DAYS)
        for offset in draw(st.lists(st.integers(0, 60), max_size=40)):
            cal = cal.with_observed_trading(start + timedelta(days=offset))
    return cal


def _walk_forward(cal: TradingCalendar, day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        n -= cal.is_trading_day(day)
    return day


@settings(max_examples=300, deadline=None)
@given(cal=calendars(), day=DAYS, n=st.integers(1, 25))
def test_counting_matches_a_day_by_day_walk(cal: TradingCalendar, day: date, n: int) -> None:
    sparse = cal.terms.count_only_observed_trading
    try:
        expected = _walk_forward(cal, day, n)
    except CalendarRangeError:
        # Sparse observed volume can run a walk off the tables; the count must too.
        assert sparse
        with pytest.raises(CalendarRangeError):
            cal.trading_days_after(day, n)
        return
    assert cal.trading_days_after(day, n) == expected
    ending = cal.trading_days_ending(expected, n)
    assert len(ending) == n and ending[-1] == expected
    assert all(cal.is_trading_day(d) for d in ending)
    assert all(a < b for a, b in pairwise(ending))
    assert ending[0] > day
