"""Intake off Faust's per-event path: every input topic read in batches by an aiokafka
consumer of its own, inside the worker process (docs/operations.md, Throughput).

Faust delivers each message as an event of its own, at several times the cost of what intake
does with it; the input topics are public, one record per message, so nothing can be packed
before that point. So intake is a `mode.Service` started with the Faust app (`app.service`):
Faust keeps the worker's life cycle (start, stop on SIGTERM, crash log), its web server and
views, its settings and the warrant state agent, which reads the sequenced log one pack (a
batch of inputs) per event. A service rather than an app task, because it owns clients
that must be stopped in order (commit, leave the group, close the producer) when the worker
stops, which `mode.Service.on_stop` gives.

- One consumer group, `intake_group(settings)` (services/kafka/topics.py), subscribed to
  every input topic, with a rebalance listener; the range assignor gives one member partition
  P of every input topic (they all have the same partition count).
- `getmany` takes up to `BATCH_RECORDS` (200) messages; each becomes its envelopes
  (services/streams/intake.py, never raises), the envelopes for one sequenced partition are
  packed (services/streams/pack.py) and handed to the producer without waiting.
- Offsets are committed only after the producer has flushed what came before them
  (at-least-once; the fold drops what is forwarded twice by origin offset, and outputs carry
  ids derived from their inputs). They are committed when the consumer has caught up (a
  batch short of `BATCH_RECORDS`), after `commit_interval` of the broker profile, and before
  a rebalance takes partitions away (the listener waits for the batch in hand).
- Under `exactly_once`, each batch is one aiokafka transaction: the packs and
  `send_offsets_to_transaction`. Configured for a real cluster; Tansu has no transactions
  (docs/shared broker notes, pitfall 2), so it is not tested here: at_least_once is the
  tested default.
- A batch fetched before a rebalance is not forwarded: the partitions it read are sought back
  to its first offsets and read again under the new assignment.

Progress and crashes go to the worker's readiness (services/streams/health.py) under the
agent name "intake". A batch that fails (a broker error, or the test-only fault of
services/streams/faults.py) is reported as a crash of intake, its partitions are sought back
to their committed offsets and read again after `RETRY_SECONDS`: Faust's restart of a
crashed agent, done here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import mode
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.structs import TopicPartition

from services.kafka.client import connection_kwargs, producer_kwargs
from services.kafka.profiles import profile_for
from services.kafka.settings import KafkaSettings
from services.kafka.topics import input_topics, intake_group, sequenced_topic
from services.streams.batching import BATCH_MAX
from services.streams.faults import agent_fault
from services.streams.health import Health
from services.streams.intake import END_CHECK_SECONDS, InputAnchors, envelopes
from services.streams.outputs import worker_name
from services.streams.pack import PACK_HEADERS, Packer
from services.streams.rebuild import stop_worker

log = logging.getLogger(__name__)

AGENT = "intake"
# the most messages one getmany hands over: a pack of the sequenced log is at most this many
# inputs, so the warrant state's Faust event costs little per input, and a partition's log
# keeps the grain its rebuilds and snapshots count in (services/streams/batching.py)
BATCH_RECORDS = BATCH_MAX
POLL_MS = 100  # how long getmany waits when nothing is buffered
RETRY_SECONDS = 1.0  # the pause after a failed batch before reading it again


def forward(settings: KafkaSettings,
            batch: Mapping[TopicPartition, Sequence[Any]]) -> dict[int, list[bytes]]:
    """The packs (per sequenced partition, in order) one batch of input messages becomes.

    Pure: `batch` maps each input partition to its messages (anything with topic, partition,
    offset, key, value and headers, as aiokafka's ConsumerRecord), in log order."""
    packers: dict[int, Packer] = {}
    for messages in batch.values():
        for m in messages:
            headers = m.headers
            for target, env in envelopes(settings, m.topic, m.partition, m.offset, m.key,
                                         m.value, dict(headers) if headers else {}):
                packer = packers.get(target)
                if packer is None:
                    packer = packers[target] = Packer()
                packer.add(env)
    return {target: packer.packs() for target, packer in packers.items()}


def consumer_kwargs(settings: KafkaSettings) -> dict[str, Any]:
    """The intake consumer: the group's member, committing by hand, timeouts of the profile."""
    profile = profile_for(settings)
    kwargs = connection_kwargs(settings)
    kwargs.update(
        group_id=intake_group(settings),
        enable_auto_commit=False,
        auto_offset_reset="earliest",  # a new group reads every input from the start
        partition_assignment_strategy=(RangePartitionAssignor,),
        session_timeout_ms=int(profile.session_timeout * 1000),
        heartbeat_interval_ms=int(profile.heartbeat_interval * 1000),
        rebalance_timeout_ms=int(profile.rebalance_timeout * 1000),
        max_poll_interval_ms=max(300_000, int(profile.rebalance_timeout * 1000)),
        isolation_level=("read_committed" if settings.processing_guarantee == "exactly_once"
                         else "read_uncommitted"),
    )
    if profile.fetch_max_wait_ms is not None:
        kwargs["fetch_max_wait_ms"] = profile.fetch_max_wait_ms
    return kwargs


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, intake: BatchIntake) -> None:
        self._intake = intake

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._intake.revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._intake.assigned(assigned)


