"""Event time drives publication (docs/contract.md "Time"; docs/events.md `market_value`).

A date's Per Share Market Value is published once event time passes that date's close, and
only once; what arrives for it afterwards is a dead letter, as are duplicate ids and symbols
with no terms. Hand-worked: 2008-11-18 (Tuesday, EST) quote 1.10 / 1.20 gives 1.15.
"""

from __future__ import annotations

import json
from decimal import Decimal

from shared.engine import Engine
from shared.events.outputs import DeadLetter, MarketValue, OutputRecord
from shared.terms import load_terms


def _quote(qid: str, at: str, bid: str | None = None, ask: str | None = None,
           symbol: str = "GLOW") -> str:
    value: dict[str, str] = {"type": "quote", "id": qid, "symbol": symbol, "at": at}
    if bid is not None:
        value["bid"] = bid
    if ask is not None:
        value["ask"] = ask
    return json.dumps(value)


def _tick(tid: str, at: str) -> str:
    return json.dumps({"type": "tick", "id": tid, "symbol": "GLOW", "at": at})


def _engine() -> Engine:
    return Engine([load_terms()])


def _only_value(out: list[OutputRecord]) -> MarketValue:
    assert len(out) == 1, out
    record = out[0]
    assert isinstance(record, MarketValue)
    return record


def test_a_tick_at_the_close_does_not_publish_one_after_it_does() -> None:
    engine = _engine()
    assert engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20")) == []
    assert engine.handle("clock", _tick("t1", "2008-11-18T15:59:59-05:00")) == []
    assert engine.handle("clock", _tick("t2", "2008-11-18T16:00:00-05:00")) == []
    record = _only_value(engine.handle("clock", _tick("t3", "2008-11-18T16:00:01-05:00")))
    assert record.date.isoformat() == "2008-11-18"
    assert record.value == Decimal("1.15")
    assert engine.handle("clock", _tick("t4", "2008-11-19T16:00:01-05:00")) == []


def test_the_close_in_utc_is_the_same_instant() -> None:
    """16:00 EST is 21:00 UTC: a tick at 21:00:00Z does not publish, 21:00:01Z does."""
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    assert engine.handle("clock", _tick("t1", "2008-11-18T21:00:00Z")) == []
    assert _only_value(engine.handle("clock", _tick("t2", "2008-11-18T21:00:01Z"))).value == \
        Decimal("1.15")


def test_early_close_publishes_after_13_00() -> None:
    """2008-11-28, the day after Thanksgiving: Nasdaq closed at 13:00 eastern."""
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-28T12:00:00-05:00", "1.00", "1.06"))
    assert engine.handle("clock", _tick("t1", "2008-11-28T13:00:00-05:00")) == []
    record = _only_value(engine.handle("clock", _tick("t2", "2008-11-28T13:00:01-05:00")))
    assert record.value == Decimal("1.03")  # (1.00 + 1.06) / 2


def test_a_later_record_publishes_the_passed_close_first() -> None:
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    out = engine.handle("quotes", _quote("q2", "2008-11-19T10:00:00-05:00", "1.30", "1.40"))
    assert _only_value(out).date.isoformat() == "2008-11-18"
    record = _only_value(engine.handle("clock", _tick("t1", "2008-11-19T16:00:01-05:00")))
    assert record.date.isoformat() == "2008-11-19"
    assert record.value == Decimal("1.35")  # (1.30 + 1.40) / 2


def test_one_record_per_date_with_a_closing_quote() -> None:
    engine = _engine()
    out: list[OutputRecord] = []
    # Mon 11-17 and Wed 11-19 have closing quotes; Tue 11-18 only one after its close.
    out += engine.handle("quotes", _quote("q1", "2008-11-17T10:00:00-05:00", "1.00", "1.10"))
    out += engine.handle("quotes", _quote("q2", "2008-11-17T15:00:00-05:00", "1.02", "1.08"))
    out += engine.handle("quotes", _quote("q3", "2008-11-18T16:10:00-05:00", "2.00", "2.10"))
    out += engine.handle("quotes", _quote("q4", "2008-11-19T15:00:00-05:00", "1.20", "1.30"))
    for n, at in enumerate(["2008-11-19T16:00:01-05:00", "2008-11-20T16:00:01-05:00",
                            "2008-11-21T16:00:01-05:00"]):
        out += engine.handle("clock", _tick(f"t{n}", at))
    got = [(r.date.isoformat(), r.value) for r in out if isinstance(r, MarketValue)]
    assert got == [("2008-11-17", Decimal("1.05")), ("2008-11-19", Decimal("1.25"))]
    assert not [r for r in out if isinstance(r, DeadLetter)]


