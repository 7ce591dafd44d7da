"""Helpers of the console tests: a served demo, the OS headless Chromium, the artifacts dir.

The browser is the OS package's (`chromium`, `chromedriver` on PATH, e.g. Debian's
chromium and chromium-driver), driven by Selenium through an explicit chromedriver path, so
nothing downloads a browser or a driver at run time. Without it the browser tests skip, but
under CI (CI=true) they fail: CI must prove the pages (.ci/run installs the packages).
Screenshots go to `artifacts/console/` at the repository root (gitignored).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.kafka.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "tests" / "resources" / "console"
ARTIFACTS = ROOT / "artifacts" / "console"
BUNDLED_TERMS = ROOT / "shared" / "terms_data" / "glowpoint-w-f-05.toml"
START_SECONDS = 240.0  # the replay through the embedded broker, under a loaded machine
STOP_SECONDS = 60.0

BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")


def chromium_paths() -> tuple[str, str] | str:
    """(browser, driver), or why they cannot be used."""
    browser = os.environ.get("WARRANTWATCH_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("WARRANTWATCH_CHROMEDRIVER") or shutil.which("chromedriver")
    if not browser or not driver:
        return ("no OS Chromium (chromium and chromedriver on PATH; Debian: apt-get install "
                "chromium chromium-driver)")
    return browser, driver


def need_browser() -> tuple[str, str]:
    found = chromium_paths()
    if isinstance(found, str):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {found}: the browser tests must run in CI")
        pytest.skip(found)
    return found


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Served:
    url: str  # the console's address, ending in /console/
    out: Path  # the demo's output file
    proc: subprocess.Popen[bytes]
    log: Path
    children: set[int]

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.children |= descendants(self.proc.pid)
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            return self.proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            raise AssertionError(f"demo --serve did not stop in {STOP_SECONDS} s") from None


def serve(tmp: Path, *extra: str) -> Served:
    """`warrantwatch demo --serve` in its own session, once it printed the console address."""
    port = free_port("127.0.0.1")
    out, log = tmp / "out.jsonl", tmp / "demo.log"
    argv = [sys.executable, "-m", "services.cli", "demo", "--serve", "--web-port", str(port),
            "--quiet", "--out", str(out), *extra]
    with log.open("wb") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT,
                                start_new_session=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + START_SECONDS
    while True:
        found = re.search(r"^console: (http://\S+)", log.read_text(errors="replace"), re.M)
        if found:
            return Served(found[1], out, proc, log, descendants(proc.pid))
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(f"demo --serve printed no address:\n"
                                 f"{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


