"""Decode suite: a quote message to the engine's record, against the pydantic rules models.

`shared.events.codec.decode` reads a quote with msgspec and the field rules written out
(shared/events/quote.py); its baseline is `codec.decode_with_rules`, the same messages
through the pydantic rules models alone (today's path for every other record type, and the
quote's before; docs/events.md "Decoding a quote"). The messages are UTF-8 bytes as Kafka
delivers them, each with its own id and instant (15 minutes apart over trading days):

- "quote decode (codec.decode)": bid and ask in cents around 0.60, as the W-F-05 stock
  traded (prices repeat, as real ones do);
- "quote decode, every price new": bid and ask with 6 decimal places, hardly ever twice, so
  no number is read from the decoder's cache of price texts.

Every row first checks that both sides give the same record for every message (the same
fields, digit for digit), then times them in alternating rounds.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from decimal import Decimal

from services.bench import BenchResult, compare
from shared.calendar.exchange import EASTERN
from shared.errors import BenchError
from shared.events.codec import decode, decode_with_rules

SUITE = "decode"
QUOTES = "quotes"


def messages(count: int, places: int, seed: int = 11) -> list[bytes]:
    """`count` quote messages, prices with `places` decimals (a fixed seed: same every run)."""
    rng = random.Random(seed)
    start = datetime(2011, 1, 3, 9, 30, tzinfo=EASTERN)
    unit = Decimal(1).scaleb(-places)
    out: list[bytes] = []
    for n in range(count):
        at = start + timedelta(days=n // 26, minutes=15 * (n % 26))
        bid = Decimal(rng.randrange(50 * 10**places // 100, 70 * 10**places // 100)) * unit
        ask = bid + Decimal(rng.randrange(1, 6)) / 100
        value = {"type": "quote", "id": f"bench-q-{n}", "symbol": "GLOW",
                 "at": at.isoformat(), "bid": str(bid), "ask": str(ask)}
        if n % 4 == 0:
            value["volume"] = str(rng.randrange(0, 500_000))
        out.append(json.dumps(value).encode())
    return out


def _fast(raw: bytes) -> object:
    return decode(QUOTES, raw)


def _rules(raw: bytes) -> object:
    return decode_with_rules(QUOTES, raw)


def _check(inputs: list[bytes]) -> None:
    for raw in inputs:
        ours, theirs = _fast(raw), _rules(raw)
        if repr(ours) != repr(theirs):
            raise BenchError(f"decode bench: the two decoders differ on {raw!r}: "
                             f"{ours!r} != {theirs!r}")


def run(quick: bool) -> list[BenchResult]:
    count, repeat = (2_000, 3) if quick else (20_000, 9)
    rows: list[BenchResult] = []
    for name, places in (("quote decode (codec.decode)", 2),
                         ("quote decode, every price new (codec.decode)", 6)):
        inputs = messages(count, places)
        _check(inputs)
        rows.append(compare(SUITE, name, _fast, "pydantic rules (codec.decode_with_rules)",
                            _rules, inputs, baseline_inputs=inputs[: count // 4],
                            repeat=repeat))
    return rows
