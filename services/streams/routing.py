"""Where intake sends an input: its key and the partitions of the sequenced topic.

Pure, and shared by the intake agent and the replay publisher, so the publisher numbers each
partition's records exactly as intake will deliver them.

- A valid record goes to the partition of its symbol, keyed by the symbol.
- A `tick` for symbol "*" concerns every symbol: it goes to every partition.
- A record whose Kafka key is not its symbol is refused (events.md: the key is the symbol);
  it still travels in sequence, to the partition of its key, and becomes a dead letter there.
- A record that does not decode goes to the partition of its key (empty if none): the warrant
  state makes its dead letter in sequence, exactly as the in-process engine does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from services.kafka.partitioning import partition_of
from shared.engine.engine import ALL_SYMBOLS
from shared.errors import RecordError
from shared.events.codec import decode
from shared.events.inputs import Tick


@dataclass(frozen=True, slots=True)
class Route:
    key: bytes
    partitions: tuple[int, ...]
    broadcast: bool = False
    reject: str | None = None


def _keyed_by_own_symbol(raw: bytes | str, key: bytes) -> bool:
    """The message names `key` as its `symbol`, and that symbol is not "*".

    Then its route is the partition of its key whether or not it is a valid record (a valid
    one goes to its symbol's partition, an invalid one to its key's: the same), so the full
    decode (most of intake's cost) can be left to the warrant state, which does it anyway.
    """
    try:
        symbol = key.decode("utf-8")
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(obj, dict) and obj.get("symbol") == symbol and symbol != ALL_SYMBOLS


def route(topic: str, raw: bytes | str, key: bytes | None, partitions: int) -> Route:
    """The route of one input message arriving on logical `topic` with Kafka `key`."""
    if key is not None and _keyed_by_own_symbol(raw, key):
        return Route(key, (partition_of(key, partitions),))
    return route_by_record(topic, raw, key, partitions)


def route_by_record(topic: str, raw: bytes | str, key: bytes | None, partitions: int) -> Route:
    """The route read from the fully decoded record (what `route` gives in every case)."""
    try:
        record = decode(topic, raw)
    except RecordError:
        fallback = key or b""
        return Route(fallback, (partition_of(fallback, partitions),))
    symbol = record.symbol.encode()
    if key is not None and key != symbol:
        reason = (f"Kafka key {key.decode('utf-8', errors='replace')!r} is not the record's "
                  f"symbol {record.symbol!r}: every input is keyed by its symbol")
        return Route(key, (partition_of(key, partitions),), reject=reason)
    if isinstance(record, Tick) and record.symbol == ALL_SYMBOLS:
        return Route(symbol, tuple(range(partitions)), broadcast=True)
    return Route(symbol, (partition_of(symbol, partitions),))
