"""Who owns how much, and how many shares are outstanding, at any instant (Section 7 inputs).

Each `holding` and `shares_outstanding` record is a snapshot as of its instant; a split or
stock dividend after a snapshot scales it (a holder of `old` shares then holds `new`), and
shares issued on exercise after a snapshot are added to it (the Holder "shall be deemed ...
the holder of the shares ... as of the date of such exercise", 2(d)). An `issuance` is a
snapshot of the shares outstanding right after it. Each share change carries the id of the
action that made it, so that a rescinded dividend (4(g)(iv)) takes its change out again.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shared.errors import RecordError
from shared.numbers import ONE, ZERO, mul, show


@dataclass(frozen=True, slots=True, order=True)
class Snapshot:
    at: datetime
    shares: Decimal
    source: str


@dataclass(frozen=True, slots=True, order=True)
class ShareChangeAt:
    """A split, combination or stock dividend as Section 7 and the terms see it: from `at`
    (its close of business, 4(g)(ii)) a holder of 1 share holds `ratio` (new/old)."""

    at: datetime
    ratio: Decimal
    cause_id: str


@dataclass(frozen=True, slots=True, order=True)
class Movement:
    at: datetime
    shares: Decimal
    source: str


@dataclass(slots=True)
class Series:
    """A quantity over time: snapshots, scaled by share changes, plus later movements."""

    snapshots: list[Snapshot] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)

    def value_at(self, at: datetime, changes: list[ShareChangeAt]) -> Decimal | None:
        """The latest snapshot at or before `at`, and the movements since, each scaled by the
        share changes after it (a holder of `old` shares then holds `new`)."""
        i = bisect_right(self.snapshots, at, key=lambda s: s.at)
        base = self.snapshots[i - 1] if i else None
        if base is None and not self.movements:
            return None
        start = base.at if base is not None else None

        def scaled(shares: Decimal, since: datetime | None) -> Decimal:
            factor = ONE
            for change in changes:
                if (since is None or change.at > since) and change.at <= at:
                    factor = mul(factor, change.ratio)
            return mul(shares, factor)

        value = ZERO if base is None else scaled(base.shares, start)
        for m in self.movements:
            if (start is None or m.at > start) and m.at <= at:
                value += scaled(m.shares, m.at)
        return value


class Ownership:
    """Holdings per holder and shares outstanding, as timelines."""

    def __init__(self) -> None:
        self.holdings: dict[str, Series] = {}
        self.outstanding = Series()
        self.changes: list[ShareChangeAt] = []

    def holding(self, holder: str, at: datetime, shares: Decimal, source: str) -> None:
        insort(self.holdings.setdefault(holder, Series()).snapshots, Snapshot(at, shares, source))

    def shares_outstanding(self, at: datetime, shares: Decimal, source: str) -> None:
        insort(self.outstanding.snapshots, Snapshot(at, shares, source))

    def share_change(self, at: datetime, ratio: Decimal, cause_id: str) -> None:
        """A split or stock dividend (`cause_id` its id) scales every count from `at`."""
        if any(c.cause_id == cause_id for c in self.changes):
            raise RecordError(f"id: share change {cause_id!r} is already recorded")
        insort(self.changes, ShareChangeAt(at, ratio, cause_id))

    def share_factor(self, since: datetime, until: datetime) -> tuple[Decimal, str]:
        """new/old of the share changes made after `since`, up to `until`, with the text.

        Shares a holder was deemed to own at `since` (2(d)) are that many times as many at
        `until`; so are warrant shares under 4(b)."""
        factor, texts = ONE, []
        for change in self.changes:
            if since < change.at <= until:
                factor = mul(factor, change.ratio)
                texts.append(f"x {show(change.ratio)} for {change.cause_id} "
                             f"({change.at.isoformat()})")
        return factor, " ".join(texts)

    def remove_share_change(self, cause_id: str) -> None:
        """Undo the share change of `cause_id` (a rescinded dividend, 4(g)(iv)); none: no-op."""
        self.changes = [c for c in self.changes if c.cause_id != cause_id]

    def issued(self, holder: str, at: datetime, shares: Decimal, source: str) -> None:
        """Shares issued on exercise: the holder's and the outstanding both grow."""
        insort(self.holdings.setdefault(holder, Series()).movements, Movement(at, shares, source))
        insort(self.outstanding.movements, Movement(at, shares, source))

    def owned(self, holder: str, at: datetime) -> Decimal:
        """The holder's shares at `at`; a holder never reported owns none."""
        series = self.holdings.get(holder)
        value = None if series is None else series.value_at(at, self.changes)
        return ZERO if value is None else value

    def outstanding_at(self, at: datetime) -> Decimal | None:
        return self.outstanding.value_at(at, self.changes)

    def holders(self) -> list[str]:
        return sorted(self.holdings)
