"""A broadcast tick runs on the symbols an engine is told to tick, and on no other
(shared/engine/engine.py `ticked`; docs/operations.md "Throughput")."""

from __future__ import annotations

import dataclasses
import json

from services.kafka.partitioning import partition_of
from services.streams.fold import PartitionFold
from shared.engine import Engine
from shared.terms import load_terms


def _two_symbols() -> list:
    base = load_terms()
    return [base, dataclasses.replace(base, symbol="GLW01")]


def _day(symbol: str) -> list[tuple[str, str]]:
    return [
        ("corporate-actions", json.dumps({"type": "listing", "id": f"{symbol}-l", "symbol": symbol,
                                          "effective": "2010-12-01", "venue": "OTCBB"})),
        ("quotes", json.dumps({"type": "quote", "id": f"{symbol}-q", "symbol": symbol,
                               "at": "2011-01-03T11:00:00-05:00", "bid": "0.55",
                               "ask": "0.60"})),
    ]


TICK = json.dumps({"type": "tick", "id": "t", "symbol": "*", "at": "2011-01-04T17:30:00-05:00"})


def _valued(engine: Engine) -> set[str]:
    for symbol in ("GLOW", "GLW01"):
        for topic, raw in _day(symbol):
            assert engine.handle(topic, raw) == []
    return {r.symbol for r in engine.handle("clock", TICK) if r.type == "market_value"}


def test_a_tick_runs_on_every_symbol_by_default() -> None:
    assert _valued(Engine(_two_symbols())) == {"GLOW", "GLW01"}


def test_a_tick_runs_only_on_the_ticked_symbols() -> None:
    assert _valued(Engine(_two_symbols(), ticked=["GLW01"])) == {"GLW01"}
    assert _valued(Engine(_two_symbols(), ticked=[])) == set()


def test_a_partition_fold_ticks_only_the_symbols_routed_to_it() -> None:
    terms = _two_symbols()
    partitions = 4
    owner = {t.symbol: partition_of(t.symbol.encode(), partitions) for t in terms}
    for partition in range(partitions):
        fold = PartitionFold(partition, partitions, terms)
        assert set(fold.engine._ticked) == {s for s, p in owner.items() if p == partition}
        # every symbol's state is still there: a record routed here by mistake is applied
        assert set(fold.engine.symbols) == {"GLOW", "GLW01"}
