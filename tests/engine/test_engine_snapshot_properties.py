"""Properties of the engine's step over random streams, through its snapshot (hypothesis).

The snapshot (shared/engine/snapshot.py) makes a symbol's whole state comparable as bytes:
- replay determinism: the same records give the same state, byte for byte;
- round trip: a state loaded from its snapshot dumps to the same bytes, and the fold
  continued from it gives the outputs of the uninterrupted fold (snapshot plus tail);
- a refused record changes nothing: a record replayed a second time (a duplicate) and one
  refused before it is applied give at most one dead letter and leave the state as it was.
"""

from __future__ import annotations

from typing import Any

from engine_golden import line
from engine_streams import Stream, streams
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.engine import Engine
from shared.engine.replay import checked_lines
from shared.engine.snapshot import dump_symbols, load_symbols
from shared.events.codec import encode
from shared.terms import load_terms

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
TERMS = load_terms()


def _feed(engine: Engine, records: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for checked in checked_lines(line(r) for r in records):
        assert checked.record is not None, checked.letter
        out.extend(encode(o) for o in engine.process(checked.topic, checked.record,
                                                      checked.text))
    return out


def _state(engine: Engine) -> bytes:
    return dump_symbols(engine, engine.symbols)


@SETTINGS
@given(stream=streams())
def test_the_same_records_give_the_same_state(stream: Stream) -> None:
    first, second = Engine([TERMS]), Engine([TERMS])
    _feed(first, stream.records)
    _feed(second, stream.records)
    assert _state(first) == _state(second)


@SETTINGS
@given(stream=streams(moving_deliveries=True), data=st.data())
def test_a_snapshot_plus_the_tail_is_the_whole_fold(stream: Stream, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(stream.records)), label="cut")
    whole = Engine([TERMS])
    expected = _feed(whole, stream.records)

    head = Engine([TERMS])
    got = _feed(head, stream.records[:cut])
    snapshot = _state(head)
    resumed = Engine([TERMS])
    assert load_symbols(resumed, snapshot) == ["GLOW"]
    assert _state(resumed) == snapshot
    got += _feed(resumed, stream.records[cut:])
    assert got == expected
    assert _state(resumed) == _state(whole)


@SETTINGS
@given(stream=streams(), data=st.data())
def test_a_duplicate_changes_nothing(stream: Stream, data: st.DataObject) -> None:
    where = data.draw(st.integers(stream.body_start + 1, len(stream.records)), label="at")
    again = data.draw(st.integers(0, where - 1), label="again")
    engine = Engine([TERMS])
    _feed(engine, stream.records[:where])
    before = _state(engine)
    out = _feed(engine, [stream.records[again]])
    # a quote or tick of a date event time has left is no longer remembered by id: it is
    # refused as late (its value is published) or changes nothing (docs/operations.md)
    assert len(out) <= 1 and all('"type": "dead_letter"' in o for o in out), out
    assert _state(engine) == before
@SETTINGS
@given(stream=streams(), data=st.data())
def test_a_record_refused_before_it_applies_changes_nothing(stream: Stream,
                                                           data: st.DataObject) -> None:
    """A delivery for no known exercise, stamped at event time: refused, nothing moves."""
    where = data.draw(st.integers(stream.body_start + 1, len(stream.records)), label="at")
    engine = Engine([TERMS])
    _feed(engine, stream.records[:where])
    before = _state(engine)
    at = stream.event_time_before(where)
    record = {"topic": "deliveries", "type": "delivery", "id": "stray-delivery",
              "exercise_id": "no-such-exercise", "delivered_at": at.isoformat(),
              "shares": "1", "channel": "DWAC"}
    out = _feed(engine, [record])
    assert len(out) == 1 and '"type": "dead_letter"' in out[0], out
    assert _state(engine) == before