class BatchIntake(mode.Service):
    """The intake consumer and producer of one worker, and the loop between them."""

    def __init__(self, settings: KafkaSettings, health: Health | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.health = health
        self.sequenced = sequenced_topic(settings)
        self.transactional = settings.processing_guarantee == "exactly_once"
        self.consumer: Any = None
        self.producer: Any = None
        self.assignment: frozenset[TopicPartition] | None = None  # None: not joined yet
        self.running = False
        self.batches = 0
        self.forwarded = 0
        self._lock = asyncio.Lock()
        self._generation = 0
        self._pending: dict[TopicPartition, int] = {}  # forwarded, not committed: next offset
        self._last_commit = time.monotonic()
        self._commit_interval = profile_for(settings).commit_interval
        self._fault = agent_fault(AGENT)  # None unless a test asks for a crash (faults.py)
        # an input log that goes backwards stops the worker (intake.py, InputAnchors)
        self.anchors = InputAnchors(settings, stop=lambda exc: stop_worker(health, exc))

    async def on_start(self) -> None:
        kwargs = producer_kwargs(self.settings)
        if self.transactional:
            kwargs["transactional_id"] = f"{intake_group(self.settings)}-{worker_name()}"
            kwargs["enable_idempotence"] = True
        self.producer = AIOKafkaProducer(**kwargs)
        await self.producer.start()
        self.consumer = AIOKafkaConsumer(**consumer_kwargs(self.settings))
        self.consumer.subscribe(input_topics(self.settings), listener=_Listener(self))
        await self.consumer.start()
        self.running = True

    async def on_stop(self) -> None:
        self.running = False
        if self.consumer is not None:
            async with self._lock:
                try:
                    await self._commit()
                except Exception as exc:  # leaving anyway: the next owner reads them again
                    log.warning("intake: last commit failed: %s", exc)
            await self.consumer.stop()
        if self.producer is not None:
            await self.producer.stop()

    @mode.Service.task
    async def _run(self) -> None:
        while not self.should_stop:
            try:
                generation = self._generation
                batch = await self.consumer.getmany(timeout_ms=POLL_MS,
                                                    max_records=BATCH_RECORDS)
                async with self._lock:
                    if generation != self._generation:
                        self._read_again(batch)
                        continue
                    await self.handle(batch)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker failed us: report, read again, go on
                log.exception("intake: batch failed")
                if self.health is not None:
                    self.health.crashed(AGENT, exc)
                with contextlib.suppress(Exception):  # tried again after the pause
                    await self._recover()
                await asyncio.sleep(RETRY_SECONDS)

    async def handle(self, batch: Mapping[TopicPartition, Sequence[Any]]) -> None:
        """Forward one batch; commit when it is time. The caller holds the lock."""
        count = sum(len(messages) for messages in batch.values())
        for messages in batch.values():
            if self._fault is not None:  # outside the boundary, as a fault of intake
                for m in messages:
                    self._fault.check(m.value)
            await self.anchors.take_all(messages)
        if count:
            packs = forward(self.settings, batch)
            nexts = {tp: messages[-1].offset + 1 for tp, messages in batch.items() if messages}
            if self.transactional:
                async with self.producer.transaction():
                    await self._send(packs)
                    await self.producer.send_offsets_to_transaction(
                        nexts, intake_group(self.settings))
            else:
                await self._send(packs)
                self._pending.update(nexts)
            self.batches += 1
            self.forwarded += count
            if self.health is not None:
                for tp, messages in batch.items():
                    if messages:
                        self.health.handled(tp.topic, tp.partition, messages[-1].offset)
        if self._pending and (count < BATCH_RECORDS or
                              time.monotonic() - self._last_commit >= self._commit_interval):
            await self._commit()

    @mode.Service.timer(END_CHECK_SECONDS)
    async def _check_input_ends(self) -> None:
        """A shorter input log under a consumer that kept its position (intake.py)."""
        if self.consumer is None:
            return

        def highwater(topic: str, partition: int) -> int | None:
            found = self.consumer.highwater(TopicPartition(topic, partition))
            return int(found) if found is not None else None

        async with self._lock:
            await self.anchors.check_ends(highwater)

    async def _send(self, packs: Mapping[int, Iterable[bytes]]) -> None:
        for target, values in packs.items():
            for value in values:
                await self.producer.send(self.sequenced, value, key=b"", partition=target,
                                         headers=PACK_HEADERS)

    async def _commit(self) -> None:
        """Flush what was forwarded, then commit its offsets (never the other way round)."""
        if not self._pending:
            return
        await self.producer.flush()
        offsets = {tp: offset for tp, offset in self._pending.items()
                   if self.assignment is None or tp in self.assignment}
        if offsets:
            await self.consumer.commit(offsets)
        self._pending.clear()
        self._last_commit = time.monotonic()

    def _read_again(self, batch: Mapping[TopicPartition, Sequence[Any]]) -> None:
        """A batch fetched across a rebalance: read its partitions again from its start."""
        held = self.consumer.assignment()
        for tp, messages in batch.items():
            if messages and tp in held:
                self.consumer.seek(tp, messages[0].offset)

    async def _recover(self) -> None:
        """After a failed batch: forget what was not committed, read it again."""
        self._pending.clear()
        for tp in self.consumer.assignment():
            committed = await self.consumer.committed(tp)
            if committed is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, committed)

    async def revoked(self, revoked: set[TopicPartition]) -> None:
        """Before a rebalance: finish the batch in hand and commit it."""
        async with self._lock:
            pending = len(self._pending)
            try:
                await self._commit()
            except Exception as exc:  # the next owner reads them again: at-least-once
                log.warning("intake: commit before a rebalance failed: %s", exc)
                self._pending.clear()
            self._generation += 1
        if revoked:
            log.info("intake: %d input partitions revoked, %d with forwarded messages "
                     "committed first", len(revoked), pending)

    def assigned(self, assigned: set[TopicPartition]) -> None:
        self.assignment = frozenset(assigned)
        if self.health is not None:
            self.health.assigned({(tp.topic, tp.partition) for tp in assigned},
                                 topics=set(input_topics(self.settings)))

    def highwaters(self) -> dict[tuple[str, int], int | None]:
        """The highwater of each input partition held, as last fetched (None: not yet)."""
        out: dict[tuple[str, int], int | None] = {}
        for tp in self.assignment or ():
            try:
                out[(tp.topic, tp.partition)] = self.consumer.highwater(tp)
            except Exception:
                out[(tp.topic, tp.partition)] = None
        return out


def register(app: Any, settings: KafkaSettings, health: Health | None = None
             ) -> type[BatchIntake]:
    """Start a BatchIntake with the Faust app; `app.intake` is the running one (None until
    the app has started it)."""
    app.intake = None

    class Intake(BatchIntake):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(settings, health, **kwargs)
            app.intake = self

    app.service(Intake)
    return Intake
