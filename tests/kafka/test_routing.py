"""`route` skips the full decode when a message is keyed by its own symbol; it must still
route every message exactly as the decoded record says (`route_by_record`)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kafka_scenario import poison_pairs, scenario_lines

from services.kafka.partitioning import partition_of
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


QUOTE = ('"type": "quote", "id": "q1", "at": "2011-01-04T10:00:00-05:00", "bid": "0.5", '
         '"ask": "0.6"')


@pytest.mark.parametrize("raw", [
    # what the json module and msgspec might read differently: the fast route reads only
    # `symbol` with msgspec, the full one decodes the record with the json module
    '{' + QUOTE + ', "symbol": "GLOW", "symbol": "GLOWD"}',  # the last occurrence counts
    '{' + QUOTE + ', "symbol": "GLOWD", "symbol": "GLOW"}',
    '{' + QUOTE + ', "symbol": "GL\\u004fW"}',  # an escaped letter
    '{' + QUOTE + ', "symbol": "GLOW\\u0000"}',
    '{' + QUOTE + ', "symbol": "\\ud800GLOW"}',  # a lone surrogate
    '\ufeff{' + QUOTE + ', "symbol": "GLOW"}',  # a byte-order mark
    ' \n{' + QUOTE + ', "symbol": "GLOW"}\t ',
    '{' + QUOTE + ', "symbol": "GLOW"} {}',  # trailing data
    '{' + QUOTE + ', "symbol": "GLOW", "x": NaN}',
    '{' + QUOTE + ', "symbol": "GLOW", "bid": 1e999}',
    '{' + QUOTE + ', "symbol": "GLOW", "bid": 123456789012345678901234567890}',
    '{' + QUOTE + ', "symbol": "GLOW", "x": ' + '[' * 5000 + ']' * 5000 + '}',
    '{' + QUOTE + ', "symbol": ["GLOW"]}', '{' + QUOTE + ', "symbol": null}',
    '{' + QUOTE + ', "Symbol": "GLOW"}', '[{"symbol": "GLOW"}]', '"GLOW"', '',
    '{"type": "tick", "id": "t", "symbol": "*", "at": "2011-01-04T17:00:00-05:00"}',
    '{"type": "tick", "id": "t", "symbol": "GLOW", "at": "2011-01-04T17:00:00-05:00"}',
])
@pytest.mark.parametrize("key", [b"GLOW", b"GLOWD", b"*", b"GLOW\x00", b"\xed\xa0\x80GLOW"])
@pytest.mark.parametrize("as_bytes", [False, True])
def test_json_the_two_decoders_may_read_differently_routes_alike(raw: str, key: bytes,
                                                                 as_bytes: bool) -> None:
    value: str | bytes = raw.encode("utf-8", errors="surrogatepass") if as_bytes else raw
    for topic in ("quotes", "clock"):
        assert route(topic, value, key, PARTITIONS) == \
            route_by_record(topic, value, key, PARTITIONS), (topic, raw, key)


def test_a_message_keyed_by_its_own_symbol_is_routed_without_the_full_decode(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast route is taken (the proof above would pass with no fast route at all)."""
    from services.streams import routing

    def refuse(*args: object) -> object:
        raise AssertionError("the full decode was used")

    monkeypatch.setattr(routing, "route_by_record", refuse)
    raw = '{' + QUOTE + ', "symbol": "GLOW"}'
    assert route("quotes", raw, b"GLOW", PARTITIONS).partitions == \
        (partition_of(b"GLOW", PARTITIONS),)
