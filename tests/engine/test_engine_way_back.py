"""The engine's way back (shared/engine/engine.py `_Guard`) for messages given to
`Engine.handle`, or to `Engine.process` with the `message` they came from: it holds the
message, not the decoded record, and decodes it again when it rebuilds the state
(docs/operations.md "Bad input"). A handler that changes the state and then fails, on a
quote late in a checkpoint's window: the quote is one dead letter, and every other output is
byte for byte that of a run without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from services.bench.engine import mixed_stream, symbol_terms
from shared.engine import Engine
from shared.engine.engine import CHECKPOINT_EVERY
from shared.engine.symbol import SymbolEngine
from shared.events.codec import decode, encode


def _outputs(engine: Engine, lines: list[tuple[str, str]]) -> list[list[str]]:
    return [[encode(r) for r in engine.handle(topic, raw)] for topic, raw in lines]


def _processed(engine: Engine, lines: list[tuple[str, str]]) -> list[list[str]]:
    # as the Kafka fold gives a replay's records: decoded, quoting their file line, naming
    # the message they were decoded from (services/streams/fold.py)
    return [[encode(r) for r in engine.process(topic, decode(topic, raw),
                                               f"line: {raw}", message=raw)]
            for topic, raw in lines]


@pytest.mark.parametrize("run", [_outputs, _processed], ids=["handle", "process-message"])
def test_a_failure_after_many_handled_messages_rebuilds_the_state(
        monkeypatch: pytest.MonkeyPatch,
        run: Callable[[Engine, list[tuple[str, str]]], list[list[str]]]) -> None:
    terms = symbol_terms(2)
    lines = mixed_stream(6, terms)
    # a quote of GLOW with more than half a checkpoint's records of GLOW before it
    glow = [n for n, (topic, raw) in enumerate(lines) if '"symbol": "GLOW"' in raw]
    at = next(n for n in glow[CHECKPOINT_EVERY + CHECKPOINT_EVERY // 2:]
              if lines[n][0] == "quotes")
    poison_id = json.loads(lines[at][1])["id"]
    original = SymbolEngine._quote

    def half_done(self: SymbolEngine, q: Any) -> list[Any]:
        original(self, q)  # the quote is booked, then something breaks
        if q.id == poison_id:
            self.market.pending.clear()
            raise ZeroDivisionError("illustrative")
        return []

    monkeypatch.setattr(SymbolEngine, "_quote", half_done)
    got = run(Engine(terms), lines)
    monkeypatch.setattr(SymbolEngine, "_quote", original)
    expected = run(Engine(terms), [*lines[:at], *lines[at + 1:]])

    letter = got[at]
    assert len(letter) == 1 and '"dead_letter"' in letter[0] and "ZeroDivisionError" in letter[0]
    assert got[:at] == expected[:at]
    assert got[at + 1:] == expected[at:]
    assert any(out for out in got[at + 1:])  # market values were still published after it
