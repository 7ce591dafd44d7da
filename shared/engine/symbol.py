"""One symbol's engine: event time, the Trading Day calendar, prices and the warrants.

Event time is the latest instant seen (a `tick`, or any record that carries an instant);
a daily bar counts as published just after its date's close. Whatever becomes due when event
time passes an instant (a date's closing price, a settlement waiting for its PSMV, a delivery
deadline) is emitted then, in instant order.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.calendar import TradingCalendar
from shared.calendar.exchange import RANGE_END, RANGE_START
from shared.engine.basis import on_terms_basis
from shared.engine.dispatch import DISPATCH
from shared.engine.exercises import ExerciseDesk, run_due
from shared.engine.market import MarketBook
from shared.engine.ownership import Ownership, ShareChangeAt
from shared.engine.warrants import WarrantDesk
from shared.errors import CalendarRangeError, EngineFault, RecordError
from shared.events.codec import dead_letter, encode
from shared.events.dates import outside_tables, time_field
from shared.events.escaping import shown
from shared.events.inputs import (
    Amendment,
    Appraisal,
    BuyIn,
    CorporateAction,
    DailyBar,
    DefaultNotice,
    Delivery,
    DividendAbandoned,
    Exercise,
    Form4,
    Halt,
    Holding,
    InputRecord,
    Issuance,
    Listing,
    Quote,
    SharesOutstanding,
    StockDividend,
    StockSplit,
    Tick,
    WaiverNotice,
    WarrantIssued,
    WarrantTransferred,
)
from shared.events.outputs import (
    DerivedHolding,
    LateIssuerNotice,
    OutputRecord,
    UnmatchedReportingOwner,
    output_id,
)
from shared.market_value import ShareChange
from shared.notices import section9_check
from shared.numbers import div
from shared.terms import Terms
from shared.warrant.amendments import section10_problem

Handler = Callable[[Any], list[OutputRecord]]
# Record types whose handler changes no queue of what falls due but the market's pending
# dates, which `_quote` keeps the next due instant up to date with (`SymbolEngine._due`).
_DUE_KEPT = frozenset({"quote", "tick"})


def _earliest(times: Iterable[datetime | None]) -> datetime | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


class SymbolEngine:
    """The state of everything watched for one symbol, advanced one record at a time.

    A symbol may have several warrant series (docs/terms-format.md "Several series"): one
    market, one calendar, one event time and one ownership book for the stock; per series its
    terms, its warrant desk and its exercise desk (`desks`, `exercise_desks`, in the order
    the terms were given; `desk` and `exercises` are the first series'). `terms` are the
    first series' terms, which agree with the others' on every symbol-wide key."""

    def __init__(self, terms: Terms | tuple[Terms, ...],
                 calendar: TradingCalendar | None = None) -> None:
        self.all_terms: tuple[Terms, ...] = terms if isinstance(terms, tuple) else (terms,)
        terms = self.all_terms[0]
        self.terms = terms
        # an immutable value: a copy of the engine (shared/engine/snapshot.py) passes its own
        self.calendar = TradingCalendar(terms) if calendar is None else calendar
        self.now: datetime | None = None
        self.market = MarketBook(terms)
        # when each split or stock dividend moves the warrant's terms (4(b), 4(g)(ii)): the
        # basis an exercise's B is restated on (shared/engine/basis.py)
        self.terms_changes: list[ShareChangeAt] = []
        # the series of each warrant id on a register (docs/decisions.md "Several series")
        self.warrant_series: dict[str, str] = {}
        self.desks: dict[str, WarrantDesk] = {}
        self.exercise_desks: dict[str, ExerciseDesk] = {}
        ownership = Ownership()  # one per symbol, whatever the series
        several = len(self.all_terms) > 1
        for series_terms in self.all_terms:
            desk = WarrantDesk(series_terms, self.market_value, section10_problem)
            desk.several = several
            self.desks[series_terms.series] = desk
            self.exercise_desks[series_terms.series] = ExerciseDesk(
                series_terms, desk, self.current_calendar, self.exercise_market_value,
                ownership)
        peers = tuple(self.exercise_desks.values())
        for exercise_desk in peers:
            exercise_desk.peers = peers
        self.desk = next(iter(self.desks.values()))
        self.exercises = peers[0]
        # de-duplication (docs/operations.md "Duplicates"): ids of the few records that are
        # kept for good, per topic; quotes, daily bars and ticks only in `recent`, per date,
        # while a repeat could still change something (until event time is past the date and
        # the date's value is published)
        self.seen: dict[str, set[str]] = {}
        self.recent: dict[date, dict[str, set[str]]] = {}
        # derived, not state (rebuilt when unknown; shared/engine/snapshot.py WIRING_FIELDS):
        # `_due` is the earliest instant at which anything falls due (a pending date's close,
        # a scheduled corporate action, a settlement, deadline or waiver), None for nothing,
        # while `_due_known`; a record that falls before it moves event time and nothing else
        self._due_known = False
        self._due: datetime | None = None
        self._date_at: datetime | None = None  # the instant `_date` is the local date of
        self._date: date = date.min
        self._swept_on: date | None = None  # event time's date when old ids were last dropped
        # what each record type does: shared/engine/dispatch.py
        self._handlers: dict[str, Handler] = {
            kind: getattr(self, entry.handler) for kind, entry in DISPATCH.items()}

    # --- entry -----------------------------------------------------------------------------

    def process(self, topic: str, record: InputRecord,
                raw: str | bytes | None = None) -> list[OutputRecord]:
        """Advance event time to the record's instant, then apply it.

        A record refused by the contract rules (RecordError) still moved event time, so what
        fell due is kept and the refusal is appended as a dead letter; a duplicate or a date
        or instant outside the Trading Day tables (any field, read in the terms' zone) raises
        RecordError before anything changes. A failure while event time advances raises
        EngineFault: the caller (shared.engine.engine) puts the state back.
        """
        kind: str = record.type
        if kind == "quote":
            return self._process_quote(topic, record, raw)  # type: ignore[arg-type]
        return self._process(topic, record, raw, kind)

    def _process(self, topic: str, record: InputRecord, raw: str | bytes | None,
                 kind: str) -> list[OutputRecord]:
        problem = outside_tables(record, self.terms.zone)
        if problem is not None:
            raise RecordError(problem)
        window = self._window_day(record)
        if self._seen_before(topic, record.id):
            raise RecordError(f"id: duplicate id {shown(record.id)} on topic {topic!r}: "
                              "already applied once")
        handler = self._handlers.get(kind)
        if handler is None:
            raise RecordError(f"record type {kind!r} is not handled yet by this engine")
        out: list[OutputRecord] = []
        instant = self._instant_of(record)
        if instant is not None and (self.now is None or instant > self.now):
            try:
                out.extend(self._advance(instant))
            except RecordError as exc:
                raise EngineFault(f"{time_field(record)}: event time could not reach "
                                  f"{instant.isoformat()}: {exc}") from exc
        kept = kind in _DUE_KEPT
        if not kept:
            self._due_known = False
        try:
            out.extend(handler(record))
        except RecordError as exc:
            out.append(dead_letter(topic, raw if raw is not None else encode(record), str(exc),
                                   self.terms.symbol))
            return out
        finally:
            if not kept:  # the handler may have changed what falls due, and when
                self._due_known = False
        if window is None:
            self.seen.setdefault(topic, set()).add(record.id)
        else:
            self.recent.setdefault(window, {}).setdefault(topic, set()).add(record.id)
            self._forget_old_ids()  # a record of a date event time has left is not kept
        return out

    def _process_quote(self, topic: str, q: Quote,
                       raw: str | bytes | None) -> list[OutputRecord]:
        """`process` for a quote, nearly every input (docs/operations.md "Throughput"): the
        same steps, the quote's date in the terms' zone worked out once (its one date field:
        tests/engine/test_engine_next_due.py). An instant outside the Trading Day tables goes
        the general way, which names it."""
        at = q.at
        try:
            day = at.astimezone(self.terms.zone).date()
        except (OverflowError, ValueError):
            return self._process(topic, q, raw, "quote")
        if not RANGE_START <= day <= RANGE_END:
            return self._process(topic, q, raw, "quote")
        self._date_at, self._date = at, day  # `_local_date`
        rid = q.id
        ids = self.seen.get(topic)
        duplicate = ids is not None and rid in ids  # `_seen_before`
        if not duplicate:
            for kept in self.recent.values():
                ids = kept.get(topic)
                if ids is not None and rid in ids:
                    duplicate = True
                    break
        if duplicate:
            raise RecordError(f"id: duplicate id {shown(rid)} on topic {topic!r}: "
                              "already applied once")
        out: list[OutputRecord] = []
        now = self.now
        if now is None or at > now:
            due = self._due
            if self._due_known and (due is None or at < due):
                # `_advance` when nothing can fall due; event time's date is `day`
                self.now = at
                if self.recent and day != self._swept_on:
                    self._forget_old_ids()
            else:
                try:
                    out = self._advance(at)
                except RecordError as exc:
                    raise EngineFault(f"{time_field(q)}: event time could not reach "
                                      f"{at.isoformat()}: {exc}") from exc
        try:
            self._quote(q)
        except RecordError as exc:
            out.append(dead_letter(topic, raw if raw is not None else encode(q), str(exc),
                                   self.terms.symbol))
            return out
        recent = self.recent
        by_topic = recent.get(day)
        if by_topic is None:
            by_topic = recent[day] = {}
        ids = by_topic.get(topic)
        if ids is None:
            ids = by_topic[topic] = set()
        ids.add(rid)
        # `_forget_old_ids`: every other date of `recent` was judged when event time or the
        # pending dates last changed, so only this one can be due to go (not when the quote
        # is event time: its date is event time's)
        if (self.now is not at and day < self._local_today()
                and day not in self.market.pending):
            del recent[day]
        return out

    def _local_today(self) -> date:
        """The date of event time in the terms' zone (event time must be known)."""
        assert self.now is not None
        return self._local_date(self.now)

    def _local_date(self, instant: datetime) -> date:
        """The date of `instant` in the terms' zone; the last one asked is remembered (a
        quote's date is asked for by its dedupe window, event time and its market date)."""
        if instant is not self._date_at:
            self._date = instant.astimezone(self.terms.zone).date()
            self._date_at = instant
        return self._date

    def _window_day(self, record: InputRecord) -> date | None:
        """The date a quote, daily bar or tick speaks of; None for the records whose ids are
        kept for good (corporate actions, registry, exercises, notices, holdings: few)."""
        field = DISPATCH[record.type].window
        if field is None:
            return None
        value = getattr(record, field)
        return value.astimezone(self.terms.zone).date() if isinstance(value, datetime) else value

    def _seen_before(self, topic: str, record_id: str) -> bool:
        ids = self.seen.get(topic)
        if ids is not None and record_id in ids:
            return True
        for by_topic in self.recent.values():
            ids = by_topic.get(topic)
            if ids is not None and record_id in ids:
                return True
        return False

    def _forget_old_ids(self) -> None:
        """Drop the ids of dates before event time's date whose value is published (or that
        have none to publish): a repeat of such a quote or daily bar is refused as late
        (the value is published) or changes nothing (not a Trading Day, after the close),
        and a repeated tick never moves event time back."""
        if self.now is None:
            return
        today = self._local_today()
        pending = self.market.pending
        for day in [d for d in self.recent if d < today and d not in pending]:
            del self.recent[day]
        self._swept_on = today

    def _instant_of(self, record: InputRecord) -> datetime | None:
        if isinstance(record, DailyBar):
            # a daily bar speaks of its date's close: event time reaches that close (and the
            # date's value is published once a later event passes it)
            try:
                if self.calendar.is_trading_day(record.date):
                    return self.calendar.close_time(record.date)
            except CalendarRangeError as exc:
                raise RecordError(f"date: {exc}") from None
            return None
        return record.instant()

    def _advance(self, instant: datetime) -> list[OutputRecord]:
        """Event time moves to `instant`: emit what fell due, in the order it fell due.

        A date's close is due once event time passes it; a scheduled corporate action once
        event time reaches its instant (close of business). Before the next due instant
        (`_due`) nothing can fall due, and nothing is looked at.
        """
        due = self._due
        fell = not self._due_known or (due is not None and instant >= due)
        out = self._fall_due(instant) if fell else []
        self.now = instant
        if self.recent and (fell or self._local_today() != self._swept_on):
            # dates drop out only when event time's date moves on or a pending date's value
            # is published (in `_fall_due`)
            self._forget_old_ids()
        return out

    def _fall_due(self, instant: datetime) -> list[OutputRecord]:
        """What falls due by `instant`, in instant order; then the next due instant after."""
        self._due_known = False
        out: list[OutputRecord] = []
        desks = tuple(self.desks.values())
        exercise_desks = tuple(self.exercise_desks.values())
        while True:
            close = self.market.next_close(self.calendar)
            action = _earliest(d.next_scheduled() for d in desks)
            due = _earliest(d.next_due() for d in exercise_desks)
            if close is not None and close < instant and all(
                    t is None or close <= t for t in (action, due)):
                self.now = close
                out.extend(self.market.publish_due(close, self.calendar, inclusive=True))
            elif action is not None and action <= instant and (due is None or action <= due):
                self.now = action
                for desk in desks:  # each series in turn, in the order of its terms
                    out.extend(desk.advance(action))
            elif due is not None and due <= instant:
                self.now = due
                out.extend(run_due(exercise_desks, due, instant))
            else:
                break
        self._due = _earliest((close, action, due))
        self._due_known = True
        return out

    def next_due_instant(self) -> datetime | None:
        """The earliest instant at which anything falls due, worked out from the queues
        (what `_due` keeps while `_due_known`)."""
        return _earliest((self.market.next_close(self.calendar),
                          _earliest(d.next_scheduled() for d in self.desks.values()),
                          _earliest(d.next_due() for d in self.exercise_desks.values())))

    # --- quotes and market facts -----------------------------------------------------------

    def _quote(self, q: Quote) -> list[OutputRecord]:
        calendar = self.calendar
        at = q.at
        day = self._date if at is self._date_at else self._local_date(at)
        # event time is the latest instant seen and every price recorded is at or before it:
        # a quote that is event time (it moved it there) is at or after all of them
        close = self.market.quote(q, calendar, day, newest=at is self.now)
        if close is not None and self._due_known:  # a date newly pending: its close is due
            due = self._due
            if due is None or close < due:
                self._due = close
        if (self.terms.count_only_observed_trading and q.volume and q.volume > 0
                and day not in calendar.observed_trading):  # else the calendar stands
            self.calendar = calendar.with_observed_trading(day)
            self._due_known = False
        return []

    def _daily_bar(self, bar: DailyBar) -> list[OutputRecord]:
        self.market.daily_bar(bar, self.calendar)
        if self.terms.count_only_observed_trading and bar.volume and bar.volume > 0:
            self.calendar = self.calendar.with_observed_trading(bar.date)
        return []

    def _listing(self, listing: Listing) -> list[OutputRecord]:
        self.calendar = self.calendar.with_listing(listing.effective, listing.venue)
        return []

    def _halt(self, halt: Halt) -> list[OutputRecord]:
        self.calendar = self.calendar.with_halt(halt.date)
        return []

    def _appraisal(self, appraisal: Appraisal) -> list[OutputRecord]:
        return self.market.appraisal(appraisal, self.calendar)

    def _tick(self, tick: Tick) -> list[OutputRecord]:
        return []

    # --- warrants: Sections 4, 5, 10 ---------------------------------------------------------

    def _warrant_action(self, action: CorporateAction) -> list[OutputRecord]:
        if isinstance(action, StockSplit | StockDividend):
            self._share_change(action)
        elif isinstance(action, DividendAbandoned):
            if self.desk.abandonment_refusal(action, self.now) is None:
                self._undo_share_change(action.dividend_id)  # 4(g)(iv): rescinded with it
        elif isinstance(action, Issuance):
            self.exercises.ownership.shares_outstanding(
                self.desk.close_of_business(action.date), action.outstanding_before + action.shares,
                action.id)
        if isinstance(action, Amendment):
            out = self._series_of(action.series, "amendment").corporate_action(action, self.now)
            return [*self._section9(action), *out]
        out = []
        for n, desk in enumerate(self.desks.values()):  # 4: every series of the stock
            try:
                out.extend(desk.corporate_action(action, self.now))
            except RecordError as exc:
                if n == 0:
                    raise  # refused before anything changed
                # an earlier series already took it: the boundary puts the state back
                raise EngineFault(f"series {desk.terms.series}: {exc}") from exc
        return [*self._section9(action), *out]

    def _share_change(self, action: StockSplit | StockDividend) -> None:
        """The facts a 4(b) share change derives outside the warrant timeline, under its id:
        older prices for Section 8, and the Section 7 counts (docs/decisions.md).

        A split's prices are on the new basis from its effective date; a stock dividend's
        from the day after its record date (the warrant's terms move at that close), and the
        holder's and the outstanding counts grow when the dividend shares are issued, at
        close of business on the payment date. The warrant's terms move at close of business
        on the split's effective date or the dividend's record date (`terms_changes`)."""
        own = self.exercises.ownership
        if isinstance(action, StockSplit):
            ratio = div(action.new, action.old)
            terms_at = self.desk.close_of_business(action.effective)
            own.share_change(terms_at, ratio, action.id)
            self.market.share_change(ShareChange(action.effective, div(action.old, action.new),
                                                 action.id))
        else:
            ratio = 1 + action.rate
            terms_at = self.desk.close_of_business(action.record_date)
            own.share_change(self.desk.close_of_business(action.payment_date), ratio,
                             action.id)
            self.market.share_change(ShareChange(action.record_date + timedelta(days=1),
                                                 div(Decimal(1), ratio), action.id))
        insort(self.terms_changes, ShareChangeAt(terms_at, ratio, action.id))

    def _undo_share_change(self, cause_id: str) -> None:
        """Everything `_share_change` derived from `cause_id`, taken out together."""
        self.market.history.remove_change(cause_id)
        self.exercises.ownership.remove_share_change(cause_id)
        self.terms_changes = [c for c in self.terms_changes if c.cause_id != cause_id]

    def _section9(self, action: CorporateAction) -> list[OutputRecord]:
        """Section 9: notice of a record or effective date due 20 days before it."""
        if action.announced_at is None:
            return []  # the feed does not say when notice was given: nothing to judge
        field = DISPATCH[action.type].notice_date
        if field is None:
            return []
        day = getattr(action, field)
        check = section9_check(day, action.announced_at, self.terms)
        if not check.late:
            return []
        return [LateIssuerNotice(
            id=output_id("late_issuer_notice", action.id), symbol=self.terms.symbol,
            cause_id=action.id, required_by=check.required_by,
            announced_at=action.announced_at, days_short=check.days_short,
        )]

    # --- exercises, deliveries, holder notices: Sections 2, 6, 7, 12 --------------------------

    def _exercise(self, rec: Exercise) -> list[OutputRecord]:
        assert self.now is not None
        return self._desk_of_warrant(rec.warrant).exercise(rec, self.now)

    def _delivery(self, rec: Delivery) -> list[OutputRecord]:
        return self._desk_of_exercise(rec.exercise_id).delivery(rec)

    def _waiver(self, rec: WaiverNotice) -> list[OutputRecord]:
        return self._desk_of_warrant(rec.warrant).waiver(rec)

    def _default_notice(self, rec: DefaultNotice) -> list[OutputRecord]:
        return self._desk_of_exercise(rec.exercise_id).default_notice(rec)

    def _buy_in(self, rec: BuyIn) -> list[OutputRecord]:
        return self._desk_of_exercise(rec.exercise_id).buy_in(rec)

    # --- which series a record goes to (docs/decisions.md "Several series") ----------------

    def _series_of(self, series: str | None, what: str) -> WarrantDesk:
        """The warrant desk of the series a record names; with one series it may name none."""
        if series is None:
            if len(self.desks) == 1:
                return self.desk
            raise RecordError(f"series: {what} must name its series: symbol "
                              f"{self.terms.symbol} has several ({', '.join(self.desks)})")
        desk = self.desks.get(series)
        if desk is None:
            raise RecordError(f"series: unknown series {shown(series)} of symbol "
                              f"{self.terms.symbol} (known: {', '.join(self.desks)})")
        return desk

    def _desk_of_warrant(self, warrant: str) -> ExerciseDesk:
        """The exercise desk of the series `warrant` was issued in; a warrant on no register
        goes to the first series, which refuses it as it would with one series."""
        return self.exercise_desks[self.warrant_series.get(warrant, self.terms.series)]

    def _desk_of_exercise(self, exercise_id: str) -> ExerciseDesk:
        """The exercise desk that holds exercise `exercise_id` (else the first series')."""
        for desk in self.exercise_desks.values():
            if exercise_id in desk.open:
                return desk
        return self.exercises

    def _holding(self, rec: Holding) -> list[OutputRecord]:
        self.exercises.ownership.holding(rec.holder, rec.as_of, rec.shares, rec.id)
        return self.exercises.headroom(rec.holder, rec.as_of, rec.id)

    def _form4(self, rec: Form4) -> list[OutputRecord]:
        """A Form 4's Table I lines become holdings (docs/contract.md "Ownership input")."""
        from shared.ownership_input import holdings_from_form4

        report = holdings_from_form4(rec, zone=self.terms.zone,
                                     close_of_business=self.terms.close_of_business)
        out: list[OutputRecord] = []
        self.exercises.reporting_owners.update(report.owners)
        holders = {w.holder for desk in self.desks.values()
                   for w in desk.timeline.current.warrants.values()}
        for owner in report.owners:
            if owner not in holders:
                out.append(UnmatchedReportingOwner(
                    id=output_id("unmatched_reporting_owner", rec.id, owner),
                    symbol=self.terms.symbol, cause_id=rec.id, holder=owner,
                    reason=f"Form 4 {rec.id}: reporting owner CIK {owner} is the holder of no "
                           f"warrant of {self.terms.symbol}; its holding counts toward no "
                           "warrant's Section 7 cap until a warrant is registered to that id"))
        for h in report.holdings:
            if self.now is None or h.as_of > self.now:
                out.extend(self._advance(h.as_of))
            out.append(DerivedHolding(id=h.id, symbol=self.terms.symbol, holder=h.holder,
                                      as_of=h.as_of, shares=h.shares))
            out.extend(self._holding(h))
        return out

    def _shares_outstanding(self, rec: SharesOutstanding) -> list[OutputRecord]:
        self.exercises.ownership.shares_outstanding(rec.as_of, rec.shares, rec.id)
        out: list[OutputRecord] = []
        for holder in self.exercises.holders(rec.as_of):
            out.extend(self.exercises.headroom(holder, rec.as_of, rec.id))
        return out

    def _registry(self, record: WarrantIssued | WarrantTransferred) -> list[OutputRecord]:
        """A warrant belongs to one series: `warrant_issued` names it (it may not when the
        symbol has one series); a transfer's new warrant is of the series of the old one."""
        if isinstance(record, WarrantIssued):
            desk = self._series_of(record.series, "warrant_issued")
            new = record.warrant
        else:
            desk = self.desks[self.warrant_series.get(record.warrant, self.terms.series)]
            new = record.new_warrant
        other = self.warrant_series.get(new)
        if other is not None and other != desk.terms.series:
            raise RecordError(f"warrant: {shown(new)} is already a warrant of series {other} "
                              f"of {self.terms.symbol}; a warrant belongs to one series")
        out = desk.registry(record, self.now)
        self.warrant_series[new] = desk.terms.series
        return out

    def current_calendar(self) -> TradingCalendar:
        """The calendar as it stands (a bound method, not a closure: a deep copy of the
        engine must read its own calendar)."""
        return self.calendar

    def market_value(self, day: date) -> Decimal:
        """Section 8 PSMV of `day` from what is known now (MarketValueUnavailable if none)."""
        return self.market.value_of(day, self.calendar).value

    def exercise_market_value(self, day: date, at: datetime) -> tuple[Decimal, str]:
        """B for an exercise effective at `at` on `day`: the PSMV of `day` on the basis of
        the terms in force at `at` (shared/engine/basis.py), with its calculation."""
        return on_terms_basis(self.market_value(day), day, at, self.market.history.changes,
                              self.terms_changes)


    # --- queries used by the other parts ---------------------------------------------------
