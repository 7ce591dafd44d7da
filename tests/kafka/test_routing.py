"""`route` skips the full decode when a message is keyed by its own symbol; it must still
route every message exactly as the decoded record says (`route_by_record`)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from kafka_scenario import poison_pairs, scenario_lines

from services.streams.routing import route, route_by_record

PARTITIONS = 4
SYMBOLS = ["GLOW", "GLOWD", "*", "", " GLOW", "glow", "NOPE", "\u00e9"]


def test_the_scenario_and_the_poison_route_as_their_records_say() -> None:
    messages: list[tuple[str, str]] = []
    for line in scenario_lines(limit=60):
        try:
            envelope = json.loads(line)
            messages.append((envelope["topic"], json.dumps(envelope["value"])))
        except (ValueError, TypeError, KeyError):
            continue
    messages += poison_pairs()
    assert len(messages) > 100
    for topic, raw in messages:
        for key in (None, b"GLOW", b"GLOWD", b"*", b"", b"\xff"):
            assert route(topic, raw, key, PARTITIONS) == \
                route_by_record(topic, raw, key, PARTITIONS), (topic, raw, key)


values = st.fixed_dictionaries(
    {"type": st.sampled_from(["quote", "tick", "listing", "holding"]),
     "id": st.sampled_from(["a", "b"]),
     "symbol": st.one_of(st.sampled_from(SYMBOLS), st.integers(), st.none()),
     "at": st.sampled_from(["2011-01-04T10:00:00-05:00", "yesterday"])},
    optional={"bid": st.sampled_from(["0.5", "-1", "x"]), "ask": st.sampled_from(["0.6"]),
              "last": st.sampled_from(["0.55"])})


@given(topic=st.sampled_from(["quotes", "clock", "corporate-actions", "holdings", "nope"]),
       value=values,
       key=st.one_of(st.none(), st.sampled_from([s.encode() for s in SYMBOLS]), st.binary()),
       mangle=st.sampled_from(["", "junk", "list"]))
def test_any_message_routes_as_its_decoded_record_says(topic: str, value: dict[str, object],
                                                       key: bytes | None, mangle: str) -> None:
    raw = json.dumps(value)
    if mangle == "junk":
        raw = raw[:-1]
    elif mangle == "list":
        raw = json.dumps([value])
    assert route(topic, raw, key, PARTITIONS) == route_by_record(topic, raw, key, PARTITIONS)
