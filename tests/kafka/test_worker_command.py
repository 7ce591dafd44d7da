"""`warrantwatch worker --broker embedded`: starts, listens on loopback only, stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.kafka.embedded import port_accepts
from services.kafka.settings import KafkaSettings
from services.kafka.topics import topic_specs

pytestmark = pytest.mark.kafka


def listening_addresses(port: int) -> set[str]:
    """Local IPv4 addresses (hex, as /proc/net/tcp writes them) listening on `port`."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
            found.add(address)
    return found


def test_worker_with_an_embedded_broker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker", "--broker", "embedded",
             "--web-port", "0", "--partitions", "2", "--log-level", "info"],
            stdout=out, stderr=out, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "[^Worker]: Ready" not in log.read_text(errors="replace"):
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "worker not ready in 60 s"
            time.sleep(0.2)
        text = log.read_text()
        broker = re.search(r"embedded broker at kafka://127\.0\.0\.1:(\d+) \(pid (\d+)\)", text)
        web = re.search(r"web http://127\.0\.0\.1:(\d+)/", text)
        assert broker and web, text
        broker_port, broker_pid, web_port = int(broker[1]), int(broker[2]), int(web[1])
        assert f"created {len(topic_specs(KafkaSettings()))} topics" in text
        # both the broker and Faust's web server listen on loopback only
        for port in (broker_port, web_port):
            assert listening_addresses(port) == {"0100007F"}
        os.kill(worker.pid, signal.SIGTERM)
        assert worker.wait(30) == 0
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert not port_accepts("127.0.0.1", broker_port)
    assert not port_accepts("127.0.0.1", web_port)
    assert not Path(f"/proc/{broker_pid}").exists()
