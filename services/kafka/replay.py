"""Replay through Kafka: publish inputs, run worker processes, read every output back.

`replay_through_kafka` takes `(logical topic, raw JSON)` pairs; `replay_file_through_kafka`
takes the lines of a replay file (docs/events.md) and gives the same output lines as the
in-process replay (`shared.engine.replay.replay_lines`), byte for byte.

How a run goes (services/kafka/replay.py is the file edge; the services do the rest):
- Every run gets its own topics (`<prefix>replay-<id>.`) and consumer group, so runs never
  see each other's records, on the embedded broker or on a shared cluster; they are deleted
  at the end.
- The publisher stamps each input with its place in file order within every partition of
  the sequenced topic it goes to (`ww-seq`), its index in the file (`ww-index`) and, for a
  file line, the line itself (`ww-source`). The warrant state then folds each partition in
  file order, whatever order the input topics arrive in.
- When a partition's last record has been folded, its worker writes an end marker after its
  outputs on every output topic; the run is complete when every partition that had input has
  marked every output topic.
- Outputs are de-duplicated on (input index, position among that input's outputs; see
  `services.streams.fold.Emitted`): after a worker restart the same key comes again with
  the same record. The result is sorted by that key, which is the order in which the
  in-process replay produces them.
- A line that is not a valid record in a known topic never reaches Kafka: it has no topic to
  be published on, so the publisher makes its dead letter exactly as the in-process replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from subprocess import Popen
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.kafka import processes
from services.kafka.admin import delete_topics, ensure_topics
from services.kafka.client import producer_kwargs, reader_kwargs
from services.kafka.embedded import EmbeddedBroker
from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.kafka.topics import output_topics, topic_specs
from services.streams.envelope import (
    CONTROL,
    END,
    INDEX,
    POSITION,
    SEQ,
    SOURCE,
    WORKER,
    Place,
    format_input_sequences,
)
from services.streams.routing import route
from services.streams.terms_files import write_terms_json
from shared.engine.replay import REPLAY_TOPIC, parse_envelope
from shared.errors import BrokerError, RecordError
from shared.events.codec import dead_letter, decode, decode_value, encode, topic_of
from shared.events.inputs import INPUT_TOPICS
from shared.terms import Terms

# Give up when no output or end marker has arrived for this long while workers run: a
# worker start plus a group join takes a few seconds, a restarted member's rebalance a few
# more (broker.md pitfall 3).
STALL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Submission:
    """One input to publish: `index` orders its outputs in the result."""

    index: int
    topic: str
    value: bytes
    key: bytes
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Output:
    topic: str  # logical output topic
    text: str  # the record's canonical JSON
    worker: str = ""
    timestamp_ms: int = 0  # when the worker sent it (Kafka CreateTime)


@dataclass(slots=True)
class Plan:
    """What to publish, and the outputs made at the file edge: (index, part, place) -> Output."""

    submissions: list[Submission] = field(default_factory=list)
    local: dict[tuple[int, int, int], Output] = field(default_factory=dict)


def _symbol_key(raw: str) -> bytes:
    """The Kafka key a producer gives a message: its symbol, or empty if it has none."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return b""
    symbol = obj.get("symbol") if isinstance(obj, dict) else None
    return symbol.encode() if isinstance(symbol, str) else b""


def plan_pairs(pairs: Sequence[tuple[str, str]]) -> Plan:
    """Inputs as `(logical topic, raw JSON)`: each published as it is, poison included."""
    plan = Plan()
    for index, (topic, raw) in enumerate(pairs):
        if topic not in INPUT_TOPICS:
            try:
                decode(topic, raw)
            except RecordError as exc:
                letter = dead_letter(topic, raw, str(exc))
                plan.local[(index, 0, 0)] = Output(topic_of(letter), encode(letter))
            continue
        plan.submissions.append(Submission(index, topic, raw.encode("utf-8"), _symbol_key(raw)))
    return plan


def plan_lines(lines: Sequence[str]) -> Plan:
    """Lines of a replay file, checked as `shared.engine.replay.replay_lines` checks them."""
    plan = Plan()
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        topic = REPLAY_TOPIC
        try:
            topic, value = parse_envelope(text)
            record = decode_value(topic, value)
        except RecordError as exc:
            letter = dead_letter(topic, text, f"line {number}: {exc}")
            plan.local[(number, 0, 0)] = Output(topic_of(letter), encode(letter))
            continue
        plan.submissions.append(Submission(number, topic, encode(record).encode("utf-8"),
                                           record.symbol.encode(), source=text))
    return plan


@dataclass(frozen=True, slots=True)
class Stamped:
    submission: Submission
    partition: int  # of the input topic
    headers: list[tuple[str, bytes]]


