"""The Faust floor of the Kafka suite: a bare Faust agent that reads topic A in batches
(`take_events`, as the warrant state agent does) and writes each message's bytes to topic B
with `producer.send`, nothing else. No code of the services runs in it, so it is the least a
Faust agent costs per message here: what the hot path saves by not taking the input topics
through Faust's per-event delivery (services/streams/batch_intake.py)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.kafka.client import connection_kwargs, producer_kwargs
from services.kafka.profiles import profile_for
from services.kafka.settings import KafkaSettings
from services.streams.fetch_wait import transport_with_fetch_wait

BATCH, WITHIN = 200, 0.02


async def faust_seconds_per_message(settings: KafkaSettings,
                                    messages: list[tuple[bytes, bytes]]) -> float:
    """Seconds per message through a bare Faust agent A -> B (first message to last flush)."""
    import faust  # the worker's dependency: loaded only when the suite runs

    run = uuid.uuid4().hex[:8]
    source, sink = f"floor-{run}-in", f"floor-{run}-out"
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    await admin.create_topics([NewTopic(t, settings.partitions, 1) for t in (source, sink)])
    await admin.close()
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    for key, value in messages:
        await producer.send(source, value, key=key)
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
            async for events in stream.take_events(BATCH, within=WITHIN):
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
