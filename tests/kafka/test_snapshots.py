"""Snapshots of a partition's warrant state: a takeover from the latest one plus the tail gives
what a fold of the whole log gives; a snapshot that cannot be trusted is ignored, with a log
line, and the state is rebuilt from the log (docs/operations.md, State across restarts).

The sequenced partition is written to a real (Tansu) broker and `WarrantState` is handed its
records as Faust hands them to a worker, as in tests/kafka/test_state_rebuild.py.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
import zlib
from dataclasses import replace

import pytest
from aiokafka import AIOKafkaProducer
from kafka_scenario import input_topic_logs, scenario_lines, scenario_terms

from services.kafka.admin import ensure_topics
from services.kafka.client import PRODUCER_MAX_REQUEST_BYTES
from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.kafka.topics import SNAPSHOTS, snapshot_topic, topic_specs
from services.streams import snapshots
from services.streams.envelope import Envelope, Headers, Place
from services.streams.fold import FoldState, PartitionFold
from services.streams.rebuild import Anchor
from services.streams.snapshots import PartitionSnapshot, Send
from services.streams.warrant_state import WarrantState
from shared.engine.snapshot import SNAPSHOT_VERSION
from shared.errors import SnapshotError
from shared.events.codec import encode

pytestmark = pytest.mark.kafka


def fresh(settings: KafkaSettings, every: int = 25) -> KafkaSettings:
    return replace(settings, topic_prefix=f"snap-{uuid.uuid4().hex[:8]}.", snapshot_every=every)


async def write_sequenced(settings: KafkaSettings, partition: int) -> list[Envelope]:
    """GLOW's sequenced partition, one envelope a message; its envelopes in log order."""
    logs = input_topic_logs(scenario_lines(limit=150), settings)
    log = [env for topic in sorted(logs) for p, env in logs[topic] if p == partition]
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    await producer.start()
    try:
        for env in log:
            await producer.send(settings.topic("sequenced-inputs"), env.value, key=env.key,
                                partition=partition, headers=env.headers())
    finally:
        await producer.stop()
    return log


