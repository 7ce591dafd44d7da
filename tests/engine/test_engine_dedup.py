"""De-duplication without keeping every id for ever (docs/operations.md "Duplicates").

Hand-worked on the bundled terms (OTCBB from the scenario's listing: a 16:00 close):
2008-11-18 and 2008-11-19 are Trading Days (Tuesday, Wednesday); on the OTCBB the PSMV is the
closing bid (8(b)): 1.10 for a 1.10 / 1.20 quote.
- a quote id repeated while its date is open is a duplicate (dead letter, nothing changes);
- once event time is on a later date and the date's value is published, the id is
  forgotten: the same quote again is refused as late, the published value standing;
- corporate actions, registry and exercise records are few: their ids are kept for good;
- a million quotes' ids are never held at once: only the dates still open.
"""

from __future__ import annotations

import json
from decimal import Decimal

from shared.engine import Engine
from shared.events.outputs import DeadLetter
from shared.terms import load_terms


def _quote(qid: str, at: str, bid: str = "1.10", ask: str = "1.20") -> str:
    return json.dumps({"type": "quote", "id": qid, "symbol": "GLOW", "at": at, "bid": bid,
                       "ask": ask})


def _engine() -> Engine:
    engine = Engine([load_terms()])
    engine.handle("corporate-actions", json.dumps({
        "type": "listing", "id": "otcbb", "symbol": "GLOW", "effective": "2005-01-03",
        "venue": "OTCBB"}))
    return engine


def test_a_repeat_on_its_own_date_is_a_duplicate() -> None:
    engine = _engine()
    assert engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00")) == []
    out = engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00", "5.00", "6.00"))
    assert len(out) == 1 and isinstance(out[0], DeadLetter)
    assert "duplicate id" in out[0].reason


def test_a_repeat_after_its_date_is_published_is_late_and_its_id_forgotten() -> None:
    engine = _engine()
    engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00"))
    out = engine.handle("quotes", _quote("q2", "2008-11-19T10:00:00-05:00"))
    assert [r.type for r in out] == ["market_value"]  # type: ignore[attr-defined]
    assert out[0].value == Decimal("1.10")  # type: ignore[attr-defined]  # 8(b): closing bid
    symbol = engine.symbols["GLOW"]
    remembered = {i for by_topic in symbol.recent.values() for ids in by_topic.values()
                  for i in ids}
    assert remembered == {"q2"}
    again = engine.handle("quotes", _quote("q1", "2008-11-18T15:00:00-05:00"))
    assert len(again) == 1 and isinstance(again[0], DeadLetter)
    assert "late quote" in again[0].reason


def test_a_repeated_corporate_action_is_refused_however_late() -> None:
    engine = _engine()
    for n in range(3):
        engine.handle("quotes", _quote(f"q{n}", f"2008-11-{18 + n}T15:00:00-05:00"))
    out = engine.handle("corporate-actions", json.dumps({
        "type": "listing", "id": "otcbb", "symbol": "GLOW", "effective": "2005-01-03",
        "venue": "OTCBB"}))
    assert len(out) == 1 and isinstance(out[0], DeadLetter)
    assert "duplicate id" in out[0].reason


def test_quote_ids_do_not_accumulate() -> None:
    engine = _engine()
    days = ["2008-11-17", "2008-11-18", "2008-11-19", "2008-11-20", "2008-11-21"]
    for d, day in enumerate(days):
        for n in range(50):
            engine.handle("quotes", _quote(f"q{d}-{n}", f"{day}T{10 + n // 10}:{n % 10:02d}:00"
                                                          "-05:00"))
    symbol = engine.symbols["GLOW"]
    held = sum(len(ids) for by_topic in symbol.recent.values() for ids in by_topic.values())
    assert held == 50  # the open date's quotes only
    assert "quotes" not in symbol.seen
