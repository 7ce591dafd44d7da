"""The worker's boundary without a broker: every hostile message the review found becomes one
bounded dead letter on its way through intake, the sequenced log and the fold, and the state
is as before it (services/streams/intake.py, fold.py, warrant_state.py, limits.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from kafka_scenario import scenario_terms

from services.kafka.client import PRODUCER_MAX_REQUEST_BYTES
from services.kafka.settings import KafkaSettings
from services.streams import warrant_state
from services.streams.fold import PartitionFold, _emitted
from services.streams.intake import envelopes
from services.streams.limits import (
    MAX_ENVELOPE_BYTES,
    MAX_INPUT_MESSAGE_BYTES,
    MAX_KEY_BYTES,
    MAX_OUTPUT_BYTES,
    MAX_RECORD_BYTES,
    REQUEST_OVERHEAD_BYTES,
)
from services.streams.pack import PACK_MAX_BYTES, pack, unpack
from services.streams.warrant_state import WarrantState
from shared.events.codec import encode
from shared.events.outputs import DeadLetter

SETTINGS = KafkaSettings(broker="kafka://127.0.0.1:9", partitions=4)
LISTING = ('{"type": "listing", "id": "l1", "symbol": "GLOW", "effective": "2010-12-01", '
           '"venue": "OTCBB"}')
QUOTE = ('{"type": "quote", "id": "q1", "symbol": "GLOW", "at": "2011-01-04T15:00:00-05:00", '
         '"bid": "0.50", "ask": "0.60"}')
TICK = '{"type": "tick", "id": "t1", "symbol": "GLOW", "at": "2011-01-04T17:00:00-05:00"}'

# (name, topic, key, value): each as the review sent it straight onto a live input topic
HOSTILE: list[tuple[str, str, bytes | None, bytes]] = [
    ("nesting 10,000 deep", "quotes", b"GLOW", b"[" * 10_000 + b"]" * 10_000),
    ("lone surrogate symbol", "quotes", b"GLOW",
     QUOTE.replace('"symbol": "GLOW"', '"symbol": "\\ud800"').encode()),
    ("1,040,000 bytes", "quotes", b"GLOW", b'{"type": "quote", "pad": "' + b"x" * 1_040_000
     + b'"}'),
    ("600 kB of escaped quotes", "quotes", b"GLOW",
     b'{"type": "quote", "id": "' + b'\\"' * 300_000 + b'"}'),
    ("null key", "quotes", None, QUOTE.encode()),
    ("UTF-16 value", "quotes", b"GLOW", QUOTE.encode("utf-16")),
    ("binary key", "quotes", b"\xff\xfe\x00GLOW", QUOTE.encode()),
    ("100 kB key", "quotes", b"K" * 100_000, QUOTE.encode()),
    ("invalid UTF-8", "quotes", b"GLOW", QUOTE.encode()[:-2] + b"\xc3\x28}"),
    ("homoglyph symbol", "quotes", "GLОW".encode(), QUOTE.replace("GLOW", "GLОW").encode()),
]


def test_every_bound_is_below_what_the_producer_sends() -> None:
    assert MAX_RECORD_BYTES < MAX_INPUT_MESSAGE_BYTES < MAX_ENVELOPE_BYTES
    assert MAX_ENVELOPE_BYTES + REQUEST_OVERHEAD_BYTES <= PRODUCER_MAX_REQUEST_BYTES
    assert PACK_MAX_BYTES + REQUEST_OVERHEAD_BYTES <= PRODUCER_MAX_REQUEST_BYTES
    assert MAX_OUTPUT_BYTES + REQUEST_OVERHEAD_BYTES <= PRODUCER_MAX_REQUEST_BYTES
    assert MAX_KEY_BYTES >= 4 * 256  # a symbol of 256 characters fits


def fold_outputs(fold: PartitionFold, items: list[tuple[str, bytes | None, bytes]],
                 offset: int = 0) -> list[bytes]:
    """Through intake (envelopes), a pack and back, and the fold; the published values."""
    out = []
    for n, (topic, key, value) in enumerate(items):
        for target, env in envelopes(SETTINGS, SETTINGS.topic(topic), 0, offset + n, key,
                                     value, {}):
            [packed] = pack([env])
            assert len(packed) <= MAX_ENVELOPE_BYTES
            for back in unpack(packed):
                if target == fold.partition:
                    out += [item.value for item in fold.apply(back).emitted]
    return out


@pytest.mark.parametrize(("name", "topic", "key", "value"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_message_is_one_bounded_dead_letter_and_changes_nothing(
        name: str, topic: str, key: bytes | None, value: bytes) -> None:
    [(target, _)] = envelopes(SETTINGS, SETTINGS.topic(topic), 0, 5, key, value, {})
    fold = PartitionFold(target, SETTINGS.partitions, scenario_terms())
    [letter] = fold_outputs(fold, [(topic, key, value)], offset=5)
    assert len(letter) < 64 * 1024
    record = json.loads(letter)
    assert record["type"] == "dead_letter" and record["reason"].isascii()
    assert record["raw_size"] in (len(value), None)
    # the state is as before: valid records behind it give what they give without it
    clean = PartitionFold(target, SETTINGS.partitions, scenario_terms())
    good = [("corporate-actions", b"GLOW", LISTING.encode()), ("quotes", b"GLOW", QUOTE.encode()),
            ("clock", b"GLOW", TICK.encode())]
    if target == clean.partition:
        assert fold_outputs(fold, good, offset=10) == fold_outputs(clean, good, offset=10)


def test_an_output_that_does_not_encode_is_replaced_by_a_dead_letter() -> None:
    bad = DeadLetter(id="dead_letter:x", symbol="\ud800", topic="quotes", raw="x", reason="r")
    with pytest.raises(UnicodeEncodeError):
        encode(bad).encode("utf-8")
    item = _emitted(b"GLOW", bad, None, (0, 0))
    assert json.loads(item.value)["type"] == "dead_letter"
    assert "cannot be encoded" in json.loads(item.value)["reason"]


async def test_a_sequenced_message_that_does_not_unpack_is_one_dead_letter() -> None:
    state = WarrantState(SETTINGS, scenario_terms())
    message = SimpleNamespace(topic=state.topic, partition=2, offset=7, key=b"",
                              value=b"\x01\xff\xff\xff\xffjunk")
    [step] = await warrant_state._handle(state, message, [("ww-pack", b"1")])
    [item] = step.emitted
    assert item.record.type == "dead_letter"  # type: ignore[attr-defined]
    assert "cannot be unpacked" in item.record.reason  # type: ignore[attr-defined]
