"""The warrant state of one partition of the sequenced topic: a pure fold of that log.

`PartitionFold.apply` takes the partition's messages in log order and returns the output
records to publish. Nothing here touches Kafka, so the same messages give the same outputs,
whether read live or re-read after a restart (services/streams/warrant_state.py).

Order: the input topics are separate logs, so records of one symbol from two topics reach
the sequenced log in whatever order intake forwarded them. A record that carries its place in
file order (`ww-seq`, stamped by the replay publisher) waits in a gap-free buffer until every
record before it has arrived; a record without one is taken in log order.

Duplicates: intake is at-least-once, so after a crash it may forward an input again. A record
is dropped if its input message (topic, partition, offset) is not past the last one taken
from that input partition, or if its place was already taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.kafka.partitioning import partition_of
from services.streams.envelope import Envelope
from shared.engine import Engine
from shared.events.codec import dead_letter, decode
from shared.events.outputs import OutputRecord
from shared.terms import Terms


@dataclass(frozen=True, slots=True)
class Emitted:
    """An output record, its Kafka key, and where the in-process engine would place it.

    `position` is (part, place): for a broadcast tick, the part is the rank of the output's
    symbol among the terms (the engine runs the symbols in that order) and the place counts
    that symbol's outputs; otherwise the part is 0 and the place counts the input's outputs.
    Sorted by (input index, position), outputs come in the in-process engine's order.
    """

    key: bytes
    record: OutputRecord
    index: int | None
    position: tuple[int, int]


@dataclass(slots=True)
class Step:
    emitted: list[Emitted] = field(default_factory=list)
    complete: bool = False  # the last record of a replay's file order for this partition
    duplicates: int = 0


class PartitionFold:
    """Sequencer and engine for partition `partition` of `partitions`."""

    def __init__(self, partition: int, partitions: int, terms: Sequence[Terms]) -> None:
        self.partition = partition
        self.partitions = partitions
        self.engine = Engine(terms)
        self._rank = {t.symbol: rank for rank, t in enumerate(terms)}
        self._next_seq = 1
        self._pending: dict[int, Envelope] = {}
        self._last_origin: dict[tuple[str, int], int] = {}

    @property
    def waiting(self) -> int:
        """Records held back until the gap before them fills."""
        return len(self._pending)

    def apply(self, env: Envelope) -> Step:
        step = Step()
        if self._is_duplicate(env):
            step.duplicates = 1
            return step
        if env.place is None:
            released = [env]
        else:
            self._pending[env.place.seq] = env
            released = []
            while self._next_seq in self._pending:
                released.append(self._pending.pop(self._next_seq))
                self._next_seq += 1
        for item in released:
            step.emitted.extend(self._run(item))
            if item.place is not None and item.place.seq == item.place.total:
                step.complete = True
        return step

    def _is_duplicate(self, env: Envelope) -> bool:
        if env.place is not None and (env.place.seq < self._next_seq
                                      or env.place.seq in self._pending):
            return True
        if env.origin is not None:
            source = (env.origin.topic, env.origin.partition)
            if env.origin.offset <= self._last_origin.get(source, -1):
                return True
            self._last_origin[source] = env.origin.offset
        return False

    def _run(self, env: Envelope) -> list[Emitted]:
        raw: str | bytes = _text(env.value)
        try:
            if env.reject is not None:
                outputs: list[OutputRecord] = [dead_letter(env.topic, raw, env.reject)]
            elif env.source is not None:
                # a replay line, validated by the publisher: dead letters quote the line
                outputs = self.engine.process(env.topic, decode(env.topic, raw), env.source)
            else:
                outputs = self.engine.handle(env.topic, raw)
        except Exception as exc:  # a fault on one record must not stop the partition
            outputs = [dead_letter(env.topic, env.source or raw,
                                   f"the engine failed on this record: "
                                   f"{type(exc).__name__}: {exc}")]
        if not env.broadcast:
            return [Emitted(env.key, record, env.index, (0, place))
                    for place, record in enumerate(outputs)]
        emitted = []
        places: dict[str, int] = {}
        for record in outputs:
            place = places[record.symbol] = places.get(record.symbol, -1) + 1
            key = record.symbol.encode()
            if partition_of(key, self.partitions) != self.partition:
                continue  # another partition's fold has this symbol's state and outputs
            rank = self._rank.get(record.symbol, len(self._rank))
            emitted.append(Emitted(key, record, env.index, (rank, place)))
        return emitted


def _text(value: bytes) -> str | bytes:
    """The message as text when it is UTF-8 (what a producer of JSON sends), else the bytes."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value
