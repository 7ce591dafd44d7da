"""The warrant state agent: folds the sequenced topic, one `PartitionFold` per partition.

State across restarts is rebuilt from the input log: when this worker is handed a partition
it has no state for (first start, restart after a crash, a rebalance), it re-folds the
sequenced partition from offset 0 up to the offset in hand without publishing (those outputs
were published before their offsets were committed), then carries on publishing. Outputs of
records after the last commit are published again after a crash, with the same ids:
at-least-once delivery with idempotent outputs (docs/operations.md).

The agent takes the sequenced log in batches (`batching.py`), each message a pack of
envelopes (`pack.py`): the envelopes are folded one by one in log order, and their outputs
are handed to the producer without waiting for each to be written; Faust acknowledges the
batch after that, and flushes the producer before it commits those offsets, so the guarantee
is unchanged.

The HTTP views (services/streams/views.py) read the folds through `fold_for_query`, which
loads a partition this worker holds but has not folded yet (a restart in a quiet hour).

The boundary (docs/operations.md, Bad input): a sequenced message that cannot be unpacked
becomes one dead letter; each envelope's fold never raises (services/streams/fold.py).

A log that goes backwards (docs/operations.md): each partition keeps an anchor, the offset
and digest of the last message folded. When a message at or below it is handed in again,
the anchor is read back from the broker first (services/streams/rebuild.py); if the log no
longer holds it, the worker stops with `LogWentBackwards` instead of folding on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

from services.kafka.partitioning import partition_of
from services.kafka.profiles import profile_for
from services.kafka.settings import KafkaSettings
from services.kafka.topics import sequenced_topic
from services.streams.batching import BATCH_MAX, BATCH_WITHIN
from services.streams.envelope import Envelope
from services.streams.faults import agent_fault
from services.streams.fold import Emitted, PartitionFold, Step
from services.streams.health import Health
from services.streams.outputs import OutputPublisher
from services.streams.pack import envelopes_of
from services.streams.rebuild import (
    EXIT_LOG_WENT_BACKWARDS,
    Anchor,
    LogWentBackwards,
    check_anchor,
    committed_offset,
    replay_partition,
)
from shared.engine import Engine
from shared.events.codec import dead_letter, encode
from shared.terms import Terms

log = logging.getLogger(__name__)


class WarrantState:
    """The folds of the sequenced partitions this worker holds, and where each one is."""

    def __init__(self, settings: KafkaSettings, terms: Sequence[Terms]) -> None:
        self.settings = settings
        self.terms = tuple(terms)
        self.symbols = frozenset(t.symbol for t in self.terms)
        self.topic = sequenced_topic(settings)
        self._folds: dict[int, PartitionFold] = {}
        self._last_offset: dict[int, int] = {}
        self._anchor: dict[int, Anchor] = {}
        self._loading: dict[int, asyncio.Lock] = {}
        self.health = Health(stuck_seconds=profile_for(settings).stuck_seconds)
        # None until the group first assigns partitions: then every partition handed in is
        # taken (a WarrantState used without Faust, as in the rebuild tests)
        self.assigned: frozenset[int] | None = None
        self.rebuilt_records = 0
        # The first engine of a process builds the Trading Day tables (seconds of CPU); done
        # here, before the worker joins its group, it cannot stall the heartbeats of the
        # consumer and get this worker thrown out of the group (the session timeout is 1.5 s
        # on the embedded broker).
        Engine(self.terms)

    def partition_of(self, symbol: str) -> int:
        """The sequenced partition that holds `symbol`'s state."""
        return partition_of(symbol.encode(), self.settings.partitions)

    def owns(self, partition: int) -> bool:
        return self.assigned is None or partition in self.assigned

    async def apply(self, partition: int, offset: int, message: Sequence[Envelope],
                    value: bytes | None = None) -> list[Step] | None:
        """Fold the envelopes of the message at `offset` (one, or a pack's; `value` its raw
        value, kept as the partition's anchor), in order; None if the partition is no longer
        this worker's (a message fetched before a rebalance took it away: its new owner folds
        it). LogWentBackwards if the message comes again and the log lost what was folded."""
        if not self.owns(partition):
            return None
        fold = self._folds.get(partition)
        if fold is None or offset <= self._last_offset[partition]:
            anchor = self._anchor.get(partition)
            if fold is not None and anchor is not None:
                await check_anchor(self.settings, self.topic, partition, anchor, offset)
            fold = await self._load(partition, offset, reload=fold is not None)
            if not self.owns(partition):  # the group moved it away during the rebuild
                return None
        steps = [fold.apply(env) for env in message]
        self._last_offset[partition] = offset
        self._anchor[partition] = Anchor.of(offset, value)
        return steps

    def keep_only(self, partitions: Iterable[int]) -> None:
        """The group's new assignment: forget the state of partitions no longer assigned
        here; if one comes back, another worker may have moved it on, so it is rebuilt."""
        kept = frozenset(partitions)
        self.assigned = kept
        for partition in list(self._folds):
            if partition not in kept:
                del self._folds[partition]
                del self._last_offset[partition]
                self._anchor.pop(partition, None)

    async def fold_for_query(self, partition: int) -> PartitionFold:
        """The fold of a partition this worker holds, loaded up to the group's committed
        offset if no record of it has been handed to this worker yet."""
        fold = self._folds.get(partition)
        if fold is not None:
            return fold
        async with self._lock(partition):
            fold = self._folds.get(partition)
            if fold is None:
                until = await committed_offset(self.settings, self.topic, partition)
                fold = await self._rebuild(partition, until, why=" for a query")
            return fold

    def _lock(self, partition: int) -> asyncio.Lock:
        return self._loading.setdefault(partition, asyncio.Lock())

    async def _load(self, partition: int, offset: int, *, reload: bool) -> PartitionFold:
        async with self._lock(partition):
            fold = self._folds.get(partition)
            # a query may have loaded it while this record waited for the lock
            if fold is not None and not reload and offset > self._last_offset[partition]:
                return fold
            return await self._rebuild(partition, offset)

    async def _rebuild(self, partition: int, offset: int, why: str = "") -> PartitionFold:
        self._folds.pop(partition, None)  # no query reads a half-built fold
        fold = PartitionFold(partition, self.settings.partitions, self.terms)
        started = time.perf_counter()
        last: list[Anchor] = []

        def keep(at: int, value: bytes | None) -> None:
            last[:] = [Anchor.of(at, value)]

        with self.health.rebuilding(partition):
            count = await replay_partition(self.settings, self.topic, partition, offset,
                                           fold.apply, keep)
        if count:
            log.info("rebuilt %s[%d] from %d records in %.2f s%s", self.topic, partition, count,
                     time.perf_counter() - started, why)
        self.rebuilt_records += count
        if self.owns(partition):  # else a later assignment would take up a stale fold
            self._folds[partition] = fold
            self._last_offset[partition] = offset - 1
            if last:
                self._anchor[partition] = last[0]
            else:
                self._anchor.pop(partition, None)
        return fold


