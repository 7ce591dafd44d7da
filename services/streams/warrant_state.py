"""The warrant state agent: folds the sequenced topic, one `PartitionFold` per partition.

State across restarts (docs/operations.md): when this worker is handed a partition it has no
state for (first start, restart after a crash, a rebalance), it loads the partition's latest
snapshot (services/streams/snapshots.py) and re-folds the sequenced partition from the
offset after it (from offset 0 without one) up to the offset in hand, without publishing
(those outputs were published before their offsets were committed), then carries on
publishing. Outputs of records after the last commit are published again after a crash, with
the same ids: at-least-once delivery with idempotent outputs.

Snapshots are written every `snapshot_every` records of a partition and when it is closed
(revoked from this worker, or the worker stopping), each after the producer has flushed the
outputs of every record it covers. So a snapshot may cover records past the committed offset:
a worker that loads it skips those records when they are handed in (their outputs are out),
as a rebuild would have re-published them with the same ids.

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
import gc
import logging
import time
from collections.abc import Iterable, Sequence
from contextlib import aclosing
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
from services.streams.held import Held, generation_of
from services.streams.outputs import OutputPublisher
from services.streams.pack import PackFormatUnknown, envelopes_of
from services.streams.rebuild import (
    EXIT_UNKNOWN_FORMAT,
    Anchor,
    AnchorMismatch,
    LogWentBackwards,
    check_anchor,
    committed_offset,
    replay_partition,
    stop_worker,
)
from services.streams.snapshots import Send, read_latest, restore, take, write
from shared.engine import Engine
from shared.errors import SnapshotError
from shared.events.codec import dead_letter, encode
from shared.terms import Terms

# one record folded per this many bytes of a partition's last snapshot before the next one
# (`WarrantState.due`): 1.5 MB of state waits ~94,000 records, which fold in about half a
# second; a state of 70 KB (a million quotes over a few dates) keeps `snapshot_every`
STATE_BYTES_PER_RECORD = 16
log = logging.getLogger(__name__)

GC_YOUNG = 20_000  # allocations between collections of the youngest generation (register)


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
        # records folded since the partition's last snapshot, its next slot, the offsets a
        # loaded snapshot covers beyond the offset in hand, partitions with outputs in hand
        self._since_snapshot: dict[int, int] = {}
        self._slot: dict[int, int] = {}
        self._skip: dict[int, tuple[int, int]] = {}
        self._unpublished: set[int] = set()
        # records the next snapshot of a partition waits for beyond `snapshot_every`: one
        # per RECORDS_PER_STATE_BYTE of its last snapshot (see `due`)
        self._interval: dict[int, int] = {}
        self.snapshots_loaded = 0
        self.snapshots_written = 0
        self.snapshot_bytes = 0  # the size of the last snapshot written or loaded
        # The first engine of a process builds the Trading Day tables (seconds of CPU); done
        # here, before the worker joins its group, it cannot stall the heartbeats of the
        # consumer and get this worker thrown out of the group (the session timeout is 1.5 s
        # on the embedded broker).
        Engine(self.terms)

    def partition_of(self, symbol: str) -> int:
        """The sequenced partition that holds `symbol`'s state."""
        return partition_of(symbol.encode(), self.settings.partitions)

    def held(self) -> list[int]:
        """The partitions this worker has a fold of."""
        return sorted(self._folds)

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
        skip = self._skip.get(partition)
        if fold is not None and skip is not None and skip[0] <= offset <= skip[1]:
            return []  # in the snapshot loaded at takeover; its outputs were out before it
        if fold is None or offset <= self._last_offset[partition]:
            anchor = self._anchor.get(partition)
            if fold is not None and anchor is not None:
                await check_anchor(self.settings, self.topic, partition, anchor, offset)
            fold = await self._load(partition, offset, reload=fold is not None)
            if not self.owns(partition):  # the group moved it away during the rebuild
                return None
            skip = self._skip.get(partition)
            if skip is not None and skip[0] <= offset <= skip[1]:
                return []  # the snapshot loaded covers it
        steps = [fold.apply(env) for env in message]
        self._last_offset[partition] = offset
        self._anchor[partition] = Anchor.of(offset, value)
        self._skip.pop(partition, None)
        self._since_snapshot[partition] = self._since_snapshot.get(partition, 0) + len(message)
        self._unpublished.add(partition)
        return steps

    def published(self, partition: int) -> None:
        """Every output of the records folded so far has been handed to the producer."""
        self._unpublished.discard(partition)

    def due(self) -> list[int]:
        """The partitions that have folded `snapshot_every` records since their last snapshot,
        and at least one record per STATE_BYTES_PER_RECORD bytes of that snapshot's state.

        A snapshot's cost grows with the state (a price per date since the listing), a fold's
        per record does not: with a fixed interval the snapshots' share of the work would grow
        with the partition's history (measured: 1.5 MB of state after 6,000 Trading Days,
        25-100 ms a snapshot, every 10,000 records: 3-10 us per record, more than the fold of
        a quote). The longer interval keeps it a bounded share, and the tail a takeover folds
        in proportion to the state it loads (docs/operations.md "State across restarts")."""
        every = self.settings.snapshot_every
        if every <= 0:
            return []
        return [p for p, n in self._since_snapshot.items()
                if n >= max(every, self._interval.get(p, 0)) and p in self._folds]

    async def snapshot(self, partition: int, send: Send) -> int | None:
        """Write the snapshot of `partition` (the producer must have flushed every output of
        the records folded so far); its size in bytes, None if there is nothing to write."""
        fold = self._folds.get(partition)
        anchor = self._anchor.get(partition)
        if (self.settings.snapshot_every <= 0 or fold is None or anchor is None
                or partition in self._unpublished):
            return None
        started = time.perf_counter()
        slot = self._slot.get(partition, 0)
        taken = take(fold, anchor, slot)
        size = await write(self.settings, send, taken)
        self._interval[partition] = len(taken.engine) // STATE_BYTES_PER_RECORD
        self._slot[partition] = (slot + 1) % 2
        self._since_snapshot[partition] = 0
        self.snapshots_written += 1
        self.snapshot_bytes = size
        log.info("snapshot of %s[%d] at offset %d: %d bytes in %.3f s", self.topic, partition,
                 anchor.offset, size, time.perf_counter() - started)
        return size

    async def close(self, partitions: Iterable[int], send: Send) -> None:
        """Snapshots of the partitions given up (revoked, or the worker stopping) that folded
        anything since their last one; a failure is logged, never raised (the next owner
        then starts from an older snapshot or the log)."""
        for partition in partitions:
            if self._since_snapshot.get(partition, 0) == 0:
                continue
            try:
                await self.snapshot(partition, send)
            except Exception as exc:
                log.warning("no snapshot of %s[%d] at close: %s", self.topic, partition, exc)
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
                self._forget(partition)

    def _forget(self, partition: int) -> None:
        for table in (self._since_snapshot, self._slot, self._skip, self._interval):
            table.pop(partition, None)
        self._unpublished.discard(partition)

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
        self._forget(partition)
        started = time.perf_counter()
        with self.health.rebuilding(partition):
            # nothing before offset 0 to take over: a fresh partition reads no snapshot
            found = (await read_latest(self.settings, partition)
                     if self.settings.snapshot_every > 0 and offset > 0 else None)
            fold = self._fresh(partition)
            since: Anchor | None = None
            if found is not None:
                snapshot, size = found
                try:
                    restore(fold, snapshot)
                    since = snapshot.anchor
                    self._slot[partition] = (snapshot.slot + 1) % 2
                    self.snapshot_bytes = size
                except SnapshotError as exc:
                    log.warning("%s[%d]: snapshot at offset %d ignored, rebuilding from the "
                                "whole log: %s", self.topic, partition, snapshot.offset, exc)
                    fold = self._fresh(partition)
            last: list[Anchor] = [since] if since is not None else []
            records = [0]

            def keep(at: int, value: bytes | None) -> None:
                last[:] = [Anchor.of(at, value)]

            def apply(env: Envelope) -> None:
                fold.apply(env)
                records[0] += 1

            try:
                count = await replay_partition(self.settings, self.topic, partition, offset,
                                               apply, keep, since=since)
            except AnchorMismatch as exc:
                log.warning("%s[%d]: snapshot ignored, rebuilding from the whole log: %s",
                            self.topic, partition, exc)
                fold, since, last, records[0] = self._fresh(partition), None, [], 0
                count = await replay_partition(self.settings, self.topic, partition, offset,
                                               apply, keep)
        if since is not None:
            self.snapshots_loaded += 1
        if count or since is not None:
            base = f"the snapshot at offset {since.offset} and " if since is not None else ""
            log.info("rebuilt %s[%d] from %s%d records in %.2f s%s", self.topic, partition,
                     base, count, time.perf_counter() - started, why)
        self.rebuilt_records += count
        self._since_snapshot[partition] = records[0]
        if self.owns(partition):  # else a later assignment would take up a stale fold
            self._folds[partition] = fold
            self._last_offset[partition] = offset - 1
            if since is not None and since.offset >= offset:
                # the snapshot covers records from the one in hand on: skip them
                self._skip[partition] = (offset, since.offset)
                self._last_offset[partition] = since.offset
            if last:
                self._anchor[partition] = last[0]
            else:
                self._anchor.pop(partition, None)
        return fold

    def _fresh(self, partition: int) -> PartitionFold:
        return PartitionFold(partition, self.settings.partitions, self.terms)


