"""The warrant state of a partition taken over mid-log is rebuilt from the sequenced topic.

The sequenced partition is written to a real (Tansu) broker; `WarrantState` is handed its
records from an offset on, as Faust hands them to a worker that takes the partition over.
Its outputs from there on must be those of a fold that saw the whole log.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from kafka_scenario import input_topic_logs, scenario_lines, scenario_terms

from services.kafka.admin import ensure_topics
from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.kafka.topics import sequenced_topic
from services.streams import rebuild, warrant_state
from services.streams.envelope import Envelope
from services.streams.fold import Emitted, PartitionFold
from services.streams.warrant_state import WarrantState
from shared.errors import BrokerError
from shared.events.codec import encode

pytestmark = pytest.mark.kafka


async def write_sequenced(settings: KafkaSettings, partition: int) -> list[Envelope]:
    """GLOW's sequenced partition, one input topic after another; its envelopes in order."""
    logs = input_topic_logs(scenario_lines(limit=150), settings)
    log = [env for topic in sorted(logs) for p, env in logs[topic] if p == partition]
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    await producer.start()
    for env in log:
        await producer.send(sequenced_topic(settings), env.value, key=env.key,
                            partition=partition, headers=env.headers())
    await producer.stop()
    return log


async def applied(state: WarrantState, partition: int, offset: int, env: Envelope
                  ) -> list[Emitted]:
    steps = await state.apply(partition, offset, [env])
    assert steps is not None, f"partition {partition} refused at offset {offset}"
    return [item for step in steps for item in step.emitted]


def texts(steps: list[list[str]]) -> list[str]:
    return [t for step in steps for t in step]


async def test_a_partition_taken_over_mid_log_goes_on_as_if_never_moved(
        settings: KafkaSettings) -> None:
    s = replace(settings, topic_prefix=f"rebuild-{uuid.uuid4().hex[:8]}.")
    await ensure_topics(s)
    partition = partition_of(b"GLOW", s.partitions)
    log = await write_sequenced(s, partition)
    whole = PartitionFold(partition, s.partitions, scenario_terms())
    reference = [[encode(i.record) for i in whole.apply(env).emitted] for env in log]
    assert len(texts(reference)) > 10

    state = WarrantState(s, scenario_terms())
    start = len(log) // 2
    taken_over = [[encode(i.record) for i in (await applied(state, partition, offset, env))]
                  for offset, env in enumerate(log) if offset >= start]
    assert state.rebuilt_records == start  # offsets 0 .. start-1, read back, not published
    assert taken_over == reference[start:]
    assert texts(reference[start:]), "nothing was published after the take-over"

    # the partition went to another worker: a record of it fetched before the rebalance is
    # not folded here (its new owner folds it)
    state.keep_only([])
    assert await state.apply(partition, len(log) - 6, [log[-6]]) is None
    # ... and came back: its state is rebuilt again
    state.keep_only([partition])
    again = len(log) - 5
    replayed = [[encode(i.record) for i in (await applied(state, partition, offset, env))]
                for offset, env in enumerate(log) if offset >= again]
    assert state.rebuilt_records == start + again
    assert replayed == reference[again:]


