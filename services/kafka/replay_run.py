"""One replay run on a `kafka://` broker: its own topics, worker processes, output reader.

- Every run gets its own topics (`<prefix>replay-<id>.`) and consumer group, so runs never
  see each other's records, on the embedded broker or on a shared cluster; they are deleted
  at the end.
- When a partition's last record (in file order) has been folded, its worker writes an end
  marker after its outputs on every output topic; the run is complete when every partition
  that had input has marked every output topic. No end offsets are read (broker.md pitfall 1).
- Outputs are kept by (input index, position among that input's outputs; see
  `services.streams.fold.Emitted`): after a worker restart the same key comes again, and must
  come with the same record.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from subprocess import Popen

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.kafka import processes
from services.kafka.admin import delete_topics, ensure_topics
from services.kafka.client import reader_kwargs
from services.kafka.replay_plan import Output, Submission, publish, stamp
from services.kafka.settings import KafkaSettings
from services.kafka.topics import output_topics, topic_specs
from services.streams.envelope import CONTROL, END, INDEX, POSITION, WORKER
from services.streams.terms_files import write_terms_json
from shared.errors import BrokerError
from shared.terms import Terms

# Give up when no output or end marker has arrived for this long while workers run: a
# worker start plus a group join takes a few seconds, a restarted member's rebalance a few
# more (broker.md pitfall 3).
STALL_SECONDS = 60.0


@dataclass(slots=True)
class Collected:
    records: dict[tuple[int, int, int], Output] = field(default_factory=dict)
    duplicates: int = 0
    conflicts: list[tuple[tuple[int, int, int], Output, Output]] = field(default_factory=list)
    markers: set[tuple[str, int]] = field(default_factory=set)  # (kafka topic, partition)
    workers: set[str] = field(default_factory=set)


class Collector:
    """Reads every output topic of a run from the start, without a consumer group."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings
        self.collected = Collected()
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(**reader_kwargs(self.settings))
        await self._consumer.start()
        tps = [TopicPartition(t, p) for t in output_topics(self.settings)
               for p in range(self.settings.partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def poll(self, timeout_ms: int = 200) -> int:
        """Read what has arrived; how many messages."""
        assert self._consumer is not None, "Collector.start() first"
        batch = await self._consumer.getmany(timeout_ms=timeout_ms)
        count = 0
        for tp, messages in batch.items():
            logical = self.settings.logical(tp.topic)
            for m in messages:
                count += 1
                self._take(logical, tp, m.value or b"", dict(m.headers), m.timestamp)
        return count

    def _take(self, logical: str, tp: TopicPartition, value: bytes,
              headers: dict[str, bytes], timestamp_ms: int) -> None:
        c = self.collected
        if WORKER not in headers:
            return  # an input on a topic that is also an output topic (`holdings`)
        worker = headers[WORKER].decode()
        c.workers.add(worker)
        if headers.get(CONTROL) == END:
            c.markers.add((tp.topic, tp.partition))
            return
        if INDEX not in headers or POSITION not in headers:
            raise BrokerError(f"output on {tp.topic}[{tp.partition}] without "
                              f"{INDEX}/{POSITION} headers in a replay run")
        part, place = headers[POSITION].split(b":")
        key = (int(headers[INDEX]), int(part), int(place))
        output = Output(logical, value.decode("utf-8"), worker, timestamp_ms, tp.partition)
        earlier = c.records.get(key)
        if earlier is None:
            c.records[key] = output
            return
        c.duplicates += 1
        if (earlier.topic, earlier.text) != (output.topic, output.text):
            c.conflicts.append((key, earlier, output))

    def complete(self, partitions: set[int]) -> bool:
        """Every partition that had input has marked every output topic."""
        wanted = {(t, p) for t in output_topics(self.settings) for p in partitions}
        return wanted <= self.collected.markers


class WorkerProcess:
    """A `warrantwatch worker` child process of a replay run."""

    def __init__(self, settings: KafkaSettings, terms_file: Path, log: Path) -> None:
        self.log = log
        env = {**os.environ, **settings.environment()}
        argv = [sys.executable, "-m", "services.cli", "worker", "--terms", str(terms_file),
                "--log-level", "info"]
        # SIGTERM on parent death lets Faust leave the group cleanly
        self.proc: Popen[bytes] = processes.spawn(argv, log=log, death_signal="TERM", env=env)
        self.stopped = False  # killed or stopped on purpose: its exit is no failure

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ready(self) -> bool:
        """The worker has joined its group and holds its partitions (Faust logs it)."""
        return self.log.exists() and "[^Worker]: Ready" in self.log.read_text(errors="replace")

    def web_url(self) -> str | None:
        """The address of the worker's web server (its query views), once it printed it."""
        if not self.log.exists():
            return None
        found = re.search(r" web (http://\S+?)/?$", self.log.read_text(errors="replace"), re.M)
        return found[1] if found else None

    def kill(self) -> None:
        """SIGKILL: no goodbye to the group, no commit, no flush."""
        self.stopped = True
        processes.stop(self.proc, timeout=10.0, kill=True)

    def stop(self) -> int:
        """SIGTERM: the worker finishes what it holds, commits and leaves the group."""
        self.stopped = True
        return processes.stop(self.proc, timeout=20.0)

    def log_tail(self) -> str:
        return processes.tail(self.log)


class ReplayRun:
    """Topics, workers and output reader of one replay run against a `kafka://` broker."""

    def __init__(self, settings: KafkaSettings, terms: Sequence[Terms], *,
                 run_id: str | None = None) -> None:
        if not settings.broker.startswith("kafka://"):
            raise BrokerError(f"a replay run needs a kafka:// broker, got {settings.broker!r}")
        run_id = run_id or uuid.uuid4().hex[:12]
        self.settings = replace(settings, topic_prefix=f"{settings.topic_prefix}replay-{run_id}.",
                                app_id=f"{settings.app_id}-replay-{run_id}", web_port=0,
                                web_bind="127.0.0.1", profile=settings.profile_name)
        self.terms = list(terms)
        self.workers: list[WorkerProcess] = []
        self.partitions: set[int] = set()
        self.collector = Collector(self.settings)
        self._dir = Path(tempfile.mkdtemp(prefix="warrantwatch-replay-"))
        self._terms_file = self._dir / "terms.json"

    async def __aenter__(self) -> ReplayRun:
        write_terms_json(self.terms, self._terms_file)
        await ensure_topics(self.settings)
        await self.collector.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.stop()
        await self.collector.stop()
        with contextlib.suppress(Exception):  # a cluster may forbid deletes: not fatal
            await delete_topics(self.settings, [s.name for s in topic_specs(self.settings)])
        shutil.rmtree(self._dir, ignore_errors=True)

    async def publish(self, submissions: Sequence[Submission], part: slice = slice(None)
                      ) -> None:
        """Stamp every submission (places count them all), publish those in `part`: a run
        may publish its inputs in several parts, in order."""
        stamped, self.partitions = stamp(submissions, self.settings.partitions)
        await publish(self.settings, stamped[part])

    def start_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.settings, self._terms_file,
                               self._dir / f"worker-{len(self.workers)}.log")
        self.workers.append(worker)
        return worker

    async def wait_ready(self, timeout: float = STALL_SECONDS) -> None:
        """Until every running worker has joined the group and been given its partitions."""
        deadline = time.monotonic() + timeout
        while not all(w.ready() for w in self.workers if not w.stopped):
            died = [w for w in self.workers if not w.alive() and not w.stopped]
            if died:
                raise BrokerError(self._diagnose("a worker exited", died))
            if time.monotonic() > deadline:
                raise BrokerError(self._diagnose(f"not ready in {timeout} s", self.workers))
            await asyncio.sleep(0.1)

    async def collect(self, until: Callable[[Collected], bool] | None = None, *,
                      stall_seconds: float = STALL_SECONDS) -> Collected:
        """Read outputs until `until` holds (default: the run is complete)."""
        def done(c: Collected) -> bool:
            return until(c) if until is not None else self.collector.complete(self.partitions)

        last_progress = time.monotonic()
        while not done(self.collector.collected):
            if await self.collector.poll():
                last_progress = time.monotonic()
            running = [w for w in self.workers if w.alive()]
            died = [w for w in self.workers if not w.alive() and not w.stopped]
            if died or not running:
                raise BrokerError(self._diagnose("a worker exited", died or self.workers))
            if time.monotonic() - last_progress > stall_seconds:
                raise BrokerError(self._diagnose(f"no output for {stall_seconds} s",
                                                 self.workers))
        return self.collector.collected

    def _diagnose(self, what: str, workers: Sequence[WorkerProcess]) -> str:
        tails = "\n".join(f"--- worker pid {w.pid} (status {w.proc.poll()}):\n{w.log_tail()}"
                          for w in workers)
        return f"replay through Kafka failed: {what}\n{tails}"