def register(app: Any, source: Any, outputs: OutputPublisher, state: WarrantState) -> Any:
    """Add the agent to the Faust app: `source` is the Faust topic of the sequenced log."""

    fault = agent_fault("warrant_state")  # None unless a test asks for a crash (faults.py)

    held = Held()  # what was unfinished at a crash, redone by the restarted agent (held.py)

    async def handle(events: Sequence[Any]) -> int | None:
        """Fold and publish `events` in order: how many were finished when one raised is
        kept in `finished[0]`; None when the worker is stopping (a log went backwards)."""
        finished[0] = 0
        producer = await app.maybe_start_producer()
        for event in events:
            message = event.message
            if fault is not None:
                fault.check(message.value)
            try:
                steps = await _handle(state, message, event.headers)
            except (LogWentBackwards, PackFormatUnknown) as exc:
                await _stop_worker(state, exc)
                return None
            for step in steps or ():
                if step.emitted or step.complete:
                    await outputs.publish(producer, message.partition, step)
            state.published(message.partition)
            state.health.handled(message.topic, message.partition, message.offset)
            finished[0] += 1
        due = state.due()
        if due:
            await producer.flush()  # a snapshot covers only outputs that are out
            for partition in due:
                await state.snapshot(partition, _sender(producer))
        return len(events)

    finished = [0]

    async def warrant_state(stream: Any) -> None:
        if held:
            redo, stale = held.take(generation_of(app))
            await held.release(stream, stale)
            try:
                if await handle(redo) is None:
                    return
            except Exception:
                await held.release(stream, redo[:finished[0]])
                raise
            await held.release(stream, redo)
        async with aclosing(stream.take_events(BATCH_MAX, within=BATCH_WITHIN)) as batches:
            async for events in batches:
                try:
                    if await handle(events) is None:
                        return
                except Exception:
                    # the events from the one it crashed on are redone after the restart;
                    # those before it were folded and their outputs handed to the producer
                    held.hold(events[finished[0]:])
                    raise

    async def on_revoked(sender: object, revoked: set[Any], **kwargs: object) -> None:
        # Faust has flushed the producer before it sends this signal
        producer = await app.maybe_start_producer()
        await state.close((tp.partition for tp in revoked if tp.topic == state.topic),
                          _sender(producer))

    async def on_shutdown(sender: object, **kwargs: object) -> None:
        # the consumer has stopped: nothing more is folded; flush, then write
        producer = await app.maybe_start_producer()
        await producer.flush()
        await state.close(list(state.held()), _sender(producer))

    frozen = [False]

    async def on_assigned(sender: object, assigned: set[Any], **kwargs: object) -> None:
        if not frozen[0]:
            # What the worker built to get here (modules, the app, the Trading Day tables)
            # lives as long as it does: out of the collector's way, so that its full passes
            # (one each time the live objects grow by a quarter) scan what was made since
            # (the folds' state), not the whole process: measured, 7-30 ms a pass instead
            # of 120-250 ms. And the young generation is collected every GC_YOUNG
            # allocations instead of 700: nearly every object of a record is freed by its
            # reference count before that, so it is never scanned nor promoted (measured on
            # `bench kafka`'s long run: 1 collection instead of about 500, a few
            # microseconds an input). Memory: garbage cycles wait a little longer.
            gc.freeze()
            _, middle, old = gc.get_threshold()
            gc.set_threshold(GC_YOUNG, middle, old)
            frozen[0] = True
        state.health.assigned({(tp.topic, tp.partition) for tp in assigned}, {state.topic})
        state.keep_only(tp.partition for tp in assigned if tp.topic == state.topic)

    async def warrant_state_agent(stream: Any) -> None:
        try:
            await warrant_state(stream)
        except Exception as exc:  # a crash (Faust restarts the agent): readiness reports it
            state.health.crashed("warrant_state", exc)
            raise

    app.on_partitions_assigned.connect(on_assigned)
    app.on_partitions_revoked.connect(on_revoked)
    app.on_before_shutdown.connect(on_shutdown)
    return app.agent(source, name="warrant_state")(warrant_state_agent)