def register(app: Any, source: Any, outputs: OutputPublisher, state: WarrantState) -> Any:
    """Add the agent to the Faust app: `source` is the Faust topic of the sequenced log."""

    fault = agent_fault("warrant_state")  # None unless a test asks for a crash (faults.py)

    async def warrant_state(stream: Any) -> None:
        async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN):
            producer = await app.maybe_start_producer()
            for event in events:
                message = event.message
                if fault is not None:
                    fault.check(message.value)
                try:
                    steps = await _handle(state, message, event.headers)
                except LogWentBackwards as exc:
                    await _stop_worker(state, exc)
                    return
                for step in steps or ():
                    await outputs.publish(producer, message.partition, step)
                state.health.handled(message.topic, message.partition, message.offset)

    async def on_assigned(sender: object, assigned: set[Any], **kwargs: object) -> None:
        state.health.assigned({(tp.topic, tp.partition) for tp in assigned}, {state.topic})
        state.keep_only(tp.partition for tp in assigned if tp.topic == state.topic)

    async def warrant_state_agent(stream: Any) -> None:
        try:
            await warrant_state(stream)
        except Exception as exc:  # a crash (Faust restarts the agent): readiness reports it
            state.health.crashed("warrant_state", exc)
            raise

    app.on_partitions_assigned.connect(on_assigned)
    return app.agent(source, name="warrant_state")(warrant_state_agent)


async def _handle(state: WarrantState, message: Any, headers: Any) -> list[Step] | None:
    """The steps of one sequenced message; one that cannot be unpacked is one dead letter."""
    try:
        envelopes = envelopes_of(message.key, message.value, headers)
    except Exception as exc:
        where = f"{message.topic}[{message.partition}]@{message.offset}"
        log.error("%s cannot be unpacked: %s", where, str(exc)[:300])
        if not state.owns(message.partition):
            return None
        letter = dead_letter(message.topic, message.value or b"",
                             f"sequenced message {where} cannot be unpacked "
                             f"({type(exc).__name__}): nothing of it was folded")
        value = encode(letter).encode("utf-8", errors="backslashreplace")
        return [Step(emitted=[Emitted(b"", letter, None, (0, 0), value)])]
    return await state.apply(message.partition, message.offset, envelopes, message.value)


async def _stop_worker(state: WarrantState, exc: LogWentBackwards) -> None:
    """Stop the worker at once: a clear error and exit status EXIT_LOG_WENT_BACKWARDS.

    Not Faust's clean stop: that waits for the message in hand to be acknowledged and then
    commits offsets of the new log; nothing of the new log may be folded or committed on the
    old state. The producer has nothing of it to flush (the check runs before the fold), and
    an embedded broker child dies with this process (services/kafka/embedded.py)."""
    state.health.fatal = str(exc)
    log.critical("%s", exc)
    print(f"warrantwatch worker: {exc}", file=sys.stderr, flush=True)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(EXIT_LOG_WENT_BACKWARDS)
