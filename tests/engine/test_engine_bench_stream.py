"""The engine benchmark's stream (services/bench/engine.py): shape, not speed.

Speed is reported by `warrantwatch bench engine` as a ratio to decoding; these tests check
that what it times is the work it claims: 100 warrants on 10 symbols, about 99% quotes, in
event-time order, run by the engine without a dead letter, refusal or default.
"""

from __future__ import annotations

import json
from datetime import datetime

from services.bench import discover
from services.bench.engine import (
    SYMBOLS,
    WARRANTS_PER_SYMBOL,
    check,
    mixed_stream,
    quote_share,
    symbol_terms,
)
from shared.engine import Engine

STAMPS = ("at", "as_of", "submitted_at", "delivered_at")


def test_the_suite_is_discovered() -> None:
    import services.bench.engine as engine_suite

    assert discover()["engine"] is engine_suite  # `bench engine` runs this module's run()


def test_terms_are_copies_under_other_symbols() -> None:
    terms = symbol_terms()
    assert len({t.symbol for t in terms}) == SYMBOLS
    assert {t.initial_warrant_price for t in terms} == {terms[0].initial_warrant_price}


def test_stream_shape_and_event_time_order() -> None:
    stream = mixed_stream(20, symbol_terms())
    registered = [json.loads(raw) for topic, raw in stream if topic == "registry"]
    assert len(registered) == SYMBOLS * WARRANTS_PER_SYMBOL
    assert quote_share(stream) > 0.98
    stamps = [datetime.fromisoformat(v) for _, raw in stream
              for k, v in json.loads(raw).items() if k in STAMPS]
    assert stamps == sorted(stamps)
    assert {topic for topic, _ in stream} >= {"quotes", "corporate-actions", "registry",
                                              "holdings", "exercises", "deliveries", "clock"}


def test_the_engine_does_the_work() -> None:
    terms = symbol_terms()
    stream = mixed_stream(10, terms)
    engine = Engine(terms)
    kinds = check([r for topic, raw in stream for r in engine.handle(topic, raw)], stream)
    assert kinds["settlement"] > 0 and kinds["market_value"] == 10 * SYMBOLS
