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
from itertools import accumulate

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

    def accepts(self, ordinal: int, day: date) -> bool:
        return (
            ordinal in self.table.members
            and ordinal not in self.excluded
            and (self.only is None or day in self.only)
        )


@dataclass(frozen=True, slots=True, eq=False)
class _Candidates:
    """The whole timeline's Trading Days, before the observed-volume switch: each span's
    sessions less its excluded days, so that counting is index arithmetic."""

    dates: tuple[date, ...]
    # through[o - RANGE_START_ORDINAL] = candidates on or before day o.
    through: tuple[int, ...]
    # Under `count_only_observed_trading`: per candidate, whether it needs observed volume
    # (a market-tier day). None when no candidate does.
    needs_volume: tuple[bool, ...] | None


# Counting tables by what they are built from (`TradingCalendar._build_candidates`); a few
# at most per process, each some hundreds of kilobytes.
_BUILT: dict[tuple[object, ...], _Candidates] = {}
_BUILT_MAX = 8


@dataclass(frozen=True, slots=True)
class TradingCalendar:
    """The Trading Days of one warrant's Common Stock (Section 8), as an immutable value.

    Build it from the terms, then add what the event streams say with `with_listing`,
    `with_halt` and `with_observed_trading`; each returns a new calendar. Counting uses a
    table of the whole timeline built on the first count (a few milliseconds; none for a
    stock that stays on one venue without halts) and kept across `with_observed_trading`.
    """

    terms: Terms
    listings: tuple[ListingChange, ...] = ()
    halts: frozenset[date] = frozenset()
    observed_trading: frozenset[date] = frozenset()
    _span_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _span_rules: tuple[_DayRule, ...] = field(init=False, repr=False, compare=False)
    _span_venues: tuple[Venue, ...] = field(init=False, repr=False, compare=False)
    _candidates: _Candidates | None = field(
        init=False, default=None, repr=False, compare=False
    )
    # The close of each date asked so far (None: not a Trading Day). The calendar is an
    # immutable value, so a date's close never changes in it; the engine asks for the close
    # of a quote's date on every quote (docs/operations.md "Throughput").
    _closes: dict[date, datetime | None] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __deepcopy__(self, memo: dict[int, object]) -> TradingCalendar:
        """An immutable value: a copy of an engine's state shares it (shared.engine.engine
        checkpoints, docs/decisions.md "Bad input")."""
        return self

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

    def _build_candidates(self) -> _Candidates:
        """The counting table of this timeline, shared by every calendar with the same spans
        (the symbols of one process usually have one listing history: built once)."""
        starts, rules = self._span_starts, self._span_rules
        switch = self.terms.count_only_observed_trading
        needs_volume = switch and any(not rule.proviso for rule in rules)
        key = (starts, tuple((r.table.source, r.excluded, r.proviso) for r in rules),
               needs_volume)
        found = _BUILT.get(key)
        if found is None:
            if len(_BUILT) >= _BUILT_MAX:
                _BUILT.clear()
            found = _BUILT[key] = self._candidates_of(starts, rules, needs_volume)
        return found

    @staticmethod
    def _candidates_of(starts: tuple[int, ...], rules: tuple[_DayRule, ...],
                       needs_volume: bool) -> _Candidates:
        first = rules[0]
        if len(rules) == 1 and not (first.excluded & first.table.members):
            table = first.table
            marks = (True,) * len(table.dates) if needs_volume else None
            return _Candidates(table.dates, table.through, marks)
        days: list[date] = []
        market: list[bool] = []
        present = bytearray(RANGE_END_ORDINAL - RANGE_START_ORDINAL + 1)
        for span, rule in enumerate(rules):
            table = rule.table
            end = starts[span + 1] if span + 1 < len(starts) else _AFTER_ALL
            for i in range(table.count_through(starts[span] - 1), table.count_through(end - 1)):
                ordinal = table.ordinals[i]
                if ordinal not in rule.excluded:
                    days.append(table.dates[i])
                    market.append(not rule.proviso)
                    present[ordinal - RANGE_START_ORDINAL] = 1
        return _Candidates(
            tuple(days), tuple(accumulate(present)), tuple(market) if needs_volume else None
        )

    def _counting_table(self) -> _Candidates:
        candidates = self._candidates
        if candidates is None:
            candidates = self._build_candidates()
            object.__setattr__(self, "_candidates", candidates)
        return candidates

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
        updated = TradingCalendar(
            self.terms, self.listings, self.halts, self.observed_trading | {day}
        )
        # Observed volume is checked while counting, not baked into the counting table.
        object.__setattr__(updated, "_candidates", self._candidates)
        # only `day` may change from no Trading Day to one: the other closes stand
        closes = dict(self._closes)
        closes.pop(day, None)
        object.__setattr__(updated, "_closes", closes)
        return updated

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
        table = self._candidates or self._counting_table()
        days = table.dates
        i = table.through[ordinal - RANGE_START_ORDINAL]  # candidates on or before `day`
        marks = table.needs_volume
        if marks is None:
            if i + n <= len(days):
                return days[i + n - 1]
        else:
            observed = self.observed_trading
            remaining = n
            for k in range(i, len(days)):
                if not marks[k] or days[k] in observed:
                    remaining -= 1
                    if remaining == 0:
                        return days[k]
        raise CalendarRangeError(
            f"{n} Trading Days after {day.isoformat()} runs past "
            f"{RANGE_END.isoformat()}, the end of the Trading Day tables"
        )

    def trading_days_between(self, start: date, end: date) -> int:
        """How many Trading Days fall strictly after `start` and on or before `end` (0 when
        `end` is not after `start`): the age of a price from `start` used for `end`."""
        first, last = check_in_range(start), check_in_range(end)
        if last <= first:
            return 0
        table = self._candidates or self._counting_table()
        lo = table.through[first - RANGE_START_ORDINAL]
        hi = table.through[last - RANGE_START_ORDINAL]
        marks = table.needs_volume
        if marks is None:
            return hi - lo
        observed = self.observed_trading
        return sum(1 for k in range(lo, hi) if not marks[k] or table.dates[k] in observed)

    def trading_days_ending(self, day: date, n: int) -> tuple[date, ...]:
        """The `n` Trading Days ending on `day` (inclusive if it is one), oldest first.

        Per Share Market Value tier (c): the holder's conversion period.
        """
        ordinal = check_in_range(day)
        if type(n) is not int or n < 1:
            raise CalendarQueryError(f"the count of Trading Days must be 1 or more, got {n!r}")
        table = self._candidates or self._counting_table()
        days = table.dates
        stop = table.through[ordinal - RANGE_START_ORDINAL]  # candidates on or before `day`
        marks = table.needs_volume
        if marks is None:
            if stop >= n:
                return days[stop - n : stop]
        else:
            observed = self.observed_trading
            found: list[date] = []
            for k in range(stop - 1, -1, -1):
                if not marks[k] or days[k] in observed:
                    found.append(days[k])
                    if len(found) == n:
                        return tuple(reversed(found))
        raise CalendarRangeError(
            f"{n} Trading Days ending {day.isoformat()} reach back before "
            f"{RANGE_START.isoformat()}, the start of the Trading Day tables"
        )

    def close_on(self, day: date) -> datetime | None:
        """The close of `day` if it is a Trading Day, else None (CalendarRangeError outside
        the tables); remembered per date."""
        try:
            return self._closes[day]
        except KeyError:
            pass
        close = self.close_time(day) if self.is_trading_day(day) else None
        self._closes[day] = close
        return close

    def close_time(self, day: date) -> datetime:
        """The close on Trading Day `day`: the venue's market close, or close of business.

        Section 8 "closing bid"; on proviso days, close of business (terms, 17:00 eastern).
        """
        known = self._closes.get(day)
        if known is not None:
            return known
        ordinal = check_in_range(day)
        rule = self._span_rules[bisect_right(self._span_starts, ordinal) - 1]
        if not rule.accepts(ordinal, day):
            raise NotATradingDayError(
                f"{day.isoformat()} is not a Trading Day on {self.venue_on(day).value}, "
                "so it has no close"
            )
        if rule.proviso:
            close = datetime.combine(day, self.terms.close_of_business, tzinfo=self.terms.zone)
        else:
            close = rule.table.closes[ordinal]
        self._closes[day] = close
        return close
