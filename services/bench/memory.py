"""Memory suite: what one symbol's state costs as it folds quotes, and its snapshot.

docs/operations.md "State across restarts": nothing is kept per record for ever (quote ids
only while their date is open, closing prices per date, not per quote), so a million quotes
on one symbol should grow the process by little. The stream: the bundled terms on the OTC
Bulletin Board, `QUOTES_PER_DAY` quotes each Trading Day from 2005 (one every 23.4 seconds
of the 09:30-16:00 session), generated as it is folded so that only the engine holds
anything. Rows:
- "memory growth, 1,000,000 quotes, in process": `Engine.handle` per quote (decoding
  included) against decoding alone; the figures `quotes` and `rss_growth_bytes` (resident
  set size after the fold less before it, after a garbage collection, from
  /proc/self/statm; peak RSS from getrusage where that file is missing);
- "snapshot dump" / "snapshot load" of the demo scenario and of the quote stream
  (100,000 quotes), with the figure `bytes` (shared/engine/snapshot.py).
"""

from __future__ import annotations

import gc
import json
import resource
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

from services.bench import BenchResult, measure
from services.scenarios import scenario_text
from shared.calendar import TradingCalendar
from shared.engine import Engine
from shared.engine.replay import replay_lines, split_replay_lines
from shared.engine.snapshot import dump_symbols, load_symbols
from shared.events.codec import decode
from shared.terms import Terms, load_terms
from shared.venues import Venue

SUITE = "memory"
QUOTES_PER_DAY = 1000
FIRST_DAY = date(2005, 1, 3)
Line = tuple[str, str]


def rss_bytes() -> int:
    """The resident set size of this process now (Linux), else its peak."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        pages = int(statm.read_text().split()[1])
        return pages * resource.getpagesize()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _listing(terms: Terms) -> Line:
    return "corporate-actions", json.dumps({
        "type": "listing", "id": "bench-otcbb", "symbol": terms.symbol,
        "effective": "2004-01-02", "venue": "OTCBB"})


def quotes(terms: Terms, count: int) -> Iterator[Line]:
    """`count` quotes of one symbol in event-time order, made one at a time."""
    calendar = TradingCalendar(terms).with_listing(date(2004, 1, 2), Venue.OTCBB)
    step = timedelta(minutes=390) / QUOTES_PER_DAY
    day, made = FIRST_DAY, 0
    while made < count:
        if calendar.is_trading_day(day):
            opening = datetime.combine(day, clock(9, 30), tzinfo=terms.zone)
            for k in range(min(QUOTES_PER_DAY, count - made)):
                bid = Decimal(300 + (7 * k + made // QUOTES_PER_DAY) % 60) / 100
                yield "quotes", json.dumps({
                    "type": "quote", "id": f"bench-q{made}", "symbol": terms.symbol,
                    "at": (opening + step * k).isoformat(), "bid": str(bid),
                    "ask": str(bid + Decimal("0.05")), "volume": "1000"})
                made += 1
        day += timedelta(days=1)


def fold_quotes(terms: Terms, count: int) -> tuple[Engine, float, int]:
    """An engine that folded `count` quotes; seconds per quote and RSS growth in bytes."""
    engine = Engine([terms])
    engine.handle(*_listing(terms))
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    handle = engine.handle
    for topic, raw in quotes(terms, count):
        handle(topic, raw)
    seconds = (time.perf_counter() - start) / count
    gc.collect()
    return engine, seconds, rss_bytes() - before


def _decode_seconds(terms: Terms, count: int) -> float:
    lines = list(quotes(terms, count))
    start = time.perf_counter()
    for topic, raw in lines:
        decode(topic, raw)
    return (time.perf_counter() - start) / count


def _snapshot_rows(label: str, engine: Engine, repeat: int) -> list[BenchResult]:
    symbols = list(engine.symbols)
    data = dump_symbols(engine, symbols)
    dumped = measure(lambda: dump_symbols(engine, symbols), ops_per_round=1, repeat=repeat)
    terms = [s.terms for s in engine.symbols.values()]
    fresh = [Engine(terms) for _ in range(repeat + 1)]
    loaded = measure(lambda: load_symbols(fresh.pop(), data), ops_per_round=1, repeat=repeat)
    return [BenchResult(
        suite=SUITE, name=f"snapshot dump, {label}", per_op_seconds=dumped.best,
        baseline_name="snapshot load", baseline_per_op_seconds=loaded.best,
        median_per_op_seconds=dumped.median, baseline_median_per_op_seconds=loaded.median,
        figures=(("bytes", len(data)),),
    )]


def run(quick: bool) -> list[BenchResult]:
    terms = load_terms()
    count = 100_000 if quick else 1_000_000
    _, per_quote, growth = fold_quotes(terms, count)
    results = [BenchResult(
        suite=SUITE, name=f"memory growth, {count:,} quotes, in process (Engine.handle)",
        per_op_seconds=per_quote, baseline_name="decode(topic, json)",
        baseline_per_op_seconds=_decode_seconds(terms, min(count, 100_000)),
        figures=(("quotes", count), ("rss_growth_bytes", growth)),
    )]
    demo = Engine([terms])
    replay_lines(demo, split_replay_lines(scenario_text()))
    results += _snapshot_rows("demo scenario (wf05-life)", demo, 20)
    sample = 10_000 if quick else 100_000
    engine, _, _ = fold_quotes(terms, sample)
    results += _snapshot_rows(f"{sample:,} quotes", engine, 5 if quick else 10)
    return results
