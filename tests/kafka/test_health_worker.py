"""Readiness that tells the truth, end to end (docs/operations.md, Health): an agent of a
running `warrantwatch worker` on the embedded broker crashes, `GET /ready` answers 503 naming
the agent and the exception, `warrantwatch health` exits 1; Faust restarts the agent, and once
it has run `CRASH_QUIET_SECONDS` without crashing `/ready` answers 200 again and `health`
exits 0; the records after the crash are processed.

The crash is the test-only fault of services/streams/faults.py (`WARRANTWATCH_TEST_FAULT`),
raised in each agent's loop: what follows it is the worker's own code and Faust's.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka_scenario import first_market_value

from services.cli import main
from services.kafka.admin import ensure_topics
from services.kafka.partitioning import partition_of
from services.kafka.replay_run import WorkerProcess
from services.kafka.settings import KafkaSettings
from services.streams.faults import FAULT_ENV
from services.streams.health import CRASH_QUIET_SECONDS
from services.streams.terms_files import write_terms_json
from shared.terms import load_terms

pytestmark = pytest.mark.kafka

HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# seconds: a crash must show on /ready within this, and the worker be ready again within
# CRASH_QUIET_SECONDS plus this (Faust restarts an agent at once)
BOUND = 5.0


def get_ready(url: str) -> tuple[int, Any]:
    try:
        with HTTP.open(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def record(kind: str, record_id: str, **fields: str) -> bytes:
    return json.dumps({"type": kind, "id": record_id, "symbol": "GLOW", **fields}).encode()


async def test_a_crashed_agent_makes_the_worker_unready_until_faust_restarted_it(
        settings: KafkaSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = KafkaSettings(broker=settings.broker, profile="embedded", web_port=0, partitions=2,
                      topic_prefix="health-crash.", app_id="health-crash")
    await ensure_topics(s)
    terms_file = tmp_path / "terms.json"
    write_terms_json([load_terms()], terms_file)
    monkeypatch.setenv(FAULT_ENV, "warrant_state-crash-once-on-id:q-crash-fold,"
                                  "intake-crash-once-on-id:q-crash-intake")
    worker = WorkerProcess(s, terms_file, tmp_path / "worker.log")
    producer = AIOKafkaProducer(bootstrap_servers=s.bootstrap_servers)
    partition = partition_of(b"GLOW", s.partitions)

    async def send(topic: str, value: bytes) -> None:
        await producer.send_and_wait(s.topic(topic), value, key=b"GLOW", partition=partition)

    async def until(want: int, timeout: float) -> tuple[float, Any]:
        """Poll /ready until it answers `want`: (seconds it took, the body)."""
        started = time.monotonic()
        while True:
            status, body = await asyncio.to_thread(get_ready, f"{url}/ready")
            waited = time.monotonic() - started
            if status == want:
                return waited, body
            assert worker.alive(), worker.log_tail()
            assert waited < timeout, f"/ready answers {status} {body} after {waited:.1f} s"
            await asyncio.sleep(0.05)

    async def health() -> int:
        return int(await asyncio.to_thread(main, ["health", "--url", f"{url}/ready"]))

    figures: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 60
        while not worker.ready() or worker.web_url() is None:
            assert worker.alive() and time.monotonic() < deadline, worker.log_tail()
            await asyncio.sleep(0.1)
        url = worker.web_url()
        await producer.start()
        await until(200, timeout=20)
        await send("corporate-actions", record("listing", "l1", effective="2010-12-01",
                                               venue="OTCBB"))
        for agent, record_id, at in (("warrant_state", "q-crash-fold", "14:00"),
                                     ("intake", "q-crash-intake", "14:30")):
            await until(200, timeout=20)  # the record before has been taken in
            assert await health() == 0
            # the record crashed on is a quote whose bid is no number: when it is handled
            # (again, after the restart) it becomes its dead letter, so the letter shows it
            # was not lost
            await send("quotes", record("quote", record_id, bid="one fifty", ask="1.60",
                                        at=f"2011-01-04T{at}:00-05:00"))
            to_503, body = await until(503, timeout=BOUND)
            crash = [r for r in body["reasons"] if r.startswith(f"agent {agent} crashed")]
            assert crash and f"InjectedFault: test fault: {agent} crashes on record " \
                              f"{record_id}" in crash[0], body
            assert await health() == 1
            await send("quotes", record("quote", record_id + "-next", bid="1.45", ask="1.60",
                                        at=f"2011-01-04T{at}:30-05:00"))
            back, body = await until(200, timeout=CRASH_QUIET_SECONDS + BOUND)
            assert body["ready"] is True and body["reasons"] == []
            assert body["agents"] == {"intake": "running", "warrant_state": "running"}
            assert await health() == 0
            figures[f"{agent} to 503"] = to_503
            figures[f"{agent} back to 200"] = back
        # both agents run again: a quote and the close after the crashes give the day's
        # market value, 8(b): the OTC Bulletin Board's closing bid, the last quote's 1.40
        await send("quotes", record("quote", "q-after", bid="1.40", ask="1.60",
                                    at="2011-01-04T15:00:00-05:00"))
        await asyncio.sleep(0.5)  # live inputs fold in arrival order: the quote first
        await send("clock", record("tick", "t1", at="2011-01-04T17:00:00-05:00"))
        value = await first_market_value(s, timeout=15)
        assert (value["date"], value["value"]) == ("2011-01-04", "1.40"), value
        # neither message an agent crashed on is lost: the restarted agent handled it again
        # (services/streams/held.py), once, and it became its one dead letter
        letters = await all_records(s, "dead-letters", timeout=5)
        for record_id in ("q-crash-fold", "q-crash-intake"):
            found = [r for r in letters if f'"id": "{record_id}"' in r["raw"]]
            assert len(found) == 1 and "bid" in found[0]["reason"], (record_id, letters)
        print("readiness figures (s):", {k: round(v, 2) for k, v in figures.items()})
        for agent in ("warrant_state", "intake"):
            assert figures[f"{agent} back to 200"] >= CRASH_QUIET_SECONDS - 0.5
    finally:
        await producer.stop()
        worker.kill()


async def all_records(settings: KafkaSettings, topic: str, timeout: float
                      ) -> list[dict[str, Any]]:
    """Every record on `topic` (all partitions) once `timeout` seconds bring nothing new."""
    consumer = AIOKafkaConsumer(settings.topic(topic),
                                bootstrap_servers=settings.bootstrap_servers,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                found.extend(dict(json.loads(m.value)) for m in messages)
        return found
    finally:
        await consumer.stop()

