"""Where intake sends an input: its key and the partitions of the sequenced topic.

Pure, and shared by the intake agent and the replay publisher, so the publisher numbers each
partition's records exactly as intake will deliver them.

- A valid record goes to the partition of its symbol, keyed by the symbol.
- A `tick` for symbol "*" concerns every symbol: it goes to every partition.
- A record whose Kafka key is not its symbol is refused (events.md: the key is the symbol);
  it still travels in sequence, to the partition of its key, and becomes a dead letter there.
- A record that does not decode goes to the partition of its key (empty if none): the warrant
  state makes its dead letter in sequence, exactly as the in-process engine does.
- A message without a key (Kafka's null key) is refused the same way: every input is keyed.

`route` never raises, whatever the message (any size, encoding, nesting, key): a failure to
read it is a reason to refuse it, not a fault of the worker (docs/operations.md, Bad input).
The key a refused message keeps for its outputs is bounded (services/streams/limits.py).
"""

from __future__ import annotations

from typing import NamedTuple

import msgspec

from services.kafka.partitioning import partition_of
from services.streams.limits import MAX_KEY_BYTES, MAX_RECORD_BYTES
from shared.engine.engine import ALL_SYMBOLS
from shared.events.boundary import admit, check_key
from shared.events.inputs import Tick
from shared.events.outputs import DeadLetter


class Route(NamedTuple):
    """Where one input goes: its key, the sequenced partitions, and why it is refused."""

    key: bytes
    partitions: tuple[int, ...]
    broadcast: bool = False
    reject: str | None = None


class _Symbol(msgspec.Struct):
    """The one field routing reads; every other field is skipped unparsed."""

    symbol: str | None = None


_SYMBOL = msgspec.json.Decoder(_Symbol)


def _keyed_by_own_symbol(raw: bytes | str, key: bytes) -> bool:
    """The message names `key` as its `symbol`, and that symbol is not "*".

    Then its route is the partition of its key whether or not it is a valid record (a valid
    one goes to its symbol's partition, an invalid one to its key's: the same), so the full
    decode (most of intake's cost) can be left to the warrant state, which does it anyway.
    Only `symbol` is read (msgspec, the other fields skipped: a tenth of a `json.loads`);
    JSON that msgspec does not read, or a `symbol` that is not a string, takes the full route.
    A duplicated field counts by its last occurrence, as with the json module.
    """
    if len(key) > MAX_KEY_BYTES or len(raw) > MAX_RECORD_BYTES:
        return False
    try:
        symbol = key.decode("utf-8")
        found = _SYMBOL.decode(raw).symbol
    except Exception:
        return False
    return found == symbol and symbol != ALL_SYMBOLS


def _by_key(key: bytes | None, partitions: int, reject: str | None = None) -> Route:
    """The route of a message that is not routed by its record: its key's partition; a key
    too long to be a symbol is not carried to the outputs."""
    fallback = key or b""
    kept = fallback if len(fallback) <= MAX_KEY_BYTES else b""
    return Route(kept, (partition_of(fallback, partitions),), reject=reject)


def route(topic: str, raw: bytes | str, key: bytes | None, partitions: int) -> Route:
    """The route of one input message arriving on logical `topic` with Kafka `key`."""
    try:
        if key is not None and _keyed_by_own_symbol(raw, key):
            return Route(key, (partition_of(key, partitions),))
        return route_by_record(topic, raw, key, partitions)
    except Exception as exc:
        return _by_key(key, partitions, f"intake cannot route this message "
                                        f"({type(exc).__name__})")


def route_by_record(topic: str, raw: bytes | str, key: bytes | None, partitions: int) -> Route:
    """The route read from the fully decoded record (what `route` gives in every case)."""
    record = admit(topic, raw)  # the decoding boundary of shared/events: never raises
    if isinstance(record, DeadLetter):
        return _by_key(key, partitions)
    problem = check_key(key, record.symbol, keyed=True)
    if problem is not None:
        return _by_key(key, partitions, problem)
    symbol = record.symbol.encode()
    if isinstance(record, Tick) and record.symbol == ALL_SYMBOLS:
        return Route(symbol, tuple(range(partitions)), broadcast=True)
    return Route(symbol, (partition_of(symbol, partitions),))
