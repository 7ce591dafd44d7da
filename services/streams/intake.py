"""The intake agent: every input topic into the one sequenced topic, keyed by symbol.

Each input message is routed (services/streams/routing.py) and forwarded unchanged, with
headers naming its logical topic and its origin (Kafka topic, partition, offset). A replay's
`ww-seq` header is narrowed to the partition forwarded to. Nothing is dropped here: an input
that is not a valid record travels in sequence and becomes a dead letter in the warrant state,
so a symbol's dead letters keep their place among its other outputs.

A message written by a worker (it carries `ww-worker`) is an output, not an input: `holdings`
is both an input topic and the topic of the holdings the engine derives from Form 4s, which
the engine has already applied. Intake skips those.

Inputs are taken in batches (services/streams/batching.py); the envelopes of a batch bound for
one partition are written as one message, a pack (services/streams/pack.py), in the order the
inputs were read, without waiting for each write.
"""

from __future__ import annotations

import logging
from typing import Any

from services.kafka.settings import KafkaSettings
from services.streams.batching import BATCH_MAX, BATCH_WITHIN
from services.streams.envelope import (
    INDEX,
    SEQ,
    SOURCE,
    WORKER,
    Envelope,
    Origin,
    parse_input_sequences,
)
from services.streams.pack import PACK_HEADERS, Packer
from services.streams.routing import route
from shared.errors import RecordError

log = logging.getLogger(__name__)


def envelopes(settings: KafkaSettings, kafka_topic: str, partition: int, offset: int,
              key: bytes | None, value: bytes | None, headers: dict[str, bytes]
              ) -> list[tuple[int, Envelope]]:
    """The sequenced messages (partition, envelope) one input message becomes."""
    if WORKER in headers:
        return []  # an output of the services on a topic that is also an input topic
    logical = settings.logical(kafka_topic)
    raw = value or b""
    r = route(logical, raw, key, settings.partitions)
    reject = r.reject
    places = {}
    if SEQ in headers:
        try:
            places = parse_input_sequences(headers[SEQ])
        except RecordError as exc:
            reject = reject or str(exc)
    index = int(headers[INDEX]) if INDEX in headers and headers[INDEX].isdigit() else None
    source = headers[SOURCE].decode("utf-8", errors="replace") if SOURCE in headers else None
    origin = Origin(kafka_topic, partition, offset)
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


def register(app: Any, sources: Any, sequenced: str, settings: KafkaSettings) -> Any:
    """Add the agent to the Faust app: `sources` is the Faust topic of all input topics,
    `sequenced` the name of the sequenced topic."""

    async def intake(stream: Any) -> None:
        async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN):
            packers: dict[int, Packer] = {}
            for event in events:
                m = event.message
                for target, env in envelopes(settings, m.topic, m.partition, m.offset, m.key,
                                             m.value, dict(event.headers)):
                    packer = packers.get(target)
                    if packer is None:
                        packer = packers[target] = Packer()
                    packer.add(env)
            producer = await app.maybe_start_producer()
            for target, packer in packers.items():
                for value in packer.packs():
                    await producer.send(sequenced, b"", value, target, None, PACK_HEADERS)

    return app.agent(sources, name="intake")(intake)
