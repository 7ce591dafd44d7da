"""When the clock ticks: venue closes, pending deadlines, and every N seconds.

Pure: no Kafka, no clock of its own. `ClockSchedule.next_after(t, now)` is the first instant
after `t` at which a `tick` is due:

- **Closes**: every session's market close in the Trading Day tables of every venue schedule
  (shared/calendar/exchange.py: Nasdaq's, the NYSE's, and New York business days), and the
  terms' close of business (`[exercise] close_of_business`, in the terms' zone) on every New
  York business day. A quote of a day counts only until its close (Section 8 "closing bid"):
  the close tick is what makes the day's market value final.
- **Deadlines**: every instant added with `add_deadline` (the 2(d) delivery deadlines the clock
  reads from `exercise-settlements`, services/live/clock.py) and each warrant's expiry
  (Section 1).
- **Every N seconds**: the instants k x N seconds after the Unix epoch, so two runs tick at the
  same instants. If the grid has fallen behind `now` (a clock that was stopped, a fast rate),
  it resumes at the last grid instant not after `now`, instead of ticking every missed one.

A tick's id is derived from its instant (`tick_id`): the same instant gives the same record,
so a restarted clock that ticks an instant again publishes the same tick (docs/decisions.md).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.calendar.exchange import (
    EASTERN,
    RANGE_END,
    RANGE_START,
    SessionTable,
    session_table,
)
from shared.engine.engine import ALL_SYMBOLS
from shared.events.inputs import Tick
from shared.terms import Terms
from shared.venues import Venue

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def tick_id(at: datetime) -> str:
    """`clock-<instant in UTC>`: one id per instant, whoever computes it."""
    utc = at.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return f"clock-{text}Z"


def tick(at: datetime) -> Tick:
    """The broadcast tick (symbol `*`, docs/operations.md) at instant `at`."""
    utc = at.astimezone(UTC)
    return Tick(type="tick", id=tick_id(utc), symbol=ALL_SYMBOLS, at=utc)


@dataclass(frozen=True, slots=True)
class _Closes:
    """The closes of one session table: at the table's own close, or at a fixed local time."""

    table: SessionTable
    local_time: time | None = None  # None: the table's market close
    zone: ZoneInfo = EASTERN

    def first_after(self, t: datetime) -> datetime | None:
        day = t.astimezone(self.zone).date() - timedelta(days=1)
        if day > RANGE_END:
            return None
        day = max(day, RANGE_START)
        ordinals = self.table.ordinals
        i = bisect_left(ordinals, day.toordinal())
        while i < len(ordinals):
            close = self._close(ordinals[i])
            if close > t:
                return close
            i += 1
        return None

    def _close(self, ordinal: int) -> datetime:
        if self.local_time is None:
            return self.table.closes[ordinal]
        return datetime.combine(date.fromordinal(ordinal), self.local_time, tzinfo=self.zone)


class ClockSchedule:
    """The instants at which ticks are due (see the module docstring)."""

    def __init__(self, terms: Iterable[Terms], every: float | None = None) -> None:
        if every is not None and every <= 0:
            raise ValueError(f"--every must be above 0 seconds, got {every}")
        self.every = every
        terms = list(terms)
        tables = {session_table(v).source: session_table(v) for v in Venue}
        self._closes = [_Closes(table) for table in tables.values()]
        business = session_table(Venue.NONE)
        for cob, zone in sorted({(t.close_of_business, t.zone) for t in terms}, key=str):
            self._closes.append(_Closes(business, cob, zone))
        self._deadlines: list[datetime] = []
        self._known: set[datetime] = set()
        for t in terms:
            self.add_deadline(t.expires_at)

    def add_deadline(self, at: datetime) -> bool:
        """A deadline to tick at; False if it was known already."""
        utc = at.astimezone(UTC)
        if utc in self._known:
            return False
        self._known.add(utc)
        heapq.heappush(self._deadlines, utc)
        return True

    @property
    def deadlines(self) -> list[datetime]:
        return sorted(self._deadlines)

    def _next_deadline(self, t: datetime) -> datetime | None:
        while self._deadlines and self._deadlines[0] <= t:
            heapq.heappop(self._deadlines)  # past: the tick at or after it has been due
        return self._deadlines[0] if self._deadlines else None

    def _next_periodic(self, t: datetime, now: datetime) -> datetime | None:
        if self.every is None:
            return None
        step = self.every
        after = int((t - EPOCH).total_seconds() // step) + 1
        latest = int((now - EPOCH).total_seconds() // step)  # the grid instant <= now
        k = max(after, latest)
        return EPOCH + timedelta(seconds=k * step)

    def next_after(self, t: datetime, now: datetime | None = None) -> datetime | None:
        """The first instant after `t` at which a tick is due (None: nothing ever again)."""
        candidates = [c.first_after(t) for c in self._closes]
        candidates.append(self._next_deadline(t))
        candidates.append(self._next_periodic(t, now or t))
        found = [c for c in candidates if c is not None]
        return min(found).astimezone(UTC) if found else None

    def reasons(self, at: datetime) -> list[str]:
        """Why a tick is due at `at` (for the clock's log line)."""
        out = []
        before = at - timedelta(microseconds=1)
        if any(c.first_after(before) == at for c in self._closes):
            out.append("close")
        if at.astimezone(UTC) in self._known:
            out.append("deadline")
        if self.every is not None and (at - EPOCH).total_seconds() % self.every == 0:
            out.append("every")
        return out
