"""The next due instant a symbol's engine keeps (shared/engine/symbol.py `_due`), so that a
quote falling before it looks at no queue (docs/operations.md "Throughput").

- Hand-worked: a quote after a pending close, settlement or delivery deadline still makes
  each fall due, in instant order, in that quote's outputs.
- Properties (hypothesis, the random streams of `engine_streams`): whenever the kept instant
  is known it equals the earliest instant of every queue worked out afresh; an engine that
  forgets it before every record (so looks at every queue every time, as before it was kept)
  gives the same outputs byte for byte; and no id is kept of a date that event time has left
  and whose value is published.
- The quote's own path works out one date per quote: a quote has one date field, `at`.
"""

from __future__ import annotations

from datetime import date, datetime
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from engine_golden import line, run_records, scenario_input, scenarios
from engine_streams import Stream, prelude, streams
from hypothesis import HealthCheck, given, settings

from shared.engine import Engine
from shared.engine.symbol import SymbolEngine
from shared.events.inputs import Quote
from shared.terms import load_terms

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _quote(rid: str, at: str) -> dict[str, Any]:
    return {"topic": "quotes", "type": "quote", "id": rid, "at": at, "bid": "2.50",
            "ask": "2.60"}


def _kept_equals_queues(sym: SymbolEngine) -> None:
    if sym._due_known:
        assert sym._due == sym.next_due_instant()


def test_a_quote_after_what_fell_due_emits_it_in_instant_order() -> None:
    """June 2008 on the OTC Bulletin Board (EDT), the prelude of `engine_streams`: Fund A
    exercises 1,000 warrant shares for cash at 11:00 on Monday 2 June (hand delivery:
    effective at once) and no share is ever delivered.

    - 2 June closes at 16:00: its PSMV is due then; the settlement just after (16:00:00.000001,
      once the PSMV of the exercise date is known). The first quote after, 10:00 on 3 June,
      emits both, the market value first.
    - 2(d): delivery by the 3rd Trading Day after 2 June = Thursday 5 June (3, 4, 5), the
      deadline the end of that day, 00:00 on Friday 6 June. The quote of 09:30 on 6 June is
      the first record past both the 16:00 close of 5 June and that deadline: the market
      value of 5 June, then the Exercise Default.
    """
    records = [
        *prelude(None),
        _quote("q1", "2008-06-02T11:00:00-04:00"),
        {"topic": "exercises", "type": "exercise", "id": "x1", "warrant": "W-F-05-001",
         "holder": "Fund A", "submitted_at": "2008-06-02T11:00:00-04:00", "delivery": "hand",
         "cash_shares": "1000"},
        _quote("q2", "2008-06-03T10:00:00-04:00"),
        _quote("q3", "2008-06-04T10:00:00-04:00"),
        _quote("q4", "2008-06-05T10:00:00-04:00"),
        _quote("q5", "2008-06-05T15:00:00-04:00"),  # before the close: nothing due
        _quote("q6", "2008-06-06T09:30:00-04:00"),
    ]
    engine = Engine([load_terms()])
    emitted = run_records(records, engine)
    by_cause: dict[str, list[tuple[str, Any]]] = {}
    for e in emitted:
        key = e.data.get("date") or e.data.get("exercise_id")
        by_cause.setdefault(e.cause, []).append((e.type, key))
    assert by_cause.get("q1") is None and by_cause.get("x1") is None
    assert by_cause["q2"][:2] == [("market_value", "2008-06-02"), ("settlement", "x1")]
    assert by_cause["q3"] == [("market_value", "2008-06-03")]
    assert by_cause["q4"] == [("market_value", "2008-06-04")]
    assert by_cause.get("q5") is None
    assert by_cause["q6"] == [("market_value", "2008-06-05"), ("exercise_default", "x1")]
    sym = engine.symbols["GLOW"]
    # after q6: 6 June is pending (its close, 16:00 EDT, is next); nothing else is watched
    assert sym._due_known
    assert sym._due == datetime.fromisoformat("2008-06-06T16:00:00-04:00")
    _kept_equals_queues(sym)


def _run(records: list[dict[str, Any]], *, forget: bool) -> list[str]:
    """Outputs of `records` through the engine, line by line; with `forget`, every symbol's
    engine forgets its next due instant before each record (it scans every queue)."""
    engine = Engine([load_terms()])
    out: list[str] = []
    for record in records:
        for sym in engine.symbols.values():
            if forget:
                sym._due_known = False
        out.extend(e.line for e in run_records([record], engine))
        for sym in engine.symbols.values():
            _kept_equals_queues(sym)
            _no_old_ids(sym)
    return out


def _no_old_ids(sym: SymbolEngine) -> None:
    """docs/operations.md "Duplicates": ids of a date are kept while event time is on or
    before it, or its value is still to be published."""
    if sym.now is None:
        return
    today = sym.now.astimezone(sym.terms.zone).date()
    assert all(d >= today or d in sym.market.pending for d in sym.recent)


@PROPERTY_SETTINGS
@given(streams())
def test_the_kept_instant_is_the_earliest_of_the_queues(stream: Stream) -> None:
    assert _run(stream.records, forget=False) == _run(stream.records, forget=True)


@PROPERTY_SETTINGS
@given(streams(moving_deliveries=True))
def test_the_kept_instant_with_deliveries_moving_event_time(stream: Stream) -> None:
    assert _run(stream.records, forget=False) == _run(stream.records, forget=True)


def test_the_bundled_scenarios_with_and_without_the_kept_instant() -> None:
    for _, scenario in scenarios():
        records = scenario_input(scenario)
        assert line(records[0])  # a well-formed resource
        assert _run(records, forget=False) == _run(records, forget=True), scenario["name"]


def _holds_dates(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, date)
    if get_origin(annotation) in (Union, UnionType) or get_args(annotation):
        return any(_holds_dates(a) for a in get_args(annotation))
    return False


def test_a_quote_has_one_date_field() -> None:
    """`SymbolEngine._process_quote` checks the Trading Day range on `at` alone."""
    hints = get_type_hints(Quote, include_extras=False)
    dated = {name for name, annotation in hints.items()
             if not name.startswith(("_", "model_")) and _holds_dates(annotation)}
    assert dated == {"at"}