def stamp(submissions: Sequence[Submission], partitions: int) -> tuple[list[Stamped], set[int]]:
    """Headers for each submission, and the sequenced partitions that get any record."""
    routes = [route(s.topic, s.value, s.key, partitions) for s in submissions]
    totals = Counter(p for r in routes for p in r.partitions)
    seen: dict[int, int] = defaultdict(int)
    out = []
    for s, r in zip(submissions, routes, strict=True):
        places = {}
        for p in r.partitions:
            seen[p] += 1
            places[p] = Place(seen[p], totals[p])
        headers = [(SEQ, format_input_sequences(places)), (INDEX, str(s.index).encode())]
        if s.source is not None:
            headers.append((SOURCE, s.source.encode("utf-8")))
        out.append(Stamped(s, partition_of(s.key, partitions), headers))
    return out, set(totals)


async def publish(settings: KafkaSettings, stamped: Sequence[Stamped]) -> None:
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    try:
        for item in stamped:
            s = item.submission
            await producer.send(settings.topic(s.topic), s.value, key=s.key,
                                partition=item.partition, headers=item.headers)
        await producer.flush()
    finally:
        await producer.stop()


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
        output = Output(logical, value.decode("utf-8"), worker, timestamp_ms)
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
        self.killed = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ready(self) -> bool:
        """The worker has joined its group and holds its partitions (Faust logs it)."""
        return self.log.exists() and "[^Worker]: Ready" in self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no goodbye to the group, no commit, no flush."""
        self.killed = True
        processes.stop(self.proc, timeout=10.0, kill=True)

    def stop(self) -> int:
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

    async def publish(self, submissions: Sequence[Submission]) -> None:
        stamped, self.partitions = stamp(submissions, self.settings.partitions)
        await publish(self.settings, stamped)

    def start_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.settings, self._terms_file,
                               self._dir / f"worker-{len(self.workers)}.log")
        self.workers.append(worker)
        return worker

    async def wait_ready(self, timeout: float = STALL_SECONDS) -> None:
        """Until every running worker has joined the group and been given its partitions."""
        deadline = time.monotonic() + timeout
        while not all(w.ready() for w in self.workers if not w.killed):
            died = [w for w in self.workers if not w.alive() and not w.killed]
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
            died = [w for w in self.workers if not w.alive() and not w.killed]
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


@contextlib.asynccontextmanager
async def kafka_broker(settings: KafkaSettings) -> AsyncIterator[KafkaSettings]:
    """The settings with a `kafka://` broker: an embedded one started here if asked for."""
    if settings.broker == "inprocess":
        raise BrokerError("replay through Kafka needs --broker embedded or kafka://HOST:PORT")
    if settings.broker != "embedded":
        yield settings
        return
    with EmbeddedBroker() as broker:
        yield replace(settings, broker=broker.url, profile="embedded")


async def run_plan(plan: Plan, settings: KafkaSettings, terms: Sequence[Terms], *,
                   workers: int = 1) -> list[tuple[tuple[int, int, int], Output]]:
    """Publish a plan, run `workers` worker processes, collect; sorted by (index, position)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    results = dict(plan.local)
    if plan.submissions:
        async with kafka_broker(settings) as kafka, ReplayRun(kafka, terms) as run:
            await run.publish(plan.submissions)
            for _ in range(workers):
                run.start_worker()
            collected = await run.collect()
            if collected.conflicts:
                key, a, b = collected.conflicts[0]
                raise BrokerError(f"output {key} came twice with different records:\n"
                                  f"{a.text}\n{b.text}")
            results.update(collected.records)
    return sorted(results.items())


async def replay_through_kafka(lines: list[tuple[str, str]], settings: KafkaSettings,
                               terms: Sequence[Terms], *, workers: int = 1
                               ) -> list[tuple[str, str]]:
    """`(logical topic, raw JSON)` inputs -> `(logical output topic, JSON)` outputs.

    The order is that of `Engine.handle` called on each input in turn: by input, then by
    the engine's order for that input.
    """
    ordered = await run_plan(plan_pairs(lines), settings, terms, workers=workers)
    return [(out.topic, out.text) for _, out in ordered]


def output_line(out: Output) -> str:
    """A replay output line, as `shared.engine.replay.output_line` writes it."""
    return f'{{"topic": {json.dumps(out.topic, ensure_ascii=False)}, "value": {out.text}}}'


async def replay_file_through_kafka(lines: Sequence[str], settings: KafkaSettings,
                                    terms: Sequence[Terms], *, workers: int = 1) -> list[str]:
    """Replay file lines -> output lines, the same as the in-process replay gives."""
    ordered = await run_plan(plan_lines(lines), settings, terms, workers=workers)
    return [output_line(out) for _, out in ordered]


def replay_through_kafka_sync(lines: list[tuple[str, str]], settings: KafkaSettings,
                              terms: Sequence[Terms], *, workers: int = 1
                              ) -> list[tuple[str, str]]:
    return asyncio.run(replay_through_kafka(lines, settings, terms, workers=workers))


def replay_lines_through_kafka(lines: Sequence[str], terms: Sequence[Terms], *, broker: str,
                               workers: int = 1, **settings: Any) -> list[str]:
    """For `warrantwatch replay --broker embedded|kafka://...`: file lines -> output lines."""
    kafka = KafkaSettings.from_env(broker=broker, **settings)
    return asyncio.run(replay_file_through_kafka(lines, kafka, terms, workers=workers))