def test_late_quote_for_a_published_date_is_a_dead_letter() -> None:
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    _only_value(engine.handle("clock", _tick("t1", "2008-11-18T16:00:01-05:00")))
    raw = _quote("q2", "2008-11-18T15:30:00-05:00", "1.50", "1.60")
    out = engine.handle("quotes", raw)
    assert len(out) == 1
    letter = out[0]
    assert isinstance(letter, DeadLetter)
    assert letter.raw == raw
    assert letter.topic == "quotes"
    assert "late" in letter.reason
    assert "2008-11-18" in letter.reason
    # The published value stands, and the engine goes on.
    engine.handle("quotes", _quote("q3", "2008-11-19T15:00:00-05:00", "1.30", "1.40"))
    record = _only_value(engine.handle("clock", _tick("t2", "2008-11-19T16:00:01-05:00")))
    assert record.value == Decimal("1.35")


def test_a_quote_after_the_close_of_a_published_date_is_ignored_not_late() -> None:
    """An after-close quote never changes the date, so it is no late correction of it."""
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    _only_value(engine.handle("clock", _tick("t1", "2008-11-18T16:00:01-05:00")))
    assert engine.handle("quotes", _quote("q2", "2008-11-18T16:30:00-05:00", "1.50")) == []


def test_event_time_does_not_go_back() -> None:
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    _only_value(engine.handle("clock", _tick("t1", "2008-11-18T16:00:01-05:00")))
    assert engine.handle("clock", _tick("t2", "2008-11-18T12:00:00-05:00")) == []
    out = engine.handle("quotes", _quote("q2", "2008-11-18T12:00:01-05:00", "1.00", "1.02"))
    assert len(out) == 1
    assert isinstance(out[0], DeadLetter)


def test_duplicate_id_is_a_dead_letter_and_changes_nothing() -> None:
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    raw = _quote("q1", "2008-11-18T15:30:00-05:00", "5.00", "6.00")
    out = engine.handle("quotes", raw)
    assert len(out) == 1
    letter = out[0]
    assert isinstance(letter, DeadLetter)
    assert letter.raw == raw
    assert "duplicate" in letter.reason
    assert "q1" in letter.reason
    record = _only_value(engine.handle("clock", _tick("t1", "2008-11-18T16:00:01-05:00")))
    assert record.value == Decimal("1.15")


def test_duplicate_tick_is_a_dead_letter() -> None:
    engine = _engine()
    engine.handle("clock", _tick("t1", "2008-11-18T10:00:00-05:00"))
    out = engine.handle("clock", _tick("t1", "2008-11-18T10:00:00-05:00"))
    assert len(out) == 1
    assert isinstance(out[0], DeadLetter)


def test_unknown_symbol_is_a_dead_letter() -> None:
    engine = _engine()
    raw = _quote("q1", "2008-11-18T15:00:00-05:00", "5.00", "5.10", symbol="ACME")
    out = engine.handle("quotes", raw)
    assert len(out) == 1
    letter = out[0]
    assert isinstance(letter, DeadLetter)
    assert letter.raw == raw
    assert letter.symbol == "ACME"
    assert "ACME" in letter.reason
    assert "symbol" in letter.reason
    # GLOW is untouched by it.
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    record = _only_value(engine.handle("clock", _tick("t1", "2008-11-18T16:00:01-05:00")))
    assert record.value == Decimal("1.15")


def test_quote_on_a_holiday_publishes_nothing() -> None:
    """Thanksgiving, Thursday 2008-11-27: Nasdaq closed, no closing quote, no record."""
    engine = _engine()
    assert engine.handle("quotes", _quote("q1", "2008-11-27T12:00:00-05:00", "1.00", "1.10")) == []
    assert engine.handle("clock", _tick("t1", "2008-11-28T17:00:00-05:00")) == []


def test_daily_bar_outside_the_calendar_is_a_dead_letter_not_a_crash() -> None:
    """Bad input gets a dead letter; the Trading Day tables cover 1995..2035 only."""
    engine = _engine()
    for n, day in enumerate(["1990-01-02", "2040-01-03"]):
        raw = json.dumps({"type": "daily_bar", "id": f"b{n}", "symbol": "GLOW", "date": day,
                          "close": "1.17"})
        out = engine.handle("quotes", raw)
        assert len(out) == 1
        letter = out[0]
        assert isinstance(letter, DeadLetter)
        assert letter.raw == raw
        assert "date" in letter.reason
        assert day in letter.reason
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "1.10", "1.20"))
    assert _only_value(engine.handle("clock", _tick("t1", "2008-11-18T16:00:01-05:00"))).value \
        == Decimal("1.15")


def test_quote_outside_the_calendar_is_a_dead_letter() -> None:
    engine = _engine()
    raw = _quote("q1", "1990-01-02T15:00:00-05:00", "1.10", "1.20")
    out = engine.handle("quotes", raw)
    assert len(out) == 1
    assert isinstance(out[0], DeadLetter)
    assert "1990-01-02" in out[0].reason
