"""The alerts this worker published, read back from its output topics for the console.

The engine keeps no dead letters, refusals or late notices (they are outputs, not state), so
the alerts page reads what the worker wrote: a reader without a consumer group follows the
alert topics (docs/events.md) on the partitions the group assigned to this worker, from the
start, keeping the latest `KEEP` alerts of each partition in memory. When the assignment
changes it starts again from the start of the partitions it now holds (rare; no alert is
lost or counted twice). The records are shown as the topics carry them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.kafka.client import reader_kwargs
from services.kafka.settings import KafkaSettings
from services.streams.envelope import CONTROL

log = logging.getLogger(__name__)

ALERT_TOPICS = ("exercise-settlements", "exercise-default-alerts", "compliance-alerts",
                "dead-letters")
ALERT_KINDS = frozenset({"exercise_refused", "exercise_default", "rights_restored",
                         "buy_in_damages", "late_issuer_notice", "amendment_refused",
                         "adjustment_rejected", "dead_letter"})
KEEP = 2000
POLL_MS = 300


class PublishedAlerts:
    """Alert records of the partitions this worker holds, newest `KEEP` per partition."""

    def __init__(self, settings: KafkaSettings, keep: int = KEEP) -> None:
        self.settings = settings
        self.keep = keep
        self.records: dict[int, deque[dict[str, Any]]] = {}
        self.dropped: dict[int, int] = {}
        self.reading: frozenset[int] = frozenset()

    def alerts(self) -> list[dict[str, Any]]:
        """Every kept alert, partition by partition, each partition in publication order."""
        return [r for p in sorted(self.records) for r in self.records[p]]

    def dropped_count(self) -> int:
        return sum(self.dropped.values())

    def take(self, partition: int, value: bytes | None,
             headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...]) -> None:
        if any(k == CONTROL for k, _ in headers) or not value:
            return  # an end marker of a replay run
        try:
            record = json.loads(value)
        except ValueError:
            return
        if not isinstance(record, dict) or record.get("type") not in ALERT_KINDS:
            return
        kept = self.records.setdefault(partition, deque())
        if len(kept) >= self.keep:
            kept.popleft()
            self.dropped[partition] = self.dropped.get(partition, 0) + 1
        kept.append(record)

    async def follow(self, assigned: Callable[[], frozenset[int] | None]) -> None:
        """Read the alert topics of the `assigned()` partitions until cancelled."""
        consumer = AIOKafkaConsumer(**reader_kwargs(self.settings))
        await consumer.start()
        try:
            while True:
                wanted = assigned() or frozenset()
                if wanted != self.reading:
                    self.records.clear()
                    self.dropped.clear()
                    tps = [TopicPartition(self.settings.topic(t), p)
                           for t in ALERT_TOPICS for p in sorted(wanted)]
                    consumer.assign(tps)
                    if tps:
                        await consumer.seek_to_beginning(*tps)
                    self.reading = wanted
                if not wanted:
                    await asyncio.sleep(POLL_MS / 1000)
                    continue
                batch = await consumer.getmany(timeout_ms=POLL_MS)
                for tp, messages in batch.items():
                    for m in messages:
                        self.take(tp.partition, m.value, list(m.headers or ()))
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()
