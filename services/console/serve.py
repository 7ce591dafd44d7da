"""`warrantwatch demo --serve`: replay through Kafka, then keep the worker and its console up.

The same run as `demo --broker embedded` (services/kafka/replay.py: its own topics, one
worker process, every output read back, the same output file), except that the worker is
started with the console's web port and is not stopped when the outputs are in: the address
is printed and everything stays up until SIGINT or SIGTERM. Then the worker leaves its group
(SIGTERM, services/kafka/processes.py), the run's topics are deleted and the embedded broker
is stopped: no process is left behind. The dead letters of lines that never reached Kafka
(not valid JSON records) are published on the run's dead-letters topic, so that the
console's alerts show every alert of the output file. docs/console.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Sequence
from dataclasses import replace

from aiokafka import AIOKafkaProducer

from services.kafka.client import producer_kwargs
from services.kafka.partitioning import partition_of
from services.kafka.replay import kafka_broker
from services.kafka.replay_plan import Output, output_line, plan_lines
from services.kafka.replay_run import ReplayRun, WorkerProcess
from services.kafka.settings import KafkaSettings
from shared.errors import BrokerError
from shared.terms import Terms

CONSOLE_PATH = "/console/"
WATCH_SECONDS = 0.5


async def _wait_for_address(worker: WorkerProcess, timeout: float = 30.0) -> str:
    """The worker's web address, once it printed it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (url := worker.web_url()) is None:
        if not worker.alive():
            raise BrokerError(f"the worker exited before serving:\n{worker.log_tail()}")
        if loop.time() > deadline:
            raise BrokerError(f"the worker printed no web address in {timeout} s")
        await asyncio.sleep(0.1)
    return url


async def publish_file_edge(settings: KafkaSettings, outputs: Sequence[Output]) -> None:
    """The dead letters of lines that never reached Kafka (services/kafka/replay_plan.py),
    on their output topic, so that the console's alerts show every alert of the run."""
    if not outputs:
        return
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    try:
        for out in outputs:
            await producer.send(settings.topic(out.topic), out.text.encode("utf-8"), key=b"",
                                partition=partition_of(b"", settings.partitions))
        await producer.flush()
    finally:
        await producer.stop()


async def serve_scenario(lines: Sequence[str], terms: Sequence[Terms], *, broker: str,
                         web_port: int,
                         on_outputs: Callable[[list[str], str], None]) -> int:
    """Replay `lines` through a worker that keeps serving; `on_outputs(output lines, console
    address)` once every output is in; returns when SIGINT or SIGTERM arrives (0), or 1 if
    the worker dies first."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        plan = plan_lines(lines)
        settings = KafkaSettings.from_env(broker=broker)
        async with kafka_broker(settings) as kafka:
            run = ReplayRun(kafka, terms)
            # the run picks a free port for its workers; the console's port is asked for
            run.settings = replace(run.settings, web_port=web_port)
            async with run:
                await run.publish(plan.submissions)
                worker = run.start_worker()
                results = dict(plan.local)
                if plan.submissions:
                    collecting = asyncio.ensure_future(run.collect())
                    stopping = asyncio.ensure_future(stop.wait())
                    await asyncio.wait({collecting, stopping},
                                       return_when=asyncio.FIRST_COMPLETED)
                    if not collecting.done():  # interrupted during the replay
                        collecting.cancel()
                        return 0
                    stopping.cancel()
                    results.update(collecting.result().records)
                await publish_file_edge(run.settings, list(plan.local.values()))
                address = (await _wait_for_address(worker)).rstrip("/") + CONSOLE_PATH
                on_outputs([output_line(out) for _, out in sorted(results.items())], address)
                while not stop.is_set():
                    if not worker.alive():
                        print(f"the worker exited:\n{worker.log_tail()}", flush=True)
                        return 1
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), WATCH_SECONDS)
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def serve_scenario_sync(lines: Sequence[str], terms: Sequence[Terms], *, broker: str,
                        web_port: int, on_outputs: Callable[[list[str], str], None]) -> int:
    return asyncio.run(serve_scenario(lines, terms, broker=broker, web_port=web_port,
                                      on_outputs=on_outputs))
