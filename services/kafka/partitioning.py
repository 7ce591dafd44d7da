"""The one partitioner: which partition a key (a symbol) goes to, on every topic.

Kafka's default partitioner (murmur2 of the key, positive, modulo the partition count), as
the Java client and aiokafka compute it. The services, the replay publisher and the tests all
call this function and send with an explicit partition, so a symbol has the same partition
number on the input, sequenced and output topics, whichever client produced it.
"""

from __future__ import annotations

from aiokafka.partitioner import murmur2


def partition_of(key: bytes, partitions: int) -> int:
    """The partition of `key` among `partitions` partitions."""
    if partitions < 1:
        raise ValueError(f"a topic has at least one partition, got {partitions}")
    hashed: int = murmur2(key)
    return (hashed & 0x7FFFFFFF) % partitions
