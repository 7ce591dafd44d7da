"""The clock itself, driven by a fake time source: no real sleeping, every instant known.

The edge is `TimeSource` (services/live/time_source.py); here it is a fake whose `sleep`
moves its time on at once, so days of ticks take milliseconds. What is tested is the clock:
it ticks at the start, then at each close and deadline once its time has reached it (never
before), in order, and learns a deadline from a settlement that arrives while it runs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from services.live.clock import Clock, settlement_deadline
from services.live.clock_schedule import ClockSchedule
from services.live.time_source import ScaledTime
from shared.calendar.exchange import EASTERN
from shared.events.inputs import Tick
from shared.terms import load_terms


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class FakeTime:
    """Time that moves only when slept on."""

    rate = 1.0

    def __init__(self, start: datetime) -> None:
        self.t = start
        self.slept = 0.0

    def describe(self) -> str:
        return f"fake from {self.t.isoformat()}"

    def now(self) -> datetime:
        return self.t

    async def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept += seconds
        self.t += timedelta(seconds=seconds)


def test_settlement_deadline_is_the_end_of_the_due_day_eastern() -> None:
    zones = {"GLOW": load_terms().zone}
    record = {"type": "settlement", "symbol": "GLOW", "delivery_due": "2005-09-20"}
    assert settlement_deadline(record, zones) == datetime(2005, 9, 21, tzinfo=EASTERN)
    assert settlement_deadline({"type": "exercise_refused"}, zones) is None
    assert settlement_deadline({"type": "settlement", "delivery_due": "soon"}, zones) is None


def test_clock_ticks_closes_and_a_deadline_it_learns_while_running() -> None:
    time = FakeTime(utc("2005-09-15T12:00:00.400-04:00"))
    published: list[tuple[Tick, datetime]] = []
    settlement_seen = utc("2005-09-15T17:00:00-04:00")
    delivered: list[bool] = []

    async def publish(record: Tick) -> None:
        published.append((record, time.now()))

    async def deadlines() -> list[datetime]:
        # the settlement appears on exercise-settlements after the close-of-business tick
        if not delivered and published and published[-1][0].at >= settlement_seen:
            delivered.append(True)
            return [datetime(2005, 9, 21, tzinfo=EASTERN)]
        return []

    clock = Clock(ClockSchedule([load_terms()]), time, publish, deadlines, poll=3600)
    asyncio.run(clock.run(ticks=10))
    ats = [t.at for t, _ in published]
    assert ats == [
        utc("2005-09-15T12:00:00-04:00"),  # start, whole seconds
        utc("2005-09-15T16:00:00-04:00"), utc("2005-09-15T17:00:00-04:00"),
        utc("2005-09-16T16:00:00-04:00"), utc("2005-09-16T17:00:00-04:00"),
        utc("2005-09-19T16:00:00-04:00"), utc("2005-09-19T17:00:00-04:00"),
        utc("2005-09-20T16:00:00-04:00"), utc("2005-09-20T17:00:00-04:00"),
        utc("2005-09-21T00:00:00-04:00"),  # the 2(d) deadline
    ]
    # never a tick from the future; each id from its instant; every tick for every symbol
    assert all(record.at <= when for record, when in published)
    assert [t.id for t, _ in published][-1] == "clock-2005-09-21T04:00:00Z"
    assert {t.symbol for t, _ in published} == {"*"}
    # each tick after the start was published the moment its instant came, not later
    assert all(record.at == when for record, when in published[1:])


def test_a_clock_far_behind_catches_up_in_order_without_every_missed_grid_tick() -> None:
    time = FakeTime(utc("2009-06-01T15:59:30-04:00"))
    published: list[datetime] = []

    async def publish(record: Tick) -> None:
        published.append(record.at)
        if len(published) == 1:
            time.t += timedelta(days=1, hours=2)  # the process stalled for a day

    clock = Clock(ClockSchedule([load_terms()], every=60), time, publish, poll=30)
    asyncio.run(clock.run(ticks=6))
    assert published == sorted(published)
    assert published == [
        utc("2009-06-01T15:59:30-04:00"),
        utc("2009-06-01T16:00:00-04:00"), utc("2009-06-01T17:00:00-04:00"),
        # the missed day's closes each come, though the grid has jumped on
        utc("2009-06-02T16:00:00-04:00"), utc("2009-06-02T17:00:00-04:00"),
        # the last grid minute not after `now` (17:59:30 after the stall, + one 30 s wait)
        utc("2009-06-02T18:00:00-04:00"),
    ]


def test_scaled_time_starts_when_first_read_and_runs_at_its_rate() -> None:
    real = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    source = ScaledTime(utc("2005-09-15T12:00:00-04:00"), 3600, monotonic=lambda: real[0],
                        sleep=sleep)
    real[0] = 130.0  # a slow start before the first read does not count
    assert source.now() == utc("2005-09-15T12:00:00-04:00")
    real[0] = 132.5
    assert source.now() == utc("2005-09-15T14:30:00-04:00")
    asyncio.run(source.sleep(7200))
    assert slept == [2.0]
