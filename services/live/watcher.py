"""Follow the output topics of a live service and yield each record as it arrives.

Reads the output topics of docs/events.md (`settings.topic(name)`), every partition, without
a consumer group (it commits nothing and takes nothing from the workers), from the start or
from the end. Only records a worker wrote are yielded: `holdings` is an input topic too, and
its inputs carry no `ww-worker` header; replay end markers (`ww-control`) are skipped.

From the end: Tansu reports end offsets wrongly for multi-record batches (docs/broker.md
pitfall 1), so on the embedded broker a watch started "now" may first show a few records of
the last batch written before it started. Real Kafka has no such bug.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from services.kafka.client import reader_kwargs
from services.kafka.settings import KafkaSettings
from services.streams.envelope import CONTROL, WORKER
from shared.errors import BrokerError
from shared.events.outputs import OUTPUT_TOPICS


@dataclass(frozen=True, slots=True)
class Watched:
    topic: str  # logical output topic
    text: str  # the record's JSON as the worker wrote it
    partition: int
    offset: int

    def record(self) -> dict[str, Any]:
        obj = json.loads(self.text)
        return obj if isinstance(obj, dict) else {"value": obj}

    def line(self) -> str:
        """A replay output line, as `warrantwatch replay --out` writes them."""
        return f'{{"topic": {json.dumps(self.topic, ensure_ascii=False)}, "value": {self.text}}}'


def check_topics(topics: Sequence[str] | None) -> list[str]:
    """The logical output topics asked for (all of them by default)."""
    if not topics:
        return list(OUTPUT_TOPICS)
    unknown = [t for t in topics if t not in OUTPUT_TOPICS]
    if unknown:
        raise BrokerError(f"not an output topic: {', '.join(unknown)}; one of "
                          f"{', '.join(OUTPUT_TOPICS)}")
    return list(dict.fromkeys(topics))


async def watch(settings: KafkaSettings, topics: Sequence[str] | None = None, *,
                from_beginning: bool = False, poll_ms: int = 200
                ) -> AsyncIterator[Watched]:
    """Every output record from now (or the start) on, until the caller stops iterating."""
    if not settings.broker.startswith("kafka://"):
        raise BrokerError(f"watching needs a running broker: --broker kafka://HOST:PORT (got "
                          f"{settings.broker!r}; a worker started with --broker embedded "
                          f"prints its address)")
    logical = check_topics(topics)
    consumer = AIOKafkaConsumer(**reader_kwargs(settings))
    try:
        await consumer.start()
        tps = [TopicPartition(settings.topic(t), p) for t in logical
               for p in range(settings.partitions)]
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
    except KafkaError as exc:
        await consumer.stop()
        raise BrokerError(f"cannot read from {settings.broker}: {exc}") from None
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=poll_ms)
            for tp, messages in sorted(batch.items(), key=lambda kv: (kv[0].topic,
                                                                     kv[0].partition)):
                for m in messages:
                    headers = dict(m.headers)
                    if WORKER not in headers or CONTROL in headers:
                        continue
                    yield Watched(settings.logical(tp.topic),
                                  (m.value or b"").decode("utf-8", errors="replace"),
                                  tp.partition, m.offset)
    except KafkaError as exc:
        raise BrokerError(f"cannot read from {settings.broker}: {exc}") from None
    finally:
        await consumer.stop()
