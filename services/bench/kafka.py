"""Kafka suite: quotes end to end through the services on the embedded broker, against a raw
aiokafka pass-through (consume a message, produce it to another topic) on the same broker, in
the same run.

The services' figure is a difference: a worker is started on a short input and on a long one
(every input published first), each timed from its start to the send time of its last output;
the extra time the long input took over its extra inputs is the cost per input, with what
both runs share (process start, group join, the Trading Day tables of the listing) taken
out. The short and long figures come from the same repetition (the one whose long run was
fastest, the least disturbed), never the best of each from different ones. The agents work in
batches and the warrant state lags intake by a batch or more, so a window inside one run
(first to last output) would leave out work done before or after it. The pass-through is
timed from its first message to its last flush: its figure leaves out the consumer's start
and group join (and creating its topics and publishing its inputs), which the services'
difference leaves out too; that start is reported beside it (`baseline_start_seconds`),
and what is left out is named in the row (`baseline_excludes`).

The row carries each repetition's ratio (`ratios`, its services' figure against its own
pass-through) and their median (`median_ratio`): the figure of record for issue 11.

A second end-to-end line times the long run from within (`services_run`): from intake's
first write to the sequenced log (the create time of its first record) to the last output,
per input. It leaves out the worker's start and group joins, as the pass-through leaves out
its consumer's, so it does not depend on how long a join took, which varies by a second or
more between runs on this broker and swamps the difference above when the services cost
little per input. It is paired with the pass-through of its repetition (`ratios`,
`median_ratio`).

Two more end-to-end lines do the same for a live feed (`live_run`): the quotes alone,
published as an upstream feed or `warrantwatch publish --order arrival` publishes them (keyed
by symbol, on its partition, no replay headers), so intake forwards each message as it is and
the fold decodes the record alone; one topic and one partition, whose order Kafka keeps, so
the outputs are the in-process engine's (their number is checked). Replay inputs carry their
file line in a header (`ww-source`, for dead letters that quote it), their places and index;
a live quote carries none of that.

A further line is the Faust floor (`faust_seconds_per_message`): a bare Faust agent moving
the same messages from one topic to another, the least the services would pay per input if
Faust delivered the input topics. A third line times the pure engine on the same inputs, in
this process, with no Kafka at all (the same steady window: first to last market value),
against the same pass-through: the ceiling the services could reach if Kafka and Faust cost nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.bench import BenchResult
from services.kafka.client import connection_kwargs, producer_kwargs
from services.kafka.embedded import EmbeddedBroker
from services.kafka.partitioning import partition_of
from services.kafka.profiles import profile_for
from services.kafka.replay_plan import Stamped, plan_lines, publish
from services.kafka.replay_run import ReplayRun
from services.kafka.settings import KafkaSettings
from services.kafka.topics import output_topics, sequenced_topic
from services.streams.fetch_wait import transport_with_fetch_wait
from shared.calendar.exchange import EASTERN
from shared.engine import Engine
from shared.engine.replay import replay_lines
from shared.errors import BenchError
from shared.terms import load_terms

SUITE = "kafka"
QUOTES_PER_DAY = 20


def synthetic_lines(days: int) -> list[str]:
    """An OTCBB listing, then per weekday QUOTES_PER_DAY GLOW quotes and a 17:00 tick.

    Prices are made up (a slow walk around 0.60): the suite measures throughput, not values.
    """
    lines = [json.dumps({"topic": "corporate-actions", "value": {
        "type": "listing", "id": "bench-listing", "symbol": "GLOW", "effective": "2010-12-01",
        "venue": "OTCBB"}})]
    day, made = date(2011, 1, 3), 0
    while made < days:
        if day.weekday() < 5:
            for n in range(QUOTES_PER_DAY):
                at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=EASTERN) \
                    + timedelta(minutes=15 * n)
                bid = Decimal("0.55") + Decimal((made + n) % 10) / 100
                lines.append(json.dumps({"topic": "quotes", "value": {
                    "type": "quote", "id": f"bench-q-{day}-{n}", "symbol": "GLOW",
                    "at": at.isoformat(), "bid": str(bid), "ask": str(bid + Decimal("0.05"))}}))
            close = datetime(day.year, day.month, day.day, 17, 0, tzinfo=EASTERN)
            lines.append(json.dumps({"topic": "clock", "value": {
                "type": "tick", "id": f"bench-t-{day}", "symbol": "*",
                "at": close.isoformat()}}))
            made += 1
        day += timedelta(days=1)
    return lines


async def services_run(settings: KafkaSettings, lines: list[str]) -> tuple[float, float]:
    """One worker started with every input already published: the seconds from its start to
    its last output, and the seconds from intake's first write to the sequenced log to that
    last output (the steady window: the worker's start and group joins are before it)."""
    plan = plan_lines(lines)
    async with ReplayRun(settings, [load_terms()]) as run:
        await run.publish(plan.submissions)
        started = time.time()
        run.start_worker()
        collected = await run.collect()
        first_write = await _first_timestamp(run.settings, sequenced_topic(run.settings))
    last = max(out.timestamp_ms for out in collected.records.values()) / 1000
    return last - started, last - first_write


async def services_seconds(settings: KafkaSettings, lines: list[str]) -> float:
    """Seconds from starting a worker, every input already published, to its last output."""
    return (await services_run(settings, lines))[0]


async def _first_timestamp(settings: KafkaSettings, topic: str) -> float:
    """The earliest create time (seconds) of the first message of any partition of `topic`."""
    consumer = AIOKafkaConsumer(enable_auto_commit=False, **connection_kwargs(settings))
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(settings.partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        firsts: dict[int, int] = {}
        for _ in range(5):  # a few fetches: every partition with records answers in the first
            batch = await consumer.getmany(timeout_ms=500, max_records=50)
            for tp, messages in batch.items():
                if messages and tp.partition not in firsts:
                    firsts[tp.partition] = messages[0].timestamp
                    consumer.pause(tp)
            if firsts and not batch:
                break
    finally:
        await consumer.stop()
    if not firsts:
        raise BenchError(f"no record on {topic}: the worker wrote nothing to time")
    return min(firsts.values()) / 1000


def live_quotes(lines: list[str]) -> list[str]:
    """The quotes of `lines` alone: a live feed of one symbol on one partition of one topic,
    whose order Kafka keeps (each day's value is published when the next day's first quote
    passes its close: shared/engine/symbol.py)."""
    return [line for line in lines if json.loads(line)["topic"] == "quotes"]


async def live_run(settings: KafkaSettings, lines: list[str]) -> tuple[float, float]:
    """`services_run` for a live feed: the messages as an upstream feed or `warrantwatch
    publish --order arrival` sends them (keyed by symbol, on its partition, no replay
    headers), so intake forwards them as they are and the fold decodes the record alone
    (docs/operations.md "Throughput"). Done when every output the in-process engine gives
    for the same quotes is out."""
    plan = plan_lines(lines)
    engine = Engine([load_terms()])
    expected = sum(len(replay_lines(engine, [line])) for line in lines)
    async with ReplayRun(settings, [load_terms()]) as run:
        await publish(run.settings, [Stamped(s, partition_of(s.key, run.settings.partitions), [])
                                     for s in plan.submissions])
        started = time.time()
        run.start_worker()
        count, last = await _live_outputs(run.settings, expected)
        first_write = await _first_timestamp(run.settings, sequenced_topic(run.settings))
    if count != expected:
        raise BenchError(f"live feed: {count} outputs, the engine gives {expected}")
    return last - started, last - first_write


async def _live_outputs(settings: KafkaSettings, expected: int,
                        stall_seconds: float = 60.0) -> tuple[int, float]:
    """Read every output topic from the start until `expected` records are out (a live run's
    outputs carry no replay places, so the replay collector cannot be used): their count and
    the create time of the last (seconds)."""
    consumer = AIOKafkaConsumer(enable_auto_commit=False, **connection_kwargs(settings))
    await consumer.start()
    try:
        parts = [TopicPartition(t, p) for t in output_topics(settings)
                 for p in range(settings.partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        count, last, progress = 0, 0, time.monotonic()
        while count < expected:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                count += len(messages)
                last = max([last, *(m.timestamp for m in messages)])
            if batch:
                progress = time.monotonic()
            elif time.monotonic() - progress > stall_seconds:
                raise BenchError(f"live feed: {count} of {expected} outputs, then none for "
                                 f"{stall_seconds:.0f} s")
    finally:
        await consumer.stop()
    return count, last / 1000


def engine_seconds_per_input(lines: list[str]) -> float:
    """Steady-state seconds per input line through the in-process engine (no Kafka)."""
    engine = Engine([load_terms()])
    marks: list[tuple[float, int]] = []
    for index, line in enumerate(lines):
        outputs = replay_lines(engine, [line])
        if any(topic == "market-values" for topic, _ in outputs):
            marks.append((time.perf_counter(), index))
    (t0, i0), (t1, i1) = marks[0], marks[-1]
    if t1 <= t0 or i1 <= i0:
        raise BenchError("too few market values to time the engine: use more days")
    return (t1 - t0) / (i1 - i0)


PASSTHROUGH_EXCLUDES = ("consumer start and group join (until the first message), creating "
                        "its topics, publishing its inputs")


async def _topics_with_messages(settings: KafkaSettings, source: str, sink: str,
                                messages: list[tuple[bytes, bytes]]) -> AIOKafkaProducer:
    """Topics `source` and `sink` made, `messages` (key, value) sent to `source`: the started
    producer, for the caller to flush and stop (or to write `sink` with)."""
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    await admin.create_topics([NewTopic(t, settings.partitions, 1) for t in (source, sink)])
    await admin.close()
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    for key, value in messages:
        await producer.send(source, value, key=key)
    return producer


async def passthrough_seconds_per_message(settings: KafkaSettings,
                                          lines: list[str]) -> tuple[float, float]:
    """Seconds per message for consume-then-produce with plain aiokafka clients, timed from
    the first message consumed to the last flush; and the seconds before that first message
    (consumer start, group join, first fetch), which the per-message figure leaves out."""
    plan = plan_lines(lines)
    run = uuid.uuid4().hex[:8]
    source, sink = f"bench-{run}-in", f"bench-{run}-out"
    producer = await _topics_with_messages(settings, source, sink,
                                           [(s.key, s.value) for s in plan.submissions])
    await producer.flush()
    consumer = AIOKafkaConsumer(source, group_id=f"bench-{run}", auto_offset_reset="earliest",
                                **connection_kwargs(settings))
    joining = time.perf_counter()
    await consumer.start()
    count, started = 0, 0.0
    try:
        while count < len(plan.submissions):
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, messages in batch.items():
                if messages and not started:
                    started = time.perf_counter()
                for m in messages:
                    await producer.send(sink, m.value, key=m.key, partition=tp.partition)
                    count += 1
        await producer.flush()
        elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
        await producer.stop()
    return elapsed / count, started - joining


WINDOW_EXCLUDES = ("worker start and both group joins (before intake's first write); intake's "
                   "reading of its first batch (at most 200 inputs, under 1% of them)")
FLOOR_BATCH, FLOOR_WITHIN = 200, 0.02  # the warrant state agent's take_events


async def faust_seconds_per_message(settings: KafkaSettings,
                                    messages: list[tuple[bytes, bytes]]) -> float:
    """Seconds per message through a bare Faust agent A -> B (first message to last flush):
    it reads A in batches (`take_events`, as the warrant state agent does) and writes each
    message's bytes to B with `producer.send`, nothing else. No code of the services runs in
    it: the least a Faust agent costs per message here."""
    import faust  # the worker's dependency: loaded only when the suite runs

    run = uuid.uuid4().hex[:8]
    source, sink = f"floor-{run}-in", f"floor-{run}-out"
    producer = await _topics_with_messages(settings, source, sink, messages)
    await producer.flush()
    await producer.stop()
    profile = profile_for(settings)
    with tempfile.TemporaryDirectory(prefix="warrantwatch-floor-") as data_dir:
        app: Any = faust.App(f"floor-{run}", broker=f"kafka://{settings.bootstrap_servers}",
                             datadir=data_dir, web_enabled=False,
                             consumer_auto_offset_reset="earliest",
                             broker_session_timeout=profile.session_timeout,
                             broker_heartbeat_interval=profile.heartbeat_interval,
                             broker_rebalance_timeout=profile.rebalance_timeout,
                             producer_linger_ms=profile.producer_linger_ms,
                             topic_partitions=settings.partitions,
                             loop=asyncio.get_running_loop())
        if profile.fetch_max_wait_ms is not None:  # as the worker's (services/streams/app.py)
            app.transport = transport_with_fetch_wait(app, profile.fetch_max_wait_ms)
        topic = app.topic(source, key_type=bytes, value_type=bytes, key_serializer="raw",
                          value_serializer="raw")
        done = asyncio.Event()
        seen = {"count": 0, "started": 0.0}

        async def floor(stream: Any) -> None:
            async for events in stream.take_events(FLOOR_BATCH, within=FLOOR_WITHIN):
                if not seen["started"]:
                    seen["started"] = time.perf_counter()
                out = await app.maybe_start_producer()
                for event in events:
                    m = event.message
                    await out.send(sink, m.key, m.value, m.partition, None, None)
                seen["count"] += len(events)
                if seen["count"] >= len(messages):
                    await out.flush()
                    done.set()

        app.agent(topic, name="floor")(floor)
        quiet = logging.getLogger("faust").level
        logging.getLogger("faust").setLevel(logging.WARNING)
        try:
            await app.start()
            await asyncio.wait_for(done.wait(), timeout=300)
            elapsed = time.perf_counter() - seen["started"]
        finally:
            await app.stop()
            logging.getLogger("faust").setLevel(quiet)
    return elapsed / len(messages)


def run(quick: bool) -> list[BenchResult]:
    # the long run must outweigh a worker's start (seconds, and noisy on a shared machine)
    (short_days, long_days), repeat = ((50, 200), 1) if quick else ((100, 1500), 3)
    short, lines = synthetic_lines(short_days), synthetic_lines(long_days)
    short_runs: list[float] = []
    long_runs: list[float] = []
    engine: list[float] = []
    theirs: list[float] = []
    theirs_start: list[float] = []
    floor: list[float] = []
    windows: list[float] = []  # the long run's steady window, per input
    live_short_runs: list[float] = []
    live_long_runs: list[float] = []
    live_windows: list[float] = []
    live_short, live_lines = live_quotes(short), live_quotes(lines)
    messages = [(s.key, s.value) for s in plan_lines(lines).submissions]
    with EmbeddedBroker() as broker:
        settings = KafkaSettings(broker=broker.url, profile="embedded")
        for _ in range(repeat):  # alternate, so a busy machine slows all alike
            short_runs.append(asyncio.run(services_seconds(settings, short)))
            long_total, long_window = asyncio.run(services_run(settings, lines))
            long_runs.append(long_total)
            windows.append(long_window / len(lines))
            live_short_runs.append(asyncio.run(live_run(settings, live_short))[0])
            live_total, live_window = asyncio.run(live_run(settings, live_lines))
            live_long_runs.append(live_total)
            live_windows.append(live_window / len(live_lines))
            per_message, start = asyncio.run(passthrough_seconds_per_message(settings, lines))
            theirs.append(per_message)
            theirs_start.append(start)
            floor.append(asyncio.run(faust_seconds_per_message(settings, messages)))
            engine.append(engine_seconds_per_input(lines))
    extra = len(lines) - len(short)
    ours = [(long_run - short_run) / extra for short_run, long_run in zip(short_runs, long_runs,
                                                                          strict=True)]
    least_disturbed = min(range(len(long_runs)), key=long_runs.__getitem__)
    best = ours[least_disturbed]  # the short and the long run of one repetition
    if min(ours) <= 0:
        raise BenchError("the long run took no longer than the short one: too noisy to time")
    baseline = "aiokafka consume+produce pass-through"
    # each repetition's ratio, its services' figure against its own pass-through: issue 11's
    # "Done when" is the median of these (a run of repeat=3 is three runs, paired)
    ratios = [t / o for t, o in zip(theirs, ours, strict=True)]
    floor_ratios = [t / f for t, f in zip(theirs, floor, strict=True)]
    return [BenchResult(
        suite=SUITE,
        name=f"quote end to end, embedded broker, 1 worker ({len(short)} vs {len(lines)} "
             f"inputs)",
        per_op_seconds=best,
        baseline_name=baseline,
        baseline_per_op_seconds=min(theirs),
        median_per_op_seconds=statistics.median(ours),
        baseline_median_per_op_seconds=statistics.median(theirs),
        figures=(("short_run_seconds", short_runs[least_disturbed]),
                 ("long_run_seconds", long_runs[least_disturbed]),
                 ("baseline_excludes", PASSTHROUGH_EXCLUDES),
                 ("baseline_start_seconds", min(theirs_start)),
                 ("repetitions", len(ours)),
                 ("ratios", ",".join(f"{r:.3f}" for r in ratios)),
                 ("median_ratio", statistics.median(ratios))),
    ), _paired_row(
        f"quote end to end, embedded broker, 1 worker, steady window ({len(lines)} inputs: "
        "intake's first write to the last output)", windows, theirs, baseline,
        ("excludes", WINDOW_EXCLUDES),
    ), *_live_rows(live_short, live_lines, live_short_runs, live_long_runs, live_windows,
                   theirs, baseline), BenchResult(
        suite=SUITE,
        name="the Faust floor: a bare agent, take_events(200, 20 ms), producer.send A -> B",
        per_op_seconds=min(floor),
        baseline_name=baseline,
        baseline_per_op_seconds=min(theirs),
        median_per_op_seconds=statistics.median(floor),
        baseline_median_per_op_seconds=statistics.median(theirs),
        figures=(("median_ratio", statistics.median(floor_ratios)),),
    ), BenchResult(
        suite=SUITE,
        name="the same inputs through the in-process engine, no Kafka (the ceiling)",
        per_op_seconds=min(engine),
        baseline_name=baseline,
        baseline_per_op_seconds=min(theirs),
        median_per_op_seconds=statistics.median(engine),
        baseline_median_per_op_seconds=statistics.median(theirs),
        figures=(("baseline_excludes", PASSTHROUGH_EXCLUDES),
                 ("baseline_start_seconds", min(theirs_start))),
    )]


def _live_rows(short: list[str], lines: list[str], short_runs: list[float],
               long_runs: list[float], windows: list[float], theirs: list[float],
               baseline: str) -> list[BenchResult]:
    """The live feed's rows (`live_run`): the difference of its long and short runs and the
    long run's steady window, each paired with its repetition's pass-through."""
    extra = len(lines) - len(short)
    ours = [(b - a) / extra for a, b in zip(short_runs, long_runs, strict=True)]
    if min(ours) <= 0:
        raise BenchError("live feed: the long run took no longer than the short one")
    return [_paired_row(f"quote end to end, live feed (no replay headers), embedded broker, "
                        f"1 worker ({len(short)} vs {len(lines)} quotes)", ours, theirs,
                        baseline),
            _paired_row(f"quote end to end, live feed (no replay headers), embedded broker, "
                        f"1 worker, steady window ({len(lines)} quotes)", windows, theirs,
                        baseline)]


def _paired_row(name: str, ours: list[float], theirs: list[float], baseline: str,
                *extra: tuple[str, int | float | str]) -> BenchResult:
    """A row whose repetitions are each paired with the pass-through of the same repetition:
    best and median of both, then each repetition's ratio (`ratios`) and their median."""
    ratios = [t / o for t, o in zip(theirs, ours, strict=True)]
    return BenchResult(
        suite=SUITE, name=name, per_op_seconds=min(ours), baseline_name=baseline,
        baseline_per_op_seconds=min(theirs), median_per_op_seconds=statistics.median(ours),
        baseline_median_per_op_seconds=statistics.median(theirs),
        figures=(("baseline_excludes", PASSTHROUGH_EXCLUDES), *extra,
                 ("repetitions", len(ours)),
                 ("ratios", ",".join(f"{r:.3f}" for r in ratios)),
                 ("median_ratio", statistics.median(ratios))))
