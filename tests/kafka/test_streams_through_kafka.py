"""The Faust services on a real (Tansu) broker give what the in-process engine gives.

Each test publishes replay inputs, runs `warrantwatch worker` processes against the module's
broker and reads every output topic back (services/kafka/replay.py). The in-process engine on
the same inputs is the reference.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from kafka_scenario import poison_pairs, scenario_lines, scenario_terms

import shared.terms_data
from services.cli import main
from services.kafka.replay import replay_through_kafka
from services.kafka.replay_plan import Output, output_line, plan_lines
from services.kafka.replay_run import Collected, ReplayRun, WorkerProcess
from services.kafka.settings import KafkaSettings
from services.kafka.topics import sequenced_topic
from services.streams.rebuild import committed_offset
from shared.engine import Engine
from shared.engine.replay import replay_lines
from shared.events.codec import encode, topic_of
from shared.terms import DEFAULT_TERMS

pytestmark = pytest.mark.kafka


def in_order_per_partition(collected: Collected) -> bool:
    """On each output topic partition, records first arrived in the engine's order: one
    symbol's outputs (all on its partition) keep the order the engine produced them in."""
    arrivals: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
    for key, out in collected.records.items():  # dicts keep first-arrival order
        arrivals.setdefault((out.topic, out.partition), []).append(key)
    return all(keys == sorted(keys) for keys in arrivals.values())


def in_process(lines: list[str]) -> list[str]:
    return [output_line(Output(topic, encode(record)))
            for topic, record in replay_lines(Engine(scenario_terms()), lines)]


async def test_poison_messages_become_dead_letters_and_the_worker_goes_on(
        settings: KafkaSettings) -> None:
    pairs = poison_pairs()
    engine = Engine(scenario_terms())
    expected = [(topic_of(r), encode(r)) for topic, raw in pairs for r in engine.handle(topic, raw)]
    got = await replay_through_kafka(pairs, settings, scenario_terms())
    assert got == expected
    kinds = [text.split('"', 4)[3] for _, text in got]
    assert kinds.count("dead_letter") == 5
    # the records after the poison were still processed: 2011-01-04's closing bid
    assert kinds[-1] == "market_value" and '"date": "2011-01-04"' in got[-1][1]


def test_replay_command_through_the_embedded_broker_matches_in_process(tmp_path: Path) -> None:
    lines = scenario_lines(limit=250)
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    bundled = (Path(shared.terms_data.__file__).parent / DEFAULT_TERMS).read_text()
    terms_files = []
    for t in scenario_terms():  # the bundled terms file, under each symbol
        path = tmp_path / f"{t.symbol}.toml"
        path.write_text(bundled.replace('symbol = "GLOW"', f'symbol = "{t.symbol}"'))
        terms_files += ["--terms", str(path)]
    for broker in ("inprocess", "embedded"):
        assert main(["replay", str(source), "--out", str(tmp_path / f"{broker}.jsonl"),
                     "--broker", broker, *terms_files]) == 0
    expected = (tmp_path / "inprocess.jsonl").read_text()
    assert expected.count("\n") > 50
    assert (tmp_path / "embedded.jsonl").read_text() == expected


async def test_two_workers_in_one_group_give_what_one_gives(settings: KafkaSettings) -> None:
    lines = scenario_lines(limit=200)
    two = KafkaSettings(broker=settings.broker, profile="embedded", partitions=2)
    async with ReplayRun(two, scenario_terms()) as run:
        run.start_worker()
        run.start_worker()
        await run.wait_ready()  # both in the group before any input: both get work
        await run.publish(plan_lines(lines).submissions)
        collected = await run.collect()
    local = plan_lines(lines).local
    records = sorted({**local, **collected.records}.items())
    assert [output_line(out) for _, out in records] == in_process(lines)
    assert not collected.conflicts
    assert in_order_per_partition(collected)
    # GLOW and GLOWD sit on partitions 1 and 0: each worker had one of them
    assert len({out.worker for out in collected.records.values()}) == 2


