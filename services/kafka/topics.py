"""Every Kafka topic of the service, its name and its configuration, in one place.

- Input topics of docs/events.md (`quotes`, `corporate-actions`, ...): written by upstream feeds.
- `sequenced-inputs` (internal): every input, validated and keyed by symbol, in the one order
  in which the warrant state consumes it. It is the log the state is rebuilt from, so it is
  kept for ever unless WARRANTWATCH_SEQUENCED_RETENTION_MS says otherwise (docs/operations.md,
  State across restarts: what retention is safe).
- `snapshots` (internal): the warrant state of each sequenced partition at an offset of it,
  in chunks keyed `PARTITION:SLOT:CHUNK` (services/streams/snapshots.py), compacted: Kafka
  keeps the latest message of each key, so the latest snapshots of each partition.
- Output topics of docs/events.md (`market-values`, ..., `dead-letters`). `holdings` is both:
  holdings come in from feeds, and holdings derived from Form 4s go out on it. Intake skips
  the messages a worker wrote (they carry `ww-worker`): the engine already applied them.
Every topic has the same partition count, so a symbol has one partition number everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.kafka.settings import KafkaSettings
from shared.events.inputs import INPUT_TOPICS
from shared.events.outputs import OUTPUT_TOPICS

SEQUENCED = "sequenced-inputs"
SNAPSHOTS = "snapshots"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str  # the Kafka topic name, prefix included
    logical: str
    partitions: int
    replication_factor: int
    config: tuple[tuple[str, str], ...]


def input_topics(settings: KafkaSettings) -> list[str]:
    return [settings.topic(name) for name in INPUT_TOPICS]


def output_topics(settings: KafkaSettings) -> list[str]:
    return [settings.topic(name) for name in OUTPUT_TOPICS]


def sequenced_topic(settings: KafkaSettings) -> str:
    return settings.topic(SEQUENCED)


def snapshot_topic(settings: KafkaSettings) -> str:
    return settings.topic(SNAPSHOTS)


def intake_group(settings: KafkaSettings) -> str:
    """The consumer group of intake (services/streams/batch_intake.py): the input topics'
    committed offsets are this group's. The warrant state agent is Faust's group, `app_id`."""
    return f"{settings.app_id}-intake"


def topic_specs(settings: KafkaSettings) -> list[TopicSpec]:
    """Every topic the service reads or writes, with the configuration it is created with."""
    durable: tuple[tuple[str, str], ...] = ()
    if settings.replication_factor > 1:
        # a write acknowledged by all in-sync replicas survives the loss of one broker
        durable = (("min.insync.replicas", str(min(2, settings.replication_factor))),)
    retention = str(settings.sequenced_retention_ms)
    forever = (("cleanup.policy", "delete"), ("retention.ms", retention),
               ("retention.bytes", "-1"))
    # a snapshot is a few chunks of at most services/streams/snapshots.py CHUNK_BYTES: the
    # largest message must admit one (Kafka's default is about 1 MiB)
    compacted = (("cleanup.policy", "compact"), ("max.message.bytes", "1048588"))
    specs = [TopicSpec(settings.topic(n), n, settings.partitions, settings.replication_factor,
                       durable) for n in INPUT_TOPICS]
    specs.append(TopicSpec(sequenced_topic(settings), SEQUENCED, settings.partitions,
                           settings.replication_factor, durable + forever))
    specs.append(TopicSpec(snapshot_topic(settings), SNAPSHOTS, settings.partitions,
                           settings.replication_factor, durable + compacted))
    # an output topic may also be an input topic (`holdings`: Form 4s in, derived holdings out)
    specs += [TopicSpec(settings.topic(n), n, settings.partitions, settings.replication_factor,
                        durable) for n in OUTPUT_TOPICS if n not in INPUT_TOPICS]
    return specs
