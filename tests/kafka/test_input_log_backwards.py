"""An input topic deleted and re-created under a running worker while the sequenced log
survives (docs/operations.md, A log that goes backwards): intake finds that the partition no
longer holds the last message it forwarded and the worker stops with exit status 3 and a line
naming the topic, the partition and the offsets, before it forwards anything of the new log.
A real Tansu broker; the worker is a real `warrantwatch worker`."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka_scenario import scenario_terms

from services.kafka.admin import delete_topics, ensure_topics
from services.kafka.partitioning import partition_of
from services.kafka.replay_run import WorkerProcess
from services.kafka.settings import KafkaSettings
from services.streams.intake import InputAnchors
from services.streams.rebuild import EXIT_LOG_WENT_BACKWARDS, LogWentBackwards
from services.streams.terms_files import write_terms_json

pytestmark = pytest.mark.kafka


def record(kind: str, record_id: str, **fields: str) -> bytes:
    return json.dumps({"type": kind, "id": record_id, "symbol": "GLOW", **fields}).encode()


async def market_values(settings: KafkaSettings, wait_ms: int = 1500) -> list[dict[str, str]]:
    consumer = AIOKafkaConsumer(settings.topic("market-values"),
                                bootstrap_servers=settings.bootstrap_servers,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=wait_ms)
        return [json.loads(m.value) for ms in batch.values() for m in ms]
    finally:
        await consumer.stop()


async def test_a_worker_stops_when_an_input_topic_was_re_created(
        settings: KafkaSettings, tmp_path: Path) -> None:
    s = KafkaSettings(broker=settings.broker, profile="embedded", web_port=0, partitions=2,
                      topic_prefix="input-recreated.", app_id="input-recreated")
    await ensure_topics(s)
    terms_file = tmp_path / "terms.json"
    write_terms_json(scenario_terms(), terms_file)
    worker = WorkerProcess(s, terms_file, tmp_path / "worker.log")
    producer = AIOKafkaProducer(bootstrap_servers=s.bootstrap_servers)
    partition = partition_of(b"GLOW", s.partitions)
    quotes = s.topic("quotes")

    async def send(topic: str, value: bytes) -> None:
        await producer.send_and_wait(s.topic(topic), value, key=b"GLOW", partition=partition)
        await asyncio.sleep(0.5)  # live inputs fold in arrival order: one after the other

    try:
        deadline = time.monotonic() + 60
        while not worker.ready():
            assert worker.alive() and time.monotonic() < deadline, worker.log_tail()
            await asyncio.sleep(0.1)
        await producer.start()
        await send("corporate-actions", record("listing", "l1", effective="2010-12-01",
                                               venue="OTCBB"))
        for n, bid in enumerate(("1.50", "1.52")):
            await send("quotes", record("quote", f"q{n}", bid=bid, ask="1.60",
                                        at=f"2011-01-04T1{n}:00:00-05:00"))
        await send("clock", record("tick", "t1", at="2011-01-04T17:00:00-05:00"))
        deadline = time.monotonic() + 30
        while not (before := await market_values(s, 500)):
            assert worker.alive() and time.monotonic() < deadline, worker.log_tail()
        # 8(b): the OTC Bulletin Board's closing bid, the last quote's
        assert [(v["date"], v["value"]) for v in before] == [("2011-01-04", "1.52")], before

        await delete_topics(s, [quotes])
        await asyncio.sleep(1.0)
        await ensure_topics(s)  # the same name, an empty log: offsets start at 0 again
        started = time.monotonic()
        await send("quotes", record("quote", "q-new", bid="1.00", ask="1.60",
                                    at="2011-01-05T15:00:00-05:00"))
        await send("clock", record("tick", "t2", at="2011-01-05T17:00:00-05:00"))
        deadline = time.monotonic() + 60
        while worker.alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        stopped = time.monotonic() - started
        log = worker.log.read_text(errors="replace")
        assert not worker.alive(), f"the worker goes on:\n{worker.log_tail()}"
        assert worker.proc.returncode == EXIT_LOG_WENT_BACKWARDS, worker.log_tail()
        # Tansu keeps the consumer's position past the end of the new log and hands it
        # nothing (broker.md pitfall 4): the highwater check finds it; on Kafka the consumer
        # is reset to offset 0 and the record handed in finds it
        line = f"{quotes}[{partition}] went backwards: this worker forwarded it up to offset 1, "
        assert line + "the broker says the log ends at offset " in log \
            or line + "offset 0 was handed in again" in log, worker.log_tail()
        assert "The log is not the one this worker forwarded" in log
        print(f"stopped {stopped:.1f} s after the first record of the new log")
        # nothing of the new log reached the fold: no market value of the 5th
        assert [(v["date"], v["value"]) for v in await market_values(s)] == [
            ("2011-01-04", "1.52")]
    finally:
        await producer.stop()
        if worker.alive():
            worker.kill()


async def test_input_anchors_read_back_once_per_break_and_stop_on_a_new_log(
        settings: KafkaSettings) -> None:
    """`InputAnchors.take` on a real broker: contiguous offsets are not checked, a re-read is
    checked once (the log is the same), and a re-created log with other records is found."""
    s = KafkaSettings(broker=settings.broker, profile="embedded", partitions=2,
                      topic_prefix="input-anchors.", app_id="input-anchors")
    await ensure_topics(s)
    quotes = s.topic("quotes")
    producer = AIOKafkaProducer(bootstrap_servers=s.bootstrap_servers)
    await producer.start()

    async def publish(*values: bytes) -> None:
        for value in values:
            await producer.send_and_wait(quotes, value, key=b"GLOW", partition=0)

    stopped: list[LogWentBackwards] = []
    anchors = InputAnchors(s, stop=stopped.append)
    try:
        await publish(b"a0", b"a1", b"a2")
        for offset, value in enumerate((b"a0", b"a1")):
            await anchors.take(quotes, 0, offset, value)
        assert anchors.checks == 0
        # read again from 0 (an agent restart, a rebalance): one read-back, found in place
        for offset, value in enumerate((b"a0", b"a1", b"a2")):
            await anchors.take(quotes, 0, offset, value)
        assert anchors.checks == 1 and not stopped
        await delete_topics(s, [quotes])
        await asyncio.sleep(1.0)
        await ensure_topics(s)
        await publish(b"b0", b"b1", b"b2")  # offset 2 holds another message now
        with pytest.raises(LogWentBackwards, match=r"forwarded it up to offset 2, offset 0 "
                                                   r"was handed in again, and the broker has "
                                                   r"another message there at offset 2"):
            await anchors.take(quotes, 0, 0, b"b0")
        assert len(stopped) == 1 and quotes in str(stopped[0])
    finally:
        await producer.stop()
        await delete_topics(s, [quotes])
