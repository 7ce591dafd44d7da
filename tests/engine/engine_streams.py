"""Random but well-formed input streams for the engine's property tests (hypothesis).

June 2008, GLOW on the OTC Bulletin Board (no market holiday in the month, all EDT): three
warrants for two holders, shares outstanding and holdings, then a few Trading Days of
quotes, exercises (some arriving late, stamped before event time), deliveries and ticks,
optionally a 2-for-1 split (exact: no rounding of the share number), and a closing tick
well after the last day so everything due falls due. Records are the resource format of
`engine_golden` (a `topic` plus the record's fields).

Fund B holds 480,000 of 10,000,000 shares: whatever else happens in a stream, it can never
be issued 60,000 more shares under the 4.999% cap (worked in `CAP_PROOF`), which makes a
60,000-share exercise of its warrant a sure refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

EASTERN = ZoneInfo("America/New_York")
JUNE_2008 = tuple(date(2008, 6, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20))
WARRANTS: dict[str, tuple[str, Decimal]] = {
    "W-F-05-001": ("Fund A", Decimal(100000)),
    "W-F-05-002": ("Fund B", Decimal(50000)),
    "W-F-05-003": ("Fund A", Decimal(20000)),
}
SPLIT_ID = "split-2-for-1"
FINAL_TICK = datetime(2008, 7, 15, 12, 0, tzinfo=EASTERN)
CAP_PROOF = """
Fund B: H = 480,000, O = 10,000,000. Others can be issued at most 120,000 shares (warrants
001 + 003), 240,000 after a 2-for-1 split; Fund B's own exercises only lower its headroom.
Without the split: (0.04999 x 10,120,000 - 480,000) / 0.95001 = 25,898.8 / 0.95001 < 27,262.
With it: (0.04999 x 20,240,000 - 960,000) / 0.95001 = 51,797.6 / 0.95001 < 54,523.
So an exercise issuing 60,000 whole shares to Fund B never passes.
"""
# Times of day a record may carry: the open, mid-day, the close to the second, after it.
TIMES = (time(9, 30), time(11, 0), time(15, 59, 59), time(16, 0), time(16, 0, 1), time(17, 0),
         time(18, 0), time(23, 59, 59))


def stamp(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=EASTERN).isoformat()


def instant_of(record: dict[str, Any]) -> datetime | None:
    """The event-time instant a record carries (docs/events.md), if any."""
    for field in ("at", "as_of", "submitted_at", "delivered_at"):
        if field in record:
            return datetime.fromisoformat(record[field])
    return None


def prelude(split_day: date | None) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [
        {"topic": "corporate-actions", "type": "listing", "id": "listing-pink",
         "effective": "2005-10-05", "venue": "PINK"},
        {"topic": "corporate-actions", "type": "listing", "id": "listing-otcbb",
         "effective": "2007-01-02", "venue": "OTCBB"},
    ]
    for warrant, (holder, shares) in WARRANTS.items():
        records.append({"topic": "registry", "type": "warrant_issued", "id": f"reg-{warrant}",
                        "warrant": warrant, "holder": holder, "shares": str(shares)})
    opening = stamp(JUNE_2008[0], time(8, 0))
    records += [
        {"topic": "corporate-actions", "type": "shares_outstanding", "id": "so1",
         "as_of": opening, "shares": "10000000"},
        {"topic": "holdings", "type": "holding", "id": "hold-a", "holder": "Fund A",
         "as_of": opening, "shares": "100000"},
        {"topic": "holdings", "type": "holding", "id": "hold-b", "holder": "Fund B",
         "as_of": opening, "shares": "480000"},
    ]
    if split_day is not None:
        records.append({"topic": "corporate-actions", "type": "stock_split", "id": SPLIT_ID,
                        "effective": split_day.isoformat(), "new": "2", "old": "1"})
    return records


@dataclass(frozen=True, slots=True)
class Stream:
    records: list[dict[str, Any]]
    split_day: date | None
    body_start: int  # index of the first record after the prelude

    def split_instant(self) -> datetime | None:
        """4(g)(ii): the split is deemed at close of business (17:00) of its date."""
        if self.split_day is None:
            return None
        return datetime.combine(self.split_day, time(17, 0), tzinfo=EASTERN)

    def event_time_before(self, index: int) -> datetime:
        """Event time just before record `index`: the latest instant carried before it."""
        found = [t for r in self.records[:index] if (t := instant_of(r)) is not None]
        return max(found)


CENT = Decimal("0.01")


@st.composite
def day_events(draw: st.DrawFn, day: date, previous: date | None, serial: list[int],
               exercises: list[str], clock: list[datetime],
               moving_deliveries: bool) -> list[dict[str, Any]]:
    """The records of one Trading Day, in time order (late exercises stamped earlier, so they
    may take effect before exercises that were settled already).

    `clock` holds event time so far (the latest instant carried). A delivery is stamped at
    it (it confirms a delivery already made, and moves no event time) unless
    `moving_deliveries`: then at its own slot, so that one refused as bad input may be the
    record that moves event time.
    """
    kinds = draw(st.lists(st.sampled_from(["quote", "quote", "exercise", "late", "delivery",
                                           "tick"]), max_size=7))
    slots = sorted(draw(st.lists(st.sampled_from(TIMES), min_size=len(kinds),
                                 max_size=len(kinds))))
    out: list[dict[str, Any]] = []
    for kind, at in zip(kinds, slots, strict=True):
        serial[0] += 1
        rid = f"{kind}{serial[0]}"
        latest = clock[0].isoformat()
        if kind == "quote":
            bid = Decimal(draw(st.integers(150, 400))) / 100
            ask = bid + Decimal(draw(st.integers(0, 20))) / 100
            out.append({"topic": "quotes", "type": "quote", "id": rid, "at": stamp(day, at),
                        "bid": str(bid), "ask": str(ask)})
        elif kind in ("exercise", "late"):
            warrant = draw(st.sampled_from(sorted(WARRANTS)))
            # Up to the whole warrant, so that two exercises may ask for more than it has;
            # a quarter, half ... of it paid in cash.
            size = WARRANTS[warrant][1]
            asked = max(CENT, (size * draw(st.integers(1, 10_000)) / 10_000).quantize(CENT))
            cash = (asked * draw(st.integers(0, 4)) / 4).quantize(CENT)
            cashless = asked - cash
            when = stamp(day, at)
            if kind == "late":  # stamped in the morning of the day before (or of today)
                when = stamp(previous or day, draw(st.sampled_from(TIMES[:2])))
            out.append({"topic": "exercises", "type": "exercise", "id": rid, "warrant": warrant,
                        "holder": WARRANTS[warrant][0], "submitted_at": when,
                        "delivery": draw(st.sampled_from(["hand", "fax", "courier"])),
                        "cash_shares": str(cash), "cashless_shares": str(cashless)})
            exercises.append(rid)
        elif kind == "delivery" and exercises:
            out.append({"topic": "deliveries", "type": "delivery", "id": rid,
                        "exercise_id": draw(st.sampled_from(exercises)),
                        "delivered_at": stamp(day, at) if moving_deliveries else latest,
                        "shares": str(draw(st.integers(1, 5000))), "channel": "DWAC"})
        else:
            out.append({"topic": "clock", "type": "tick", "id": rid, "at": stamp(day, at)})
        carried = instant_of(out[-1])
        if carried is not None and carried > clock[0]:
            clock[0] = carried
    return out


@st.composite
def streams(draw: st.DrawFn, *, moving_deliveries: bool = False) -> Stream:
    first = draw(st.integers(0, len(JUNE_2008) - 2))
    count = draw(st.integers(1, min(5, len(JUNE_2008) - first)))
    days = JUNE_2008[first:first + count]
    split_day = draw(st.none() | st.sampled_from(days))
    records = prelude(split_day)
    body_start = len(records)
    serial = [0]
    exercises: list[str] = []
    previous: date | None = None
    clock = [datetime.combine(JUNE_2008[0], time(8, 0), tzinfo=EASTERN)]
    for day in days:
        records += draw(day_events(day, previous, serial, exercises, clock, moving_deliveries))
        previous = day
    records.append({"topic": "clock", "type": "tick", "id": "final",
                    "at": FINAL_TICK.isoformat()})
    return Stream(records, split_day, body_start)


def refused_exercise(kind: str, event_time: datetime, split: bool) -> dict[str, Any]:
    """An exercise sure to be refused, stamped no later than event time (it moves nothing).

    kinds: unknown_warrant, wrong_holder, not_yet_exercisable (stamped 2005-09-14, before
    Section 2(a) opens), exceeds_warrant (more than the share number can ever be), cap
    (Fund B, 60,000 shares: see CAP_PROOF; exceeds_warrant when its warrant is short).
    """
    record: dict[str, Any] = {
        "topic": "exercises", "type": "exercise", "id": "refused-x",
        "warrant": "W-F-05-001", "holder": "Fund A", "submitted_at": event_time.isoformat(),
        "delivery": "hand", "cash_shares": "1000",
    }
    if kind == "unknown_warrant":
        record["warrant"] = "W-F-05-999"
    elif kind == "wrong_holder":
        record["holder"] = "Fund B"
    elif kind == "not_yet_exercisable":
        record["submitted_at"] = "2005-09-14T12:00:00-04:00"
    elif kind == "exceeds_warrant":
        most = WARRANTS["W-F-05-001"][1] * (2 if split else 1)
        record["cash_shares"] = str(most + Decimal("0.01"))
    elif kind == "cap":
        record.update(warrant="W-F-05-002", holder="Fund B", cash_shares="60000")
    else:
        raise ValueError(kind)
    return record


@st.composite
def streams_with_position(draw: st.DrawFn) -> tuple[Stream, int]:
    """A stream and an index into its body, where a test inserts a record of its own."""
    stream = draw(streams())
    where = draw(st.integers(stream.body_start, len(stream.records) - 1), label="at")
    return stream, where


REFUSAL_KINDS = ("unknown_warrant", "wrong_holder", "not_yet_exercisable", "exceeds_warrant",
                 "cap")
