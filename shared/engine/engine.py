"""Routing, de-duplication and dead letters around the per-symbol engines.

The engine boundary (docs/operations.md "Bad input", docs/decisions.md "Bad input"): whatever
goes wrong while one record is applied, the symbol's state ends exactly as it was before
that record and the record becomes one dead letter naming the field, the reason and the
symbol. Refusals the engine foresees raise `RecordError` before they change anything
(validation before mutation). For a failure nobody foresaw, each symbol keeps a checkpoint
(a copy of its state) and the records applied since (of a message given to `handle`, the
message, decoded again when needed); the state is rebuilt from the checkpoint by applying
those records again (the engine is deterministic), and the record that failed is left
out. A checkpoint is a copy of the symbol's state that shares no mutable object with it
(`shared.engine.snapshot.copy_symbol`: containers of immutable values are copied one level),
taken every `CHECKPOINT_EVERY` records, so the cost is one copy per that many records and
the memory that many records.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import NamedTuple

from shared.engine.snapshot import copy_symbol
from shared.engine.symbol import SymbolEngine
from shared.errors import CalendarRangeError, EngineFault, RecordError
from shared.events.boundary import admit
from shared.events.codec import dead_letter, encode
from shared.events.dates import time_field
from shared.events.escaping import shown
from shared.events.inputs import InputRecord, Tick
from shared.events.outputs import DeadLetter, OutputRecord
from shared.terms import Terms, by_symbol

ALL_SYMBOLS = "*"
CHECKPOINT_EVERY = 256


class Output(NamedTuple):
    topic: str
    record: OutputRecord


# One record applied: (topic, record, raw, message). The record None: `message` is the
# message it was decoded from (`Engine.handle`, or a Kafka fold naming it), and `admit`
# decodes it to the same record again; `raw` is what its dead letters quote (the message
# itself, or a replay's file line). Not holding the decoded record spares the garbage
# collector: 256 records held per symbol, each some tracked objects, cost more than the fold
# of a quote (docs/operations.md "Throughput"). A plain tuple: one is made per record.
_Applied = tuple[str, InputRecord | None, str | bytes | None, str | bytes | None]


class _Guard:
    """One symbol's way back: a checkpoint copy and the records applied since it."""

    def __init__(self, engine: SymbolEngine) -> None:
        self.checkpoint = copy_symbol(engine)
        self.since: list[_Applied] = []

    def applied(self, engine: SymbolEngine, step: _Applied) -> None:
        since = self.since
        since.append(step)
        if len(since) >= CHECKPOINT_EVERY:
            self.checkpoint = copy_symbol(engine)
            since.clear()

    def restored(self) -> SymbolEngine:
        """The engine as it was after the last record applied, rebuilt from the checkpoint."""
        engine = copy_symbol(self.checkpoint)
        for step in self.since:
            # each went through once without raising; the engine is deterministic
            with contextlib.suppress(Exception):
                topic, record, raw, message = step
                if record is None:
                    assert message is not None
                    again = admit(topic, message)  # the one decoder, as it was decoded
                    if isinstance(again, DeadLetter):
                        continue  # cannot be: it decoded once, and decoding is deterministic
                    record = again
                engine.process(topic, record, raw)
        return engine


def failure_reason(record: InputRecord, exc: Exception) -> str:
    """The reason of a dead letter for a record the engine could not apply."""
    if isinstance(exc, EngineFault | RecordError):
        return str(exc)
    if isinstance(exc, CalendarRangeError):
        return f"{time_field(record)}: {exc}"
    return (f"record: not applied, the engine failed on it ({type(exc).__name__}: "
            f"{shown(str(exc), 120)}); the state is as before it")


