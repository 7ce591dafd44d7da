"""The embedded broker: starts on loopback, carries records, and leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.kafka.admin import ensure_topics
from services.kafka.embedded import EmbeddedBroker, port_accepts
from services.kafka.settings import KafkaSettings
from services.kafka.topics import topic_specs
from shared.errors import BrokerError

pytestmark = pytest.mark.kafka


def _states(pid: int) -> list[str]:
    """The state letter of every thread of `pid` (none once it is reaped)."""
    states = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return []
    for task in tasks:
        try:
            states.append((task / "stat").read_text().split(")")[-1].split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return states


def gone(pid: int, within: float = 5.0) -> bool:
    """Within `within` seconds the process has exited: reaped, or a zombie all of whose threads
    have exited too (a zombie leader whose other threads still run may still hold sockets)."""
    deadline = time.monotonic() + within
    while True:
        if all(state == "Z" for state in _states(pid)):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def port_closed(port: int, within: float = 5.0) -> bool:
    """Within `within` seconds nothing accepts connections on 127.0.0.1:`port` any more."""
    deadline = time.monotonic() + within
    while True:
        if not port_accepts("127.0.0.1", port):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


async def test_records_go_through_and_the_broker_stops_for_good() -> None:
    with EmbeddedBroker() as broker:
        assert broker.url.startswith("kafka://127.0.0.1:")
        port, pid = broker.port, broker.pid
        assert port is not None and pid is not None
        settings = KafkaSettings(broker=broker.url, profile="embedded", partitions=2)
        created = await ensure_topics(settings)
        assert sorted(created) == sorted(s.name for s in topic_specs(settings))
        assert await ensure_topics(settings) == []  # the second worker creates nothing
        topic = settings.topic("quotes")
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
        await producer.start()
        for n in range(5):
            await producer.send(topic, f"v{n}".encode(), key=b"GLOW", partition=1,
                                headers=[("ww-index", str(n).encode())])
        await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap_servers,
                                    enable_auto_commit=False)
        await consumer.start()
        tp = TopicPartition(topic, 1)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        got: list[tuple[bytes | None, tuple[tuple[str, bytes], ...]]] = []
        while len(got) < 5:
            batch = await consumer.getmany(tp, timeout_ms=2000)
            assert batch, "nothing came back from the broker"
            got += [(m.value, tuple(m.headers)) for m in batch[tp]]
        await consumer.stop()
        assert [v for v, _ in got] == [b"v0", b"v1", b"v2", b"v3", b"v4"]
        assert got[3][1] == (("ww-index", b"3"),)
    assert gone(pid)
    assert port_closed(port)
    assert broker.pid is None


def test_a_second_start_and_a_port_in_use_are_errors() -> None:
    with EmbeddedBroker() as first:
        with pytest.raises(BrokerError, match="already running"):
            first.start()
        with pytest.raises(BrokerError, match="did not start"):
            EmbeddedBroker(port=first.port, startup_timeout=3.0).start()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_no_broker_outlives_its_process(how: signal.Signals, tmp_path: Path) -> None:
    # SIGTERM and Ctrl-C unwind the `with` block; SIGKILL leaves it to the parent-death signal
    script = textwrap.dedent("""
        import sys, time
        from services.kafka.embedded import EmbeddedBroker
        with EmbeddedBroker() as broker:
            print(broker.pid, broker.port, flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, cwd=tmp_path)
    assert child.stdout is not None
    line = child.stdout.readline().decode().split()
    pid, port = int(line[0]), int(line[1])
    assert port_accepts("127.0.0.1", port)
    os.kill(child.pid, how)
    child.wait(10)
    # the broker's exit is asynchronous to its parent's (SIGKILL: the parent-death signal):
    # wait for each thing asserted, with a bound, instead of sampling it once
    assert gone(pid), f"Tansu pid {pid} still runs 5 s after {how.name} to its parent"
    assert port_closed(port), f"port {port} still accepts 5 s after {how.name} to its parent"
