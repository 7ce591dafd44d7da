"""Calendar suite: a Section 8 Trading Day query against pandas-market-calendars per query.

The baseline answers the same question the way a caller without our tables would: one
`valid_days(start, end)` call per query. The tables are built before timing (once per
process, as in the services), so the figures are the steady-state cost of a query.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from services.bench import BenchResult, compare
from shared.calendar import TradingCalendar
from shared.terms import Terms, load_terms
from shared.venues import Venue

SUITE = "calendar"
_FIRST, _LAST = date(1996, 1, 1), date(2034, 12, 31)


def _dates(count: int, seed: int = 8) -> list[date]:
    rng = random.Random(seed)  # fixed seed: the same queries in every run
    span = (_LAST - _FIRST).days
    return [_FIRST + timedelta(days=rng.randrange(span)) for _ in range(count)]


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


def _timeline(terms: Terms) -> TradingCalendar:
    """A stock that moves Nasdaq -> Pink Sheets -> not traded -> Nasdaq, with halts."""
    calendar = (
        TradingCalendar(terms)
        .with_listing(date(2003, 6, 2), Venue.PINK)
        .with_listing(date(2009, 1, 5), Venue.NONE)
        .with_listing(date(2015, 3, 2), Venue.NASDAQ)
    )
    for day in _dates(40, seed=9):
        calendar = calendar.with_halt(day)
    return calendar


def run(quick: bool) -> list[BenchResult]:
    import pandas_market_calendars as pmc

    terms = load_terms()
    nasdaq = TradingCalendar(terms)
    nasdaq.is_trading_day(_FIRST)  # builds the session tables before timing
    market = pmc.get_calendar("NASDAQ")
    # Many short alternating rounds, best one kept: robust to a machine shared with others.
    ours_count, theirs_count, repeat = (300, 10, 5) if quick else (1000, 30, 25)
    inputs = _dates(ours_count)
    base_inputs = inputs[:theirs_count]

    for n in (3, 20):  # the benchmark is only fair if both give the same answers
        expected = _after_baseline(market, n)
        for day in base_inputs:
            if nasdaq.trading_days_after(day, n) != expected(day):
                raise RuntimeError(f"calendar suite: answers differ for {day} + {n}")

    def after(n: int) -> Callable[[date], date]:
        return lambda d: nasdaq.trading_days_after(d, n)

    results = [
        compare(
            SUITE,
            f"trading_days_after(d, {n}) NASDAQ",
            after(n),
            "pmc valid_days(start, end)",
            _after_baseline(market, n),
            inputs,
            baseline_inputs=base_inputs,
            repeat=repeat,
        )
        for n in (3, 20)
    ]
    results.append(
        compare(
            SUITE,
            "is_trading_day(d) NASDAQ",
            nasdaq.is_trading_day,
            "pmc valid_days(d, d)",
            _is_day_baseline(market),
            inputs,
            baseline_inputs=base_inputs,
            repeat=repeat,
        )
    )
    timeline = _timeline(terms)
    results.append(
        compare(
            SUITE,
            "trading_days_after(d, 3) 3 tiers+halts",
            lambda d: timeline.trading_days_after(d, 3),
            "pmc valid_days(start, end)",
            _after_baseline(market, 3),
            inputs,
            baseline_inputs=base_inputs,
            repeat=repeat,
        )
    )
    return results
