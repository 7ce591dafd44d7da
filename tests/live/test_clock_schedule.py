"""When the clock ticks (pure: no broker, no clock of its own).

Golden instants, from outside the code: Nasdaq's regular close is 4:00 p.m. eastern and it
closed at 1:00 p.m. on Friday 2008-11-28, the day after Thanksgiving (Nasdaq's 2008 holiday
schedule); the W-F-05 close of business is 17:00 eastern (the terms, 4(g)(ii)); Thanksgiving
2008-11-27 is a bank holiday and a market holiday; DST began 2010-03-14 at 2:00 a.m. (eastern
17:00 that day is 21:00 UTC), the warrant's expiry (Section 1: 5:00 p.m. eastern).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.live.clock_schedule import ClockSchedule, tick, tick_id
from shared.terms import load_terms


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(scope="module")
def schedule() -> ClockSchedule:
    return ClockSchedule([load_terms()])


def following(schedule: ClockSchedule, start: str, n: int) -> list[datetime]:
    out, t = [], at(start)
    for _ in range(n):
        nxt = schedule.next_after(t)
        assert nxt is not None
        out.append(nxt)
        t = nxt
    return out


def test_market_close_then_close_of_business_each_trading_day(schedule: ClockSchedule) -> None:
    assert following(schedule, "2009-06-01T10:00:00-04:00", 4) == [
        utc("2009-06-01T16:00:00-04:00"), utc("2009-06-01T17:00:00-04:00"),
        utc("2009-06-02T16:00:00-04:00"), utc("2009-06-02T17:00:00-04:00")]


def test_weekend_has_no_close(schedule: ClockSchedule) -> None:
    # Friday 2009-06-05 close of business, then Monday 2009-06-08
    assert following(schedule, "2009-06-05T17:00:00-04:00", 1) == [
        utc("2009-06-08T16:00:00-04:00")]


def test_holiday_then_an_early_close(schedule: ClockSchedule) -> None:
    assert following(schedule, "2008-11-26T17:00:00-05:00", 2) == [
        utc("2008-11-28T13:00:00-05:00"), utc("2008-11-28T17:00:00-05:00")]
    assert schedule.reasons(utc("2008-11-28T13:00:00-05:00")) == ["close"]


def test_expiry_is_a_deadline_on_a_sunday_of_a_dst_change(schedule: ClockSchedule) -> None:
    assert following(schedule, "2010-03-12T17:00:00-05:00", 2) == [
        utc("2010-03-14T21:00:00+00:00"), utc("2010-03-15T16:00:00-04:00")]
    assert schedule.reasons(utc("2010-03-14T17:00:00-04:00")) == ["deadline"]


def test_a_deadline_added_comes_in_its_place() -> None:
    schedule = ClockSchedule([load_terms()])
    # 2(d): 3 Trading Days after Thursday 2005-09-15 = Tuesday 2005-09-20, deadline the end
    # of that day: 2005-09-21 00:00 eastern (EDT) = 04:00 UTC
    deadline = at("2005-09-21T00:00:00-04:00")
    assert schedule.add_deadline(deadline) is True
    assert schedule.add_deadline(deadline.astimezone(UTC)) is False  # the same instant
    assert following(schedule, "2005-09-20T16:30:00-04:00", 3) == [
        utc("2005-09-20T17:00:00-04:00"), utc("2005-09-21T04:00:00+00:00"),
        utc("2005-09-21T16:00:00-04:00")]
    # a deadline in the past is dropped once passed
    schedule.next_after(at("2005-09-22T00:00:00-04:00"))
    assert utc("2005-09-21T04:00:00+00:00") not in schedule.deadlines


def test_every_n_seconds_on_the_epoch_grid() -> None:
    schedule = ClockSchedule([load_terms()], every=3600)
    assert schedule.next_after(utc("2009-06-01T10:30:00+00:00")) == utc("2009-06-01T11:00:00Z")
    assert schedule.reasons(utc("2009-06-01T11:00:00Z")) == ["every"]
    # 16:00 eastern = 20:00 UTC is both a close and a grid instant
    assert schedule.reasons(utc("2009-06-01T20:00:00Z")) == ["close", "every"]
    # fallen behind: it resumes at the last grid instant not after `now`, not at each one
    assert (schedule.next_after(utc("2009-06-01T11:00:00Z"), now=utc("2009-06-01T15:40:00Z"))
            == utc("2009-06-01T15:00:00Z"))
    with pytest.raises(ValueError, match="above 0"):
        ClockSchedule([], every=0)


def test_tick_ids_come_from_the_instant() -> None:
    a = tick(at("2005-09-21T00:00:00-04:00"))
    b = tick(utc("2005-09-21T04:00:00+00:00"))
    assert a == b
    assert a.id == "clock-2005-09-21T04:00:00Z" and a.symbol == "*"
    assert a.at == utc("2005-09-21T04:00:00+00:00")
    assert tick_id(at("2009-06-01T10:00:00.250000+00:00")) == "clock-2009-06-01T10:00:00.250000Z"
