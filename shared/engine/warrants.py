"""Corporate actions and registry events in, Section 5 notices out (Sections 4, 5, 9, 10).

The `WarrantDesk` keeps the symbol's warrant timeline (`shared.warrant.timeline`) and turns
every change to it into records: a new notice is published once; a notice that a correction
changed is rescinded (`adjustment_rescinded`) and reissued with a revision number in its id;
one that no longer holds is rescinded. Ids derive from the causing event, so a replay yields
the same ids.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from shared.errors import MarketValueUnavailable, RecordError
from shared.events.inputs import (
    Amendment,
    CorporateAction,
    DividendAbandoned,
    EquivalentsExpired,
    EquivalentsIssued,
    EquivalentsRepriced,
    StockDividend,
    StockSplit,
    WarrantIssued,
    WarrantTransferred,
)
from shared.events.outputs import (
    Adjustment,
    AdjustmentDeferred,
    AdjustmentNotRequired,
    AdjustmentRejected,
    AdjustmentRescinded,
    AmendmentRefused,
    OutputRecord,
    output_id,
)
from shared.numbers import show, show_price, text_warrant_shares
from shared.terms import Terms
from shared.warrant.fold import Notice, not_required
from shared.warrant.state import Book
from shared.warrant.timeline import (
    RANK_CORPORATE_ACTION,
    RANK_REGISTRY,
    RANK_SHARE_CHANGE,
    Change,
    Entry,
    Timeline,
)


class WarrantDesk:
    """The warrants of one symbol: their timeline and what has been published of it."""

    def __init__(self, terms: Terms, market_value: Callable[[date], Decimal],
                 amendment_problem: Callable[[Amendment, Book, Terms], str | None]) -> None:
        self.terms = terms
        self._market_value = market_value
        self._amendment_problem = amendment_problem
        self.equivalents: dict[str, EquivalentsIssued] = {}
        self.expiries: dict[str, EquivalentsExpired] = {}
        self.repricings: dict[str, EquivalentsRepriced] = {}
        self.dividends: dict[str, StockDividend] = {}
        self.timeline = Timeline(Book(), self)
        self.published: dict[tuple[str, str, str, str], tuple[Notice, int]] = {}
        self.superseding: list[tuple[datetime, str, EquivalentsExpired | EquivalentsRepriced]] = []
        # wiring: True when the symbol has several series, so that the ids of records one
        # cause may give in each series (a rejection, a refusal) name the series
        self.several = False

    # --- the fold's Context -----------------------------------------------------------------

    def market_value(self, day: date) -> Decimal:
        return self._market_value(day)

    def original_issue_value(self) -> Decimal | None:
        if self.terms.original_issue_market_value is not None:
            return self.terms.original_issue_market_value
        try:
            return self._market_value(self.terms.original_issue_date)
        except MarketValueUnavailable:
            return None

    def expiry_of(self, equivalents_id: str) -> EquivalentsExpired | None:
        return self.expiries.get(equivalents_id)

    def repricing_of(self, equivalents_id: str) -> EquivalentsRepriced | None:
        return self.repricings.get(equivalents_id)

    def issued_equivalents(self, equivalents_id: str) -> EquivalentsIssued | None:
        return self.equivalents.get(equivalents_id)

    def amendment_problem(self, amendment: Amendment, book: Book) -> str | None:
        return self._amendment_problem(amendment, book, self.terms)

    # --- events -----------------------------------------------------------------------------

    def close_of_business(self, day: date) -> datetime:
        """4(g)(ii): an event is deemed to occur at the close of business of its date."""
        return datetime.combine(day, self.terms.close_of_business, tzinfo=self.terms.zone)

    def corporate_action(self, action: CorporateAction, now: datetime | None) -> list[OutputRecord]:
        if isinstance(action, DividendAbandoned):
            return self._abandon(action, now)
        if isinstance(action, EquivalentsIssued):
            if action.equivalents_id in self.equivalents:
                raise RecordError(f"equivalents_id: {action.equivalents_id!r} was already issued")
            self.equivalents[action.equivalents_id] = action
        if isinstance(action, EquivalentsExpired | EquivalentsRepriced):
            self._check_supersession(action)
            at = self.close_of_business(action.action_date())
            if now is not None and at > now:  # 4(f) acts when it happens, not when announced
                self.superseding.append((at, action.id, action))
                self.superseding.sort(key=lambda x: (x[0], x[1]))
                return []
            return self._supersede(action, now)
        if isinstance(action, StockDividend):
            self.dividends[action.id] = action
        rank = RANK_SHARE_CHANGE if isinstance(action, StockSplit | StockDividend) \
            else RANK_CORPORATE_ACTION
        entry = Entry(self.close_of_business(action.action_date()), rank, action.id, action)
        return self.publish(self.timeline.add(entry, now))

    def registry(self, record: WarrantIssued | WarrantTransferred,
                 now: datetime | None) -> list[OutputRecord]:
        """Registry events take effect when they arrive (event time), or at the Term's start."""
        at = now or datetime.combine(self.terms.term_starts, datetime.min.time(),
                                     tzinfo=self.terms.zone)
        return self.publish(self.timeline.add(Entry(at, RANK_REGISTRY, record.id, record), now))

    def next_scheduled(self) -> datetime | None:
        times = [self.timeline.scheduled[0].at] if self.timeline.scheduled else []
        if self.superseding:
            times.append(self.superseding[0][0])
        return min(times) if times else None

    def advance(self, now: datetime) -> list[OutputRecord]:
        out: list[OutputRecord] = []
        while self.superseding and self.superseding[0][0] <= now:
            at, _, action = self.superseding.pop(0)
            if self.timeline.scheduled and self.timeline.scheduled[0].at < at:
                out.extend(self.publish(self.timeline.advance(at)))
            out.extend(self._supersede(action, now))
        out.extend(self.publish(self.timeline.advance(now)))
        return out

    def abandonment_refusal(self, action: DividendAbandoned, now: datetime | None) -> str | None:
        """4(g)(iv): why an abandonment cannot rescind its dividend, or None when it does.

        The plan must be abandoned "thereafter and before the dividend": on or before the
        payment date (docs/decisions.md). The day of abandonment is the record's `date`, else
        the date of event time when it arrives. An unknown dividend is a RecordError."""
        dividend = self.dividends.get(action.dividend_id)
        if dividend is None:
            raise RecordError(f"dividend_id: no stock dividend {action.dividend_id!r} is known")
        on = action.date
        if on is None and now is not None:
            on = now.astimezone(self.terms.zone).date()
        if on is None or on <= dividend.payment_date:
            return None
        return (f"4(g)(iv): the plan to pay stock dividend {dividend.id} (record date "
                f"{dividend.record_date.isoformat()}) was abandoned on {on.isoformat()}, after "
                f"the dividend was paid on {dividend.payment_date.isoformat()}; an adjustment "
                "is rescinded only when the plan is abandoned \"thereafter and before the "
                "dividend\", so the 4(b) adjustment stands and the terms are unchanged")

    def _abandon(self, action: DividendAbandoned, now: datetime | None) -> list[OutputRecord]:
        refusal = self.abandonment_refusal(action, now)
        if refusal is not None:
            return [AdjustmentRejected(id=output_id("adjustment_rejected", action.id,
                                                    *self._series_part()),
                                       symbol=self.terms.symbol, series=self.terms.series,
                                       cause_id=action.id, reason=refusal)]
        dividend = self.dividends.pop(action.dividend_id)
        before_record = any(e.key == dividend.id for e in self.timeline.scheduled)
        out = self.publish(self.timeline.remove(action.dividend_id), because=action.id)
        if before_record:  # nothing was adjusted yet: the trace says none is required
            at = self.close_of_business(dividend.record_date)
            out.extend(self._issue(n) for n in not_required(
                self.timeline.current, action.id, "4(g)(iv)", at,
                f"4(g)(iv): the plan to pay stock dividend {dividend.id} (record date "
                f"{dividend.record_date.isoformat()}) was abandoned before its record date"))
        return out

    def _check_supersession(self, action: EquivalentsExpired | EquivalentsRepriced) -> None:
        issued = self.equivalents.get(action.equivalents_id)
        if issued is None:
            raise RecordError(f"equivalents_id: no equivalents {action.equivalents_id!r} "
                              "were issued")
        if isinstance(action, EquivalentsExpired):
            pending = any(isinstance(a, EquivalentsExpired)
                          and a.equivalents_id == action.equivalents_id
                          for _, _, a in self.superseding)
            if action.equivalents_id in self.expiries or pending:
                raise RecordError(f"equivalents_id: {action.equivalents_id!r} already expired")
            if action.converted_shares > issued.max_shares:
                raise RecordError(f"converted_shares: {show(action.converted_shares)} exceeds "
                                  f"the {show(issued.max_shares)} shares issuable")

    def _supersede(self, action: EquivalentsExpired | EquivalentsRepriced,
                   now: datetime | None) -> list[OutputRecord]:
        """4(f): the earlier 4(e) adjustment is rescinded and recomputed."""
        issued = self.equivalents[action.equivalents_id]
        if isinstance(action, EquivalentsExpired):
            self.expiries[action.equivalents_id] = action
        else:
            self.repricings[action.equivalents_id] = action
        change = self.timeline.refold_from_key(issued.id)
        out = self.publish(change, because=action.id)
        entry = Entry(self.close_of_business(action.action_date()), RANK_CORPORATE_ACTION,
                      action.id, action)
        out.extend(self.publish(self.timeline.add(entry, now)))
        return out

    # --- publishing -------------------------------------------------------------------------

    def publish(self, change: Change, because: str = "") -> list[OutputRecord]:
        """Records for a timeline change: rescissions, reissues and new notices."""
        out: list[OutputRecord] = []
        added = {n.key: n for n in change.added}
        for old in change.withdrawn:
            new = added.get(old.key)
            if new is not None and _same(new, old):
                added.pop(old.key)
                continue
            if old.kind in ("adjustment_rejected", "amendment_refused",
                            "adjustment_not_required"):
                continue  # nothing was adjusted, so nothing is rescinded; a new verdict follows
            out.append(self._rescind(old, new, because))
        for notice in change.added:
            if notice.key in added:
                out.append(self._issue(notice))
        return out

    def _issue(self, notice: Notice) -> OutputRecord:
        previous = self.published.get(notice.key)
        revision = 1 if previous is None else previous[1] + 1
        self.published[notice.key] = (notice, revision)
        return notice_record(notice, revision, self.terms.symbol, self.terms.series,
                             several=self.several)

    def _series_part(self) -> tuple[str, ...]:
        return (self.terms.series,) if self.several else ()

    def _rescind(self, old: Notice, new: Notice | None, because: str) -> OutputRecord:
        _, revision = self.published.get(old.key, (old, 1))
        if new is None:
            self.published.pop(old.key, None)
        book = self.timeline.current
        w = book.warrants.get(old.warrant)
        price = w.price if w is not None else old.price_before
        shares = w.shares if w is not None else old.shares_before
        why = f" because of {because}" if because else " after a correction of earlier events"
        what = "is rescinded and annulled" if new is None else "is rescinded and reissued"
        calc = (f"The {old.kind.replace('_', ' ')} of {old.section} for {old.cause_id} "
                f"(Warrant Price {show_price(old.price_after)}, Warrant Share Number "
                f"{text_warrant_shares(old.shares_after)}) {what}{why}; the terms in force are "
                f"now Warrant Price {show_price(price)} and Warrant Share Number "
                f"{text_warrant_shares(shares)}")
        return AdjustmentRescinded(
            id=output_id("adjustment_rescinded", old.warrant, old.cause_id, old.section,
                         f"r{revision}"),
            symbol=self.terms.symbol, series=self.terms.series, warrant=old.warrant,
            cause_id=old.cause_id, price_after=price, shares_after=shares, calculation=calc,
        )



