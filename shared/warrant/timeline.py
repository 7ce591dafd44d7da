"""The warrant events of one symbol in the order they take effect, and their fold.

Entries are ordered by (instant, rank, id): an adjustment "is deemed to have occurred at the
close of business on the date of its occurrence" (4(g)(ii)), so corporate actions sit at 17:00
eastern of their date and rank before an exercise effective at the same instant; among them a
4(b) split or stock dividend comes first, because the market prices of its effective date (the
PSMV a 4(c) of the same date uses) are already post-split. The order is
independent of arrival order. An entry whose instant event time has not reached waits; one
that arrives late is folded in its place and everything after it is re-folded. Each change
reports the notices that disappeared and those that appeared, so the engine can publish
rescissions and reissues rather than silently changing history.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.errors import RecordError
from shared.numbers import div, mul
from shared.warrant.fold import Context, Fact, Notice, apply
from shared.warrant.state import Book

RANK_SHARE_CHANGE = 0       # 4(b): the market prices of its date are already post-split
RANK_CORPORATE_ACTION = 1
RANK_REGISTRY = 2
RANK_EXERCISE = 3
RANK_RESTORE = 4


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    rank: int
    key: str
    fact: Fact

    @property
    def order(self) -> tuple[datetime, int, str]:
        return (self.at, self.rank, self.key)

    def __lt__(self, other: Entry) -> bool:
        return self.order < other.order


@dataclass(frozen=True, slots=True)
class Change:
    """What one change to the timeline did to the published notices."""

    withdrawn: tuple[Notice, ...] = ()
    added: tuple[Notice, ...] = ()


class Timeline:
    """Applied entries with the book after each, and scheduled (future) entries."""

    def __init__(self, initial: Book, ctx: Context) -> None:
        self.initial = initial
        self.ctx = ctx
        self.entries: list[Entry] = []
        self.books: list[Book] = []
        self.notices: list[tuple[Notice, ...]] = []
        self.scheduled: list[Entry] = []

    @property
    def current(self) -> Book:
        return self.books[-1] if self.books else self.initial

    def least_remaining_after(self, instant: datetime, warrant: str) -> Decimal | None:
        """The fewest warrant shares `warrant` has left at any point after `instant`, in the
        share units in force at `instant` (4(b) ratios since then undone): the most an
        exercise effective at `instant` can still take without undoing a later one."""
        base = self.book_at(instant).floor_factor
        i = bisect_right([e.at for e in self.entries], instant)
        least: Decimal | None = None
        for book in self.books[i:]:
            w = book.warrants.get(warrant)
            if w is None:
                continue
            shares = div(mul(w.shares, book.floor_factor), base)
            least = shares if least is None else min(least, shares)
        return least

    def book_at(self, instant: datetime) -> Book:
        """The book after every applied entry effective at or before `instant`."""
        i = bisect_right([e.at for e in self.entries], instant)
        return self.books[i - 1] if i else self.initial

    def _step(self, book: Book, entry: Entry) -> tuple[Book, tuple[Notice, ...]]:
        new_book, notices = apply(book, entry.fact, entry.at, self.ctx)
        return new_book, tuple(notices)

    def add(self, entry: Entry, now: datetime | None) -> Change:
        """Add an entry: scheduled if its instant is still ahead of event time."""
        if now is not None and entry.at > now:
            insort(self.scheduled, entry)
            return Change()
        return self._apply(entry)

    def _apply(self, entry: Entry) -> Change:
        pos = bisect_right(self.entries, entry)
        if pos == len(self.entries):
            book, notices = self._step(self.current, entry)  # RecordError: not added
            self.entries.append(entry)
            self.books.append(book)
            self.notices.append(notices)
            return Change(added=notices)
        before = self.books[pos - 1] if pos else self.initial
        self._step(before, entry)  # refuse a bad entry before touching history
        self.entries.insert(pos, entry)
        return self._refold(pos, previous_from=pos)

    def advance(self, now: datetime) -> Change:
        """Event time reached `now`: apply the scheduled entries that are due, in order."""
        added: list[Notice] = []
        while self.scheduled and self.scheduled[0].at <= now:
            entry = self.scheduled.pop(0)
            try:
                added.extend(self._apply(entry).added)
            except RecordError:
                continue  # a scheduled entry that no longer fits (e.g. its warrant is gone)
        return Change(added=tuple(added))

    def remove(self, key: str) -> Change:
        """Take an entry out (an abandoned dividend, 4(g)(iv)) and re-fold after it."""
        for i, entry in enumerate(self.scheduled):
            if entry.key == key:
                del self.scheduled[i]
                return Change()
        for pos, entry in enumerate(self.entries):
            if entry.key == key:
                del self.entries[pos]
                withdrawn = tuple(n for ns in self.notices[pos:] for n in ns)
                del self.books[pos:]
                del self.notices[pos:]
                change = self._refold_tail(pos)
                return Change(withdrawn=withdrawn, added=change)
        raise RecordError(f"no event {key!r} to remove")

    def refold_from_key(self, key: str) -> Change:
        """Re-fold from an entry whose meaning changed (equivalents expired or repriced)."""
        for pos, entry in enumerate(self.entries):
            if entry.key == key:
                return self._refold(pos, previous_from=pos)
        return Change()

    def _refold(self, pos: int, previous_from: int) -> Change:
        withdrawn = tuple(n for ns in self.notices[previous_from:] for n in ns)
        del self.books[pos:]
        del self.notices[pos:]
        return Change(withdrawn=withdrawn, added=self._refold_tail(pos))

    def _refold_tail(self, pos: int) -> tuple[Notice, ...]:
        book = self.books[pos - 1] if pos else self.initial
        added: list[Notice] = []
        kept: list[Entry] = self.entries[:pos]
        for entry in self.entries[pos:]:
            try:
                book, notices = self._step(book, entry)
            except RecordError:
                continue  # an entry that no longer fits after the correction is dropped
            kept.append(entry)
            self.books.append(book)
            self.notices.append(notices)
            added.extend(notices)
        self.entries = kept
        return tuple(added)
