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

State across restarts (docs/operations.md): besides the engine, the fold keeps the gap-free
buffer (the next place and the records waiting for a gap to fill) and the last origin offset
taken from each input partition. `FoldState` is that, without the engine, so a snapshot
(services/streams/snapshots.py) can carry it with the engine's own snapshot; `restore` puts
it back into a fresh fold. The output numbering is per input and keeps nothing between them.

The boundary (docs/operations.md, Bad input): `apply` never raises. Any exception the engine
raises on a record becomes one dead letter; each output is encoded here, and one that does
not encode (or is larger than services/streams/limits.py allows) is replaced by a dead letter,
so the publisher only sends bytes that were checked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.kafka.partitioning import partition_of
from services.streams.envelope import Envelope
from services.streams.limits import MAX_OUTPUT_BYTES
from shared.engine import Engine
from shared.events.codec import dead_letter, decode, encode, to_dict
from shared.events.outputs import DeadLetter, OutputRecord
from shared.terms import Terms

log = logging.getLogger(__name__)


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
    value: bytes = b""  # the record's canonical JSON, UTF-8: what is published


@dataclass(slots=True)
class Step:
    emitted: list[Emitted] = field(default_factory=list)
    complete: bool = False  # the last record of a replay's file order for this partition
    duplicates: int = 0


@dataclass(frozen=True, slots=True)
class FoldState:
    """What a `PartitionFold` keeps besides its engine: the gap-free buffer of file-order
    places and the last origin offset taken from each input partition."""

    next_seq: int
    pending: tuple[Envelope, ...]
    last_origin: tuple[tuple[str, int, int], ...]  # (input topic, partition, offset)