async def test_a_log_shorter_than_the_offset_in_hand_is_an_error(
        settings: KafkaSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    s = replace(settings, topic_prefix=f"rebuild-{uuid.uuid4().hex[:8]}.")
    await ensure_topics(s)
    state = WarrantState(s, scenario_terms())
    env = Envelope(b"GLOW", "clock", b"{}")
    # offset 3 of an empty partition: the records before it are not there to fold
    monkeypatch.setattr(rebuild, "STALL_SECONDS", 2.0)
    with pytest.raises(BrokerError, match="gave nothing below offset 3"):
        await state.apply(0, 3, [env])


async def test_a_query_loads_a_held_partition_up_to_the_committed_offset(
        settings: KafkaSettings) -> None:
    s = replace(settings, topic_prefix=f"rebuild-{uuid.uuid4().hex[:8]}.",
                app_id=f"rebuild-{uuid.uuid4().hex[:8]}")
    await ensure_topics(s)
    partition = partition_of(b"GLOW", s.partitions)
    log = await write_sequenced(s, partition)
    whole = PartitionFold(partition, s.partitions, scenario_terms())
    reference = [[encode(i.record) for i in whole.apply(env).emitted] for env in log]

    # the group processed the first `done` records and committed their offsets
    done = len(log) // 3
    tp = TopicPartition(sequenced_topic(s), partition)
    committer = AIOKafkaConsumer(bootstrap_servers=s.bootstrap_servers, group_id=s.app_id,
                                 enable_auto_commit=False)
    await committer.start()
    try:
        committer.assign([tp])
        await committer.commit({tp: done})
    finally:
        await committer.stop()

    state = WarrantState(s, scenario_terms())
    state.keep_only([partition])  # held here, but no record of it handed over yet
    fold = await state.fold_for_query(partition)
    assert state.rebuilt_records == done
    assert await state.fold_for_query(partition) is fold  # loaded once
    # the records Faust then hands over (from the committed offset) go on from there
    rest = [[encode(i.record) for i in await applied(state, partition, offset, env)]
            for offset, env in enumerate(log) if offset >= done]
    assert state.rebuilt_records == done
    assert rest == reference[done:]
    assert texts(rest)


async def test_a_partition_moved_away_during_its_rebuild_is_not_kept(
        settings: KafkaSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    state = WarrantState(settings, scenario_terms())
    state.keep_only([0])
    rebuilds: list[int] = []

    async def replay(_settings: object, _topic: str, partition: int, until: int,
                     _apply: object, _on_message: object = None, *,
                     since: object = None) -> int:
        rebuilds.append(until)
        if len(rebuilds) == 1:
            state.keep_only([1])  # the group gave partition 0 to another worker meanwhile
        return until

    monkeypatch.setattr(warrant_state, "replay_partition", replay)
    env = Envelope(b"GLOW", "clock", b"{}")
    assert await state.apply(0, 5, [env]) is None  # not folded here: its new owner folds it
    # handed back later, at a later offset: rebuilt up to it, not taken up from offset 5
    state.keep_only([0, 1])
    assert await state.apply(0, 9, [env]) is not None
    assert rebuilds == [5, 9]
    assert await state.apply(0, 10, [env]) is not None
    assert rebuilds == [5, 9]  # from there on, record by record


async def test_a_log_written_before_the_binary_frame_is_taken_over_and_a_newer_one_refused(
        settings: KafkaSettings) -> None:
    """Packs of version 1 (before issue 11) and 2 in one log: a takeover folds both as a
    fold of the envelopes does; a pack of a version this worker does not read is neither
    skipped nor made a dead letter: it stops the worker (services/streams/pack.py)."""
    from services.streams.pack import PACK_HEADERS, PackFormatUnknown, pack, pack_v1

    s = replace(settings, topic_prefix=f"rebuild-{uuid.uuid4().hex[:8]}.")
    await ensure_topics(s)
    partition = partition_of(b"GLOW", s.partitions)
    logs = input_topic_logs(scenario_lines(limit=150), s)
    envs = [env for topic in sorted(logs) for p, env in logs[topic] if p == partition]
    groups = [envs[i:i + 7] for i in range(0, len(envs), 7)]
    packs = [pack_v1(g) if n % 2 == 0 else pack(g)[0] for n, g in enumerate(groups)]
    assert {p[0] for p in packs} == {1, 2}
    producer = AIOKafkaProducer(bootstrap_servers=s.bootstrap_servers)
    await producer.start()
    for value in packs:
        await producer.send(sequenced_topic(s), value, key=b"", partition=partition,
                            headers=PACK_HEADERS)
    await producer.send(sequenced_topic(s), b"\x03" + packs[1][1:], key=b"",
                        partition=partition, headers=PACK_HEADERS)
    await producer.stop()

    whole = PartitionFold(partition, s.partitions, scenario_terms())
    reference = [[encode(i.record) for i in whole.apply(env).emitted] for env in envs]
    start = len(packs) // 2
    expected = texts(reference[sum(len(g) for g in groups[:start]):])
    assert expected

    state = WarrantState(s, scenario_terms())
    got = []
    for offset in range(start, len(packs)):
        steps = await warrant_state._handle(state, _Message(partition, offset, packs[offset]),
                                            PACK_HEADERS)
        assert steps is not None
        got += [encode(i.record) for step in steps for i in step.emitted]
    assert state.rebuilt_records == start
    assert got == expected

    newer = _Message(partition, len(packs), b"\x03" + packs[1][1:])
    with pytest.raises(PackFormatUnknown, match="version 3"):
        await warrant_state._handle(state, newer, PACK_HEADERS)
    # a worker taking the partition over after it meets it in its rebuild: refused too
    with pytest.raises(PackFormatUnknown, match="version 3"):
        await WarrantState(s, scenario_terms()).apply(partition, len(packs) + 1, [envs[0]])


class _Message:
    def __init__(self, partition: int, offset: int, value: bytes) -> None:
        self.topic, self.partition, self.offset = "sequenced", partition, offset
        self.key, self.value = b"", value