async def test_a_killed_worker_loses_nothing_and_repeats_with_the_same_ids(
        settings: KafkaSettings) -> None:
    lines = scenario_lines()
    expected = in_process(lines)
    plan = plan_lines(lines)
    quarter = len(plan.submissions) // 4
    async with ReplayRun(settings, scenario_terms()) as run:
        # a first quarter, until the group committed offsets on every sequenced partition
        # that has records: the next worker must rebuild the state from the log
        await run.publish(plan.submissions, slice(0, quarter))
        first = run.start_worker()
        sequenced = sequenced_topic(run.settings)
        deadline = time.monotonic() + 30
        while min([await committed_offset(run.settings, sequenced, p) for p in run.partitions]
                  ) == 0:
            assert time.monotonic() < deadline, "the first worker committed nothing in 30 s"
            await asyncio.sleep(0.1)
        # the second quarter, and the worker killed as soon as it has published outputs of
        # it; the last half is published only after the kill, so that the second worker has
        # records of its own to fold (the pipeline is quick enough to finish everything
        # published before the kill lands)
        half = len(plan.submissions) // 2
        await run.publish(plan.submissions, slice(quarter, half))
        rest = plan.submissions[quarter].index
        await run.collect(lambda c: any(index >= rest for index, _, _ in c.records))
        first_count = len(run.collector.collected.records)
        first.kill()
        await run.publish(plan.submissions, slice(half, None))
        second = run.start_worker()
        collected = await run.collect()
        second_log = second.log.read_text()
    assert 0 < first_count < len(expected), "the kill did not land mid-stream"
    records = sorted({**plan.local, **collected.records}.items())
    assert [output_line(out) for _, out in records] == expected
    # every output that came twice came as the same record, so with the same id
    assert not collected.conflicts
    assert in_order_per_partition(collected)
    assert len({out.worker for out in collected.records.values()}) == 2
    # the second worker rebuilt the state from the sequenced log before going on
    assert "rebuilt warrantwatch." in second_log


async def test_a_rebalance_mid_stream_loses_nothing_and_repeats_only_with_the_same_ids(
        settings: KafkaSettings) -> None:
    """A second worker joins while the first holds batches of both partitions in hand (the
    inputs keep coming): intake's listener commits what it forwarded, a batch fetched across
    the rebalance is read again (services/streams/batch_intake.py), the warrant state moves
    one partition. Every output comes, and any that comes twice is the same record."""
    lines = scenario_lines()
    expected = in_process(lines)
    plan = plan_lines(lines)
    two = KafkaSettings(broker=settings.broker, profile="embedded", partitions=2)
    parts = 20
    step = len(plan.submissions) // parts

    async def feed(joining: WorkerProcess) -> None:
        """A part every 0.2 s until the second worker is in both groups (its start takes
        seconds), then the last parts after the rebalance."""
        n = 1
        while n < parts - 4 and not joining.ready():
            await run.publish(plan.submissions, slice(n * step, (n + 1) * step))
            await asyncio.sleep(0.2)
            n += 1
        await run.wait_ready()
        for m in range(n, parts):
            await run.publish(plan.submissions,
                              slice(m * step, None if m == parts - 1 else (m + 1) * step))
            await asyncio.sleep(0.2)

    async with ReplayRun(two, scenario_terms()) as run:
        first = run.start_worker()
        await run.wait_ready()
        await run.publish(plan.submissions, slice(0, step))
        await run.collect(lambda c: len(c.records) > 0)
        second = run.start_worker()
        await feed(second)
        collected = await run.collect()
        first_log, second_log = first.log.read_text(), second.log.read_text()
    records = sorted({**plan.local, **collected.records}.items())
    assert [output_line(out) for _, out in records] == expected
    assert not collected.conflicts  # a repeat is the same record: the same id, same bytes
    assert in_order_per_partition(collected)
    # the first worker's intake gave up input partitions it held while inputs flowed, and
    # the second took a sequenced partition over from the log (GLOWD's: its inputs are all
    # in the first fifth of the scenario, so its later outputs are the broadcast ticks')
    assert re.search(r"intake: [1-9][0-9]* input partitions revoked", first_log)
    assert "rebuilt warrantwatch." in second_log
