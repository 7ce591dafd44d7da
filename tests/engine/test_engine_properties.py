"""Properties of the whole engine over random streams (hypothesis): Sections 2, 4(b), 7, 8.

- A refused exercise changes nothing: every other output is byte for byte what the same
  stream gives without it. One on a warrant already used up is refused as
  `warrant_exhausted`.
- The warrant shares exercised never exceed the warrant's share number (adjusted by the
  stream's 2-for-1 split), and no settlement leaves less than nothing.
- The same records replayed give the same output records, ids and bytes; one id never
  names two different records.
- A settlement's B is the Per Share Market Value published for its exercise date.
- A record refused as bad input (a dead letter) loses none of the outputs that fell due.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from engine_golden import Emitted, run_records
from engine_streams import (
    FINAL_TICK,
    REFUSAL_KINDS,
    WARRANTS,
    Stream,
    instant_of,
    prelude,
    refused_exercise,
    streams,
    streams_with_position,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _lines(emitted: list[Emitted]) -> list[str]:
    return [e.line for e in emitted]


def _used_up_stream() -> tuple[Stream, int]:
    """Found by hypothesis on main: W-F-05-001 exercised in full (100,000 warrant shares,
    settled at the 16:00 close), then the refused exercise arrives at 18:00. Nothing remains,
    so the reason is `warrant_exhausted` (share number 0, Section 2(d)(ii) leaves no
    remainder), not `exceeds_warrant`."""
    records = prelude(None)
    body_start = len(records)
    records += [
        {"topic": "quotes", "type": "quote", "id": "quote1",
         "at": "2008-06-02T11:00:00-04:00", "bid": "2.50", "ask": "2.60"},
        {"topic": "exercises", "type": "exercise", "id": "exercise2", "warrant": "W-F-05-001",
         "holder": "Fund A", "submitted_at": "2008-06-02T11:00:00-04:00", "delivery": "hand",
         "cash_shares": "100000.00", "cashless_shares": "0.00"},
        {"topic": "clock", "type": "tick", "id": "tick3", "at": "2008-06-02T18:00:00-04:00"},
        {"topic": "clock", "type": "tick", "id": "final", "at": FINAL_TICK.isoformat()},
    ]
    return Stream(records, None, body_start), len(records) - 1


# What each kind of refused exercise may be refused as. A warrant already exercised in full
# refuses any request as `warrant_exhausted` (its own code, docs/events.md): that is right,
# not a change of outcome, but only when the stream used the warrant up (checked below).
# The cap exercise asks 60,000 of a 50,000-share warrant (100,000 after the split), so it may
# also exceed what is left.
EXPECTED_REASONS: dict[str, set[str]] = {
    "cap": {"cap", "exceeds_warrant", "warrant_exhausted"},
    "exceeds_warrant": {"exceeds_warrant", "warrant_exhausted"},
}


@PROPERTY_SETTINGS
@given(case=streams_with_position(), kind=st.sampled_from(REFUSAL_KINDS))
@example(case=_used_up_stream(), kind="exceeds_warrant")
def test_a_refused_exercise_changes_nothing(case: tuple[Stream, int], kind: str) -> None:
    stream, where = case
    extra = refused_exercise(kind, stream.event_time_before(where), stream.split_day is not None)
    with_it = run_records([*stream.records[:where], extra, *stream.records[where:]])
    without = run_records(stream.records)

    own = [e for e in with_it if e.record.id == "exercise_refused:refused-x"]
    assert len(own) == 1, f"the {kind} exercise was not refused exactly once: {_lines(own)}"
    reason = own[0].data["reason"]
    assert reason in EXPECTED_REASONS.get(kind, {kind})
    if reason == "warrant_exhausted":
        # only when an exercise effective no later than this one left nothing
        refused_at = datetime.fromisoformat(extra["submitted_at"])
        used_up = [e for e in without if e.type == "settlement"
                   and e.data["warrant"] == extra["warrant"]
                   and datetime.fromisoformat(e.data["effective_at"]) <= refused_at
                   and Decimal(e.data["shares_remaining"]) == 0]
        assert used_up, f"{extra['warrant']} refused as exhausted, but nothing used it up"
    rest = [e for e in with_it if e.record.id != "exercise_refused:refused-x"]
    assert _lines(rest) == _lines(without)


@PROPERTY_SETTINGS
@given(stream=streams())
def test_exercised_never_exceeds_the_share_number(stream: Stream) -> None:
    emitted = run_records(stream.records)
    split_at = stream.split_instant()
    for warrant, (_, initial) in WARRANTS.items():
        settled = [e.data for e in emitted if e.type == "settlement"
                   and e.data["warrant"] == warrant]
        # In post-split shares: one warrant share exercised before the split is two after.
        total = Decimal(0)
        for s in settled:
            factor = 2 if split_at is not None and \
                datetime.fromisoformat(s["effective_at"]) < split_at else 1
            total += factor * Decimal(s["shares_exercised"])
            assert Decimal(s["shares_remaining"]) >= 0, s
        limit = initial * (2 if split_at is not None else 1)
        assert total <= limit, (
            f"{warrant}: {total} warrant shares exercised (post-split units) > share "
            f"number {limit}: " + "; ".join(
                f"{s['exercise_id']} eff {s['effective_at']} Y={s['shares_exercised']} "
                f"left {s['shares_remaining']}" for s in settled))


@PROPERTY_SETTINGS
@given(stream=streams())
def test_replay_gives_the_same_records(stream: Stream) -> None:
    first = run_records(stream.records)
    second = run_records(stream.records)
    assert _lines(first) == _lines(second)
    assert [e.record.id for e in first] == [e.record.id for e in second]
    by_id: dict[str, str] = {}
    for e in first:
        seen = by_id.setdefault(e.record.id, e.line)
        assert seen == e.line, f"one id, two records:\n{seen}\n{e.line}"


@PROPERTY_SETTINGS
@given(stream=streams())
def test_settlement_uses_the_published_market_value(stream: Stream) -> None:
    """B is the published PSMV of the exercise date, on the basis of the terms the exercise
    uses: on the 2-for-1 split's effective date before its close of business (17:00, when the
    terms change) the prices are already post-split, so B = PSMV x 2 (shared/engine/basis.py)."""
    emitted = run_records(stream.records)
    published = {e.data["date"]: Decimal(e.data["value"]) for e in emitted
                 if e.type == "market_value"}
    split_at = stream.split_instant()
    for e in emitted:
        if e.type != "settlement" or e.data["market_value"] is None:
            continue
        at = datetime.fromisoformat(e.data["effective_at"])
        day = at.date().isoformat()
        if day in published:
            pre_split = split_at is not None and at.date() == split_at.date() and at < split_at
            want = published[day] * (2 if pre_split else 1)
            assert Decimal(e.data["market_value"]) == want, e.line


def _as_tick(record: dict[str, Any]) -> dict[str, Any] | None:
    """A tick at the instant `record` carries (None if it carries none)."""
    at = instant_of(record)
    if at is None:
        return None
    return {"topic": "clock", "type": "tick", "id": f"tick-{record['id']}", "at": at.isoformat()}


@PROPERTY_SETTINGS
@given(stream=streams(moving_deliveries=True))
def test_a_dead_letter_loses_nothing_that_fell_due(stream: Stream) -> None:
    emitted = run_records(stream.records)
    bad = {e.cause for e in emitted if e.type == "dead_letter"}
    replaced = [r if r["id"] not in bad else _as_tick(r) for r in stream.records]
    again = run_records([r for r in replaced if r is not None])
    kept = sorted(e.record.id for e in emitted if e.type != "dead_letter")
    assert kept == sorted(e.record.id for e in again if e.type != "dead_letter")


@PROPERTY_SETTINGS
@given(first=st.integers(1, 10_000_000), late=st.integers(1, 10_000_000))
def test_a_late_exercise_cannot_take_more_than_is_left(first: int, late: int) -> None:
    """Two cash exercises of W-F-05-001 (100,000): one effective Mon 11:00, settled that
    evening; one effective Mon 10:00 (earlier) but received on Tuesday. Whatever is
    settled, together no more than the warrant's 100,000."""
    y_first, y_late = Decimal(first) / 100, Decimal(late) / 100
    warrant = "W-F-05-001"
    records = [r for r in prelude(None) if r["type"] != "holding" or r["holder"] == "Fund A"]
    records += [
        {"topic": "exercises", "type": "exercise", "id": "x-first", "warrant": warrant,
         "holder": "Fund A", "submitted_at": "2008-06-02T11:00:00-04:00", "delivery": "hand",
         "cash_shares": str(y_first)},
        {"topic": "quotes", "type": "quote", "id": "q1", "at": "2008-06-02T15:00:00-04:00",
         "bid": "3.00", "ask": "3.10"},
        {"topic": "clock", "type": "tick", "id": "t1", "at": "2008-06-03T09:00:00-04:00"},
        {"topic": "exercises", "type": "exercise", "id": "x-late", "warrant": warrant,
         "holder": "Fund A", "submitted_at": "2008-06-02T10:00:00-04:00", "delivery": "hand",
         "cash_shares": str(y_late)},
        {"topic": "clock", "type": "tick", "id": "t2", "at": "2008-06-03T16:00:01-04:00"},
    ]
    settled = [e.data for e in run_records(records) if e.type == "settlement"]
    total = sum((Decimal(s["shares_exercised"]) for s in settled), Decimal(0))
    assert total <= WARRANTS[warrant][1], "; ".join(
        f"{s['exercise_id']} Y={s['shares_exercised']} left {s['shares_remaining']}"
        for s in settled)
