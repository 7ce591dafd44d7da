"""Create the service's topics if they are missing, and check the ones that exist."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from services.kafka.client import connection_kwargs
from services.kafka.settings import KafkaSettings
from services.kafka.topics import TopicSpec, topic_specs
from shared.errors import BrokerError


async def ensure_topics(settings: KafkaSettings) -> list[str]:
    """Create every missing topic; a topic with another partition count is an error.

    Returns the names created. Every topic must have `settings.partitions` partitions: the
    services address partitions by number (services/kafka/partitioning.py).
    """
    specs = topic_specs(settings)
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            # another worker may have created them in the meantime
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([_new_topic(s) for s in missing])
        await _check_partitions(admin, [s for s in specs if s.name in existing])
    except KafkaError as exc:
        raise BrokerError(f"cannot create the topics on {settings.broker}: {exc}") from None
    finally:
        await admin.close()
    return [s.name for s in missing]


async def delete_topics(settings: KafkaSettings, names: Iterable[str]) -> None:
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        doomed = [n for n in names if n in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def _new_topic(spec: TopicSpec) -> NewTopic:
    return NewTopic(spec.name, spec.partitions, spec.replication_factor,
                    topic_configs=dict(spec.config))


async def _check_partitions(admin: AIOKafkaAdminClient, specs: list[TopicSpec]) -> None:
    if not specs:
        return
    described = await admin.describe_topics([s.name for s in specs])
    counts = {d["topic"]: len(d["partitions"]) for d in described}
    for spec in specs:
        found = counts.get(spec.name)
        if found is not None and found != spec.partitions:
            raise BrokerError(
                f"topic {spec.name} has {found} partitions, the service expects "
                f"{spec.partitions} (WARRANTWATCH_PARTITIONS); every topic needs the same count")
