"""Takeover suite: how long a worker takes to take over a partition, with and without a snapshot.

docs/operations.md "State across restarts". For each history length (10,000, 100,000 and
1,000,000 records; `--quick`: 1,000 and 10,000) the sequenced partition of one symbol (GLOW,
the bundled W-F-05 terms) is written to a fresh topic on the embedded broker, as intake writes
it: each input made into its envelope by intake's own function, and the envelopes packed 200
to a message (a batch of intake, services/streams/pack.py), produced in large batches. The
history is mostly quotes (2,000 a trading day from 2008-01-02, about one every 11 seconds of
the session), with a listing, three warrants, shares outstanding, a cash exercise every fifth
day delivered the next morning, holdings reports, a stock dividend or a cash distribution
every twentieth day, and a tick at 17:30 each day.

A takeover is timed from a fresh `WarrantState` (services/streams/warrant_state.py, the code
path a worker uses when the group assigns it the partition) being handed the first record
after the history, to that record folded: the rebuild from the log, and from the snapshot
plus the tail when there is one, and the one record. Without a snapshot
(WARRANTWATCH_SNAPSHOT_EVERY=0) the whole log is read and folded. With one, the snapshot is
written by the same code a worker uses, at the last message boundary at least EVERY records
before the end, which is the worst case of snapshots every EVERY records: the tail folded is
EVERY records or a little more.

Rows (JSON): `records`, `takeover_seconds`, `snapshot` (true/false), `tail_records` (records
folded after the snapshot), `snapshot_bytes`; `per_op_seconds` is the takeover's seconds. The
baseline of a row without snapshot is the pure in-process fold of the same records (no
Kafka: what reading the log adds); of a row with a snapshot, the takeover without one of the
same history.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer

from services.bench import BenchResult
from services.bench.engine import FIRST_DAY, LISTED_FROM, trading_days
from services.kafka.admin import delete_topics, ensure_topics
from services.kafka.client import producer_kwargs
from services.kafka.embedded import EmbeddedBroker
from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.kafka.topics import sequenced_topic, topic_specs
from services.streams import snapshots
from services.streams.envelope import Envelope
from services.streams.fold import PartitionFold
from services.streams.intake import envelopes
from services.streams.pack import PACK_HEADERS, Packer
from services.streams.rebuild import Anchor
from services.streams.warrant_state import WarrantState
from shared.errors import BenchError
from shared.terms import Terms, load_terms

SUITE = "takeover"
SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
QUOTES_PER_DAY = 2_000
QUOTE_STEP_SECONDS = 11  # 2,000 quotes from 09:30 to about 15:37
PACK_RECORDS = 200  # intake's batch (services/streams/batching.py BATCH_MAX)
SYMBOL = "GLOW"
WARRANTS = 3


def _opening(zone: ZoneInfo) -> list[tuple[str, str]]:
    s = SYMBOL
    lines = [("corporate-actions", json.dumps({
        "type": "listing", "id": f"{s}-otcbb", "symbol": s,
        "effective": LISTED_FROM.isoformat(), "venue": "OTCBB"}))]
    for w in range(WARRANTS):
        lines.append(("registry", json.dumps({
            "type": "warrant_issued", "id": f"{s}-reg-{w}", "symbol": s,
            "warrant": f"{s}-W{w}", "holder": f"Holder {w}", "shares": "100000"})))
    opening = datetime.combine(FIRST_DAY, clock(8, 0), tzinfo=zone).isoformat()
    lines.append(("corporate-actions", json.dumps({
        "type": "shares_outstanding", "id": f"{s}-so0", "symbol": s, "as_of": opening,
        "shares": "50000000"})))
    return lines


def _day(i: int, day: date, zone: ZoneInfo) -> list[tuple[str, str]]:
    """The inputs of trading day number `i`, in event-time order."""
    s = SYMBOL
    w = (i // 5) % WARRANTS
    base = datetime.combine(day, clock(9, 30), tzinfo=zone)
    offset = base.isoformat()[-6:]
    timed: list[tuple[int, str, str]] = []
    for n in range(QUOTES_PER_DAY):
        when = base + timedelta(seconds=QUOTE_STEP_SECONDS * n)
        cents = 300 + (7 * n + 13 * i) % 60
        timed.append((when.hour * 3600 + when.minute * 60 + when.second, "quotes",
                      f'{{"type": "quote", "id": "{s}-q{i}-{n}", "symbol": "{s}", '
                      f'"at": "{when.isoformat()}", "bid": "{cents // 100}.{cents % 100:02d}", '
                      f'"ask": "{(cents + 5) // 100}.{(cents + 5) % 100:02d}", '
                      f'"volume": "1000"}}'))

    def at(h: int, m: int) -> tuple[int, str]:
        return h * 3600 + m * 60, f"{day.isoformat()}T{h:02d}:{m:02d}:00{offset}"

    if i % 5 == 0:
        t, stamp = at(11, 0)
        timed.append((t, "exercises", json.dumps({
            "type": "exercise", "id": f"{s}-x{i}", "symbol": s, "warrant": f"{s}-W{w}",
            "holder": f"Holder {w}", "submitted_at": stamp, "delivery": "hand",
            "cash_shares": "100"})))
    if i % 5 == 1:
        t, stamp = at(10, 0)
        timed.append((t, "deliveries", json.dumps({
            "type": "delivery", "id": f"{s}-d{i - 1}", "symbol": s,
            "exercise_id": f"{s}-x{i - 1}", "delivered_at": stamp, "shares": "100",
            "channel": "DWAC"})))
    if i % 10 == 3:
        t, stamp = at(12, 30)
        timed.append((t, "holdings", json.dumps({
            "type": "holding", "id": f"{s}-h{i}", "symbol": s, "holder": f"Holder {w}",
            "as_of": stamp, "shares": str(10000 + 100 * i)})))
    if i % 20 == 13:
        record: dict[str, Any] = (
            {"type": "stock_dividend", "id": f"{s}-sd{i}", "symbol": s,
             "record_date": day.isoformat(), "payment_date": day.isoformat(), "rate": "0.01"}
            if (i // 20) % 2 == 0 else
            {"type": "distribution", "id": f"{s}-dist{i}", "symbol": s,
             "record_date": day.isoformat(), "kind": "cash", "value_per_share": "0.005"})
        timed.append((9 * 3600, "corporate-actions", json.dumps(record)))
    timed.sort(key=lambda item: item[0])
    lines = [(topic, raw) for _, topic, raw in timed]
    t, stamp = at(17, 30)
    lines.append(("clock", json.dumps({"type": "tick", "id": f"tick-{i}", "symbol": "*",
                                       "at": stamp})))
    return lines


def inputs(terms: Terms, records: int) -> Iterator[tuple[str, str]]:
    """(topic, raw JSON) of the history, `records` of them, then as many more as asked."""
    yield from _opening(terms.zone)
    days = trading_days(terms, records // QUOTES_PER_DAY + 2)
    for i, day in enumerate(days):
        yield from _day(i, day, terms.zone)
    raise BenchError("the bench ran out of trading days")


def sequenced(settings: KafkaSettings, terms: Terms, records: int) -> Iterator[Envelope]:
    """The envelopes of the symbol's sequenced partition, made as intake makes them."""
    offsets: dict[str, int] = {}
    partition = partition_of(SYMBOL.encode(), settings.partitions)
    for topic, raw in inputs(terms, records):
        kafka_topic = settings.topic(topic)
        offset = offsets[kafka_topic] = offsets.get(kafka_topic, -1) + 1
        key = b"*" if topic == "clock" else SYMBOL.encode()
        for target, env in envelopes(settings, kafka_topic, partition, offset, key,
                                     raw.encode(), {}):
            if target == partition:
                yield env


