"""Snapshots through `warrantwatch worker` processes on the embedded broker: a worker killed
after it wrote snapshots, or stopped cleanly (a snapshot at close), and another started in its
place, give byte for byte what the in-process engine gives, the second worker having folded
only the tail after the latest snapshot (docs/operations.md, State across restarts).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace

import pytest
from kafka_scenario import scenario_lines, scenario_terms

from services.kafka.replay_plan import Output, output_line, plan_lines
from services.kafka.replay_run import ReplayRun, WorkerProcess
from services.kafka.settings import KafkaSettings
from services.kafka.topics import sequenced_topic
from services.streams.rebuild import committed_offset
from shared.engine import Engine
from shared.engine.replay import replay_lines
from shared.events.codec import encode

pytestmark = pytest.mark.kafka


def in_process(lines: list[str]) -> list[str]:
    return [output_line(Output(topic, encode(record)))
            for topic, record in replay_lines(Engine(scenario_terms()), lines)]


async def logged(worker: WorkerProcess, text: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in (worker.log.read_text(errors="replace") if worker.log.exists() else ""):
        assert worker.alive(), worker.log_tail()
        assert time.monotonic() < deadline, f"no {text!r} in {timeout} s:\n{worker.log_tail()}"
        await asyncio.sleep(0.1)


async def test_a_worker_killed_after_a_snapshot_is_taken_over_from_it(
        settings: KafkaSettings) -> None:
    lines = scenario_lines()
    expected = in_process(lines)
    plan = plan_lines(lines)
    half = len(plan.submissions) // 2
    async with ReplayRun(replace(settings, snapshot_every=40), scenario_terms()) as run:
        await run.publish(plan.submissions, slice(0, half))
        first = run.start_worker()
        await logged(first, "snapshot of ")
        # and the group committed offsets on every partition with records: the next worker
        # is handed records past offset 0, so it takes over (a partition handed from offset 0
        # is folded from the start, snapshot or not)
        sequenced = sequenced_topic(run.settings)
        deadline = time.monotonic() + 60
        while min([await committed_offset(run.settings, sequenced, p) for p in run.partitions]
                  ) == 0:
            assert time.monotonic() < deadline, "the first worker committed nothing in 60 s"
            await asyncio.sleep(0.1)
        # a few records more, the kill once outputs of them came, and the rest after it: the
        # second worker then has records to fold past the first one's commits (intake is quick
        # enough now that the whole rest could be published and folded before the kill)
        more = half + 40
        await run.publish(plan.submissions, slice(half, more))
        rest = plan.submissions[half].index
        await run.collect(lambda c: any(index >= rest for index, _, _ in c.records))
        first.kill()
        second = run.start_worker()
        await run.publish(plan.submissions, slice(more, None))
        collected = await run.collect()
        second_log = second.log.read_text()
    records = sorted({**plan.local, **collected.records}.items())
    assert [output_line(out) for _, out in records] == expected
    assert not collected.conflicts
    assert "from the snapshot at offset" in second_log, second_log[-3000:]


async def test_a_worker_stopped_cleanly_leaves_a_snapshot_with_no_tail(
        settings: KafkaSettings) -> None:
    lines = scenario_lines()
    expected = in_process(lines)
    plan = plan_lines(lines)
    part = 2 * len(plan.submissions) // 3
    async with ReplayRun(replace(settings, snapshot_every=100_000), scenario_terms()) as run:
        await run.publish(plan.submissions, slice(0, part))
        first = run.start_worker()
        # every output of the lines before the next part (a fold: later lines change none)
        upto = plan.submissions[part].index
        wanted = len(in_process(lines[:upto])) - sum(1 for i, _, _ in plan.local if i < upto)
        await run.collect(lambda c: len(c.records) >= wanted)
        await asyncio.sleep(1.0)  # the records after the last output, folded too
        assert first.stop() == 0
        first_log = first.log.read_text()
        await run.publish(plan.submissions, slice(part, None))
        second = run.start_worker()
        collected = await run.collect()
        second_log = second.log.read_text()
    # no snapshot every 100,000 records: the ones there are were written at close
    assert "snapshot of " in first_log, first_log[-3000:]
    records = sorted({**plan.local, **collected.records}.items())
    assert [output_line(out) for _, out in records] == expected
    tails = re.findall(r"from the snapshot at offset \d+ and (\d+) records", second_log)
    assert tails and set(tails) == {"0"}, second_log[-3000:]
