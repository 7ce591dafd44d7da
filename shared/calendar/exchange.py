"""Session tables per venue: the days each Section 8 tier's market is open, and its close.

Built once per process, on first use, for RANGE_START..RANGE_END, so that a query is a
bisect or a set lookup rather than a pandas call (docs/calendar.md has the measurements).

- NASDAQ: pandas-market-calendars "NASDAQ"; NYSE and AMEX: "NYSE" (tiers (a), (b)).
- OTCBB and PINK: the NYSE/Nasdaq holiday schedule, "NYSE" (tiers (c), (d);
  docs/contract.md "Trading Day" point 4).
- PINK_UNREPORTED and NONE: New York business days (the proviso), closing at close of
  business, 17:00 eastern.

The close of a session is pandas-market-calendars' `market_close` (16:00 eastern, 13:00 on
early closes, and the few historical odd closes it records), used by Per Share Market Value
for the "closing" bid and ask.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from shared.calendar.new_york import new_york_business_days
from shared.errors import CalendarRangeError
from shared.venues import Venue

RANGE_START = date(1995, 1, 1)
RANGE_END = date(2035, 12, 31)
RANGE_START_ORDINAL = RANGE_START.toordinal()
RANGE_END_ORDINAL = RANGE_END.toordinal()

# The zone of every venue's sessions (the U.S. exchanges, OTC quotation and New York
# business days), of their closes and of the market data about them: the one definition
# of America/New_York that the code shares (a warrant's own times use `Terms.zone`).
EASTERN = ZoneInfo("America/New_York")
CLOSE_OF_BUSINESS = time(17, 0)

NEW_YORK_BUSINESS_DAYS = "NEW_YORK_BUSINESS_DAYS"

_SOURCE: dict[Venue, str] = {
    Venue.NASDAQ: "NASDAQ",
    Venue.NYSE: "NYSE",
    Venue.AMEX: "NYSE",
    Venue.OTCBB: "NYSE",
    Venue.PINK: "NYSE",
    Venue.PINK_UNREPORTED: NEW_YORK_BUSINESS_DAYS,
    Venue.NONE: NEW_YORK_BUSINESS_DAYS,
}


@dataclass(frozen=True, slots=True, eq=False)
class SessionTable:
    """The sessions of one schedule as sorted day ordinals, a member set and closes."""

    source: str
    ordinals: tuple[int, ...]
    dates: tuple[date, ...]  # parallel to `ordinals`: a query returns these, never rebuilds
    members: frozenset[int]
    closes: Mapping[int, datetime]
    # through[o - RANGE_START_ORDINAL] = sessions on or before day o: bisect by indexing.
    through: tuple[int, ...]

    def __deepcopy__(self, memo: dict[int, object]) -> SessionTable:
        """Immutable and shared by the process: never copied."""
        return self

    def count_through(self, ordinal: int) -> int:
        """How many sessions fall on or before the day `ordinal` (any ordinal)."""
        if ordinal < RANGE_START_ORDINAL:
            return 0
        if ordinal > RANGE_END_ORDINAL:
            return len(self.ordinals)
        return self.through[ordinal - RANGE_START_ORDINAL]

    def is_session(self, day: date) -> bool:
        return day.toordinal() in self.members

    def close(self, day: date) -> datetime | None:
        """The session's close (tz-aware, America/New_York), None on a non-session day."""
        return self.closes.get(day.toordinal())


def schedule_source(venue: Venue) -> str:
    """The pandas-market-calendars name (or NEW_YORK_BUSINESS_DAYS) a venue's days come from."""
    return _SOURCE[venue]


def check_in_range(day: date) -> int:
    """The day's ordinal; `CalendarRangeError` if the tables do not cover it."""
    ordinal = day.toordinal()
    if not RANGE_START_ORDINAL <= ordinal <= RANGE_END_ORDINAL:
        raise CalendarRangeError(
            f"{day.isoformat()} is outside the Trading Day tables, which cover "
            f"{RANGE_START.isoformat()} to {RANGE_END.isoformat()}"
        )
    return ordinal


def session_table(venue: Venue) -> SessionTable:
    """The venue's session table, built on first use and shared for the process."""
    return _table(_SOURCE[venue])


@cache
def _table(source: str) -> SessionTable:
    if source == NEW_YORK_BUSINESS_DAYS:
        return _new_york_table()
    return _market_table(source)


def _new_york_table() -> SessionTable:
    days = new_york_business_days(RANGE_START, RANGE_END)
    closes = {d.toordinal(): datetime.combine(d, CLOSE_OF_BUSINESS, tzinfo=EASTERN) for d in days}
    return _freeze(NEW_YORK_BUSINESS_DAYS, closes)


def _market_table(name: str) -> SessionTable:
    # Imported here: pandas-market-calendars costs about a second to import, and only the
    # first table build of a process needs it.
    import pandas_market_calendars as pmc

    with warnings.catch_warnings():
        # pandas-market-calendars 5.5 uses pandas APIs that pandas 3 deprecates; the warning
        # is theirs to fix and says nothing about our tables.
        warnings.simplefilter("ignore", DeprecationWarning)
        schedule = pmc.get_calendar(name).schedule(
            RANGE_START.isoformat(), RANGE_END.isoformat()
        )
    closes: dict[int, datetime] = {}
    for session, close in zip(schedule.index, schedule["market_close"], strict=True):
        closes[session.date().toordinal()] = close.to_pydatetime().astimezone(EASTERN)
    return _freeze(name, closes)


def _freeze(source: str, closes: dict[int, datetime]) -> SessionTable:
    ordinals = tuple(sorted(closes))
    through: list[int] = []
    count = 0
    for ordinal in range(RANGE_START_ORDINAL, RANGE_END_ORDINAL + 1):
        count += ordinal in closes
        through.append(count)
    return SessionTable(
        source=source,
        ordinals=ordinals,
        dates=tuple(date.fromordinal(o) for o in ordinals),
        members=frozenset(ordinals),
        closes=MappingProxyType(closes),
        through=tuple(through),
    )
