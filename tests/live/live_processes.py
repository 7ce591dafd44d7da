"""The project's own commands as child processes, for the live tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "services.cli", *args]


def run(args: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A command run to its end: its exit code, stdout and stderr."""
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


class Child:
    """A long-running command (worker, clock), its output in a log file."""

    def __init__(self, args: Sequence[str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(command(*args), stdout=out, stderr=out, cwd=ROOT,
                                         start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.text())
            if found:
                return found
            if self.proc.poll() is not None:
                pytest.fail(f"exited {self.proc.returncode} before {pattern!r}:\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {pattern!r} in {timeout} s:\n{self.text()[-3000:]}")
            time.sleep(0.1)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then the exit code; SIGKILL to its own group if it hangs."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@contextmanager
def child(args: Sequence[str], log: Path) -> Iterator[Child]:
    running = Child(args, log)
    try:
        yield running
    finally:
        running.kill()


@contextmanager
def embedded_worker(tmp: Path, *extra: str) -> Iterator[tuple[Child, str]]:
    """`worker --broker embedded`: the worker and the broker address it printed."""
    with child(["worker", "--broker", "embedded", "--web-port", "0", "--log-level", "info",
                *extra], tmp / "worker.log") as worker:
        broker = worker.wait_for(r"embedded broker at (kafka://127\.0\.0\.1:\d+)")[1]
        worker.wait_for(r"\[\^Worker\]: Ready")
        yield worker, broker
