"""Adjustments suite: the Section 4 warrant fold through the engine, against decoding.

What is measured, each beside merely decoding the same JSON lines with
`shared.events.codec.decode` in the same run (so the ratio is "how many decodes it costs"):
- one corporate action through `Engine.handle`, applied on arrival (event time is past it);
- one corporate action that waits for its date, all applied by a single tick;
- one late action dated before 1,000 applied ones: the fold re-runs all 1,000 (4(g)(ii)
  order) and the desk rescinds and reissues every notice that changed (Section 5);
- `Timeline.refold_from_key` over the same 1,000 entries, the fold alone (no publishing).

The actions cycle through 4(b) splits, combinations and stock dividends, 4(c) distributions
(small ones carried forward under 4(g)(ii) until they add up to 1%) and 4(d) issuances above
the Warrant Price, one per calendar day, so every kind of step is in the mix.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from services.bench import BenchResult, Timing, each, measure
from shared.engine import Engine
from shared.errors import BenchError
from shared.events.codec import decode
from shared.terms import Terms, load_terms

SUITE = "adjustments"
SYMBOL = "GLOW"
FIRST_DAY = date(2006, 1, 3)
REFOLD_EVENTS = 1000
Line = tuple[str, str]   # (topic, raw JSON) as it arrives


def _line(topic: str, record: dict[str, Any]) -> Line:
    return topic, json.dumps({**record, "symbol": SYMBOL})


def _tick(name: str, at: str) -> Line:
    return _line("clock", {"type": "tick", "id": name, "at": at})


PRELUDE: tuple[Line, ...] = (
    _line("registry", {"type": "warrant_issued", "id": "w1", "warrant": "W-F-05",
                       "holder": "H1", "shares": "1000000"}),
    # Original Issue Date PSMV (the 4(d) floor) and a price for the 4(c) record dates.
    _line("quotes", {"type": "quote", "id": "q-oid", "at": "2005-03-14T15:59:00-05:00",
                     "bid": "1.90", "ask": "2.10"}),
    _line("quotes", {"type": "quote", "id": "q-base", "at": "2005-12-30T15:59:00-05:00",
                     "bid": "1.95", "ask": "2.05"}),
)


def actions(count: int, *, prefix: str = "a", first: date = FIRST_DAY) -> list[Line]:
    """`count` corporate actions, one a day from `first`, in date order."""
    lines: list[Line] = []
    for n in range(count):
        name, day = f"{prefix}{n:05d}", (first + timedelta(days=n)).isoformat()
        kind = n % 5
        if kind == 0:
            record = {"type": "stock_split", "id": name, "effective": day, "new": "2",
                      "old": "1"}
        elif kind == 1:
            record = {"type": "distribution", "id": name, "record_date": day, "kind": "debt",
                      "value_per_share": "0.004"}
        elif kind == 2:
            record = {"type": "stock_split", "id": name, "effective": day, "new": "1",
                      "old": "2"}
        elif kind == 3:
            record = {"type": "stock_dividend", "id": name, "record_date": day,
                      "payment_date": day, "rate": "0.01"}
        else:
            record = {"type": "issuance", "id": name, "date": day, "shares": "100000",
                      "consideration": "500000", "outstanding_before": "50000000"}
        lines.append(_line("corporate-actions", record))
    return lines


def _late_action() -> Line:
    """A 2-for-1 split dated before every action of `actions()`: re-folds them all."""
    day = (FIRST_DAY - timedelta(days=1)).isoformat()
    return _line("corporate-actions", {"type": "stock_split", "id": "late", "effective": day,
                                       "new": "2", "old": "1"})


def _engine(terms: Terms, *lines: Line) -> Engine:
    engine = Engine([terms])
    for topic, raw in lines:
        engine.handle(topic, raw)
    return engine


def _rounds(make: Callable[[], Engine], count: int) -> Iterator[Engine]:
    """Engines prepared before timing: each timed round starts from a fresh one."""
    return iter([make() for _ in range(count)])


def _decode_all(lines: list[Line]) -> Callable[[], None]:
    def round_fn() -> None:
        for topic, raw in lines:
            decode(topic, raw)

    return round_fn


def _result(name: str, ours: Timing, baseline_name: str, theirs: Timing) -> BenchResult:
    return BenchResult(
        suite=SUITE, name=name, per_op_seconds=ours.best, baseline_name=baseline_name,
        baseline_per_op_seconds=theirs.best, median_per_op_seconds=ours.median,
        baseline_median_per_op_seconds=theirs.median,
    )


def _check(outputs: list[Any], what: str) -> None:
    """The benchmark is only fair if the engine did the work: no dead letter, notices out."""
    kinds = [record.type for record in outputs]
    if "dead_letter" in kinds or "adjustment" not in kinds:
        raise BenchError(f"adjustments suite: {what} did not fold as intended: "
                           f"{sorted(set(kinds))}")


def run(quick: bool) -> list[BenchResult]:
    terms = load_terms()
    count, repeat = (200, 3) if quick else (1000, 7)
    stream = actions(count)
    past = _tick("t-past", "2009-12-31T12:00:00-05:00")   # after every action's date
    stream_decode = measure(each(lambda line: decode(*line), stream), ops_per_round=count,
                            repeat=repeat)

    # Applied on arrival: event time is already past each action's close of business.
    engines = _rounds(lambda: _engine(terms, *PRELUDE, past), repeat + 1)
    probe = _engine(terms, *PRELUDE, past)
    _check([r for t, raw in stream for r in probe.handle(t, raw)], "in-order stream")

    def on_arrival() -> None:
        engine = next(engines)
        for topic, raw in stream:
            engine.handle(topic, raw)

    results = [_result("corporate action, applied on arrival",
                       measure(on_arrival, ops_per_round=count, repeat=repeat),
                       "decode(topic, json)", stream_decode)]

    # Scheduled: every action arrives before its date, then one tick applies them all.
    engines = _rounds(lambda: _engine(terms, *PRELUDE), repeat + 1)

    def scheduled() -> None:
        engine = next(engines)
        for topic, raw in stream:
            engine.handle(topic, raw)
        engine.handle(*past)

    results.append(_result("corporate action, waits for its date",
                           measure(scheduled, ops_per_round=count, repeat=repeat),
                           "decode(topic, json)", stream_decode))

    # A late action re-folds 1,000 applied ones (and republishes what changed).
    history = actions(REFOLD_EVENTS)
    late = _late_action()
    refold_repeat = 2 if quick else 5
    all_decoded = measure(_decode_all(history), ops_per_round=1, repeat=refold_repeat)
    engines = _rounds(lambda: _engine(terms, *PRELUDE, past, *history), refold_repeat + 1)
    probe = _engine(terms, *PRELUDE, past, *history)
    _check(probe.handle(*late), "late action")

    def late_action() -> None:
        next(engines).handle(*late)

    results.append(_result(f"late action re-folds {REFOLD_EVENTS:,} (Engine.handle)",
                           measure(late_action, ops_per_round=1, repeat=refold_repeat),
                           f"decode {REFOLD_EVENTS:,} json lines", all_decoded))

    # The fold alone: Timeline.refold_from_key over the same 1,000 entries.
    timeline = _engine(terms, *PRELUDE, past, *history).symbols[SYMBOL].desk.timeline
    first_key = timeline.entries[1].key   # entries[0] is the warrant_issued registry entry

    def refold() -> None:
        timeline.refold_from_key(first_key)

    results.append(_result(f"refold_from_key over {REFOLD_EVENTS:,} entries",
                           measure(refold, ops_per_round=1, repeat=refold_repeat),
                           f"decode {REFOLD_EVENTS:,} json lines", all_decoded))
    return results
