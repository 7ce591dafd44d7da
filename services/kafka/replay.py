"""Replay through Kafka: publish inputs, run worker processes, read every output back.

`replay_through_kafka` takes `(logical topic, raw JSON)` pairs; `replay_file_through_kafka`
takes the lines of a replay file (docs/events.md) and gives the same output lines as the
in-process replay (`shared.engine.replay.replay_lines`), byte for byte; `warrantwatch replay
--broker embedded|kafka://...` calls `replay_lines_through_kafka`.

The file edge is `replay_plan.py`, a run (topics, workers, reading outputs back) is
`replay_run.py`. Results are sorted by (input index, position among that input's outputs),
which is the order in which the in-process engine produces them (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from services.kafka.embedded import EmbeddedBroker
from services.kafka.replay_plan import Output, Plan, output_line, plan_lines, plan_pairs
from services.kafka.replay_run import ReplayRun
from services.kafka.settings import KafkaSettings
from shared.errors import BrokerError
from shared.terms import Terms


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


async def replay_file_through_kafka(lines: Sequence[str | bytes], settings: KafkaSettings,
                                    terms: Sequence[Terms], *, workers: int = 1) -> list[str]:
    """Replay file lines -> output lines, the same as the in-process replay gives."""
    ordered = await run_plan(plan_lines(lines), settings, terms, workers=workers)
    return [output_line(out) for _, out in ordered]


def replay_lines_through_kafka(lines: Sequence[str | bytes], terms: Sequence[Terms], *, broker: str,
                               workers: int = 1, **settings: Any) -> list[str]:
    """For `warrantwatch replay --broker embedded|kafka://...`: file lines -> output lines."""
    kafka = KafkaSettings.from_env(broker=broker, **settings)
    return asyncio.run(replay_file_through_kafka(lines, kafka, terms, workers=workers))
