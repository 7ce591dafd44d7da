"""Replay lines for the Kafka tests, built from real GLOW/GLOWD intraday records.

data/PROVENANCE.md names the source of the CSV files (data/glow/). Each row becomes a
`quote` (bid/ask when quoted, the last sale always); each trading date gets a `tick` for
every symbol ("*") at 17:00 eastern, so market values are published as event time passes
each close. The listing is the OTC Bulletin Board (the data README: OTCBB through early 2011).
A few poison lines are mixed in: they must become dead letters and nothing else.
"""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaConsumer

from services.kafka.replay_plan import plan_lines, stamp
from services.kafka.settings import KafkaSettings
from services.streams.envelope import Envelope
from services.streams.intake import envelopes
from shared.terms import Terms, load_terms

GLOW_DATA = Path(__file__).resolve().parents[2] / "data" / "glow"
EASTERN = ZoneInfo("America/New_York")
FILES = {"GLOW": "glow-trades-quotes-2011.csv", "GLOWD": "glowd-trades-quotes-2011.csv"}


def scenario_terms() -> list[Terms]:
    """The bundled W-F-05 terms for GLOW, and the same terms for GLOWD."""
    glow = load_terms()
    return [glow, replace(glow, symbol="GLOWD")]


def _line(topic: str, value: dict[str, Any]) -> str:
    return json.dumps({"topic": topic, "value": value})


def _quotes(symbol: str, limit: int | None) -> list[tuple[datetime, dict[str, Any]]]:
    out = []
    with (GLOW_DATA / FILES[symbol]).open(newline="") as f:
        for n, row in enumerate(csv.reader(f)):
            if limit is not None and n >= limit:
                break
            stamp, last, _volume, ask, _ask_size, bid, _bid_size = row
            at = datetime.fromisoformat(stamp).replace(tzinfo=EASTERN)
            value: dict[str, Any] = {"type": "quote", "id": f"{symbol}-q{n}", "symbol": symbol,
                                     "at": at.isoformat(), "last": last}
            if Decimal(bid) > 0 and Decimal(ask) >= Decimal(bid):
                value["bid"], value["ask"] = bid, ask
            out.append((at, value))
    return out


def scenario_lines(limit: int | None = None, *, poison: bool = True) -> list[str]:
    """GLOW and GLOWD quotes interleaved in time order, daily ticks, listings, poison."""
    events: list[tuple[datetime, int, str]] = []
    start = datetime(2011, 1, 3, tzinfo=EASTERN)
    for symbol in FILES:
        listing = {"type": "listing", "id": f"{symbol}-listing", "symbol": symbol,
                   "effective": "2010-12-01", "venue": "OTCBB"}
        events.append((start, 0, _line("corporate-actions", listing)))
        for at, value in _quotes(symbol, limit):
            events.append((at, 1, _line("quotes", value)))
    days = sorted({at.date() for at, _, _ in events})
    for day in days:
        at = datetime(day.year, day.month, day.day, 17, 0, tzinfo=EASTERN)
        tick = {"type": "tick", "id": f"tick-{day.isoformat()}", "symbol": "*",
                "at": at.isoformat()}
        events.append((at, 2, _line("clock", tick)))
    events.sort(key=lambda e: (e[0], e[1]))
    lines = [text for _, _, text in events]
    if poison:
        for where, bad in ((5, '{"topic": "quotes", "value": {"type": "quote", "id": "p1", '
                                '"symbol": "GLOW", "at": "2011-01-04T10:00:00-05:00", '
                                '"bid": 1.5e400}}'),
                           (9, '{"topic": "quotes", "value": "not a record"}'),
                           (14, "this line is not JSON"),
                           (20, '{"topic": "exercises", "value": {"type": "quote"}}')):
            lines.insert(min(where, len(lines)), bad)
    return lines


def poison_pairs() -> list[tuple[str, str]]:
    """Raw messages as an upstream feed might send them, valid and not."""
    return [
        ("quotes", '{"type": "quote", "id": "a1", "symbol": "GLOW", '
                   '"at": "2011-01-04T10:00:00-05:00", "bid": "0.10", "ask": "0.60"}'),
        ("quotes", "{not json"),
        ("quotes", '{"type": "quote", "id": "a2", "symbol": "GLOW", '
                   '"at": "2011-01-04T11:00:00-05:00", "bid": "0.70", "ask": "0.60"}'),
        ("quotes", '\u00ff\u0000 binary junk'),
        ("clock", '{"type": "quote", "id": "a3", "symbol": "GLOW", '
                  '"at": "2011-01-04T12:00:00-05:00", "last": "0.6"}'),
        ("quotes", '{"type": "quote", "id": "a4", "symbol": "NOPE", '
                   '"at": "2011-01-04T12:00:00-05:00", "last": "0.6"}'),
        ("corporate-actions", '{"type": "listing", "id": "l1", "symbol": "GLOW", '
                              '"effective": "2010-12-01", "venue": "OTCBB"}'),
        ("quotes", '{"type": "quote", "id": "a5", "symbol": "GLOW", '
                   '"at": "2011-01-04T15:00:00-05:00", "bid": "0.50", "ask": "0.60"}'),
        ("clock", '{"type": "tick", "id": "t1", "symbol": "*", "at": "2011-01-05T17:00:00-05:00"}'),
    ]


def input_topic_logs(lines: list[str], settings: KafkaSettings
                     ) -> dict[str, list[tuple[int, Envelope]]]:
    """What intake forwards (sequenced partition, envelope) for each input topic, in order."""
    plan = plan_lines(lines)
    stamped, _ = stamp(plan.submissions, settings.partitions)
    offsets: dict[tuple[str, int], int] = defaultdict(int)
    logs: dict[str, list[tuple[int, Envelope]]] = defaultdict(list)
    for item in stamped:
        topic = settings.topic(item.submission.topic)
        offset = offsets[(topic, item.partition)]
        offsets[(topic, item.partition)] += 1
        logs[topic].extend(envelopes(settings, topic, item.partition, offset,
                                     item.submission.key, item.submission.value,
                                     dict(item.headers)))
    return logs


async def first_market_value(settings: KafkaSettings, timeout: float) -> dict[str, str]:
    """The first record on market-values (from the earliest offset), within `timeout` s."""
    consumer = AIOKafkaConsumer(settings.topic("market-values"),
                                bootstrap_servers=settings.bootstrap_servers,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                for m in messages:
                    return dict(json.loads(m.value))
        raise AssertionError(f"no market value in {timeout} s")
    finally:
        await consumer.stop()
