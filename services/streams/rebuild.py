"""Re-read a partition of the sequenced topic from its start up to an offset.

The warrant state is a pure fold of that log (services/streams/fold.py). A worker that gets a
partition it has no state for (start, restart, rebalance) folds the log up to the first offset
it is handed, silently: every output of those records was published before their offsets were
committed (Faust flushes the producer before each commit).

No end offsets are asked for (broker.md pitfall 1): the read stops at the offset in hand, or,
for a partition a query asks about before any record of it was handed over, at the group's
committed offset (where Faust will start handing records).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from services.kafka.client import connection_kwargs, reader_kwargs
from services.kafka.settings import KafkaSettings
from services.streams.envelope import Envelope
from services.streams.pack import envelopes_of
from shared.errors import BrokerError, RecordError

log = logging.getLogger(__name__)

FETCH_TIMEOUT_MS = 1000
# A partition that yields nothing for this long while records below `until` are missing means
# the log is not what the committed offset says: stop rather than wait for ever.
STALL_SECONDS = 30.0


async def replay_partition(settings: KafkaSettings, topic: str, partition: int, until: int,
                           apply: Callable[[Envelope], object]) -> int:
    """Feed `apply` every envelope of the messages of `topic`/`partition` with an offset
    below `until`, in log order.

    Returns how many messages were read. BrokerError if the log no longer starts at offset 0
    (its retention removed records the state needs) or stops short of `until`.
    """
    if until <= 0:
        return 0
    tp = TopicPartition(topic, partition)
    consumer = AIOKafkaConsumer(**reader_kwargs(settings))
    await consumer.start()
    try:
        consumer.assign([tp])
        start = (await consumer.beginning_offsets([tp]))[tp]
        if start > 0:
            raise BrokerError(f"{topic}[{partition}] starts at offset {start}: records the "
                              f"warrant state is built from were deleted (retention must be "
                              f"unlimited on this topic)")
        consumer.seek(tp, 0)
        count = 0
        idle_ms = 0
        while await consumer.position(tp) < until:
            batch = await consumer.getmany(tp, timeout_ms=FETCH_TIMEOUT_MS)
            messages = batch.get(tp, [])
            idle_ms = 0 if messages else idle_ms + FETCH_TIMEOUT_MS
            if idle_ms >= STALL_SECONDS * 1000:
                raise BrokerError(f"{topic}[{partition}] gave nothing below offset {until} "
                                  f"for {STALL_SECONDS} s while rebuilding the warrant state")
            for message in messages:
                if message.offset >= until:
                    break
                try:
                    envelopes = envelopes_of(message.key, message.value, message.headers)
                except RecordError as exc:  # as the agent does: not intake's, nothing to fold
                    log.error("%s[%d]@%d skipped: %s", topic, partition, message.offset, exc)
                    envelopes = []
                for env in envelopes:
                    apply(env)
                count += 1
        return count
    finally:
        await consumer.stop()


async def committed_offset(settings: KafkaSettings, topic: str, partition: int) -> int:
    """The offset the consumer group (`settings.app_id`) committed on `topic`/`partition`:
    the first record it has not processed; 0 if it never committed."""
    tp = TopicPartition(topic, partition)
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    try:
        await admin.start()
        offsets = await admin.list_consumer_group_offsets(settings.app_id, partitions=[tp])
    except KafkaError as exc:
        raise BrokerError(f"cannot read the committed offset of {topic}[{partition}]: "
                          f"{exc}") from None
    finally:
        await admin.close()
    found = offsets.get(tp)
    return max(found.offset, 0) if found is not None else 0