def notice_record(notice: Notice, revision: int, symbol: str, series: str | None = None, *,
                  several: bool = False) -> OutputRecord:
    """The output record that publishes `notice` (its `revision`-th issue): Section 5.

    `series` names the warrant series it concerns; with `several` series on the symbol, the
    ids of a rejection or refusal (which name no warrant) name the series too."""
    suffix = () if revision == 1 else (f"r{revision}",)
    mark = (series,) if several and series else ()
    if notice.kind == "adjustment_rejected":
        return AdjustmentRejected(id=output_id("adjustment_rejected", notice.cause_id, *mark,
                                               *suffix),
                                  symbol=symbol, series=series, cause_id=notice.cause_id,
                                  reason=notice.calculation)
    if notice.kind == "amendment_refused":
        return AmendmentRefused(id=output_id("amendment_refused", notice.cause_id, *mark,
                                             *suffix),
                                symbol=symbol, series=series, cause_id=notice.cause_id,
                                reason=notice.calculation)
    if notice.kind == "adjustment_not_required":
        return AdjustmentNotRequired(
            id=output_id(notice.kind, notice.warrant, notice.cause_id, notice.section, *suffix),
            symbol=symbol, series=series, warrant=notice.warrant, cause_id=notice.cause_id,
            section=notice.section, effective_at=notice.effective_at,
            warrant_price=notice.price_after, share_number=notice.shares_after,
            reason=notice.calculation)
    model = Adjustment if notice.kind == "adjustment" else AdjustmentDeferred
    return model(
        id=output_id(notice.kind, notice.warrant, notice.cause_id, notice.section, *suffix),
        symbol=symbol, series=series, warrant=notice.warrant, cause_id=notice.cause_id,
        section=notice.section, effective_at=notice.effective_at,
        price_before=notice.price_before, price_after=notice.price_after,
        shares_before=notice.shares_before, shares_after=notice.shares_after,
        calculation=notice.calculation,
    )


def _same(a: Notice, b: Notice) -> bool:
    return (a.price_before, a.price_after, a.shares_before, a.shares_after, a.calculation,
            a.effective_at) == (b.price_before, b.price_after, b.shares_before, b.shares_after,
                                b.calculation, b.effective_at)