class Sender:
    """A `Send` through an aiokafka producer, each message awaited (as the worker does)."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers,
                                         max_request_size=PRODUCER_MAX_REQUEST_BYTES)
        self.sizes: list[int] = []

    async def __aenter__(self) -> Send:
        await self.producer.start()

        async def send(topic: str, key: bytes, value: bytes, partition: int,
                       headers: Headers) -> None:
            self.sizes.append(len(value))
            await (await self.producer.send(topic, value, key=key, partition=partition,
                                            headers=headers))

        return send

    async def __aexit__(self, *exc: object) -> None:
        await self.producer.stop()


def outputs(steps: object) -> list[str]:
    assert isinstance(steps, list), f"refused: {steps!r}"
    return [encode(e.record) for step in steps for e in step.emitted]


async def setup(settings: KafkaSettings) -> tuple[int, list[Envelope], list[list[str]]]:
    await ensure_topics(settings)
    partition = partition_of(b"GLOW", settings.partitions)
    log = await write_sequenced(settings, partition)
    whole = PartitionFold(partition, settings.partitions, scenario_terms())
    return partition, log, [[encode(e.record) for e in whole.apply(env).emitted] for env in log]


def fold_until(settings: KafkaSettings, partition: int, log: list[Envelope], last: int
               ) -> tuple[PartitionFold, Anchor]:
    """A fold of the log up to offset `last` included, and the anchor of that message."""
    fold = PartitionFold(partition, settings.partitions, scenario_terms())
    for env in log[:last + 1]:
        fold.apply(env)
    return fold, Anchor.of(last, log[last].value)


async def folded_until(settings: KafkaSettings, partition: int, log: list[Envelope],
                       last: int) -> tuple[WarrantState, list[list[str]]]:
    """A worker that folded the log up to offset `last` included and published it all."""
    state = WarrantState(settings, scenario_terms())
    state.keep_only([partition])
    out = []
    for offset in range(last + 1):
        out.append(outputs(await state.apply(partition, offset, [log[offset]],
                                             log[offset].value)))
        state.published(partition)
    return state, out


async def test_a_takeover_from_a_snapshot_and_the_tail_goes_on_as_an_uninterrupted_fold(
        settings: KafkaSettings, caplog: pytest.LogCaptureFixture) -> None:
    s = fresh(settings)
    partition, log, reference = await setup(s)
    assert len([t for step in reference for t in step]) > 10
    k = len(log) // 2
    first, before = await folded_until(s, partition, log, k)
    assert first.due() == [partition]  # more than 25 records since it started
    async with Sender(s) as send:
        size = await first.snapshot(partition, send)
    assert size and first.due() == []
    # the first worker is killed here; the second is handed the records from `handed` on
    handed = k + 10
    second = WarrantState(s, scenario_terms())
    caplog.set_level(logging.INFO)
    after = [outputs(await second.apply(partition, offset, [log[offset]]))
             for offset in range(handed, len(log))]
    assert second.snapshots_loaded == 1
    assert second.rebuilt_records == handed - k - 1  # only the tail, not from offset 0
    assert after == reference[handed:]
    assert before == reference[:k + 1]
    assert any(t for step in after for t in step), "nothing was published after the takeover"
    assert f"from the snapshot at offset {k} and {handed - k - 1} records" in caplog.text


async def test_the_next_snapshot_waits_for_records_in_proportion_to_the_state(
        settings: KafkaSettings) -> None:
    # `snapshot_every` 1, but a snapshot of E bytes of engine state waits E // 16 records
    # (services/streams/warrant_state.py STATE_BYTES_PER_RECORD)
    s = fresh(settings, every=1)
    partition, log, _ = await setup(s)
    k = 20
    first, _ = await folded_until(s, partition, log, k)
    assert first.due() == [partition]
    engine_bytes = len(snapshots.take(*fold_until(s, partition, log, k), 0).engine)
    async with Sender(s) as send:
        assert await first.snapshot(partition, send)
    wait = engine_bytes // 16
    assert 1 < wait < len(log) - k - 1, "the scenario cannot show the interval"
    due_after = []
    for offset in range(k + 1, len(log)):
        await first.apply(partition, offset, [log[offset]], log[offset].value)
        first.published(partition)
        due_after.append(first.due() == [partition])
    assert due_after == [n >= wait for n in range(1, len(log) - k)]


async def test_records_a_snapshot_covers_are_skipped_when_handed_in_again(
        settings: KafkaSettings) -> None:
    # the snapshot went past the group's committed offset: Faust hands the new owner records
    # the snapshot already holds; their outputs were flushed before it was written
    s = fresh(settings)
    partition, log, reference = await setup(s)
    k = len(log) // 2
    first, _ = await folded_until(s, partition, log, k)
    async with Sender(s) as send:
        assert await first.snapshot(partition, send)
    second = WarrantState(s, scenario_terms())
    handed = k - 7
    skipped = [await second.apply(partition, offset, [log[offset]])
               for offset in range(handed, k + 1)]
    assert skipped == [[]] * 8  # folded into the snapshot: nothing folded or published again
    after = [outputs(await second.apply(partition, offset, [log[offset]]))
             for offset in range(k + 1, len(log))]
    assert after == reference[k + 1:]
    assert second.rebuilt_records == 0


async def test_a_snapshot_at_close_leaves_no_tail(settings: KafkaSettings) -> None:
    s = fresh(settings, every=10_000)
    partition, log, reference = await setup(s)
    k = len(log) - 20
    first, _ = await folded_until(s, partition, log, k)
    assert first.due() == []  # far fewer than 10,000 records
    async with Sender(s) as send:
        await first.close([partition], send)  # revoked, or the worker stopping
        assert first.snapshots_written == 1
        await first.close([partition], send)  # nothing folded since: nothing written
        assert first.snapshots_written == 1
    second = WarrantState(s, scenario_terms())
    after = [outputs(await second.apply(partition, offset, [log[offset]]))
             for offset in range(k + 1, len(log))]
    assert second.rebuilt_records == 0 and second.snapshots_loaded == 1
    assert after == reference[k + 1:]


async def test_no_snapshot_is_written_while_outputs_are_in_hand(
        settings: KafkaSettings) -> None:
    s = fresh(settings)
    partition, log, _ = await setup(s)
    state, _ = await folded_until(s, partition, log, 30)
    await state.apply(partition, 31, [log[31]])  # its outputs not handed to the producer yet
    async with Sender(s) as send:
        assert await state.snapshot(partition, send) is None
        state.published(partition)
        assert await state.snapshot(partition, send)


async def write_chunks(s: KafkaSettings, partition: int,
                       chunks: list[tuple[bytes, bytes, Headers]]) -> None:
    async with Sender(s) as send:
        for key, value, headers in chunks:
            await send(snapshot_topic(s), key, value, partition, headers)


def headers(version: bytes, value: bytes, index: int = 0, count: int = 1) -> Headers:
    return [(snapshots.SNAPSHOT, version), (snapshots.SNAPSHOT_ID, b"7-x"),
            (snapshots.CHUNK, f"{index}/{count}".encode()),
            (snapshots.DIGEST, hashlib.sha256(value).hexdigest().encode())]


async def rebuilt_ignoring(s: KafkaSettings, partition: int, log: list[Envelope],
                           reference: list[list[str]]) -> WarrantState:
    state = WarrantState(s, scenario_terms())
    handed = len(log) - 5
    after = [outputs(await state.apply(partition, offset, [log[offset]]))
             for offset in range(handed, len(log))]
    assert state.snapshots_loaded == 0
    assert state.rebuilt_records == handed  # the whole log, from offset 0
    assert after == reference[handed:]
    return state


async def test_a_snapshot_that_does_not_decode_is_ignored_and_the_log_rebuilt(
        settings: KafkaSettings, caplog: pytest.LogCaptureFixture) -> None:
    s = fresh(settings)
    partition, log, reference = await setup(s)
    junk = b"\x00not zlib at all"
    await write_chunks(s, partition, [(f"{partition}:0:0".encode(), junk,
                                       headers(b"1", junk))])
    caplog.set_level(logging.INFO)
    await rebuilt_ignoring(s, partition, log, reference)
    assert "no snapshot used, the state is rebuilt from the whole log" in caplog.text
    assert "does not decode" in caplog.text


async def test_a_snapshot_of_another_format_version_is_ignored(
        settings: KafkaSettings, caplog: pytest.LogCaptureFixture) -> None:
    s = fresh(settings)
    partition, log, reference = await setup(s)
    data = snapshots.encode(snapshots.take(*fold_until(s, partition, log, 20), 0))
    await write_chunks(s, partition, [(f"{partition}:0:0".encode(), data,
                                       headers(b"2", data))])
    caplog.set_level(logging.INFO)
    await rebuilt_ignoring(s, partition, log, reference)
    assert "snapshot message of format b'2', this worker reads 1" in caplog.text


async def test_a_snapshot_whose_engine_state_does_not_load_is_ignored(
        settings: KafkaSettings, caplog: pytest.LogCaptureFixture) -> None:
    s = fresh(settings)
    partition, log, reference = await setup(s)
    good = snapshots.take(*fold_until(s, partition, log, 20), 0)
    bad = replace(good, engine=b"\x93garbage")
    async with Sender(s) as send:
        await snapshots.write(s, send, bad)
    caplog.set_level(logging.INFO)
    await rebuilt_ignoring(s, partition, log, reference)
    assert "snapshot at offset 20 ignored, rebuilding from the whole log" in caplog.text


async def test_a_snapshot_of_another_log_is_ignored(
        settings: KafkaSettings, caplog: pytest.LogCaptureFixture) -> None:
    # the message at the snapshot's offset is not the one it was taken after: the topic was
    # re-created, or the broker lost its log, and the snapshots stayed
    s = fresh(settings)
    partition, log, reference = await setup(s)
    fold, _ = fold_until(s, partition, log, 20)
    snapshot = snapshots.take(fold, Anchor.of(20, b"another message"), 0)
    async with Sender(s) as send:
        await snapshots.write(s, send, snapshot)
    caplog.set_level(logging.INFO)
    await rebuilt_ignoring(s, partition, log, reference)
    assert "is not the message the snapshot was taken after" in caplog.text


def large_snapshot(partition: int, partitions: int, size: int) -> PartitionSnapshot:
    """A snapshot whose engine part is `size` incompressible bytes, with records waiting."""
    pending = tuple(Envelope(b"GLOW", "quotes", b'{"n": %d}' % n, place=Place(n + 3, 900))
                    for n in range(40))
    return PartitionSnapshot(partition, partitions, Anchor.of(12, b"x"), 1, ("GLOW",),
                             SNAPSHOT_VERSION, FoldState(2, pending,
                                                         (("warrantwatch.quotes", 1, 77),)),
                             os.urandom(size))


async def test_a_large_state_travels_in_chunks_under_the_producer_limit(
        settings: KafkaSettings) -> None:
    s = fresh(settings)
    await ensure_topics(s)
    partition = 2
    big = large_snapshot(partition, s.partitions, 3 * snapshots.CHUNK_BYTES + 1000)
    sender = Sender(s)
    async with sender as send:
        size = await snapshots.write(s, send, big)
    assert size > 3 * snapshots.CHUNK_BYTES
    assert len(sender.sizes) == 4
    assert max(sender.sizes) <= snapshots.CHUNK_BYTES < PRODUCER_MAX_REQUEST_BYTES
    found = await snapshots.read_latest(s, partition)
    assert found is not None
    assert found == (big, size)


async def test_a_snapshot_written_half_way_leaves_the_previous_one_in_use(
        settings: KafkaSettings, caplog: pytest.LogCaptureFixture) -> None:
    s = fresh(settings)
    await ensure_topics(s)
    partition = 1
    whole = replace(large_snapshot(partition, s.partitions, 1000), slot=0)
    later = replace(large_snapshot(partition, s.partitions, 2 * snapshots.CHUNK_BYTES + 10),
                    slot=1)
    async with Sender(s) as send:
        await snapshots.write(s, send, whole)
    data = snapshots.encode(later)
    chunks = snapshots.messages(later, data)
    assert len(chunks) == 3
    await write_chunks(s, partition, chunks[:2])  # the writer died before its last chunk
    caplog.set_level(logging.INFO)
    found = await snapshots.read_latest(s, partition)
    assert found is not None and found[0] == whole
    assert "has 2 of 3 chunks; looking further back" in caplog.text
    # the two slots take turns, so compaction cannot remove a chunk of the whole one
    assert {key.split(b":")[1] for key, _, _ in chunks} == {b"1"}


def test_a_snapshot_round_trips_and_refuses_bytes_of_another_format() -> None:
    snap = large_snapshot(3, 4, 5000)
    data = snapshots.encode(snap)
    assert snapshots.decode(data) == snap
    with pytest.raises(SnapshotError, match="does not decode"):
        snapshots.decode(data[:-10])
    with pytest.raises(SnapshotError, match="format 9"):
        raw = bytearray(zlib.decompress(data))
        raw[4] = 9
        snapshots.decode(zlib.compress(bytes(raw)))


def test_the_snapshot_topic_is_compacted_and_the_log_retention_is_a_setting() -> None:
    s = KafkaSettings(sequenced_retention_ms=7 * 24 * 3600 * 1000)
    specs = {spec.logical: spec for spec in topic_specs(s)}
    assert ("cleanup.policy", "compact") in specs[SNAPSHOTS].config
    assert ("retention.ms", "604800000") in specs["sequenced-inputs"].config
    assert ("retention.ms", "-1") in {spec.logical: spec for spec in
                                      topic_specs(KafkaSettings())}["sequenced-inputs"].config
    assert KafkaSettings.from_env({"WARRANTWATCH_SNAPSHOT_EVERY": "500"}).snapshot_every == 500
    assert KafkaSettings().snapshot_every == 10_000
    with pytest.raises(ValueError, match="must then be kept for ever"):
        KafkaSettings(snapshot_every=0, sequenced_retention_ms=1000)
    with pytest.raises(ValueError, match="SNAPSHOT_EVERY must be 0"):
        KafkaSettings(snapshot_every=-1)
    with pytest.raises(ValueError, match="RETENTION_MS must be -1"):
        KafkaSettings(sequenced_retention_ms=0)


async def test_the_takeover_bench_measures_both_ways_on_a_tiny_history(
        settings: KafkaSettings) -> None:
    from services.bench.takeover import measure_size

    without, with_snapshot = await measure_size(settings, 1_200, 400, 1)
    rows = [without.as_json(), with_snapshot.as_json()]
    assert [(r["records"], r["snapshot"]) for r in rows] == [(1_200, False), (1_200, True)]
    assert all(r["takeover_seconds"] > 0 and r["suite"] == "takeover" for r in rows)
    assert rows[0]["tail_records"] == 1_200 and rows[0]["snapshot_bytes"] == 0
    # the snapshot is written at the last 200-record message with 400 or more records after it
    assert rows[1]["tail_records"] == 400 and rows[1]["snapshot_bytes"] > 0


def test_the_snapshot_memo_writes_the_bytes_a_fresh_encoding_writes() -> None:
    """shared/engine/snapshot.py keeps the encodings of immutable instances between snapshots:
    after every record of the W-F-05 life (notices, exercises, ownership) and of the two-symbol
    scenario, a snapshot taken with the memo is the one taken with none, and the memo holds
    only instances of frozen classes."""
    from pathlib import Path

    from shared.engine import Engine
    from shared.engine import snapshot as engine_snapshot
    from shared.engine.replay import replay_lines
    from shared.terms import load_terms

    life = Path(__file__).resolve().parents[2] / "services" / "scenarios" / "wf05-life.jsonl"
    for terms, lines in (([load_terms()], life.read_text().splitlines()),
                         (scenario_terms(), scenario_lines(limit=80))):
        engine = Engine(terms)
        symbols = [t.symbol for t in terms]
        memo = engine_snapshot._MEMO
        for line in lines:
            replay_lines(engine, [line])
            remembered = engine_snapshot.dump_symbols(engine, symbols)
            assert memo.current, "nothing was kept: the memo is not exercised"
            kept = dict(memo.current)
            memo.current.clear()
            memo.old.clear()
            assert engine_snapshot.dump_symbols(engine, symbols) == remembered, line
            assert all(type(v) in engine_snapshot._FROZEN for v, _ in kept.values())
            memo.current.update(kept)
