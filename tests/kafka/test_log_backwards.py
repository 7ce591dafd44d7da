"""A worker whose broker lost its log stops with a clear error (docs/operations.md, A log that
goes backwards): a real Tansu broker is killed under a running worker and a new, empty one
started on the same port (memory mode keeps nothing, broker.md pitfall 4); new inputs then
reach the worker at offsets below what it folded (or its intake finds the input topics shorter
than what it forwarded)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka_scenario import first_market_value, scenario_terms

from services.kafka.admin import ensure_topics
from services.kafka.embedded import EmbeddedBroker, free_port
from services.kafka.partitioning import partition_of
from services.kafka.replay_run import WorkerProcess
from services.kafka.settings import KafkaSettings
from services.streams.rebuild import EXIT_LOG_WENT_BACKWARDS
from services.streams.terms_files import write_terms_json
from shared.errors import BrokerError

pytestmark = pytest.mark.kafka


def inputs(bid: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("corporate-actions", {"type": "listing", "id": "l1", "symbol": "GLOW",
                               "effective": "2010-12-01", "venue": "OTCBB"}),
        ("quotes", {"type": "quote", "id": f"q-{bid}", "symbol": "GLOW",
                    "at": "2011-01-04T15:00:00-05:00", "bid": bid, "ask": "1.60"}),
        ("clock", {"type": "tick", "id": "t1", "symbol": "GLOW",
                   "at": "2011-01-04T17:00:00-05:00"}),
    ]


async def feed(settings: KafkaSettings, bid: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    await producer.start()
    try:
        for topic, value in inputs(bid):
            await producer.send_and_wait(settings.topic(topic), json.dumps(value).encode(),
                                         key=b"GLOW",
                                         partition=partition_of(b"GLOW", settings.partitions))
            # live inputs are folded in arrival order across topics (docs/operations.md): let
            # each one arrive before the next is sent
            await asyncio.sleep(0.5)
    finally:
        await producer.stop()



async def ready(worker: WorkerProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not worker.ready():
        assert worker.alive() and time.monotonic() < deadline, worker.log_tail()
        await asyncio.sleep(0.1)


async def test_a_worker_stops_when_the_broker_lost_the_log_it_folded(tmp_path: Path) -> None:
    port = free_port()
    first = EmbeddedBroker(port=port)
    first.start()
    settings = KafkaSettings(broker=first.url, profile="embedded", partitions=2, web_port=0,
                             app_id="backwards")
    terms_file = tmp_path / "terms.json"
    write_terms_json(scenario_terms(), terms_file)
    worker: WorkerProcess | None = None
    second: EmbeddedBroker | None = None
    try:
        await ensure_topics(settings)
        worker = WorkerProcess(settings, terms_file, tmp_path / "worker.log")
        await ready(worker)
        await feed(settings, "1.50")
        try:
            before = await first_market_value(settings, timeout=60)
        except AssertionError:
            raise AssertionError(worker.log_tail()) from None
        # 8(b): the closing bid on the OTC Bulletin Board
        assert (before["date"], before["value"]) == ("2011-01-04", "1.50"), before
        first.stop()
        second = EmbeddedBroker(port=port)
        second.start()  # the same address, nothing in it
        # The worker, reconnecting, may have had the new broker auto-create a topic first,
        # with the broker's default partition count: ensure_topics then creates the missing
        # ones and refuses that count. The records fed below go to partitions 0 and 1, which
        # such a topic has too; what is tested is the worker's reaction to the lost log.
        with contextlib.suppress(BrokerError):
            await ensure_topics(settings)
        await feed(settings, "1.00")
        deadline = time.monotonic() + 90
        while worker.alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        log = worker.log.read_text(errors="replace")
        assert not worker.alive(), f"the worker folds on:\n{worker.log_tail()}"
        assert worker.proc.returncode == EXIT_LOG_WENT_BACKWARDS, worker.log_tail()
        # found on the sequenced log by the warrant state, or on an input topic by intake
        # (services/streams/intake.py), whichever looks first: both logs were lost
        topic = f"{settings.topic_prefix}sequenced-inputs"
        assert "went backwards" in log, worker.log_tail()
        assert (topic in log and "folded it up to offset" in log) or (
            "forwarded it up to offset" in log), worker.log_tail()
        # and it published nothing from the new log on the old state
        outputs = AIOKafkaConsumer(settings.topic("market-values"),
                                   bootstrap_servers=settings.bootstrap_servers,
                                   auto_offset_reset="earliest", group_id=None)
        await outputs.start()
        try:
            batch = await outputs.getmany(timeout_ms=1500)
        finally:
            await outputs.stop()
        assert not [m for ms in batch.values() for m in ms]
    finally:
        if worker is not None and worker.alive():
            worker.kill()
        for broker in (first, second):
            if broker is not None:
                broker.stop()
