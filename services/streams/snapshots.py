"""Snapshots of a partition's warrant state on a compacted topic, and reading the latest back.

docs/operations.md "State across restarts": a worker writes the state of each sequenced
partition it folds (services/streams/warrant_state.py) every WARRANTWATCH_SNAPSHOT_EVERY
records and when the partition is closed (revoked, or the worker stopped), after the
producer has flushed every output of the records the snapshot covers. A worker that takes the
partition over loads the latest snapshot and folds only the records after the offset it
covers (services/streams/rebuild.py).

A snapshot holds the sequenced offset it covers and the digest of the message there (the
anchor: the log must still hold that message, else the snapshot is of another log), the
fold's own state (services/streams/fold.py `FoldState`: the gap-free buffer and the last
origin offsets) and the engine's state of the partition's symbols, as the engine writes it
(`shared.engine.snapshot.dump_symbols`, versioned there, msgpack).

Layout, before compression, in network byte order:

    magic b"WWPS", format version (1 byte, FORMAT_VERSION),
    metadata length (4) metadata (JSON: partition, partitions, offset, digest, slot,
        symbols, engine_version, next_seq, last_origin),
    pack count (4), per pack: length (4) pack (services/streams/pack.py: the waiting records),
    the engine's bytes (to the end)

compressed with zlib and cut into chunks of at most CHUNK_BYTES (well under the producer's
largest request, 1,000,000 bytes). Each chunk is a message of the snapshot topic's partition
of the same number, keyed `PARTITION:SLOT:CHUNK`, with headers `ww-snapshot` (the format
version), `ww-snapshot-id` (`OFFSET-NONCE`: the chunks of one snapshot), `ww-chunk` (`I/N`)
and `ww-snapshot-sha256` (of the whole compressed snapshot). The topic is compacted: Kafka
keeps the latest message of each key. Two slots take turns, so a writer that dies half-way
through a snapshot leaves the previous one whole under the other slot's keys.

Reading: the chunks of the latest snapshot are the last messages of the partition (one
writer per partition, each chunk sent alone, so Tansu's end offsets are right for them,
broker.md pitfall 1; a wrong, short end offset would only find an older snapshot). A
snapshot of another version, a chunk missing, a digest that does not match, a snapshot of
another partition count, set of symbols or terms: none is ever trusted. `read_latest` logs
why and returns None, and the state is rebuilt from the whole log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from services.kafka.client import reader_kwargs
from services.kafka.settings import KafkaSettings
from services.kafka.topics import snapshot_topic
from services.streams.envelope import Headers
from services.streams.fold import FoldState, PartitionFold
from services.streams.pack import pack, unpack
from services.streams.rebuild import Anchor
from shared.engine.snapshot import SNAPSHOT_VERSION, dump_symbols, load_symbols
from shared.errors import SnapshotError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MAGIC = b"WWPS"
CHUNK_BYTES = 512 * 1024
COMPRESSION_LEVEL = 1  # zlib: most of the size gain at a fraction of the time of level 6
SNAPSHOT = "ww-snapshot"
SNAPSHOT_ID = "ww-snapshot-id"
CHUNK = "ww-chunk"
DIGEST = "ww-snapshot-sha256"
SLOTS = 2
READ_TIMEOUT_MS = 1000
# how many snapshots back `read_latest` looks past incomplete ones before giving up
MAX_STEPS_BACK = 3

_HEAD = struct.Struct("!4sB")
_LEN4 = struct.Struct("!I")

Send = Callable[[str, bytes, bytes, int, Headers], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class PartitionSnapshot:
    """The warrant state of sequenced partition `partition` after the message `anchor.offset`."""

    partition: int
    partitions: int
    anchor: Anchor
    slot: int
    symbols: tuple[str, ...]
    engine_version: int
    fold: FoldState
    engine: bytes

    @property
    def offset(self) -> int:
        return self.anchor.offset


def take(fold: PartitionFold, anchor: Anchor, slot: int) -> PartitionSnapshot:
    """The snapshot of `fold`, which has folded its partition up to `anchor` included."""
    symbols = tuple(fold.symbols)
    return PartitionSnapshot(fold.partition, fold.partitions, anchor, slot % SLOTS, symbols,
                             SNAPSHOT_VERSION, fold.state(),
                             dump_symbols(fold.engine, symbols))


def encode(snapshot: PartitionSnapshot) -> bytes:
    """The compressed bytes of a snapshot (the layout of this module's docstring)."""
    meta = {
        "partition": snapshot.partition, "partitions": snapshot.partitions,
        "offset": snapshot.anchor.offset, "digest": snapshot.anchor.digest,
        "slot": snapshot.slot, "symbols": list(snapshot.symbols),
        "engine_version": snapshot.engine_version, "next_seq": snapshot.fold.next_seq,
        "last_origin": [list(item) for item in snapshot.fold.last_origin],
    }
    raw_meta = json.dumps(meta, separators=(",", ":")).encode()
    packs = pack(snapshot.fold.pending) if snapshot.fold.pending else []
    parts = [_HEAD.pack(MAGIC, FORMAT_VERSION), _LEN4.pack(len(raw_meta)), raw_meta,
             _LEN4.pack(len(packs))]
    for item in packs:
        parts += [_LEN4.pack(len(item)), item]
    parts.append(snapshot.engine)
    return zlib.compress(b"".join(parts), COMPRESSION_LEVEL)


def decode(data: bytes) -> PartitionSnapshot:
    """A snapshot from `encode`'s bytes; SnapshotError if they are not one of this version."""
    try:
        raw = zlib.decompress(data)
        magic, version = _HEAD.unpack_from(raw, 0)
        if magic != MAGIC:
            raise SnapshotError("not a partition snapshot (bad magic)")
        if version != FORMAT_VERSION:
            raise SnapshotError(f"partition snapshot of format {version}, this worker reads "
                                f"{FORMAT_VERSION}")
        at = _HEAD.size
        (n,) = _LEN4.unpack_from(raw, at)
        meta = json.loads(raw[at + 4:at + 4 + n])
        at += 4 + n
        (count,) = _LEN4.unpack_from(raw, at)
        at += 4
        pending = []
        for _ in range(count):
            (n,) = _LEN4.unpack_from(raw, at)
            pending += unpack(raw[at + 4:at + 4 + n])
            at += 4 + n
        if at > len(raw):
            raise SnapshotError("partition snapshot truncated")
        fold = FoldState(int(meta["next_seq"]), tuple(pending),
                         tuple((str(t), int(p), int(o)) for t, p, o in meta["last_origin"]))
        return PartitionSnapshot(
            int(meta["partition"]), int(meta["partitions"]),
            Anchor(int(meta["offset"]), str(meta["digest"])), int(meta["slot"]),
            tuple(str(s) for s in meta["symbols"]), int(meta["engine_version"]), fold,
            raw[at:])
    except SnapshotError:
        raise
    except Exception as exc:  # zlib, struct, JSON, a missing key, a bad pack: all refusals
        raise SnapshotError(f"partition snapshot does not decode ({type(exc).__name__}: "
                            f"{str(exc)[:200]})") from None


def restore(fold: PartitionFold, snapshot: PartitionSnapshot) -> None:
    """Load `snapshot` into `fold`, a fresh fold of the same partition; SnapshotError if it
    is not one this fold can take up (nothing is loaded then: build another fresh fold)."""
    if snapshot.partition != fold.partition or snapshot.partitions != fold.partitions:
        raise SnapshotError(f"snapshot of partition {snapshot.partition} of "
                            f"{snapshot.partitions}, this is {fold.partition} of "
                            f"{fold.partitions}")
    if snapshot.engine_version != SNAPSHOT_VERSION:
        raise SnapshotError(f"engine snapshot version {snapshot.engine_version}, this worker "
                            f"reads {SNAPSHOT_VERSION}")
    if list(snapshot.symbols) != fold.symbols:
        raise SnapshotError(f"snapshot of symbols {list(snapshot.symbols)}, this partition "
                            f"now holds {fold.symbols} (the terms changed)")
    loaded = load_symbols(fold.engine, snapshot.engine)
    if sorted(loaded) != sorted(fold.symbols):
        raise SnapshotError(f"the engine snapshot held {sorted(loaded)}, expected "
                            f"{sorted(fold.symbols)}")
    try:
        fold.restore(snapshot.fold)
    except ValueError as exc:
        raise SnapshotError(f"fold state: {exc}") from None


def messages(snapshot: PartitionSnapshot, data: bytes) -> list[tuple[bytes, bytes, Headers]]:
    """The (key, value, headers) of each chunk of a snapshot whose encoding is `data`."""
    digest = hashlib.sha256(data).hexdigest().encode()
    ident = f"{snapshot.anchor.offset}-{uuid.uuid4().hex[:12]}".encode()
    pieces = [data[i:i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
    out = []
    for i, piece in enumerate(pieces):
        key = f"{snapshot.partition}:{snapshot.slot}:{i}".encode()
        headers: Headers = [(SNAPSHOT, str(FORMAT_VERSION).encode()), (SNAPSHOT_ID, ident),
                            (CHUNK, f"{i}/{len(pieces)}".encode()), (DIGEST, digest)]
        out.append((key, piece, headers))
    return out


async def write(settings: KafkaSettings, send: Send, snapshot: PartitionSnapshot) -> int:
    """Send every chunk of `snapshot` with `send` (each awaited before the next, so each is
    a batch of its own); the snapshot's size in bytes."""
    data = encode(snapshot)
    topic = snapshot_topic(settings)
    for key, value, headers in messages(snapshot, data):
        await send(topic, key, value, snapshot.partition, headers)
    return len(data)


@dataclass(frozen=True, slots=True)
class _Chunk:
    offset: int
    ident: bytes
    index: int
    count: int
    digest: bytes
    value: bytes


def _chunk(message: Any) -> _Chunk:
    """A message of the snapshot topic as a chunk; SnapshotError if it is not one."""
    h = dict(message.headers or ())
    version = h.get(SNAPSHOT)
    if version != str(FORMAT_VERSION).encode():
        raise SnapshotError(f"snapshot message of format {version!r}, this worker reads "
                            f"{FORMAT_VERSION}")
    try:
        index, count = (int(x) for x in h[CHUNK].decode().split("/"))
        return _Chunk(message.offset, h[SNAPSHOT_ID], index, count, h[DIGEST],
                      message.value or b"")
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"snapshot message with bad headers ({exc!r})") from None


async def _read(consumer: AIOKafkaConsumer, tp: TopicPartition, start: int, end: int,
                wanted: int) -> list[Any]:
    """Up to `wanted` messages from `start`, stopping at `end`."""
    consumer.seek(tp, start)
    out: list[Any] = []
    idle = 0
    while len(out) < wanted and await consumer.position(tp) < end:
        batch = (await consumer.getmany(tp, timeout_ms=READ_TIMEOUT_MS)).get(tp, [])
        idle = 0 if batch else idle + 1
        if idle >= 5:
            raise SnapshotError(f"{tp.topic}[{tp.partition}] gave nothing from offset "
                                f"{await consumer.position(tp)} below its end {end}")
        out += [m for m in batch if m.offset < end]
    return out[:wanted]


async def read_latest(settings: KafkaSettings, partition: int) -> tuple[PartitionSnapshot,
                                                                        int] | None:
    """The latest whole snapshot of `partition` and its size in bytes, or None (no
    snapshot, or none that can be trusted: the reason is logged)."""
    topic = snapshot_topic(settings)
    tp = TopicPartition(topic, partition)
    consumer = AIOKafkaConsumer(**reader_kwargs(settings))
    try:
        await consumer.start()
        consumer.assign([tp])
        begin = (await consumer.beginning_offsets([tp]))[tp]
        end = (await consumer.end_offsets([tp]))[tp]
        pos = end - 1
        for _ in range(MAX_STEPS_BACK):
            if pos < begin:
                return None
            last = _chunk((await _read(consumer, tp, pos, end, 1))[0])
            first = last.offset - last.index
            if last.index != last.count - 1:  # its writer stopped half-way: look before it
                log.warning("%s[%d]: snapshot %s has %d of %d chunks; looking further back",
                            topic, partition, last.ident.decode(errors="replace"),
                            last.index + 1, last.count)
                pos = first - 1
                continue
            found = [_chunk(m) for m in await _read(consumer, tp, max(first, begin),
                                                    last.offset + 1, last.count)]
            if ([c.index for c in found] != list(range(last.count))
                    or any(c.ident != last.ident for c in found)):
                raise SnapshotError(f"the chunks of snapshot {last.ident.decode()} are not "
                                    f"together at offsets {first}..{last.offset}")
            data = b"".join(c.value for c in found)
            if hashlib.sha256(data).hexdigest().encode() != last.digest:
                raise SnapshotError(f"snapshot {last.ident.decode()} does not match its digest")
            return decode(data), len(data)
        return None
    except SnapshotError as exc:
        log.warning("%s[%d]: no snapshot used, the state is rebuilt from the whole log: %s",
                    topic, partition, exc)
        return None
    except KafkaError as exc:
        log.warning("%s[%d]: cannot read snapshots (%s); the state is rebuilt from the whole "
                    "log", topic, partition, exc)
        return None
    finally:
        await consumer.stop()
