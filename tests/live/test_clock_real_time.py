"""The clock on the real wall clock, end to end: `clock --every` and `worker --clock`.

Short intervals keep it bounded: what is checked is that ticks reach the `clock` topic keyed
`*` on the partition the services expect, at instants of the `--every` grid inside the real
time window of the run, each id derived from its instant.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from live_processes import embedded_worker, run

from services.kafka.client import reader_kwargs
from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.live.clock_schedule import tick_id
from shared.events.codec import decode

pytestmark = pytest.mark.kafka


async def read_ticks(settings: KafkaSettings, wanted: int) -> list[tuple[bytes, int, str]]:
    """(key, partition, value) of the first `wanted` messages of the clock topic."""
    consumer = AIOKafkaConsumer(**reader_kwargs(settings))
    await consumer.start()
    try:
        tps = [TopicPartition(settings.topic("clock"), p) for p in range(settings.partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        out: list[tuple[bytes, int, str]] = []
        for _ in range(100):
            batch = await consumer.getmany(timeout_ms=200)
            for tp, messages in batch.items():
                out += [(m.key or b"", tp.partition, (m.value or b"").decode()) for m in messages]
            if len(out) >= wanted:
                break
        return out
    finally:
        await consumer.stop()


def check_ticks(messages: list[tuple[bytes, int, str]], partitions: int, every: float,
                began: datetime, ended: datetime) -> list[datetime]:
    ats = []
    for key, partition, value in messages:
        record = decode("clock", value)
        assert key == b"*" and record.symbol == "*"
        assert partition == partition_of(b"*", partitions)
        assert record.id == tick_id(record.at)  # type: ignore[attr-defined]
        ats.append(record.at)  # type: ignore[attr-defined]
    assert ats == sorted(ats)
    assert all(began - timedelta(seconds=1) <= at <= ended for at in ats)
    # after the start tick (whole seconds), every tick is on the grid of `every` seconds
    for at in ats[1:]:
        assert (at.timestamp() / every) % 1 == 0, at
    return ats


def test_clock_every_half_second_on_the_wall_clock(tmp_path: Path) -> None:
    with embedded_worker(tmp_path, "--partitions", "3") as (worker, broker):
        began = datetime.now(UTC)
        done = run(["clock", "--broker", broker, "--profile", "embedded", "--partitions", "3",
                    "--every", "0.5", "--ticks", "4"], timeout=60)
        ended = datetime.now(UTC)
        assert done.returncode == 0, done.stderr
        assert "published 4 ticks" in done.stderr
        settings = KafkaSettings(broker=broker, profile="embedded", partitions=3)
        ats = check_ticks(asyncio.run(read_ticks(settings, 4)), 3, 0.5, began, ended)
        assert len(ats) == 4
        # consecutive grid ticks are half a second apart
        assert [b - a for a, b in itertools.pairwise(ats[1:])] == [
            timedelta(seconds=0.5)] * 2
        assert worker.stop() == 0


def test_worker_runs_the_clock_in_process_and_stops_it_cleanly(tmp_path: Path) -> None:
    began = datetime.now(UTC)
    with embedded_worker(tmp_path, "--clock", "--clock-every", "1") as (worker, broker):
        worker.wait_for(r"clock: tick \S+ \(every\)[\s\S]*clock: tick \S+ \(every\)")
        settings = KafkaSettings(broker=broker, profile="embedded")
        messages = asyncio.run(read_ticks(settings, 3))
        ended = datetime.now(UTC)
        ats = check_ticks(messages, 4, 1.0, began, ended)
        assert len(ats) >= 3
        assert worker.stop() == 0
    assert "clock: the wall clock" in worker.text()
