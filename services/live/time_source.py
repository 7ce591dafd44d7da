"""Where the clock gets the time: the one place the wall clock enters (docs/operations.md).

`TimeSource` is what `services.live.clock.Clock` is given: `now()` (an aware instant) and
`sleep(seconds)` (seconds of that source's time). The production source is the system's wall
clock; `ScaledTime` runs from a chosen instant at a chosen rate on the monotonic clock, for
rehearsals and tests of a past period (`clock --start 2009-06-01T09:00:00-04:00 --rate 3600`:
an hour a second). Tests pass a fake source that moves time when asked, so they never sleep.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class TimeSource(Protocol):
    @property
    def rate(self) -> float:
        """Seconds of this source's time per real second."""
        ...

    def describe(self) -> str:
        """Which time this is, for a log line (never reads the time)."""
        ...

    def now(self) -> datetime:
        """The current instant (aware)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this source's time."""
        ...


class SystemTime:
    """The wall clock: `datetime.now(UTC)` and `asyncio.sleep`."""

    rate = 1.0

    def describe(self) -> str:
        return "the wall clock"

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledTime:
    """Time that starts at `start` when first read, and runs `rate` times faster than the
    monotonic clock (so a clock that takes a while to connect still begins at `start`)."""

    def __init__(self, start: datetime, rate: float = 1.0, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"the clock's start {start.isoformat()} needs a UTC offset")
        if rate <= 0:
            raise ValueError(f"the clock's rate must be above 0, got {rate}")
        self.start = start
        self.rate = rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._origin: float | None = None

    def describe(self) -> str:
        return f"{self.start.isoformat()} at {self.rate:g} x real time"

    def now(self) -> datetime:
        reading = self._monotonic()
        if self._origin is None:
            self._origin = reading
        return self.start + timedelta(seconds=(reading - self._origin) * self.rate)

    async def sleep(self, seconds: float) -> None:
        await self._sleep(max(0.0, seconds) / self.rate)
