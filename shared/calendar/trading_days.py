"""Section 8 "Trading Day", tiered by where the Common Stock is listed on each date.

The tier of a date follows the listing timeline (docs/contract.md "Trading Day"):
(a) Nasdaq, (b) another national exchange, (c) the OTC Bulletin Board, (d) quoted OTC as
reported by the National Quotation Bureau (Pink Sheets): a Trading Day is a day on which that
market is open and the stock was not halted the whole day (switch: and on which the feed saw
volume). Otherwise the proviso: every New York business day (`shared.calendar.new_york`).

The proviso's text names only tiers (a)-(c), so read literally it also governs a stock quoted
on the Pink Sheets; the switch `pink_sheets_under_proviso` takes that reading. Halts and
observed volume concern a market, so they do not touch proviso days.

"N Trading Days after D" counts Trading Days strictly after D, each day judged by the venue
in force on that day.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NoReturn

from shared.calendar.exchange import (
    RANGE_END,
    RANGE_END_ORDINAL,
    RANGE_START,
    RANGE_START_ORDINAL,
    SessionTable,
    check_in_range,
    session_table,
)
from shared.errors import CalendarQueryError, CalendarRangeError, NotATradingDayError
from shared.terms import Terms
from shared.venues import Venue

_PROVISO_VENUES = frozenset({Venue.PINK_UNREPORTED, Venue.NONE})
# Before any ordinal and after every one: the open ends of the first and last listing spans.
_BEFORE_ALL = 0
_AFTER_ALL = date.max.toordinal() + 1


@dataclass(frozen=True, slots=True)
class ListingChange:
    """A `listing` event: from `effective` on, the stock is listed or quoted on `venue`."""

    effective: date
    venue: Venue


@dataclass(frozen=True, slots=True, eq=False)
class _DayRule:
    """How one span of the timeline picks its Trading Days out of a session table."""

    table: SessionTable
    excluded: frozenset[int]
    only: frozenset[date] | None  # dates, not ordinals: the feed adds them one by one
    proviso: bool
    # Excluded days that are sessions, sorted: with `only` unset, counting is index
    # arithmetic corrected by a bisect into these few days.
    excluded_sessions: tuple[int, ...] = field(init=False)
    plain: bool = field(init=False)  # every session is a Trading Day

    def __post_init__(self) -> None:
        sessions = tuple(sorted(self.excluded & self.table.members))
        object.__setattr__(self, "excluded_sessions", sessions)
        object.__setattr__(self, "plain", not sessions and self.only is None)

    def accepts(self, ordinal: int, day: date) -> bool:
        return (
            ordinal in self.table.members
            and ordinal not in self.excluded
            and (self.only is None or day in self.only)
        )


@dataclass(frozen=True, slots=True)
class TradingCalendar:
    """The Trading Days of one warrant's Common Stock (Section 8), as an immutable value.

    Build it from the terms, then add what the event streams say with `with_listing`,
    `with_halt` and `with_observed_trading`; each returns a new calendar.
    """

    terms: Terms
    listings: tuple[ListingChange, ...] = ()
    halts: frozenset[date] = frozenset()
    observed_trading: frozenset[date] = frozenset()
    _span_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _span_rules: tuple[_DayRule, ...] = field(init=False, repr=False, compare=False)
    _span_venues: tuple[Venue, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One listing per effective date, the last one given winning, in date order.
        by_date = {change.effective: change for change in self.listings}
        listings = tuple(by_date[d] for d in sorted(by_date))
        object.__setattr__(self, "listings", listings)
        object.__setattr__(self, "halts", frozenset(self.halts))
        object.__setattr__(self, "observed_trading", frozenset(self.observed_trading))

        starts = (_BEFORE_ALL, *(c.effective.toordinal() for c in listings))
        venues = (self.terms.initial_venue, *(c.venue for c in listings))
        market_excluded = frozenset(d.toordinal() for d in self.halts)
        market_only = self.observed_trading if self.terms.count_only_observed_trading else None
        proviso_excluded = frozenset(d.toordinal() for d in self.terms.extra_closures)
        rules: dict[Venue, _DayRule] = {}
        for venue in set(venues):
            if self.is_proviso_venue(venue):
                rules[venue] = _DayRule(
                    session_table(Venue.NONE), proviso_excluded, None, proviso=True
                )
            else:
                rules[venue] = _DayRule(
                    session_table(venue), market_excluded, market_only, proviso=False
                )
        object.__setattr__(self, "_span_starts", starts)
        object.__setattr__(self, "_span_venues", venues)
        object.__setattr__(self, "_span_rules", tuple(rules[v] for v in venues))

    # --- building ---------------------------------------------------------------------------

    def with_listing(self, effective: date, venue: Venue) -> TradingCalendar:
        """From `effective` on the stock is on `venue` (replaces a listing of the same date)."""
        return TradingCalendar(
            self.terms,
            (*self.listings, ListingChange(effective, venue)),
            self.halts,
            self.observed_trading,
        )

    def with_halt(self, day: date) -> TradingCalendar:
        """The stock did not trade the whole of `day`: not a Trading Day on a market tier."""
        return TradingCalendar(
            self.terms, self.listings, self.halts | {day}, self.observed_trading
        )

    def with_observed_trading(self, day: date) -> TradingCalendar:
        """The feed saw volume on `day` (counts only under `count_only_observed_trading`)."""
        return TradingCalendar(
            self.terms, self.listings, self.halts, self.observed_trading | {day}
        )

    # --- queries ----------------------------------------------------------------------------

    def is_proviso_venue(self, venue: Venue) -> bool:
        """Whether days on `venue` are judged by the proviso (New York business days)."""
        if venue is Venue.PINK:
            return self.terms.pink_sheets_under_proviso
        return venue in _PROVISO_VENUES

    def venue_on(self, day: date) -> Venue:
        """The venue in force on `day` by the listing timeline."""
        return self._span_venues[bisect_right(self._span_starts, day.toordinal()) - 1]

    def is_trading_day(self, day: date) -> bool:
        """Section 8: whether `day` is a Trading Day for the venue in force that day."""
        ordinal = day.toordinal()
        if not RANGE_START_ORDINAL <= ordinal <= RANGE_END_ORDINAL:
            check_in_range(day)
        rules = self._span_rules
        rule = rules[bisect_right(self._span_starts, ordinal) - 1] if len(rules) > 1 else rules[0]
        if rule.plain:
            return ordinal in rule.table.members
        return rule.accepts(ordinal, day)

    def next_trading_day(self, day: date) -> date:
        """The first Trading Day strictly after `day`."""
        return self.trading_days_after(day, 1)

    def trading_days_after(self, day: date, n: int) -> date:
        """The date that is `n` Trading Days after `day`, counting strictly after it.

        Section 2(d) "three (3) Trading Days after such exercise"; each counted day is
        judged by the venue in force on it. `n` = 0 gives `day` itself.
        """
        ordinal = day.toordinal()
        if not RANGE_START_ORDINAL <= ordinal <= RANGE_END_ORDINAL:
            check_in_range(day)
        if type(n) is not int or n < 0:  # `type`, not isinstance: True is no count
            raise CalendarQueryError(f"the count of Trading Days must be 0 or more, got {n!r}")
        if n == 0:
            return day
        starts, rules = self._span_starts, self._span_rules
        if len(starts) == 1:  # one venue all along: the common case, kept short
            rule = rules[0]
            if rule.plain:
                table = rule.table
                j = table.through[ordinal - RANGE_START_ORDINAL] + n - 1
                if j < len(table.dates):
                    return table.dates[j]
                self._ran_off_end(day, n)
        span = bisect_right(starts, ordinal) - 1
        remaining = n
        while True:
            rule = rules[span]
            table = rule.table
            end = starts[span + 1] if span + 1 < len(starts) else _AFTER_ALL
            days = table.ordinals
            i = table.count_through(ordinal)
            stop = table.count_through(end - 1)
            if rule.only is None:
                # The remaining-th session after i, pushed on by the excluded days it
                # passes, until it passes no more: then it is not excluded itself.
                ex = rule.excluded_sessions
                lo = bisect_right(ex, ordinal)
                j = i + remaining - 1
                while ex and j < stop:
                    pushed = i + remaining - 1 + bisect_right(ex, days[j]) - lo
                    if pushed == j:
                        break
                    j = pushed
                if j < stop:
                    return table.dates[j]
                remaining -= (stop - i) - (bisect_right(ex, end - 1) - lo)
            else:
                accepts = rule.accepts
                for k in range(i, stop):
                    if accepts(days[k], table.dates[k]):
                        remaining -= 1
                        if remaining == 0:
                            return table.dates[k]
            if end == _AFTER_ALL:
                self._ran_off_end(day, n)
            ordinal = end - 1
            span += 1

    @staticmethod
    def _ran_off_end(day: date, n: int) -> NoReturn:
        raise CalendarRangeError(
            f"{n} Trading Days after {day.isoformat()} runs past "
            f"{RANGE_END.isoformat()}, the end of the Trading Day tables"
        )

    def trading_days_ending(self, day: date, n: int) -> tuple[date, ...]:
        """The `n` Trading Days ending on `day` (inclusive if it is one), oldest first.

        Per Share Market Value tier (c): the holder's conversion period.
        """
        ordinal = check_in_range(day)
        if type(n) is not int or n < 1:
            raise CalendarQueryError(f"the count of Trading Days must be 1 or more, got {n!r}")
        starts, rules = self._span_starts, self._span_rules
        span = bisect_right(starts, ordinal) - 1
        found: list[date] = []
        while True:
            rule = rules[span]
            table = rule.table
            start = starts[span]
            first = table.count_through(start - 1)
            stop = table.count_through(ordinal)
            if rule.plain:
                wanted = n - len(found)
                if stop - first >= wanted:
                    return table.dates[stop - wanted : stop] + tuple(reversed(found))
                found.extend(reversed(table.dates[first:stop]))
            else:
                for k in range(stop - 1, first - 1, -1):
                    if rule.accepts(table.ordinals[k], table.dates[k]):
                        found.append(table.dates[k])
                        if len(found) == n:
                            return tuple(reversed(found))
            if span == 0:
                raise CalendarRangeError(
                    f"{n} Trading Days ending {day.isoformat()} reach back before "
                    f"{RANGE_START.isoformat()}, the start of the Trading Day tables"
                )
            ordinal = start - 1
            span -= 1

    def close_time(self, day: date) -> datetime:
        """The close on Trading Day `day`: the venue's market close, or close of business.

        Section 8 "closing bid"; on proviso days, close of business (terms, 17:00 eastern).
        """
        ordinal = check_in_range(day)
        rule = self._span_rules[bisect_right(self._span_starts, ordinal) - 1]
        if not rule.accepts(ordinal, day):
            raise NotATradingDayError(
                f"{day.isoformat()} is not a Trading Day on {self.venue_on(day).value}, "
                "so it has no close"
            )
        if rule.proviso:
            return datetime.combine(day, self.terms.close_of_business, tzinfo=self.terms.zone)
        return rule.table.closes[ordinal]
