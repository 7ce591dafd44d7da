"""Calendar suite: Section 8 Trading Day queries against pandas-market-calendars (pmc).

Two peers answer each question the way a caller without our tables would:
- per query: one `valid_days(start, end)` call per query (`valid_days(d, d)` for "is it a
  session"), as the pmc documentation shows;
- precomputing: `valid_days` called once for the whole range, kept as a sorted numpy array
  of day ordinals and searched with `numpy.searchsorted` per query: the fair peer of a user
  who builds a table too.
For the stock that changes tier ("3 tiers+halts": Nasdaq -> Pink Sheets -> not traded ->
Nasdaq, with halts) both peers answer the same question as ours, not a Nasdaq-only one: the
venue in force on each day picks its source (pmc NASDAQ, pmc NYSE for the Pink Sheets
(docs/contract.md "Trading Day"), the Section 8 proviso's New York business-day rule of
`shared.calendar.new_york` for the untraded span, since pmc has no such calendar), and the
halts are removed from the market days.

Every row first checks every answer of both sides on every input (the benchmark is fair only
if they agree), then times both on the same inputs in alternating rounds. Our tables are built
before timing (once per process, as in the services), so the figures are the steady-state cost
of a query. docs/calendar.md "Benchmark".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from services.bench import BenchResult, compare
from shared.calendar import TradingCalendar
from shared.calendar.exchange import RANGE_END, RANGE_START
from shared.calendar.new_york import is_new_york_business_day
from shared.errors import BenchError
from shared.terms import Terms, load_terms
from shared.venues import Venue

SUITE = "calendar"
_FIRST, _LAST = date(1996, 1, 1), date(2034, 12, 31)
NEW_YORK = "New York business days"  # the proviso's rule (no pmc calendar has it)

# The timeline of the "3 tiers+halts" rows: (first day, venue), from the Original Issue
# Date's Nasdaq (terms `initial_venue`) on.
TIMELINE: tuple[tuple[date, Venue], ...] = (
    (date(2003, 6, 2), Venue.PINK),
    (date(2009, 1, 5), Venue.NONE),
    (date(2015, 3, 2), Venue.NASDAQ),
)
# The source of each venue's days for the peers (docs/contract.md "Trading Day": the NYSE/
# Nasdaq schedule for the OTC venues; W-F-05 keeps the Pink Sheets off the proviso).
_PEER_SOURCE = {Venue.NASDAQ: "NASDAQ", Venue.PINK: "NYSE", Venue.NONE: NEW_YORK}


def _dates(count: int, seed: int = 8) -> list[date]:
    rng = random.Random(seed)  # fixed seed: the same queries in every run
    span = (_LAST - _FIRST).days
    return [_FIRST + timedelta(days=rng.randrange(span)) for _ in range(count)]


def _halts() -> frozenset[date]:
    return frozenset(_dates(40, seed=9))


# --- the per-query peer ----------------------------------------------------------------------


def _after_baseline(market: Any, n: int) -> Callable[[date], date]:
    """N Trading Days after d with pandas-market-calendars: a window of valid days."""
    window = timedelta(days=2 * n + 10)  # wide enough for n sessions plus any closure run

    def op(day: date) -> date:
        valid = market.valid_days(day + timedelta(days=1), day + window)
        result: date = valid[n - 1].date()
        return result

    return op


def _is_day_baseline(market: Any) -> Callable[[date], bool]:
    def op(day: date) -> bool:
        return len(market.valid_days(day, day)) > 0

    return op


@dataclass(frozen=True, slots=True)
class _Span:
    first: date
    last: date
    source: str


def _spans(initial: Venue) -> tuple[_Span, ...]:
    starts = ((RANGE_START, initial), *TIMELINE)
    spans = []
    for i, (first, venue) in enumerate(starts):
        last = starts[i + 1][0] - timedelta(days=1) if i + 1 < len(starts) else RANGE_END
        spans.append(_Span(first, last, _PEER_SOURCE[venue]))
    return tuple(spans)


def _peer_days(markets: dict[str, Any], halts: frozenset[date], spans: Sequence[_Span],
               first: date, last: date) -> list[date]:
    """The Trading Days from `first` to `last` for the timeline, as a pmc user finds them."""
    days: list[date] = []
    for span in spans:
        lo, hi = max(first, span.first), min(last, span.last)
        if lo > hi:
            continue
        if span.source == NEW_YORK:  # the proviso: halts do not apply (no market)
            days.extend(lo + timedelta(days=k) for k in range((hi - lo).days + 1)
                        if is_new_york_business_day(lo + timedelta(days=k)))
        else:
            days.extend(d for d in (ts.date() for ts in markets[span.source].valid_days(lo, hi))
                        if d not in halts)
    return days


def _timeline_after_baseline(markets: dict[str, Any], halts: frozenset[date],
                             spans: Sequence[_Span], n: int) -> Callable[[date], date]:
    def op(day: date) -> date:
        window = 2 * n + 10
        while True:
            found = _peer_days(markets, halts, spans, day + timedelta(days=1),
                               day + timedelta(days=window))
            if len(found) >= n:
                return found[n - 1]
            window *= 2

    return op


def _timeline_is_day_baseline(markets: dict[str, Any], halts: frozenset[date],
                              spans: Sequence[_Span]) -> Callable[[date], bool]:
    def op(day: date) -> bool:
        return bool(_peer_days(markets, halts, spans, day, day))

    return op


# --- the precomputing peer -------------------------------------------------------------------


def _ordinals(days: Sequence[date]) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.array([d.toordinal() for d in days], dtype=np.int64)


def _market_ordinals(market: Any) -> np.ndarray[Any, np.dtype[np.int64]]:
    """`valid_days` once for the whole range of the tables."""
    return _ordinals([ts.date() for ts in market.valid_days(RANGE_START, RANGE_END)])


def _after_precomputed(table: np.ndarray[Any, np.dtype[np.int64]],
                       n: int) -> Callable[[date], date]:
    def op(day: date) -> date:
        i = int(np.searchsorted(table, day.toordinal(), side="right"))  # days on or before
        return date.fromordinal(int(table[i + n - 1]))

    return op


def _is_day_precomputed(table: np.ndarray[Any, np.dtype[np.int64]]) -> Callable[[date], bool]:
    size = len(table)

    def op(day: date) -> bool:
        ordinal = day.toordinal()
        i = int(np.searchsorted(table, ordinal))
        return i < size and int(table[i]) == ordinal

    return op


# --- the suite -------------------------------------------------------------------------------


def _timeline(terms: Terms) -> TradingCalendar:
    """A stock that moves Nasdaq -> Pink Sheets -> not traded -> Nasdaq, with halts."""
    calendar = TradingCalendar(terms)
    for first, venue in TIMELINE:
        calendar = calendar.with_listing(first, venue)
    for day in sorted(_halts()):
        calendar = calendar.with_halt(day)
    return calendar


def _check(name: str, ours: Callable[[date], object], peer_name: str,
           peer: Callable[[date], object], inputs: Sequence[date]) -> None:
    """Every answer of both sides on every input: a benchmark is fair only if they agree."""
    for day in inputs:
        mine, theirs = ours(day), peer(day)
        if mine != theirs:
            raise BenchError(f"calendar suite: {name} gives {mine} for {day}, {peer_name} "
                             f"gives {theirs}")


def run(quick: bool) -> list[BenchResult]:
    import pandas_market_calendars as pmc

    terms = load_terms()
    nasdaq = TradingCalendar(terms)
    nasdaq.is_trading_day(_FIRST)  # builds the session tables before timing
    timeline = _timeline(terms)
    timeline.trading_days_after(_FIRST, 1)  # and the timeline's counting table
    markets = {"NASDAQ": pmc.get_calendar("NASDAQ"), "NYSE": pmc.get_calendar("NYSE")}
    market = markets["NASDAQ"]
    halts = _halts()
    spans = _spans(terms.initial_venue)
    # Both sides on the same inputs; many short alternating rounds, best one kept: robust to
    # a machine shared with others.
    count, repeat = (300, 3) if quick else (1000, 9)
    inputs = _dates(count)
    figures = (("inputs", count), ("baseline_inputs", count), ("answers_checked", count))

    nasdaq_table = _market_ordinals(market)
    merged = _ordinals(_peer_days(markets, halts, spans, RANGE_START, RANGE_END))

    def row(name: str, ours: Callable[[date], object], peer_name: str,
            peer: Callable[[date], object]) -> BenchResult:
        _check(name, ours, peer_name, peer, inputs)
        result = compare(SUITE, name, ours, peer_name, peer, inputs, repeat=repeat)
        return replace(result, figures=figures)

    def after(calendar: TradingCalendar, n: int) -> Callable[[date], date]:
        return lambda d: calendar.trading_days_after(d, n)

    per_query = "pmc valid_days(start, end)"
    precomputed = "pmc valid_days once + numpy searchsorted"
    timeline_per_query = "pmc valid_days per tier + NY rule + halts, per query"
    timeline_precomputed = "pmc valid_days per tier once + NY rule + halts, searchsorted"
    results = [row(f"trading_days_after(d, {n}) NASDAQ", after(nasdaq, n), per_query,
                   _after_baseline(market, n)) for n in (3, 20)]
    results.append(row("is_trading_day(d) NASDAQ", nasdaq.is_trading_day,
                       "pmc valid_days(d, d)", _is_day_baseline(market)))
    results.append(row("trading_days_after(d, 3) 3 tiers+halts", after(timeline, 3),
                       timeline_per_query,
                       _timeline_after_baseline(markets, halts, spans, 3)))
    # the precomputing peer, beside each row above
    results += [row(f"trading_days_after(d, {n}) NASDAQ vs precomputed", after(nasdaq, n),
                    precomputed, _after_precomputed(nasdaq_table, n)) for n in (3, 20)]
    results.append(row("is_trading_day(d) NASDAQ vs precomputed", nasdaq.is_trading_day,
                       precomputed, _is_day_precomputed(nasdaq_table)))
    results.append(row("trading_days_after(d, 3) 3 tiers+halts vs precomputed",
                       after(timeline, 3), timeline_precomputed,
                       _after_precomputed(merged, 3)))
    results.append(row("is_trading_day(d) 3 tiers+halts", timeline.is_trading_day,
                       "pmc valid_days(d, d) per tier + NY rule + halts",
                       _timeline_is_day_baseline(markets, halts, spans)))
    results.append(row("is_trading_day(d) 3 tiers+halts vs precomputed",
                       timeline.is_trading_day, timeline_precomputed,
                       _is_day_precomputed(merged)))
    return results
