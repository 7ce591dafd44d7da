"""Engine suite: the whole in-process engine on a mixed stream, against decoding it.

The stream: 10 symbols (copies of the bundled terms under other symbols), 10 warrants each
(100 warrants), on the OTC Bulletin Board through Trading Days of 2008. About 99% of the
events are quotes (QUOTES_PER_DAY per symbol per day); the rest are registry records, shares
outstanding and holdings reports, corporate actions (1% stock dividends, made at once under
4(b), and small 4(c) distributions, carried forward under 4(g)(ii)), cash exercises (settled
when event time passes the close, capped under Section 7), deliveries in full the next
morning, and one broadcast tick per evening. Every event goes through `Engine.handle` (which
decodes it too); the baseline is merely decoding the same JSON lines with
`shared.events.codec.decode`, in the same run, so the ratio reads "how many decodes one
event costs" (BenchResult.ratio is baseline / ours: 0.2 means 5x the cost of decoding).

Each timed round starts from a fresh `Engine`, built before timing.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from services.bench import BenchResult, Timing, measure
from shared.calendar import TradingCalendar
from shared.engine import Engine
from shared.errors import BenchError
from shared.events.codec import decode
from shared.events.outputs import OutputRecord
from shared.terms import Terms, load_terms
from shared.venues import Venue

SUITE = "engine"
SYMBOLS = 10
WARRANTS_PER_SYMBOL = 10
QUOTES_PER_DAY = 80          # per symbol: one every ~4.5 minutes of the 09:30-16:00 session
FIRST_DAY = date(2008, 1, 2)
LISTED_FROM = date(2007, 1, 2)
Line = tuple[str, str]       # (topic, raw JSON) as it arrives


def symbol_terms(count: int = SYMBOLS) -> list[Terms]:
    """The bundled terms under `count` symbols: GLOW, then GLW01, GLW02 ..."""
    base = load_terms()
    return [base] + [dataclasses.replace(base, symbol=f"GLW{n:02d}") for n in range(1, count)]


def _line(topic: str, record: dict[str, Any]) -> Line:
    return topic, json.dumps(record)


def _at(day: date, clock: time, zone: Any) -> str:
    return datetime.combine(day, clock, tzinfo=zone).isoformat()


def trading_days(terms: Terms, count: int) -> list[date]:
    """The first `count` Trading Days from FIRST_DAY of a stock listed on the OTC Bulletin
    Board since LISTED_FROM (the engine and takeover suites' streams)."""
    calendar = TradingCalendar(terms).with_listing(LISTED_FROM, Venue.OTCBB)
    days: list[date] = []
    day = FIRST_DAY
    while len(days) < count:
        if calendar.is_trading_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _opening(terms: Terms) -> list[Line]:
    """Listing, register, shares outstanding and holdings of one symbol."""
    sym, zone = terms.symbol, terms.zone
    lines = [_line("corporate-actions", {"type": "listing", "id": f"{sym}-otcbb",
                                         "symbol": sym, "effective": LISTED_FROM.isoformat(),
                                         "venue": "OTCBB"})]
    for w in range(WARRANTS_PER_SYMBOL):
        lines.append(_line("registry", {"type": "warrant_issued", "id": f"{sym}-reg-{w}",
                                        "symbol": sym, "warrant": f"{sym}-W{w}",
                                        "holder": f"Holder {w}", "shares": "100000"}))
    opening = _at(FIRST_DAY, time(8, 0), zone)
    lines.append(_line("corporate-actions", {"type": "shares_outstanding", "id": f"{sym}-so0",
                                             "symbol": sym, "as_of": opening,
                                             "shares": "50000000"}))
    return lines


def _day_extras(terms: Terms, s: int, i: int, day: date) -> list[tuple[time, Line]]:
    """The non-quote events of symbol number `s` on day number `i`, with their times."""
    sym, zone = terms.symbol, terms.zone
    w = (i // 5) % WARRANTS_PER_SYMBOL
    out: list[tuple[time, Line]] = []
    if (i + s) % 5 == 0:  # an exercise, delivered in full the next morning
        out.append((time(11, 0), _line("exercises", {
            "type": "exercise", "id": f"{sym}-x{i}", "symbol": sym, "warrant": f"{sym}-W{w}",
            "holder": f"Holder {w}", "submitted_at": _at(day, time(11, 0), zone),
            "delivery": "hand", "cash_shares": "100"})))
    if (i + s) % 5 == 1 and i > 0:
        out.append((time(10, 0), _line("deliveries", {
            "type": "delivery", "id": f"{sym}-d{i - 1}", "symbol": sym,
            "exercise_id": f"{sym}-x{i - 1}", "delivered_at": _at(day, time(10, 0), zone),
            "shares": "100", "channel": "DWAC"})))
    if (i + s) % 10 == 3:
        out.append((time(12, 30), _line("holdings", {
            "type": "holding", "id": f"{sym}-h{i}", "symbol": sym, "holder": f"Holder {w}",
            "as_of": _at(day, time(12, 30), zone), "shares": str(10000 + 100 * i)})))
    if (i + s) % 20 == 7:
        out.append((time(13, 0), _line("corporate-actions", {
            "type": "shares_outstanding", "id": f"{sym}-so-day{i}", "symbol": sym,
            "as_of": _at(day, time(13, 0), zone), "shares": str(50000000 + 1000 * i)})))
    if (i + s) % 20 == 13:
        record: dict[str, Any] = (
            {"type": "stock_dividend", "id": f"{sym}-sd{i}", "symbol": sym,
             "record_date": day.isoformat(), "payment_date": day.isoformat(), "rate": "0.01"}
            if (i // 20) % 2 == 0 else
            {"type": "distribution", "id": f"{sym}-dist{i}", "symbol": sym,
             "record_date": day.isoformat(), "kind": "cash", "value_per_share": "0.005"})
        out.append((time(9, 0), _line("corporate-actions", record)))
    return out


def mixed_stream(days: int, terms: list[Terms]) -> list[Line]:
    """The suite's stream, in event-time order across all symbols."""
    lines: list[Line] = [line for t in terms for line in _opening(t)]
    zone = terms[0].zone
    step = timedelta(minutes=390) / QUOTES_PER_DAY
    for i, day in enumerate(trading_days(terms[0], days)):
        timed: list[tuple[time, int, Line]] = []
        for s, t in enumerate(terms):
            for time_of, line in _day_extras(t, s, i, day):
                timed.append((time_of, s, line))
            for n in range(QUOTES_PER_DAY):
                at = (datetime.combine(day, time(9, 30), tzinfo=zone) + step * n)
                bid = Decimal(300 + (7 * n + 13 * i + 31 * s) % 60) / 100
                timed.append((at.time(), s, _line("quotes", {
                    "type": "quote", "id": f"{t.symbol}-q{i}-{n}", "symbol": t.symbol,
                    "at": at.isoformat(), "bid": str(bid), "ask": str(bid + Decimal("0.05")),
                    "volume": "1000"})))
        timed.sort(key=lambda item: (item[0], item[1]))
        lines.extend(line for _, _, line in timed)
        lines.append(_line("clock", {"type": "tick", "id": f"tick-{i}", "symbol": "*",
                                     "at": _at(day, time(17, 30), zone)}))
    return lines


def check(outputs: list[OutputRecord], stream: list[Line]) -> Counter[str]:
    """The benchmark is only fair if the engine did the work the stream asks for."""
    kinds: Counter[str] = Counter(r.type for r in outputs)  # type: ignore[attr-defined]
    wanted = ("market_value", "settlement", "cap_headroom", "adjustment")
    missing = [k for k in wanted if not kinds[k]]
    if missing or kinds["dead_letter"] or kinds["exercise_refused"] or kinds["exercise_default"]:
        raise BenchError(f"engine suite: the stream did not run as intended: {dict(kinds)}")
    return kinds


def quote_share(stream: list[Line]) -> float:
    return sum(1 for topic, _ in stream if topic == "quotes") / len(stream)


def _rounds(make: Callable[[], Engine], count: int) -> Iterator[Engine]:
    return iter([make() for _ in range(count)])


def _result(name: str, ours: Timing, baseline_name: str, theirs: Timing) -> BenchResult:
    return BenchResult(
        suite=SUITE, name=name, per_op_seconds=ours.best, baseline_name=baseline_name,
        baseline_per_op_seconds=theirs.best, median_per_op_seconds=ours.median,
        baseline_median_per_op_seconds=theirs.median,
    )


def _stream_round(engines: Iterator[Engine], stream: list[Line]) -> Callable[[], None]:
    def round_fn() -> None:
        handle = next(engines).handle
        for topic, raw in stream:
            handle(topic, raw)

    return round_fn


def _decode_round(stream: list[Line]) -> Callable[[], None]:
    def round_fn() -> None:
        for topic, raw in stream:
            decode(topic, raw)

    return round_fn


def run(quick: bool) -> list[BenchResult]:
    terms = symbol_terms()
    days, repeat = (5, 3) if quick else (40, 5)
    stream = mixed_stream(days, terms)
    probe = Engine(terms)
    check([r for topic, raw in stream for r in probe.handle(topic, raw)], stream)
    decoded = measure(_decode_round(stream), ops_per_round=len(stream), repeat=repeat)
    engines = _rounds(lambda: Engine(terms), repeat + 1)
    mixed = measure(_stream_round(engines, stream), ops_per_round=len(stream), repeat=repeat)
    name = (f"mixed event, {SYMBOLS * WARRANTS_PER_SYMBOL} warrants, "
            f"{quote_share(stream):.1%} quotes (Engine.handle)")
    results = [_result(name, mixed, "decode(topic, json)", decoded)]

    quotes = [line for line in stream if line[0] == "quotes"]
    quotes_decoded = measure(_decode_round(quotes), ops_per_round=len(quotes), repeat=repeat)
    engines = _rounds(lambda: Engine(terms), repeat + 1)
    quotes_only = measure(_stream_round(engines, quotes), ops_per_round=len(quotes),
                          repeat=repeat)
    results.append(_result("quote alone, 10 symbols (Engine.handle)", quotes_only,
                           "decode(topic, json)", quotes_decoded))
    return results
