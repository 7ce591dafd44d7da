"""Send input records to the live input topics, as every client of the service sends them.

Each record goes to `settings.topic(<its input topic>)`, keyed by its symbol, on the partition
`services.kafka.partitioning.partition_of` gives (the partition intake and the warrant state
expect), with the producer settings of every other client (`services.kafka.client`: acks=all,
SASL/TLS from `services.kafka.settings`). Topics are made or checked first
(`services.kafka.admin.ensure_topics`, the one place they are made).

Order (docs/operations.md, "Live feeds are in arrival order"): Kafka keeps the order of one
partition of one topic, not across topics, so a file whose records move from topic to topic
(a listing, quotes, then an exercise) could be folded in another order than written. With
`order="file"` (the default of `warrantwatch publish`) the publisher keeps file order: before
a record that reaches the same sequenced partition as earlier records sent on another input
partition, it waits until the worker group has committed past those earlier records, which
Faust does only after intake has forwarded them to `sequenced-inputs` (it flushes before it
commits). `order="arrival"` sends everything at once, as an upstream feed does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from services.kafka.admin import ensure_topics
from services.kafka.client import connection_kwargs, producer_kwargs
from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.kafka.topics import intake_group
from services.streams.routing import route
from shared.errors import BrokerError
from shared.events.codec import encode
from shared.events.inputs import InputRecord

ORDERS = ("file", "arrival")


@dataclass(slots=True)
class _Pending:
    offset: int  # the last offset sent on this input partition and not yet seen committed
    sequenced: set[int] = field(default_factory=set)  # sequenced partitions its records reach


class Publisher:
    """`async with Publisher(settings) as p: await p.send(topic, record)`."""

    def __init__(self, settings: KafkaSettings, *, order: str = "file", wait: float = 60.0,
                 poll: float = 0.05, monotonic: Callable[[], float] = time.monotonic) -> None:
        if not settings.broker.startswith("kafka://"):
            raise BrokerError(f"publishing needs a running broker: --broker kafka://HOST:PORT "
                              f"(got {settings.broker!r}; a worker started with --broker "
                              f"embedded prints its address)")
        if order not in ORDERS:
            raise ValueError(f"order {order!r}: one of {', '.join(ORDERS)}")
        self.settings = settings
        self.order = order
        self.wait = wait
        self.poll = poll
        self.monotonic = monotonic
        self.sent = 0
        self.waits = 0  # times file order made the publisher wait for intake
        self._producer: AIOKafkaProducer | None = None
        self._group: AIOKafkaConsumer | None = None
        self._pending: dict[TopicPartition, _Pending] = {}

    async def __aenter__(self) -> Publisher:
        await ensure_topics(self.settings)
        try:
            self._producer = AIOKafkaProducer(**producer_kwargs(self.settings))
            await self._producer.start()
            if self.order == "file":
                # reads the worker group's committed offsets; never joins the group
                self._group = AIOKafkaConsumer(**self._group_kwargs())
                await self._group.start()
        except KafkaError as exc:
            await self.__aexit__(None, None, None)
            raise BrokerError(f"cannot connect to {self.settings.broker}: {exc}") from None
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        if self._group is not None:
            await self._group.stop()
            self._group = None

    def _group_kwargs(self) -> dict[str, Any]:
        kwargs = connection_kwargs(self.settings)
        kwargs["group_id"] = intake_group(self.settings)
        kwargs["enable_auto_commit"] = False
        return kwargs

    async def send(self, topic: str, record: InputRecord) -> tuple[int, int]:
        """Send one record on logical input `topic`; its (partition, offset)."""
        assert self._producer is not None, "use Publisher in `async with`"
        value = encode(record).encode("utf-8")
        key = record.symbol.encode("utf-8")
        partitions = self.settings.partitions
        tp = TopicPartition(self.settings.topic(topic), partition_of(key, partitions))
        try:
            if self.order == "arrival":
                await self._producer.send(tp.topic, value, key=key, partition=tp.partition)
                self.sent += 1
                return tp.partition, -1
            sequenced = set(route(topic, value, key, partitions).partitions)
            await self._wait_for_intake(tp, sequenced)
            meta = await self._producer.send_and_wait(tp.topic, value, key=key,
                                                      partition=tp.partition)
        except KafkaError as exc:
            raise BrokerError(f"cannot publish to {self.settings.broker}: {exc}") from None
        pending = self._pending.setdefault(tp, _Pending(meta.offset))
        pending.offset = meta.offset
        pending.sequenced |= sequenced
        self.sent += 1
        return tp.partition, meta.offset

    async def flush(self) -> None:
        assert self._producer is not None
        try:
            await self._producer.flush()
        except KafkaError as exc:
            raise BrokerError(f"cannot publish to {self.settings.broker}: {exc}") from None

    async def _wait_for_intake(self, tp: TopicPartition, sequenced: set[int]) -> None:
        """Wait until intake has forwarded every earlier record that shares a sequenced
        partition with this one and was sent on another input partition."""
        blockers = [other for other, p in self._pending.items()
                    if other != tp and p.sequenced & sequenced]
        if not blockers:
            return
        assert self._group is not None
        self.waits += 1
        deadline = self.monotonic() + self.wait
        for other in blockers:
            wanted = self._pending[other].offset
            while True:
                committed = await self._group.committed(other)
                if committed is not None and committed > wanted:
                    break
                if self.monotonic() >= deadline:
                    raise BrokerError(
                        f"the worker group {intake_group(self.settings)!r} has not taken "
                        f"{other.topic}[{other.partition}] offset {wanted} within "
                        f"{self.wait:g} s: is a worker running with this app id and topic "
                        f"prefix? (--order arrival sends without waiting)")
                await asyncio.sleep(self.poll)
            del self._pending[other]
