"""Session tables per venue: published NYSE closures, openings and closing times."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from calendar_golden import iso, rows

from shared.calendar import RANGE_END, RANGE_START, check_in_range, schedule_source, session_table
from shared.errors import CalendarRangeError
from shared.venues import Venue

MARKET_VENUES = [Venue.NASDAQ, Venue.NYSE, Venue.AMEX, Venue.OTCBB, Venue.PINK]
PROVISO_VENUES = [Venue.PINK_UNREPORTED, Venue.NONE]


@pytest.mark.parametrize("venue", MARKET_VENUES)
def test_published_closures_are_not_sessions(venue: Venue) -> None:
    table = session_table(venue)
    closed = [r["date"] for r in rows("nyse_closures.csv") if table.is_session(iso(r["date"]))]
    assert closed == []


@pytest.mark.parametrize("venue", MARKET_VENUES)
def test_notable_open_days_are_sessions(venue: Venue) -> None:
    table = session_table(venue)
    open_days = rows("nyse_open_days.csv")
    missing = [r["date"] for r in open_days if not table.is_session(iso(r["date"]))]
    assert missing == []


@pytest.mark.parametrize("row", rows("nyse_closes.csv"), ids=lambda r: r["date"])
@pytest.mark.parametrize("venue", MARKET_VENUES)
def test_closing_times(venue: Venue, row: dict[str, str]) -> None:
    day = iso(row["date"])
    sign = -1 if row["utc_offset"].startswith("-") else 1
    hours, minutes = (int(x) for x in row["utc_offset"][1:].split(":"))
    offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
    expected = datetime.combine(day, time.fromisoformat(row["close"]), tzinfo=offset)
    close = session_table(venue).close(day)
    assert close == expected
    assert close is not None and close.utcoffset() == expected.utcoffset()


def test_no_close_on_a_closed_day() -> None:
    assert session_table(Venue.NYSE).close(date(2025, 1, 9)) is None


@pytest.mark.parametrize("venue", PROVISO_VENUES)
def test_proviso_table_closes_at_close_of_business(venue: Venue) -> None:
    close = session_table(venue).close(date(2023, 11, 8))
    assert close is not None
    assert close.isoformat() == "2023-11-08T17:00:00-05:00"
    # Good Friday: markets closed, banks open.
    assert session_table(venue).is_session(date(2024, 3, 29))


def test_schedule_sources() -> None:
    assert schedule_source(Venue.NASDAQ) == "NASDAQ"
    assert {schedule_source(v) for v in (Venue.NYSE, Venue.AMEX, Venue.OTCBB, Venue.PINK)} == {
        "NYSE"
    }
    assert schedule_source(Venue.NONE) == schedule_source(Venue.PINK_UNREPORTED)
    assert schedule_source(Venue.NONE) != "NYSE"


def test_tables_are_built_once() -> None:
    assert session_table(Venue.NYSE) is session_table(Venue.AMEX)
    assert session_table(Venue.NONE) is session_table(Venue.PINK_UNREPORTED)


def test_range_edges() -> None:
    assert check_in_range(RANGE_START) == RANGE_START.toordinal()
    assert check_in_range(RANGE_END) == RANGE_END.toordinal()
    assert check_in_range(date(1995, 1, 1)) == check_in_range(RANGE_START)
    assert check_in_range(date(2035, 12, 31)) == check_in_range(RANGE_END)
    for outside in (date(1994, 12, 31), date(2036, 1, 1)):
        with pytest.raises(CalendarRangeError, match=r"outside the Trading Day tables.*1995-01-01"):
            check_in_range(outside)
