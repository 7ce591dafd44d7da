"""The live quote poller: Yahoo's bid and ask to `quote` records, its schedule and backoff
(clock and sleep injected, no real time), and the yfinance path served from recordings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from adapters_golden import YAHOO_DATA

from services.adapters.recorded_http import RecordedSession
from services.adapters.yahoo_quotes import QuotePoller, QuoteSnapshot, yahoo_quote_source
from shared.errors import FeedUnavailable, RateLimited
from shared.events.inputs import Quote
from shared.events.outputs import DeadLetter

# quote-AAPL.json (v7 quote API) by hand: bid 244.44, ask 253.37, regularMarketPrice 244.6,
# regularMarketVolume 40896227.
AAPL_QUOTE = QuoteSnapshot(bid=Decimal("244.44"), ask=Decimal("253.37"),
                           last=Decimal("244.6"), volume=Decimal("40896227"))
START = datetime(2011, 1, 13, 15, 0, tzinfo=UTC)


class FakeTime:
    """A clock that moves only when the poller sleeps."""

    def __init__(self) -> None:
        self.now = START
        self.sleeps: list[float] = []

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)


class Script:
    def __init__(self, answers: Sequence[QuoteSnapshot | Exception]) -> None:
        self.answers = list(answers)

    def __call__(self) -> QuoteSnapshot:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def snap(bid: str | None, ask: str | None, last: str | None = None) -> QuoteSnapshot:
    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return QuoteSnapshot(number(bid), number(ask), number(last), None)


async def run(poller: QuotePoller, polls: int) -> list[Quote | DeadLetter]:
    out: list[Quote | DeadLetter] = []

    async def emit(record: Quote | DeadLetter) -> None:
        out.append(record)

    await poller.run(emit, polls)
    return out


def test_yfinance_source_reads_bid_and_ask_from_recordings() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    assert yahoo_quote_source("AAPL", session)() == AAPL_QUOTE
    assert session.unmatched == []


def test_yfinance_source_turns_429_into_rate_limited() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    session.fail_next(429, count=50)
    with pytest.raises(RateLimited, match="429"):
        yahoo_quote_source("AAPL", session)()


def test_yfinance_source_without_a_quote_is_unavailable() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    with pytest.raises(FeedUnavailable, match="Yahoo quote of GLOW"):
        yahoo_quote_source("GLOW", session)()


async def test_one_poll_gives_a_quote_stamped_with_the_clock() -> None:
    time = FakeTime()
    poller = QuotePoller("aapl", Script([AAPL_QUOTE]), clock=time.clock, sleep=time.sleep)
    [record] = await run(poller, 1)
    assert isinstance(record, Quote)
    assert (record.symbol, record.bid, record.ask, record.at) == (
        "AAPL", Decimal("244.44"), Decimal("253.37"), START)
    assert record.id == f"yahoo:AAPL:quote:{int(START.timestamp())}"
    assert time.sleeps == []  # --once: no sleep after the last poll


async def test_unchanged_quote_is_not_emitted_again_the_same_day() -> None:
    time = FakeTime()
    answers = [snap("0.55", "0.69"), snap("0.55", "0.69"), snap("0.56", "0.69"),
               snap("0.56", "0.69")]
    poller = QuotePoller("GLOW", Script(answers), clock=time.clock, sleep=time.sleep,
                         interval=60)
    records = await run(poller, 4)
    assert [(r.bid, r.at) for r in records if isinstance(r, Quote)] == [
        (Decimal("0.55"), START), (Decimal("0.56"), START + timedelta(seconds=120))]


async def test_unchanged_quote_on_a_new_new_york_date_is_emitted() -> None:
    time = FakeTime()
    poller = QuotePoller("GLOW", Script([snap("0.55", "0.69")] * 3), clock=time.clock,
                         sleep=time.sleep, interval=8 * 3600, max_backoff=8 * 3600)
    records = await run(poller, 3)
    # polls at 10:00 and 18:00 New York on 2011-01-13 (the same quote: one record), then
    # 02:00 New York on 2011-01-14 (a new date: emitted again)
    assert [r.at for r in records if isinstance(r, Quote)] == [
        START, START + timedelta(hours=16)]


async def test_backoff_doubles_on_errors_and_resets_after_success() -> None:
    time = FakeTime()
    answers: list[QuoteSnapshot | Exception] = [
        RateLimited("429"), FeedUnavailable("down"), FeedUnavailable("down"),
        FeedUnavailable("down"), FeedUnavailable("down"), snap("0.55", "0.69"),
        snap("0.56", "0.69")]
    poller = QuotePoller("GLOW", Script(answers), clock=time.clock, sleep=time.sleep,
                         interval=60, max_backoff=900)
    records = await run(poller, 7)
    # 60 x 2^n after n failures in a row, capped at 900; back to 60 after a success
    assert time.sleeps == [120, 240, 480, 900, 900, 60]
    assert len(records) == 2 and poller.failures == 0 and poller.last_error is None


async def test_failed_last_poll_keeps_the_reason() -> None:
    time = FakeTime()
    poller = QuotePoller("GLOW", Script([FeedUnavailable("Yahoo is down")]),
                         clock=time.clock, sleep=time.sleep)
    assert await run(poller, 1) == []
    assert poller.last_error == "Yahoo is down"


async def test_crossed_quote_becomes_a_dead_letter() -> None:
    time = FakeTime()
    poller = QuotePoller("GLOW", Script([snap("0.70", "0.69")]), clock=time.clock,
                         sleep=time.sleep)
    [letter] = await run(poller, 1)
    assert isinstance(letter, DeadLetter)
    assert "bid 0.70 is above ask 0.69" in letter.reason and "bid=0.70" in letter.raw


def test_schedule_settings_are_checked() -> None:
    time = FakeTime()
    with pytest.raises(ValueError, match="interval >= 1"):
        QuotePoller("GLOW", Script([]), clock=time.clock, sleep=time.sleep, interval=0.5)
    with pytest.raises(ValueError, match="max_backoff"):
        QuotePoller("GLOW", Script([]), clock=time.clock, sleep=time.sleep, interval=60,
                    max_backoff=30)


def test_naive_clock_is_refused() -> None:
    time = FakeTime()
    poller = QuotePoller("GLOW", Script([]), clock=time.clock, sleep=time.sleep)
    with pytest.raises(ValueError, match="aware"):
        poller.record_of(snap("1", "2"), datetime(2011, 1, 13, 10, 0))
