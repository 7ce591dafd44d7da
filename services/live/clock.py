"""The clock at the edge: publishes broadcast `tick`s as time passes (docs/operations.md).

`Clock.run` ticks at every instant its `ClockSchedule` gives (venue closes, deadlines, every
N seconds) once its `TimeSource` has reached it, never before: a tick says "it is now at
least this late", so one from the future would close days that are still trading. It first
ticks at the start instant (whole seconds), so defaults due while no clock ran fire at once.
Ticks are published in increasing order of their instants.

Deadlines it sees: it reads `exercise-settlements` from the start (settlements are few: one
per exercise) and adds each settlement's 2(d) deadline, the end of its `delivery_due` day in
the terms' zone (`shared.delivery.delivery_deadline`, the instant the engine checks), so the
`exercise_default` of an exercise never delivered comes with the first tick at its deadline.

This is the only place where the wall clock enters: what the engine computes still depends
only on the instants in the records (the ticks' `at`), so the same ticks give the same output.
Run one clock per cluster (two would publish the same ticks twice: harmless, same ids, but
twice the records).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from services.kafka.client import reader_kwargs
from services.kafka.settings import KafkaSettings
from services.live.clock_schedule import ClockSchedule, tick
from services.live.publisher import Publisher
from services.live.time_source import TimeSource
from shared.calendar.exchange import EASTERN
from shared.delivery import delivery_deadline
from shared.errors import BrokerError
from shared.events.inputs import Tick
from shared.terms import Terms

SETTLEMENTS = "exercise-settlements"
PublishTick = Callable[[Tick], Awaitable[None]]


def settlement_deadline(record: object, zones: dict[str, ZoneInfo]) -> datetime | None:
    """The 2(d) deadline of a `settlement` record (parsed JSON), None for anything else."""
    if not isinstance(record, dict) or record.get("type") != "settlement":
        return None
    try:
        due = date.fromisoformat(str(record["delivery_due"]))
    except (KeyError, ValueError):
        return None
    return delivery_deadline(due, zones.get(str(record.get("symbol")), EASTERN))


class SettlementReader:
    """Reads `exercise-settlements` from the start, without a group; yields deadlines."""

    def __init__(self, settings: KafkaSettings, terms: Iterable[Terms]) -> None:
        self.settings = settings
        self.zones = {t.symbol: t.zone for t in terms}
        self._consumer: AIOKafkaConsumer | None = None
        self._first = True

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(**reader_kwargs(self.settings))
        await self._consumer.start()
        tps = [TopicPartition(self.settings.topic(SETTLEMENTS), p)
               for p in range(self.settings.partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def deadlines(self) -> list[datetime]:
        """The deadlines of the settlements that arrived since the last call (the first call
        waits up to a second for the first fetch, so the first tick knows the backlog)."""
        assert self._consumer is not None
        out = []
        batch = await self._consumer.getmany(timeout_ms=1000 if self._first else 0)
        self._first = False
        for messages in batch.values():
            for m in messages:
                try:
                    record = json.loads(m.value or b"")
                except ValueError:
                    continue
                found = settlement_deadline(record, self.zones)
                if found is not None:
                    out.append(found)
        return out


DeadlineSource = Callable[[], Awaitable[list[datetime]]]


async def no_deadlines() -> list[datetime]:
    return []


@dataclass(slots=True)
class Clock:
    """Ticks from `time` by `schedule`, through `publish`; see the module docstring."""

    schedule: ClockSchedule
    time: TimeSource
    publish: PublishTick
    deadlines: DeadlineSource = no_deadlines
    poll: float = 0.5  # real seconds between looks at new deadlines while waiting
    log: Callable[[str], None] | None = None
    last: datetime | None = None
    published: list[datetime] = field(default_factory=list)

    async def step(self) -> datetime | None:
        """Publish every tick due by now; wait until the next is due (at most `poll`).
        The instant of the last tick published, if any."""
        for at in await self.deadlines():
            self.schedule.add_deadline(at)
        now = self.time.now()
        ticked = None
        if self.last is None:
            start = now.astimezone(UTC).replace(microsecond=0)
            await self._tick(start, ["start"])
            ticked = start
        while True:
            assert self.last is not None
            due = self.schedule.next_after(self.last, now)
            if due is None or due > now:
                break
            await self._tick(due, self.schedule.reasons(due))
            ticked = due
        wait = self.poll * self.time.rate
        if due is not None:
            wait = min(wait, (due - now).total_seconds())
        await self.time.sleep(wait)
        return ticked

    async def _tick(self, at: datetime, reasons: list[str]) -> None:
        await self.publish(tick(at))
        self.last = at
        self.published.append(at)
        if self.log is not None:
            self.log(f"tick {at.isoformat()} ({', '.join(reasons) or 'due'})")

    async def run(self, should_stop: Callable[[], bool] = lambda: False,
                  ticks: int | None = None) -> None:
        """Step until `should_stop()` or `ticks` ticks have been published."""
        while not should_stop() and (ticks is None or len(self.published) < ticks):
            await self.step()


async def run_clock(settings: KafkaSettings, terms: list[Terms], time: TimeSource, *,
                    every: float | None, should_stop: Callable[[], bool] = lambda: False,
                    ticks: int | None = None, log: Callable[[str], None] | None = None
                    ) -> int:
    """Tick on the live `clock` topic until stopped; how many ticks were published."""
    reader = SettlementReader(settings, terms)
    async with Publisher(settings, order="arrival") as publisher:
        async def publish(record: Tick) -> None:
            await publisher.send("clock", record)
            await publisher.flush()

        try:
            await reader.start()
        except KafkaError as exc:
            raise BrokerError(f"cannot read {settings.topic(SETTLEMENTS)}: {exc}") from None
        clock = Clock(ClockSchedule(terms, every), time, publish, reader.deadlines, log=log)
        try:
            await clock.run(should_stop, ticks)
        finally:
            with contextlib.suppress(KafkaError):
                await reader.stop()
        return len(clock.published)
