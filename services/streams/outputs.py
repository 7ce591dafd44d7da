"""Publish output records to the topics of docs/events.md, keyed by symbol.

Each record goes to the topic `topic_of` names, as canonical JSON, keyed by the symbol of the
input that caused it, to that symbol's partition: one symbol's outputs on one topic keep the
order the engine produced them in. Headers say which worker produced it and, for a replay,
which input (`ww-index`) and which place in that input's outputs (`ww-position`).
"""

from __future__ import annotations

import os
import socket
from typing import Any

from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.streams.envelope import CONTROL, END, INDEX, POSITION, WORKER, Headers
from services.streams.fold import Step
from shared.events.codec import encode, topic_of
from shared.events.outputs import OUTPUT_TOPICS


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class OutputPublisher:
    """Sends a fold step's records through the Faust topics of the output topics."""

    def __init__(self, topics: dict[str, Any], settings: KafkaSettings) -> None:
        missing = set(OUTPUT_TOPICS) - set(topics)
        if missing:
            raise ValueError(f"no Faust topic for output topics {sorted(missing)}")
        self._topics = topics
        self._partitions = settings.partitions
        self._worker = worker_name().encode()

    async def publish(self, partition: int, step: Step) -> int:
        """Send every emitted record, then the end markers if the step completes a replay."""
        for item in step.emitted:
            part, place = item.position
            headers: Headers = [(WORKER, self._worker), (POSITION, f"{part}:{place}".encode())]
            if item.index is not None:
                headers.append((INDEX, str(item.index).encode()))
            await self._topics[topic_of(item.record)].send(
                key=item.key, value=encode(item.record).encode("utf-8"),
                partition=partition_of(item.key, self._partitions), headers=headers)
        if step.complete:
            # after this partition's last outputs on every topic, so a reader that has seen
            # the marker has seen them all
            for topic in self._topics.values():
                await topic.send(key=b"", value=b"", partition=partition,
                                 headers=[(CONTROL, END), (WORKER, self._worker)])
        return len(step.emitted)
