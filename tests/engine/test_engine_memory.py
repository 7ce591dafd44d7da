"""Nothing is kept per quote for ever (docs/operations.md "State across restarts").

The bound: after a warm-up, 20,480 more quotes of one symbol (about 20 Trading Days at 1,000
a day, services/bench/memory.py) may grow the traced memory by at most 5 bytes a quote
(102,400 bytes). What may grow is per date (the closing prices and the published value of
each date, in the state and in its checkpoint copy: a few KB for 20 dates); an id kept per
quote alone (112 bytes each, the engine before issue 10) would be 2,293,760 bytes.
"""

from __future__ import annotations

import gc
import tracemalloc

from services.bench.memory import _listing, quotes
from shared.engine import Engine
from shared.engine.engine import CHECKPOINT_EVERY
from shared.terms import load_terms

WARM_UP = 3_000
# a multiple of the engine's CHECKPOINT_EVERY (256): the records its way back holds since the
# last checkpoint (at most 256, shared/engine/engine.py) are as many at both measurements
MORE = 80 * CHECKPOINT_EVERY
BOUND_BYTES = 5 * MORE


def test_twenty_thousand_quotes_grow_the_state_by_little() -> None:
    terms = load_terms()
    engine = Engine([terms])
    engine.handle(*_listing(terms))
    lines = list(quotes(terms, WARM_UP + MORE))  # made before tracing: not counted
    # traced from the start of the fold: what the warm-up left (the records since the last
    # checkpoint, the open date's ids) is counted at both measurements, not only at the second
    tracemalloc.start()
    try:
        for topic, raw in lines[:WARM_UP]:
            engine.handle(topic, raw)
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        for topic, raw in lines[WARM_UP:]:
            out = engine.handle(topic, raw)
            assert not any(r.type == "dead_letter" for r in out)  # type: ignore[attr-defined]
        del out
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before <= BOUND_BYTES, f"{after - before} bytes for {MORE} quotes"
