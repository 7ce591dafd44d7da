"""Intake: every input topic into the one sequenced topic, keyed by symbol.

Each input message is routed (services/streams/routing.py) and forwarded unchanged, with
headers naming its logical topic and its origin (Kafka topic, partition, offset). A replay's
`ww-seq` header is narrowed to the partition forwarded to. Nothing is dropped here: an input
that is not a valid record travels in sequence and becomes a dead letter in the warrant state,
so a symbol's dead letters keep their place among its other outputs.

A message written by a worker (it carries `ww-worker`) is an output, not an input: `holdings`
is both an input topic and the topic of the holdings the engine derives from Form 4s, which
the engine has already applied. Intake skips those.

Inputs are taken in batches by an aiokafka consumer (services/streams/batch_intake.py); the
envelopes of a batch bound for one partition are written as one message, a pack
(services/streams/pack.py), in the order the inputs were read, without waiting for each write.

The boundary (docs/operations.md, Bad input): `envelopes` never raises. A message too large
to forward (services/streams/limits.py) travels as its dead letter, made here from the whole
message (bounded by shared/events); any other failure to read a message is a refusal that
becomes its dead letter in sequence. A message is never dropped, and never stops intake.
"""

from __future__ import annotations

import logging

from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.streams.envelope import (
    INDEX,
    SEQ,
    SOURCE,
    WORKER,
    Envelope,
    Origin,
    parse_input_sequences,
)
from services.streams.limits import MAX_INPUT_MESSAGE_BYTES, MAX_KEY_BYTES, MAX_RECORD_BYTES
from services.streams.routing import route
from shared.errors import RecordError
from shared.events.boundary import admit
from shared.events.codec import dead_letter, encode
from shared.events.outputs import DeadLetter

log = logging.getLogger(__name__)


def envelopes(settings: KafkaSettings, kafka_topic: str, partition: int, offset: int,
              key: bytes | None, value: bytes | None, headers: dict[str, bytes]
              ) -> list[tuple[int, Envelope]]:
    """The sequenced messages (partition, envelope) one input message becomes; never raises."""
    headers = {k: v for k, v in headers.items() if isinstance(v, bytes)}  # Kafka allows null
    if WORKER in headers:
        return []  # an output of the services on a topic that is also an input topic
    origin = Origin(kafka_topic, partition, offset)
    try:
        logical = settings.logical(kafka_topic)
    except ValueError:
        logical = kafka_topic
    raw = value or b""
    try:
        return _envelopes(settings, logical, origin, key, raw, headers)
    except Exception as exc:
        log.exception("intake refused %s", origin.text())
        return [_letter(settings, logical, origin, key, raw,
                        f"intake cannot read this message ({type(exc).__name__})")]


def _letter(settings: KafkaSettings, logical: str, origin: Origin, key: bytes | None,
            raw: bytes, reason: str, letter: DeadLetter | None = None) -> tuple[int, Envelope]:
    """The envelope of a message forwarded as its dead letter, to its key's partition."""
    fallback = key or b""
    letter = letter or dead_letter(logical, raw, reason)
    return (partition_of(fallback, settings.partitions),
            Envelope(key=fallback if len(fallback) <= MAX_KEY_BYTES else b"", topic=logical,
                     value=encode(letter).encode("utf-8", errors="backslashreplace"),
                     origin=origin, letter=True))


def _envelopes(settings: KafkaSettings, logical: str, origin: Origin, key: bytes | None,
               raw: bytes, headers: dict[str, bytes]) -> list[tuple[int, Envelope]]:
    if len(raw) > MAX_RECORD_BYTES:  # the boundary refuses it unparsed: forward its letter
        letter = admit(logical, raw)
        assert isinstance(letter, DeadLetter)
        return [_letter(settings, logical, origin, key, raw, letter.reason, letter)]
    source_raw = headers.get(SOURCE)
    if source_raw is not None and len(raw) + len(source_raw) > MAX_INPUT_MESSAGE_BYTES:
        return [_letter(settings, logical, origin, key, raw,
                        f"{SOURCE}: the header and the record together exceed the "
                        f"{MAX_INPUT_MESSAGE_BYTES}-byte limit")]
    r = route(logical, raw, key, settings.partitions)
    reject = r.reject
    places = {}
    if SEQ in headers:
        try:
            places = parse_input_sequences(headers[SEQ])
        except RecordError as exc:
            reject = reject or str(exc)
    index_raw = headers.get(INDEX, b"")
    index = int(index_raw) if index_raw.isascii() and index_raw.isdigit() else None
    source = None
    if source_raw is not None:
        try:
            source = source_raw.decode("utf-8", errors="surrogatepass")
        except UnicodeDecodeError:
            reject = reject or f"{SOURCE}: the header is not UTF-8"
    out = []
    for target in r.partitions:
        place = places.get(target)
        why = reject
        if places and place is None and why is None:
            why = f"{SEQ} header names no place in partition {target}"
        out.append((target, Envelope(key=r.key, topic=logical, value=raw, origin=origin,
                                     place=place, index=index, source=source, reject=why,
                                     broadcast=r.broadcast)))
    return out
