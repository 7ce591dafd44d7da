"""Live quotes from Yahoo: a poller that turns each new bid and ask into a `quote` record.

Section 8 prices a date by its closing bid (and ask), the last quoted at or before the
close; the poller's job is to put each quote on the quotes topic once, stamped with the
instant it was seen (the poller's clock), so the engine can tell which was last before the
close. It polls every `interval` seconds; on an error or a rate limit (HTTP 429) it waits
`interval x 2^n` (n = failures in a row, capped at `max_backoff`) and returns to `interval`
after a success. A quote whose bid, ask and last are the same as the last one emitted on the
same New York date is not emitted again (the first quote of each date always is, so every
date that had a quote shows one).

Time and sleep are injected (`clock`, `sleep`) so the schedule is tested without real time;
the Yahoo call is injected too (`fetch`, see `yahoo_quote_source`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from services.adapters.yahoo import SOURCE, yahoo_decimal
from shared.calendar.exchange import EASTERN
from shared.errors import FeedUnavailable, RateLimited, RecordError
from shared.events.codec import dead_letter, explain
from shared.events.inputs import Quote, QuoteRules
from shared.events.outputs import DeadLetter

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class QuoteSnapshot:
    """What the source said: each price None when absent (Yahoo's 0 means no quote)."""

    bid: Decimal | None
    ask: Decimal | None
    last: Decimal | None
    volume: Decimal | None


Fetch = Callable[[], QuoteSnapshot]


def _price(info: Mapping[str, Any], key: str) -> Decimal | None:
    value = info.get(key)
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    number = yahoo_decimal(value)
    return number if number > 0 else None


def snapshot_from_info(info: Mapping[str, Any]) -> QuoteSnapshot:
    """A snapshot from yfinance's `Ticker.info` (v7 quote and v10 quoteSummary fields)."""
    volume = info.get("regularMarketVolume")
    return QuoteSnapshot(
        bid=_price(info, "bid"),
        ask=_price(info, "ask"),
        last=_price(info, "regularMarketPrice"),
        volume=Decimal(int(volume)) if isinstance(volume, int) and volume >= 0 else None,
    )


def yahoo_quote_source(symbol: str, session: Any = None) -> Fetch:
    """A `fetch` that asks Yahoo (through yfinance) for the current quote of `symbol`.

    A fresh `yf.Ticker` per call: yfinance keeps `info` for the life of a Ticker.
    """

    def fetch() -> QuoteSnapshot:
        import yfinance as yf
        from yfinance.exceptions import YFRateLimitError

        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", module="yfinance")
                info = yf.Ticker(symbol, session=session).info
        except YFRateLimitError:
            raise RateLimited(f"Yahoo rate limit (HTTP 429) on the quote of {symbol}") from None
        except Exception as exc:  # yfinance raises many types; the poller needs one
            raise FeedUnavailable(f"Yahoo quote of {symbol}: {type(exc).__name__}: {exc}") \
                from None
        snapshot = snapshot_from_info(info or {})
        if snapshot.bid is None and snapshot.ask is None and snapshot.last is None:
            raise FeedUnavailable(f"Yahoo's answer for {symbol} has no bid, ask or price")
        return snapshot

    return fetch


class QuotePoller:
    """Polls one symbol and emits `quote` records (or a dead letter for a bad quote)."""

    def __init__(self, symbol: str, fetch: Fetch, *, clock: Clock, sleep: Sleep,
                 interval: float = 60.0, max_backoff: float = 900.0,
                 source: str = SOURCE) -> None:
        if interval < 1 or max_backoff < interval:
            # ids carry the poll's whole second: two polls in one second would share one
            raise ValueError("need interval >= 1 second and max_backoff >= interval")
        self.symbol = symbol.upper()
        self._fetch = fetch
        self._clock = clock
        self._sleep = sleep
        self.interval = interval
        self.max_backoff = max_backoff
        self.source = source
        self.failures = 0
        self.last_error: str | None = None
        self._last_key: tuple[date, Decimal | None, Decimal | None, Decimal | None] | None = None

    @property
    def delay(self) -> float:
        """Seconds until the next poll: the interval, or the backoff after failures."""
        if self.failures == 0:
            return self.interval
        return min(self.interval * 2.0 ** self.failures, self.max_backoff)

    async def poll(self) -> Quote | DeadLetter | None:
        """One poll: the new record, None if unchanged or failed (see `last_error`)."""
        try:
            snapshot = await asyncio.to_thread(self._fetch)
        except (FeedUnavailable, RecordError) as exc:
            self.failures += 1
            self.last_error = str(exc)
            log.warning("%s (retry in %.0f s)", exc, self.delay)
            return None
        self.failures = 0
        self.last_error = None
        return self.record_of(snapshot, self._clock())

    def record_of(self, snapshot: QuoteSnapshot, at: datetime) -> Quote | DeadLetter | None:
        """The record for a snapshot seen at `at`, or None if it repeats the last one."""
        if at.tzinfo is None:
            raise ValueError("the poller's clock must give aware datetimes")
        at = at.replace(microsecond=0)
        key = (at.astimezone(EASTERN).date(), snapshot.bid, snapshot.ask, snapshot.last)
        if key == self._last_key:
            return None
        self._last_key = key
        epoch = int(at.timestamp())
        raw = {"bid": snapshot.bid, "ask": snapshot.ask, "last": snapshot.last,
               "volume": snapshot.volume}
        try:
            return QuoteRules(type="quote", id=f"{self.source}:{self.symbol}:quote:{epoch}",
                              symbol=self.symbol, at=at, **raw).record()
        except ValidationError as exc:
            text = ", ".join(f"{k}={v}" for k, v in raw.items() if v is not None)
            return dead_letter("quotes", f"{self.symbol} at {at.isoformat()}: {text}",
                               explain(exc), self.symbol)

    async def run(self, emit: Callable[[Quote | DeadLetter], Awaitable[None]],
                  polls: int | None = None) -> int:
        """Poll until `polls` polls are done (forever if None); returns records emitted."""
        done = emitted = 0
        while polls is None or done < polls:
            record = await self.poll()
            done += 1
            if record is not None:
                await emit(record)
                emitted += 1
            if polls is None or done < polls:
                await self._sleep(self.delay)
        return emitted
