"""The one partitioner: which partition a key (a symbol) goes to, on every topic.

Kafka's default partitioner (murmur2 of the key, positive, modulo the partition count), as
the Java client and aiokafka compute it. The services, the replay publisher and the tests all
call this function and send with an explicit partition, so a symbol has the same partition
number on the input, sequenced and output topics, whichever client produced it.

aiokafka's murmur2 is Python, several microseconds a key, and intake and the outputs ask it
for every message, nearly always for the same few symbols: the partition of a short key is
kept (a bounded table, emptied when full; a long key, as a hostile one, is not kept).
"""

from __future__ import annotations

from aiokafka.partitioner import murmur2

CACHE_KEY_BYTES = 64  # keys up to this long are kept
CACHE_ENTRIES = 65_536  # then the table starts again from empty

_cache: dict[tuple[bytes, int], int] = {}


def partition_of(key: bytes, partitions: int) -> int:
    """The partition of `key` among `partitions` partitions."""
    where = (key, partitions)
    found = _cache.get(where)
    if found is not None:
        return found
    if partitions < 1:
        raise ValueError(f"a topic has at least one partition, got {partitions}")
    hashed: int = murmur2(key)
    partition = (hashed & 0x7FFFFFFF) % partitions
    if len(key) <= CACHE_KEY_BYTES:
        if len(_cache) >= CACHE_ENTRIES:
            _cache.clear()
        _cache[where] = partition
    return partition
