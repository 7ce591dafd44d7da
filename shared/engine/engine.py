"""Routing, de-duplication and dead letters around the per-symbol engines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from shared.engine.symbol import SymbolEngine
from shared.errors import RecordError
from shared.events.boundary import admit
from shared.events.codec import dead_letter, encode
from shared.events.inputs import InputRecord, Tick
from shared.events.outputs import DeadLetter, OutputRecord
from shared.terms import Terms

ALL_SYMBOLS = "*"


class Output(NamedTuple):
    topic: str
    record: OutputRecord


class Engine:
    """All warrants watched by one process, keyed by the symbol of their terms."""

    def __init__(self, terms: Iterable[Terms]) -> None:
        self.symbols: dict[str, SymbolEngine] = {}
        for t in terms:
            if t.symbol in self.symbols:
                raise ValueError(f"two terms files for symbol {t.symbol}")
            self.symbols[t.symbol] = SymbolEngine(t)

    def handle(self, topic: str, raw: str | bytes) -> list[OutputRecord]:
        """Decode one message as received on `topic` and process it; bad input -> dead letter."""
        record = admit(topic, raw)
        if isinstance(record, DeadLetter):
            return [record]
        return self.process(topic, record, raw)

    def process(self, topic: str, record: InputRecord,
                raw: str | bytes | None = None) -> list[OutputRecord]:
        """Process one validated input record."""
        if record.symbol == ALL_SYMBOLS and isinstance(record, Tick):
            out: list[OutputRecord] = []
            for each in self.symbols.values():
                try:
                    out.extend(each.process(topic, record, raw))
                except RecordError as exc:
                    out.append(dead_letter(topic, raw if raw is not None else encode(record),
                                           f"{each.terms.symbol}: {exc}", each.terms.symbol))
            return out
        engine = self.symbols.get(record.symbol)
        if engine is None:
            known = ", ".join(sorted(self.symbols)) or "none"
            return [dead_letter(topic, raw if raw is not None else encode(record),
                                f"unknown symbol {record.symbol!r}: no terms loaded for it "
                                f"(loaded: {known})", record.symbol)]
        try:
            return engine.process(topic, record, raw)
        except RecordError as exc:
            return [dead_letter(topic, raw if raw is not None else encode(record), str(exc),
                                record.symbol)]
