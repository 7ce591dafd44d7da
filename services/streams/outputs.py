"""Publish output records to the topics of docs/events.md, keyed by symbol.

Each record goes to the topic `topic_of` names, as canonical JSON, keyed by the symbol of the
input that caused it, to that symbol's partition: one symbol's outputs on one topic keep the
order the engine produced them in. Headers say which worker produced it and, for a replay,
which input (`ww-index`) and which place in that input's outputs (`ww-position`).

The records come encoded from the fold (services/streams/fold.py), checked against the size
limit; a record the producer still refuses as too large is replaced by its dead letter, so
only a broken broker stops the agent.

Records go straight to the app's producer (Faust's, or its transaction manager under
exactly-once), which returns once the record is queued: the agent does not wait for each
write. The producer keeps the order of the records of one partition.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError

from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.streams.envelope import CONTROL, END, INDEX, POSITION, WORKER, Headers
from services.streams.fold import Emitted, Step
from shared.events.codec import dead_letter, encode, topic_of
from shared.events.outputs import OUTPUT_TOPICS

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class OutputPublisher:
    """Sends a fold step's records to the Kafka topics of the output topics."""

    def __init__(self, settings: KafkaSettings) -> None:
        self._topics = {name: settings.topic(name) for name in OUTPUT_TOPICS}
        self._partitions = settings.partitions
        self._worker = worker_name().encode()

    async def publish(self, producer: Any, partition: int, step: Step) -> int:
        """Queue every emitted record on `producer` (a Faust producer), then the end markers
        if the step completes a replay."""
        for item in step.emitted:
            part, place = item.position
            headers: Headers = [(WORKER, self._worker), (POSITION, f"{part}:{place}".encode())]
            if item.index is not None:
                headers.append((INDEX, str(item.index).encode()))
            value = item.value or encode(item.record).encode("utf-8")
            try:
                await producer.send(self._topics[topic_of(item.record)], item.key, value,
                                    partition_of(item.key, self._partitions), None, headers)
            except MessageSizeTooLargeError as exc:
                await self._refused(producer, item, headers, exc)
        if step.complete:
            # after this partition's last outputs on every topic, so a reader that has seen
            # the marker has seen them all
            for topic in self._topics.values():
                await producer.send(topic, b"", b"", partition, None,
                                    [(CONTROL, END), (WORKER, self._worker)])
        return len(step.emitted)

    async def _refused(self, producer: Any, item: Emitted, headers: Headers,
                       exc: Exception) -> None:
        """The producer refused an output as too large: its dead letter goes instead."""
        log.error("output %s refused by the producer: %s", getattr(item.record, "id", "?"), exc)
        letter = dead_letter(topic_of(item.record), item.value[:4096],
                             f"output: the producer refused this {topic_of(item.record)} "
                             f"record of {len(item.value)} bytes ({type(exc).__name__})",
                             item.record.symbol)
        await producer.send(self._topics["dead-letters"], item.key,
                            encode(letter).encode("utf-8", errors="backslashreplace"),
                            partition_of(item.key, self._partitions), None, headers)