class Engine:
    """All warrants watched by one process, keyed by the symbol of their terms."""

    def __init__(self, terms: Iterable[Terms], *, ticked: Iterable[str] | None = None) -> None:
        """One engine per symbol; several terms of one symbol are its series, each naming
        its own and agreeing on the symbol-wide keys (shared.terms.by_symbol: TermsError).

        `ticked`: the symbols a broadcast tick (`symbol` "*") runs on, default all. A fold of
        one Kafka partition names the symbols routed to it (services/streams/fold.py): the
        others' records never reach it, so a tick there would be work whose outputs are
        dropped (docs/operations.md "Throughput")."""
        self.symbols: dict[str, SymbolEngine] = {}
        self._guards: dict[str, _Guard] = {}
        named = [(f"terms {n + 1} ({t.family})", t) for n, t in enumerate(terms)]
        for symbol, series in by_symbol(named).items():
            self.symbols[symbol] = SymbolEngine(series)
            self._guards[symbol] = _Guard(self.symbols[symbol])
        self._ticked: tuple[str, ...] = tuple(
            self.symbols if ticked is None else (s for s in self.symbols if s in set(ticked)))

    def replace_symbol(self, symbol: str, engine: SymbolEngine) -> None:
        """Put `engine` (a state loaded from a snapshot, shared/engine/snapshot.py) in place
        of the symbol's state; its way back starts from there."""
        if symbol not in self.symbols:
            raise KeyError(symbol)
        self.symbols[symbol] = engine
        self._guards[symbol] = _Guard(engine)

    def handle(self, topic: str, raw: str | bytes) -> list[OutputRecord]:
        """Decode one message as received on `topic` and process it; bad input -> dead letter."""
        record = admit(topic, raw)
        if isinstance(record, DeadLetter):
            return [record]
        symbol = record.symbol
        if symbol != ALL_SYMBOLS and symbol in self.symbols:  # `_process`, the usual case
            return self._apply(symbol, topic, record, raw, message=raw)
        return self._process(topic, record, raw, message=raw)

    def process(self, topic: str, record: InputRecord, raw: str | bytes | None = None, *,
                message: str | bytes | None = None) -> list[OutputRecord]:
        """Process one validated input record; whatever fails is one dead letter.

        `message`: the message `record` was decoded from (by shared.events.codec), if the
        caller has it: the way back then holds it, not the record (`_Applied`)."""
        return self._process(topic, record, raw, message=message)

    def _process(self, topic: str, record: InputRecord, raw: str | bytes | None, *,
                 message: str | bytes | None) -> list[OutputRecord]:
        """`message` None: the way back holds the record, else it decodes `message` again."""
        if record.symbol == ALL_SYMBOLS and isinstance(record, Tick):
            out: list[OutputRecord] = []
            for symbol in self._ticked:
                out.extend(self._apply(symbol, topic, record, raw, f"{symbol}: ",
                                       message=message))
            return out
        if record.symbol not in self.symbols:
            known = ", ".join(sorted(self.symbols)) or "none"
            return [dead_letter(topic, raw if raw is not None else encode(record),
                                f"symbol: unknown symbol {shown(record.symbol)}: no terms "
                                f"loaded for it (loaded: {known})", record.symbol)]
        return self._apply(record.symbol, topic, record, raw, message=message)

    def _apply(self, symbol: str, topic: str, record: InputRecord,
               raw: str | bytes | None, prefix: str = "", *,
               message: str | bytes | None = None) -> list[OutputRecord]:
        engine = self.symbols[symbol]
        try:
            out = engine.process(topic, record, raw)
        except RecordError as exc:  # refused before anything changed
            return [self._letter(topic, record, raw, prefix + str(exc), symbol)]
        except Exception as exc:  # the boundary: put the state back, then a dead letter
            self.symbols[symbol] = self._guards[symbol].restored()
            return [self._letter(topic, record, raw, prefix + failure_reason(record, exc),
                                 symbol)]
        self._guards[symbol].applied(
            engine, (topic, None if message is not None else record, raw, message))
        return out

    @staticmethod
    def _letter(topic: str, record: InputRecord, raw: str | bytes | None, reason: str,
                symbol: str) -> DeadLetter:
        return dead_letter(topic, raw if raw is not None else encode(record), reason, symbol)