@dataclass(slots=True)
class History:
    """A sequenced partition written to the broker: `records` envelopes in `messages`
    messages, and the first envelope after them."""

    settings: KafkaSettings
    partition: int
    records: int
    messages: int
    fold_seconds: float  # the pure in-process fold of the history
    outputs: int
    next_record: Envelope
    next_outputs: list[bytes]
    snapshot_at: int | None = None  # the offset a snapshot was written after
    snapshot_records: int = 0  # records the snapshot covers
    snapshot_bytes: int = 0


async def write_history(settings: KafkaSettings, terms: Terms, records: int,
                        snapshot_tail: int | None) -> History:
    """Write `records` envelopes to the sequenced partition; with `snapshot_tail`, also the
    snapshot a worker would have written at the last message with at least that many records
    after it."""
    partition = partition_of(SYMBOL.encode(), settings.partitions)
    topic = sequenced_topic(settings)
    fold = PartitionFold(partition, settings.partitions, [terms])
    stream = sequenced(settings, terms, records)
    kwargs = producer_kwargs(settings)
    kwargs.update(linger_ms=50, max_batch_size=1_000_000)  # the packs in large batches
    producer = AIOKafkaProducer(**kwargs)
    await producer.start()
    pending: list[asyncio.Future[Any]] = []
    done = messages = outputs = 0
    fold_seconds = 0.0
    snapshot_message = (None if snapshot_tail is None
                        else max(0, (records - snapshot_tail) // PACK_RECORDS - 1))
    history = History(settings, partition, records, 0, 0.0, 0, Envelope(b"", "", b""), [])
    try:
        while done < records:
            batch = [next(stream) for _ in range(min(PACK_RECORDS, records - done))]
            started = time.perf_counter()
            for env in batch:
                outputs += len(fold.apply(env).emitted)
            fold_seconds += time.perf_counter() - started
            packer = Packer()
            for env in batch:
                packer.add(env)
            for value in packer.packs():
                pending.append(await producer.send(topic, value, key=b"",
                                                   partition=partition,
                                                   headers=PACK_HEADERS))
                messages += 1
            done += len(batch)
            if snapshot_message is not None and messages - 1 == snapshot_message:
                history.snapshot_bytes = await _snapshot_of(settings, producer, fold,
                                                            messages - 1, value)
                history.snapshot_at, history.snapshot_records = messages - 1, done
            if len(pending) >= 200:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    nxt = next(stream)
    history.messages, history.fold_seconds, history.outputs = messages, fold_seconds, outputs
    history.next_record = nxt
    history.next_outputs = [e.value for e in fold.apply(nxt).emitted]
    return history


async def _snapshot_of(settings: KafkaSettings, producer: AIOKafkaProducer,
                       fold: PartitionFold, offset: int, value: bytes) -> int:
    """Write the snapshot of `fold`, which has folded the message `value` at `offset`, as a
    worker does (services/streams/snapshots.py `take` and `write`); its size in bytes."""
    await producer.flush()  # the message at `offset` must be in the log before its snapshot

    async def send(topic: str, key: bytes, val: bytes, partition: int,
                   headers: list[tuple[str, bytes]]) -> None:
        await (await producer.send(topic, val, key=key, partition=partition, headers=headers))

    return await snapshots.write(settings, send, snapshots.take(fold, Anchor.of(offset, value),
                                                                0))


async def takeover(history: History, snapshots: bool) -> tuple[float, WarrantState]:
    """Seconds from a fresh WarrantState handed the record after the history to it folded."""
    settings = history.settings if snapshots else replace(history.settings, snapshot_every=0)
    state = WarrantState(settings, [load_terms()])
    state.keep_only([history.partition])
    started = time.perf_counter()
    steps = await state.apply(history.partition, history.messages, [history.next_record])
    seconds = time.perf_counter() - started
    got = [e.value for step in steps or () for e in step.emitted]
    if got != history.next_outputs:
        raise BenchError(f"the record after a takeover gave {got!r}, the uninterrupted fold "
                         f"{history.next_outputs!r}")
    expected = (history.messages - history.snapshot_at - 1
                if snapshots and history.snapshot_at is not None else history.messages)
    if state.rebuilt_records != expected:
        raise BenchError(f"the takeover folded {state.rebuilt_records} messages, expected "
                         f"{expected}")
    return seconds, state


async def measure_size(settings: KafkaSettings, records: int, every: int, repeat: int
                       ) -> list[BenchResult]:
    """The two rows (without and with a snapshot) of one history length."""
    s = replace(settings, topic_prefix=f"bench-takeover-{uuid.uuid4().hex[:8]}.",
                snapshot_every=every)
    await ensure_topics(s)
    try:
        history = await write_history(s, load_terms(), records, every)
        without = min([(await takeover(history, snapshots=False))[0] for _ in range(repeat)])
        withs = [await takeover(history, snapshots=True) for _ in range(max(repeat, 3))]
        with_snapshot = min(seconds for seconds, _ in withs)
    finally:
        await delete_topics(s, [spec.name for spec in topic_specs(s)])
    common: tuple[tuple[str, int | float | str], ...] = (
        ("records", records), ("messages", history.messages), ("snapshot_every", every))
    tail = records - history.snapshot_records
    return [
        BenchResult(
            suite=SUITE, name=f"takeover of {records:,} records, without snapshot",
            per_op_seconds=without, baseline_name="the same records folded in-process",
            baseline_per_op_seconds=history.fold_seconds,
            figures=(*common, ("takeover_seconds", without), ("snapshot", False),
                     ("tail_records", records), ("snapshot_bytes", 0))),
        BenchResult(
            suite=SUITE, name=f"takeover of {records:,} records, snapshot + {tail:,}-record "
                              f"tail",
            per_op_seconds=with_snapshot, baseline_name="the same takeover without snapshot",
            baseline_per_op_seconds=without,
            figures=(*common, ("takeover_seconds", with_snapshot), ("snapshot", True),
                     ("tail_records", tail), ("snapshot_bytes", history.snapshot_bytes))),
    ]


def run_sizes(sizes: tuple[int, ...], every: int, repeat: int) -> list[BenchResult]:
    results: list[BenchResult] = []
    with EmbeddedBroker() as broker:
        settings = KafkaSettings(broker=broker.url, profile="embedded")
        for records in sizes:
            results += asyncio.run(measure_size(settings, records, min(every, records // 2),
                                                repeat if records < 1_000_000 else 1))
    return results


def run(quick: bool) -> list[BenchResult]:
    from services.kafka.settings import DEFAULT_SNAPSHOT_EVERY

    return run_sizes(QUICK_SIZES if quick else SIZES, DEFAULT_SNAPSHOT_EVERY,
                     1 if quick else 3)