class PartitionFold:
    """Sequencer and engine for partition `partition` of `partitions`."""

    def __init__(self, partition: int, partitions: int, terms: Sequence[Terms]) -> None:
        self.partition = partition
        self.partitions = partitions
        # one rank per symbol, however many series of terms it has
        self._rank = {s: rank for rank, s in enumerate(dict.fromkeys(t.symbol for t in terms))}
        # a broadcast tick runs the engines of the symbols routed here alone: on another
        # partition's symbol it was work whose outputs `_run` dropped
        self.engine = Engine(terms, ticked=self.symbols)
        self._next_seq = 1
        self._pending: dict[int, Envelope] = {}
        self._last_origin: dict[tuple[str, int], int] = {}

    @property
    def symbols(self) -> list[str]:
        """The symbols whose state this partition holds (the terms routed to it)."""
        return [s for s in self._rank
                if partition_of(s.encode(), self.partitions) == self.partition]

    def state(self) -> FoldState:
        return FoldState(self._next_seq,
                         tuple(self._pending[seq] for seq in sorted(self._pending)),
                         tuple((t, p, o) for (t, p), o in sorted(self._last_origin.items())))

    def restore(self, state: FoldState) -> None:
        """Take up `state` (of a fold of this partition at some offset): its engine state is
        loaded separately (services/streams/snapshots.py)."""
        pending: dict[int, Envelope] = {}
        for env in state.pending:
            if env.place is None:
                raise ValueError("a record waiting in the gap-free buffer has no place")
            pending[env.place.seq] = env
        self._next_seq = state.next_seq
        self._pending = pending
        self._last_origin = {(t, p): o for t, p, o in state.last_origin}

    @property
    def waiting(self) -> int:
        """Records held back until the gap before them fills."""
        return len(self._pending)

    def apply(self, env: Envelope) -> Step:
        """The outputs of one envelope; never raises (a fault becomes one dead letter)."""
        try:
            return self._apply(env)
        except Exception as exc:
            log.exception("partition %d: record from %s failed outside the engine",
                          self.partition, env.origin.text() if env.origin else "?")
            letter = _fault_letter(env, f"the worker failed on this record "
                                        f"({type(exc).__name__})")
            return Step(emitted=[_emitted(env.key, letter, env.index, (0, 0))])

    def _apply(self, env: Envelope) -> Step:
        place = env.place
        if self._is_duplicate(env):
            return Step([], False, 1)
        if place is None:
            return Step(self._run(env))
        pending = self._pending
        pending[place.seq] = env
        released = []
        while self._next_seq in pending:
            released.append(pending.pop(self._next_seq))
            self._next_seq += 1
        step = Step([])
        for item in released:
            step.emitted.extend(self._run(item))
            if item.place is not None and item.place.seq == item.place.total:
                step.complete = True
        return step

    def _is_duplicate(self, env: Envelope) -> bool:
        place, origin = env.place, env.origin
        if place is not None and (place.seq < self._next_seq or place.seq in self._pending):
            return True
        if origin is not None:
            source = (origin.topic, origin.partition)
            if origin.offset <= self._last_origin.get(source, -1):
                return True
            self._last_origin[source] = origin.offset
        return False

    def _run(self, env: Envelope) -> list[Emitted]:
        raw: str | bytes = _text(env.value)
        try:
            if env.letter:  # intake refused it and made its dead letter from the whole input
                outputs: list[OutputRecord] = [DeadLetter.model_validate_json(env.value)]
            elif env.reject is not None:
                outputs = [dead_letter(env.topic, raw, env.reject)]
            elif env.source is not None:
                # a replay line, validated by the publisher: dead letters quote the line
                # the way back holds the message, not the decoded record (shared/engine)
                outputs = self.engine.process(env.topic, decode(env.topic, raw), env.source,
                                              message=raw)
            else:
                outputs = self.engine.handle(env.topic, raw)
        except Exception as exc:  # a fault on one record must not stop the partition
            outputs = [_fault_letter(env, f"the engine failed on this record "
                                          f"({type(exc).__name__}: {str(exc)[:200]})")]
        if not env.broadcast:
            return [_emitted(env.key, record, env.index, (0, place), env)
                    for place, record in enumerate(outputs)]
        emitted = []
        places: dict[str, int] = {}
        for record in outputs:
            place = places[record.symbol] = places.get(record.symbol, -1) + 1
            key = record.symbol.encode()
            if partition_of(key, self.partitions) != self.partition:
                continue  # another partition's fold has this symbol's state and outputs
            rank = self._rank.get(record.symbol, len(self._rank))
            emitted.append(_emitted(key, record, env.index, (rank, place), env))
        return emitted


def _fault_letter(env: Envelope, reason: str) -> DeadLetter:
    return dead_letter(env.topic, env.source or _text(env.value), reason)


def _encoded(record: OutputRecord) -> bytes:
    value = encode(record).encode("utf-8")
    if len(value) > MAX_OUTPUT_BYTES:
        raise ValueError(f"{len(value)} bytes, above the {MAX_OUTPUT_BYTES}-byte limit")
    return value


def _emitted(key: bytes, record: OutputRecord, index: int | None, position: tuple[int, int],
             env: Envelope | None = None) -> Emitted:
    """The output as it will be published: encoded, or a dead letter in its place."""
    try:
        return Emitted(key, record, index, position, _encoded(record))
    except Exception as exc:
        kind = getattr(record, "type", type(record).__name__)
        reason = f"output: the {kind} this record caused cannot be encoded ({exc})"
        letter = (dead_letter(env.topic, env.source or _text(env.value), reason)
                  if env is not None else dead_letter("", b"", reason))
        try:
            value = _encoded(letter)
        except Exception:
            value = _ascii_json(letter)
        return Emitted(key, letter, index, position, value)


def _ascii_json(record: OutputRecord) -> bytes:
    """Canonical JSON with every non-ASCII character escaped: encodes whatever the strings."""
    return json.dumps(to_dict(record), ensure_ascii=True, separators=(", ", ": ")).encode()


def _text(value: bytes) -> str | bytes:
    """The message as text when it is UTF-8 (what a producer of JSON sends), else the bytes."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value
