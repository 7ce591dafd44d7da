"""Re-read a partition of the sequenced topic from its start up to an offset.

The warrant state is a pure fold of that log (services/streams/fold.py). A worker that gets a
partition it has no state for (start, restart, rebalance) folds the log up to the first offset
it is handed, silently: every output of those records was published before their offsets were
committed (Faust flushes the producer before each commit). With a snapshot
(services/streams/snapshots.py) it starts after the snapshot's offset instead of offset 0,
once the message there is checked to be the one the snapshot was taken after.

No end offsets are asked for (broker.md pitfall 1): the read stops at the offset in hand, or,
for a partition a query asks about before any record of it was handed over, at the group's
committed offset (where Faust will start handing records).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import sys
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError, OffsetOutOfRangeError

from services.kafka.client import connection_kwargs, reader_kwargs
from services.kafka.settings import KafkaSettings
from services.streams.envelope import Envelope
from services.streams.health import Health
from services.streams.pack import PackFormatUnknown, envelopes_of
from shared.errors import BrokerError

log = logging.getLogger(__name__)

FETCH_TIMEOUT_MS = 1000
# A partition that yields nothing for this long while records below `until` are missing means
# the log is not what the committed offset says: stop rather than wait for ever.
STALL_SECONDS = 30.0


async def replay_partition(settings: KafkaSettings, topic: str, partition: int, until: int,
                           apply: Callable[[Envelope], object],
                           on_message: Callable[[int, bytes | None], object] | None = None,
                           *, since: Anchor | None = None) -> int:
    """Feed `apply` every envelope of the messages of `topic`/`partition` with an offset
    below `until`, in log order: from offset 0, or after `since`, the anchor of a snapshot
    (services/streams/snapshots.py), whose message is read first and must be the one the
    snapshot was taken after (AnchorMismatch if not: the snapshot is of another log).

    Returns how many messages were folded. BrokerError if the log no longer holds what the
    state needs (its retention removed records after the snapshot, or from offset 0 without
    one) or stops short of `until`.
    """
    first = 0 if since is None else since.offset
    stop = until if since is None else max(until, since.offset + 1)
    if stop <= first:
        return 0
    tp = TopicPartition(topic, partition)
    consumer = AIOKafkaConsumer(**reader_kwargs(settings))
    await consumer.start()
    try:
        consumer.assign([tp])
        start = (await consumer.beginning_offsets([tp]))[tp]
        if start > first:
            if since is None:
                raise BrokerError(f"{topic}[{partition}] starts at offset {start}: records the "
                                  f"warrant state is built from were deleted, and there is no "
                                  f"snapshot to start from (the retention of this topic must "
                                  f"be longer than snapshots are apart: docs/operations.md)")
            if start > since.offset + 1:
                raise BrokerError(f"{topic}[{partition}] starts at offset {start}: records "
                                  f"after the snapshot at offset {since.offset} were deleted "
                                  f"(docs/operations.md: what retention is safe)")
            log.warning("%s[%d]: the message at offset %d, after which the snapshot was "
                        "taken, was deleted; it cannot be checked", topic, partition,
                        since.offset)
        consumer.seek(tp, max(first, start))
        count = 0
        idle_ms = 0
        while await consumer.position(tp) < stop:
            batch = await consumer.getmany(tp, timeout_ms=FETCH_TIMEOUT_MS)
            messages = batch.get(tp, [])
            idle_ms = 0 if messages else idle_ms + FETCH_TIMEOUT_MS
            if idle_ms >= STALL_SECONDS * 1000:
                raise BrokerError(f"{topic}[{partition}] gave nothing below offset {stop} "
                                  f"for {STALL_SECONDS} s while rebuilding the warrant state")
            for message in messages:
                if message.offset >= stop:
                    break
                if since is not None and message.offset <= since.offset:
                    if (message.offset == since.offset
                            and Anchor.of(message.offset, message.value) != since):
                        raise AnchorMismatch(
                            f"{topic}[{partition}]@{since.offset} is not the message the "
                            f"snapshot was taken after (another log)")
                    continue
                if message.offset >= until:
                    break
                try:
                    envelopes = envelopes_of(message.key, message.value, message.headers)
                except PackFormatUnknown:
                    raise  # written by a newer worker: no state is folded without it
                except Exception as exc:
                    log.error("%s[%d]@%d skipped: %s", topic, partition, message.offset,
                              str(exc)[:300])
                    envelopes = []
                for env in envelopes:
                    apply(env)
                if on_message is not None:
                    on_message(message.offset, message.value)
                count += 1
        return count
    finally:
        await consumer.stop()


class Anchor:
    """The last message of a partition a worker folded: its offset and the digest of its
    value. While the log is the one that was folded, that offset holds that message.

    Kept for every message taken (each pack folded, each input forwarded), read only when
    the log is checked or a snapshot written: so the digest (SHA-256 of up to 512 KiB) is
    computed when first asked for, from the value kept until then. Immutable in what it
    says: equal anchors have the same offset and digest."""

    __slots__ = ("_digest", "_value", "offset")

    def __init__(self, offset: int, digest: str) -> None:
        self.offset = offset
        self._digest: str | None = digest
        self._value: bytes | None = None

    @classmethod
    def of(cls, offset: int, value: bytes | None) -> Anchor:
        anchor = cls.__new__(cls)
        anchor.offset = offset
        anchor._digest = None
        anchor._value = value or b""
        return anchor

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = hashlib.sha256(self._value or b"").hexdigest()
            self._value = None
        return self._digest

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Anchor):
            return NotImplemented
        return self.offset == other.offset and self.digest == other.digest

    def __hash__(self) -> int:
        return hash((self.offset, self.digest))

    def __repr__(self) -> str:
        return f"Anchor(offset={self.offset}, digest={self.digest!r})"


class AnchorMismatch(BrokerError):
    """The sequenced log does not hold, at a snapshot's offset, the message the snapshot was
    taken after: the snapshot is of another log and must not be used."""


class LogWentBackwards(BrokerError):
    """A partition no longer holds what this worker folded from it (docs/operations.md: a log
    that goes backwards). The state folded from the old log cannot go on with this one."""


ANCHOR_SECONDS = 10.0
# the exit status of a worker that found a log gone backwards (services/commands/worker.py)
EXIT_LOG_WENT_BACKWARDS = 3
# ... and of one handed a sequenced pack of a version it does not read (services/streams/pack.py)
EXIT_UNKNOWN_FORMAT = 4


async def check_anchor(settings: KafkaSettings, topic: str, partition: int, anchor: Anchor,
                       handed: int | None, *, did: str = "folded", seen: str = "") -> None:
    """Raise LogWentBackwards unless `topic[partition]` still holds the anchor's message.

    Called when a message at or below the anchor is handed in (`handed`): after a restart of
    the agent or a rebalance that is the log read again; after the broker lost its log (a
    memory broker restarted, a topic deleted and re-created, an unclean leader election) it is
    a new log. Reading the one message tells the two apart without end offsets. `did` says
    what this worker did with the partition's messages (the intake "forwarded" them); `seen`,
    when no message was handed in (`handed` None), what made it look.
    """
    tp = TopicPartition(topic, partition)
    kwargs = reader_kwargs(settings)
    kwargs["auto_offset_reset"] = "none"  # past the end is an answer, not a reset
    consumer = AIOKafkaConsumer(**kwargs)
    await consumer.start()
    found: str = "nothing"
    try:
        consumer.assign([tp])
        consumer.seek(tp, anchor.offset)
        deadline = time.monotonic() + ANCHOR_SECONDS
        while time.monotonic() < deadline:
            try:
                batch = await consumer.getmany(tp, timeout_ms=500)
            except OffsetOutOfRangeError:
                found = "no message there (the log ends before it)"
                break
            messages = batch.get(tp, [])
            if not messages:
                await asyncio.sleep(0)
                continue
            first = messages[0]
            if first.offset != anchor.offset:
                found = f"the log resumes at offset {first.offset}"
                break
            if Anchor.of(first.offset, first.value) == anchor:
                return
            found = "another message there"
            break
    except KafkaError as exc:
        found = f"an error reading it ({exc})"
    finally:
        await consumer.stop()
    if handed is not None:
        seen = f"offset {handed} was handed in {'again' if handed <= anchor.offset else 'next'}"
    raise LogWentBackwards(
        f"{topic}[{partition}] went backwards: this worker {did} it up to offset "
        f"{anchor.offset}, {seen}, and the broker has {found} "
        f"at offset {anchor.offset}. The log is not the one this worker {did} (a broker that "
        f"lost its data, or a topic re-created); stopping rather than folding on into a wrong "
        f"state. Restore the log or start the broker and the workers afresh and replay the "
        f"inputs (docs/operations.md).")


def stop_worker(health: Health | None, exc: Exception, *,
                status: int = EXIT_LOG_WENT_BACKWARDS, message: str | None = None) -> None:
    """Stop the worker at once: a clear error (`message`, default the exception's) and exit
    status `status` (EXIT_LOG_WENT_BACKWARDS, or EXIT_UNKNOWN_FORMAT).

    Not Faust's clean stop: that waits for the message in hand to be acknowledged and then
    commits offsets of the new log; nothing of the new log may be folded, forwarded or
    committed on the old state. The producer has nothing of it to flush (the checks run before
    the fold and before intake forwards), and an embedded broker child dies with this process
    (services/kafka/embedded.py)."""
    text = message or str(exc)
    if health is not None:
        health.fatal = text
    log.critical("%s", text)
    print(f"warrantwatch worker: {text}", file=sys.stderr, flush=True)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(status)


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