def _sender(producer: Any) -> Send:
    """Snapshot chunks through the app's producer, each awaited before the next."""

    async def send(topic: str, key: bytes, value: bytes, partition: int,
                   headers: list[tuple[str, bytes]]) -> None:
        await producer.send_and_wait(topic, key, value, partition, None, headers)

    return send


async def _handle(state: WarrantState, message: Any, headers: Any) -> list[Step] | None:
    """The steps of one sequenced message; one that cannot be unpacked is one dead letter."""
    try:
        envelopes = envelopes_of(message.key, message.value, headers)
    except PackFormatUnknown:
        raise  # written by a newer worker: stop, do not fold on without it (pack.py)
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


async def _stop_worker(state: WarrantState, exc: LogWentBackwards | PackFormatUnknown
                       ) -> None:
    """Stop the worker at once (services/streams/rebuild.py: `stop_worker`)."""
    if isinstance(exc, PackFormatUnknown):
        where = f"{state.topic}: {exc}"
        stop_worker(state.health, exc, status=EXIT_UNKNOWN_FORMAT, message=(
            f"{where}. A newer worker wrote it (an upgrade rolled back?): this worker cannot "
            f"fold it and will not fold on without it. Run the newer version "
            f"(docs/operations.md, State across restarts)."))
    else:
        stop_worker(state.health, exc)
