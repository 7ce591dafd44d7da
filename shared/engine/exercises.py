"""Exercise traffic in, settlements, refusals, cap headroom and default alerts out.

Sections 2, 6, 7, 12: an exercise is effective when its form is (Section 12); it is judged
against the terms in force at that instant; it settles once the Per Share Market Value of the
exercise date is known (event time passes that date's close), because the cashless formula
and the cash in lieu both use it. Refusals that need no market value (unknown warrant, wrong
holder, outside the Term) are given at once. Delivery is due by the end of the 3rd Trading
Day after the exercise date (2(d)); when event time passes that without all shares
delivered, an `exercise_default` is raised at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from shared.calendar import TradingCalendar
from shared.cap import (
    Waiver,
    cap_scope,
    check_exercise,
    headroom,
    max_exercise,
    waiver_in_force_from,
)
from shared.delivery import (
    DeliverySchedule,
    buy_in_damages,
    default_check,
    delivery_schedule,
)
from shared.engine.ownership import Ownership
from shared.engine.warrants import WarrantDesk
from shared.errors import (
    ContractInputError,
    EngineFault,
    ExerciseRefusal,
    MarketValueUnavailable,
    RecordError,
)
from shared.events.inputs import BuyIn, DefaultNotice, Delivery, Exercise, WaiverNotice
from shared.events.outputs import (
    BasketLine,
    BuyInDamages,
    CapHeadroom,
    ExerciseDefault,
    ExerciseRefused,
    OutputRecord,
    RefusalReason,
    RightsRestored,
    Settlement,
    output_id,
)
from shared.exercise.refusals import refusal_sentence
from shared.exercise.settlement_math import SettlementFigures, settle_exercise
from shared.notices import notice_effect
from shared.numbers import ZERO, div, mul, round_shares, show, text_warrant_shares
from shared.term import TermStatus, term_status
from shared.terms import Terms
from shared.warrant.fold import ExerciseFact, RestoreFact, make_carried
from shared.warrant.timeline import RANK_EXERCISE, RANK_RESTORE, Entry


class ExerciseStatus(StrEnum):
    """Where an exercise is in its life (Sections 2, 6, 12); `TRANSITIONS` says where next."""

    AWAITING_VALUE = "awaiting_value"        # effective; settles once the PSMV is known
    REFUSED = "refused"
    AWAITING_DELIVERY = "awaiting_delivery"  # settled; shares due by the 2(d) deadline
    DELIVERED = "delivered"                  # every share delivered by the deadline
    IN_DEFAULT = "in_default"                # Exercise Default (2(d))
    RESTORED = "restored"                    # an Exercise Default Notice restored the rights


TRANSITIONS: dict[ExerciseStatus, frozenset[ExerciseStatus]] = {
    ExerciseStatus.AWAITING_VALUE: frozenset({ExerciseStatus.REFUSED,
                                              ExerciseStatus.AWAITING_DELIVERY}),
    ExerciseStatus.AWAITING_DELIVERY: frozenset({ExerciseStatus.DELIVERED,
                                                 ExerciseStatus.IN_DEFAULT}),
    ExerciseStatus.IN_DEFAULT: frozenset({ExerciseStatus.RESTORED}),
    ExerciseStatus.REFUSED: frozenset(),
    ExerciseStatus.DELIVERED: frozenset(),
    ExerciseStatus.RESTORED: frozenset(),
}


@dataclass(slots=True)
class OpenExercise:
    """An exercise from its effective instant to full delivery or restoration."""

    record: Exercise
    effective_at: datetime
    effect_text: str
    exercise_date: date
    settle_after: datetime
    schedule: DeliverySchedule
    status: ExerciseStatus = ExerciseStatus.AWAITING_VALUE
    settled: Settlement | None = None
    shares_due: Decimal = ZERO
    deliveries: list[tuple[datetime, Decimal]] = field(default_factory=list)
    defaulted: ExerciseDefault | None = None

    def delivered_by(self, instant: datetime) -> Decimal:
        return sum((s for at, s in self.deliveries if at < instant), ZERO)

    def move(self, to: ExerciseStatus) -> None:
        """The one way an exercise changes status; a move `TRANSITIONS` does not allow is a
        fault of the engine (EngineFault: the boundary puts the state back)."""
        if to not in TRANSITIONS[self.status]:
            raise EngineFault(f"exercise_id: exercise {self.record.id!r} cannot go from "
                              f"{self.status.value} to {to.value}")
        self.status = to


class ExerciseDesk:
    """Open exercises and waivers of one warrant series; the ownership of its symbol.

    The ownership (Section 7) is the symbol's, shared by the desks of all its series: the cap
    counts every share the holder owns, whichever series it came from (docs/decisions.md
    "Several series"). `peers` are the desks of every series of the symbol, this one among
    them (wiring set by the symbol's engine)."""

    def __init__(self, terms: Terms, warrants: WarrantDesk,
                 calendar: Callable[[], TradingCalendar],
                 market_value: Callable[[date, datetime], tuple[Decimal, str]],
                 ownership: Ownership | None = None) -> None:
        self.terms = terms
        self.warrants = warrants
        self.calendar = calendar
        self.market_value = market_value
        self.ownership = Ownership() if ownership is None else ownership
        self.peers: tuple[ExerciseDesk, ...] = (self,)
        self.open: dict[str, OpenExercise] = {}
        self.watching: dict[str, OpenExercise] = {}  # open ones still waiting on event time
        self.waivers: dict[str, list[Waiver]] = {}
        self.waiver_holders: list[tuple[datetime, str, str]] = []  # (in force from, holder, id)
        self.waiver_used: dict[str, Decimal] = {}  # warrant -> shares exercised under waivers
        self.reporting_owners: set[str] = set()  # Form 4 reporting owners (CIKs)

    # --- helpers ------------------------------------------------------------------------------

    def _terms_now(self) -> Terms:
        """The terms with the expiry a Section 10 amendment may have moved."""
        expiry = self.warrants.timeline.current.expires_at
        return self.terms if expiry is None else replace(self.terms, expires_at=expiry)

    def known_holder(self, holder: str) -> bool:
        """Whether any warrant, holding or Form 4 names `holder` (docs/contract.md: a holder
        the engine has never heard of has no headroom to report)."""
        return holder in self.ownership.holdings or any(
            holder in d.reporting_owners
            or any(w.holder == holder for w in d.warrants.timeline.current.warrants.values())
            for d in self.peers)

    def _refuse(self, rec: Exercise, reason: RefusalReason, detail: str,
                max_shares: Decimal | None = None) -> ExerciseRefused:
        sentence = refusal_sentence(reason, self._terms_now())
        detail = detail[:1].upper() + detail[1:]
        return ExerciseRefused(
            id=output_id("exercise_refused", rec.id), symbol=self.terms.symbol,
            series=self.terms.series, exercise_id=rec.id, warrant=rec.warrant, reason=reason,
            detail=f"{sentence} {detail}".strip(), max_shares=max_shares,
        )

    def _value_known_after(self, day: date) -> datetime:
        """The first instant at which the PSMV of `day` is settled: just past its close (a
        quote stamped at the close still counts), or the start of a day that has no close."""
        cal = self.calendar()
        if cal.is_trading_day(day):
            return cal.close_time(day) + timedelta(microseconds=1)
        return datetime.combine(day, datetime.min.time(), tzinfo=self.terms.zone)

    # --- inputs -------------------------------------------------------------------------------

    def exercise(self, rec: Exercise, now: datetime) -> list[OutputRecord]:
        if rec.id in self.open:
            raise RecordError(f"duplicate exercise id {rec.id!r}")
        cal = self.calendar()
        effect = notice_effect(rec.submitted_at, rec.delivery, cal, self.terms)
        eff = effect.effective_at
        day = eff.astimezone(self.terms.zone).date()
        schedule = delivery_schedule(day, cal, self.terms)
        item = OpenExercise(rec, eff, effect.calculation, day, self._value_known_after(day),
                            schedule)
        self.open[rec.id] = item
        self.watching[rec.id] = item
        book = self.warrants.timeline.current
        w = book.warrants.get(rec.warrant)
        refusal: ExerciseRefused | None = None
        if w is None:
            refusal = self._refuse(rec, RefusalReason.UNKNOWN_WARRANT,
                                   f"Warrant {rec.warrant!r} is not on the register.")
        elif w.holder != rec.holder and not self.known_holder(rec.holder):
            refusal = self._refuse(rec, RefusalReason.UNKNOWN_HOLDER,
                                   f"No warrant, holding or Form 4 of {self.terms.symbol} names "
                                   f"{rec.holder!r}; warrant {rec.warrant} is registered to "
                                   f"{w.holder}.")
        elif w.holder != rec.holder:
            refusal = self._refuse(rec, RefusalReason.WRONG_HOLDER,
                                   f"Warrant {rec.warrant} is registered to {w.holder}, "
                                   f"not {rec.holder}.")
        elif rec.cashless_shares > 0 and not self.terms.cashless_allowed:
            refusal = self._refuse(rec, RefusalReason.CASHLESS_NOT_ALLOWED, "")
        else:
            check = term_status(eff, self._terms_now())
            if check.status is not TermStatus.OK:
                refusal = self._refuse(rec, RefusalReason(check.status.value),
                                       f"{effect.calculation}. {check.calculation}.")
        if refusal is not None:
            item.move(ExerciseStatus.REFUSED)
            return [refusal]
        return []

    def delivery(self, rec: Delivery) -> list[OutputRecord]:
        item = self.open.get(rec.exercise_id)
        if item is None:
            raise RecordError(f"exercise_id: no exercise {rec.exercise_id!r} is known")
        if item.status is ExerciseStatus.REFUSED:
            raise RecordError(f"exercise_id: exercise {rec.exercise_id!r} was refused; "
                              "nothing is due")
        delivered = item.delivered_by(datetime.max.replace(tzinfo=self.terms.zone))
        if item.settled is not None and delivered + rec.shares > item.shares_due:
            raise RecordError(f"shares: {show(delivered + rec.shares)} delivered in all "
                              f"exceeds the {show(item.shares_due)} shares issued")
        item.deliveries.append((rec.delivered_at, rec.shares))
        return []

    def waiver(self, rec: WaiverNotice) -> list[OutputRecord]:
        w = self.warrants.timeline.current.warrants.get(rec.warrant)
        if w is None:
            raise RecordError(f"warrant: unknown warrant {rec.warrant!r}")
        if w.holder != rec.holder:
            raise RecordError(f"holder: warrant {rec.warrant} is registered to {w.holder}")
        effect = notice_effect(rec.submitted_at, rec.delivery, self.calendar(), self.terms)
        waiver = Waiver(effect.effective_at, rec.shares)
        self.waivers.setdefault(rec.warrant, []).append(waiver)
        starts = waiver_in_force_from(effect.effective_at, self.terms)
        self.waiver_holders.append((starts, rec.holder, rec.id))
        self.waiver_holders.sort()
        return []

    def default_notice(self, rec: DefaultNotice) -> list[OutputRecord]:
        item = self.open.get(rec.exercise_id)
        if item is None or item.settled is None:
            raise RecordError(f"exercise_id: no settled exercise {rec.exercise_id!r}")
        if item.status not in (ExerciseStatus.IN_DEFAULT, ExerciseStatus.RESTORED):
            raise RecordError(f"exercise_id: exercise {rec.exercise_id!r} is not in Exercise "
                              f"Default (deadline {item.schedule.deadline.isoformat()})")
        if item.status is ExerciseStatus.RESTORED:
            raise RecordError(f"exercise_id: rights under {rec.exercise_id!r} already restored")
        effect = notice_effect(rec.submitted_at, rec.delivery, self.calendar(), self.terms)
        eff = effect.effective_at
        undelivered = item.shares_due - item.delivered_by(eff)
        if undelivered <= 0:
            raise RecordError(f"exercise_id: every share of {rec.exercise_id!r} was delivered "
                              "before the notice took effect")
        exercised = item.settled.shares_exercised
        # 2(d): the holder was deemed the owner of the shares from the exercise date, so a
        # split since then multiplied them too; the exercised portion regained is carried
        # through the same share changes (4(b)) onto today's basis.
        factor, _ = self.ownership.share_factor(item.effective_at, eff)
        restored = round_shares(mul(div(mul(exercised, undelivered), item.shares_due), factor),
                                self.terms.share_rounding)
        item.move(ExerciseStatus.RESTORED)
        settlement = item.settled
        if settlement.basket is None:  # a 4(a) basket never counted as Common Stock owned
            self.ownership.issued(settlement.holder, eff, -mul(undelivered, factor), rec.id)
        change = self.warrants.timeline.add(
            Entry(eff, RANK_RESTORE, rec.id, RestoreFact(rec.id, settlement.warrant, restored)),
            None)
        out: list[OutputRecord] = [RightsRestored(
            id=output_id("rights_restored", rec.exercise_id), symbol=self.terms.symbol,
            series=self.terms.series, exercise_id=rec.exercise_id, warrant=settlement.warrant,
            shares_restored=restored,
            effective_at=eff,
        )]
        out.extend(self.warrants.publish(change))
        out.extend(self.headroom(settlement.holder, eff, rec.id))
        return out

    def buy_in(self, rec: BuyIn) -> list[OutputRecord]:
        item = self.open.get(rec.exercise_id)
        if item is None or item.defaulted is None:
            raise RecordError(f"exercise_id: exercise {rec.exercise_id!r} is not in Exercise "
                              "Default; buy-in damages arise only from one (2(d))")
        figures = buy_in_damages(rec.paid, rec.net_proceeds)
        return [BuyInDamages(id=output_id("buy_in_damages", rec.id), symbol=self.terms.symbol,
                             series=self.terms.series, exercise_id=rec.exercise_id,
                             amount=figures.amount,
                             calculation=figures.calculation)]

    # --- what falls due -----------------------------------------------------------------------

    @staticmethod
    def _due_at(item: OpenExercise) -> datetime | None:
        """When this exercise next needs event time: its settlement, then its deadline."""
        if item.status is ExerciseStatus.AWAITING_VALUE:
            return item.settle_after
        if item.status is ExerciseStatus.AWAITING_DELIVERY and item.shares_due > 0:
            return item.schedule.deadline
        return None

    def _watched(self) -> list[OpenExercise]:
        """Exercises still waiting on event time; the others leave the watch list for good."""
        for eid in [e for e, i in self.watching.items() if self._due_at(i) is None]:
            del self.watching[eid]
        return list(self.watching.values())

    def next_due(self) -> datetime | None:
        """The earliest instant at which something of this desk falls due (a settlement, a
        delivery deadline, a waiver coming into force), or None; on a tie the first found,
        watched exercises before waivers."""
        best: datetime | None = None
        for item in self.watching.values():
            t = self._due_at(item)
            if t is not None and (best is None or t < best):
                best = t
        if self.waiver_holders:
            starts = self.waiver_holders[0][0]
            if best is None or starts < best:
                best = starts
        return best

    def run_due(self, at: datetime, detected_at: datetime) -> list[OutputRecord]:
        return run_due((self,), at, detected_at)

    def _settle(self, item: OpenExercise) -> list[OutputRecord]:
        rec = item.record
        eff = item.effective_at
        book = self.warrants.timeline.book_at(eff)
        w = book.warrants.get(rec.warrant)
        if w is None:
            item.move(ExerciseStatus.REFUSED)
            return [self._refuse(rec, RefusalReason.UNKNOWN_WARRANT,
                                 f"Warrant {rec.warrant!r} is not on the register.")]
        made, _ = make_carried(w, eff, f"exercise {rec.id}", self.terms)
        b: Decimal | None
        try:
            b, basis_text = self.market_value(item.exercise_date, eff)
            b_text = ""
        except MarketValueUnavailable as exc:
            b, b_text, basis_text = None, str(exc), ""
        try:
            figures = settle_exercise(
                cash_shares=rec.cash_shares, cashless_shares=rec.cashless_shares,
                warrant_price=made.price, market_value=b, share_number=made.shares,
                basket=made.basket or (),
            )
        except ExerciseRefusal as r:
            item.move(ExerciseStatus.REFUSED)
            return [self._refuse(rec, RefusalReason(r.reason), r.detail, r.max_shares)]
        except MarketValueUnavailable as exc:
            item.move(ExerciseStatus.REFUSED)
            return [self._refuse(rec, RefusalReason.NO_MARKET_VALUE, f"{exc} {b_text}".strip())]
        later = self.warrants.timeline.least_remaining_after(eff, rec.warrant)
        if later is not None and figures.shares_exercised > later:
            # received late: exercises effective after it have already taken their shares
            item.move(ExerciseStatus.REFUSED)
            left = round_shares(later, self.terms.share_rounding)
            return [self._refuse(rec, RefusalReason.EXCEEDS_WARRANT,
                                 f"{text_warrant_shares(figures.shares_exercised)} warrant "
                                 f"shares asked, but exercises effective after "
                                 f"{eff.isoformat()} already took theirs: "
                                 f"{text_warrant_shares(left)} remain.", left)]
        cap_text, refusal = self._cap(item, figures, made.basket is not None)
        if refusal is not None:
            item.move(ExerciseStatus.REFUSED)
            return [refusal]
        return self._record_settlement(item, figures, cap_text, basis_text)

    def _cap(self, item: OpenExercise, figures: SettlementFigures,
             basket: bool) -> tuple[str, ExerciseRefused | None]:
        rec = item.record
        eff = item.effective_at
        if basket:
            return ("Section 7 not applied: the exercise delivers the 4(a) successor basket, "
                    "not Common Stock"), None
        scope = cap_scope(eff, self._terms_now(), self.waivers.get(rec.warrant, ()))
        if not scope.applies:
            return scope.calculation, None
        outstanding = self.ownership.outstanding_at(eff)
        if outstanding is None:
            return "", self._refuse(rec, RefusalReason.NO_SHARES_OUTSTANDING,
                                    f"No shares_outstanding report at or before {eff.isoformat()}.")
        owned = self.ownership.owned(rec.holder, eff)
        cap = self.terms.ownership_cap
        # a partial waiver covers its named shares once: what earlier exercises used is gone
        used = self.waiver_used.get(rec.warrant, ZERO)
        waived = max(scope.waived_shares - used, ZERO)
        try:
            check, split = check_exercise(
                owned, outstanding, cap, cash_shares=figures.cash_shares,
                cashless_shares=figures.cashless_shares, warrant_price=figures.warrant_price,
                market_value=figures.market_value, waived=waived)
        except ContractInputError as exc:
            return "", self._refuse(rec, RefusalReason.NO_SHARES_OUTSTANDING, str(exc))
        if check.passes:
            if split.covered > 0:
                self.waiver_used[rec.warrant] = used + split.covered
            return f"{scope.calculation}; {check.calculation}", None
        best = max_exercise(
            owned=owned, outstanding=outstanding, cap=cap, cash_shares=rec.cash_shares,
            cashless_shares=rec.cashless_shares, warrant_price=figures.warrant_price,
            market_value=figures.market_value, available=figures.shares_exercised,
            waived=waived, step=self.terms.share_rounding,
        )
        detail = (f"{check.calculation}. Largest exercise that passes: "
                  f"{text_warrant_shares(best.total)} warrant shares (cash "
                  f"{text_warrant_shares(best.cash_shares)}, cashless "
                  f"{text_warrant_shares(best.cashless_shares)}); {best.calculation}.")
        return "", self._refuse(rec, RefusalReason.CAP, detail, best.total)

    def _record_settlement(self, item: OpenExercise, figures: SettlementFigures,
                           cap_text: str, basis_text: str) -> list[OutputRecord]:
        rec = item.record
        eff = item.effective_at
        basket = tuple(BasketLine(asset=line.asset, per_share=line.per_share, total=line.total)
                       for line in figures.basket) or None
        uses_b = rec.cashless_shares > 0 or figures.fraction > 0
        calculation = "; ".join(t for t in (item.effect_text, basis_text if uses_b else "",
                                            figures.calculation,
                                            item.schedule.calculation, cap_text) if t)
        settlement = Settlement(
            id=output_id("settlement", rec.id), symbol=self.terms.symbol,
            series=self.terms.series, exercise_id=rec.id,
            warrant=rec.warrant, holder=rec.holder, effective_at=eff,
            warrant_price=figures.warrant_price,
            market_value=figures.market_value if rec.cashless_shares > 0 or figures.fraction
            else None,
            shares_exercised=figures.shares_exercised, cash_shares=figures.cash_shares,
            cashless_shares=figures.cashless_shares, shares_issued=figures.shares_issued,
            cash_in_lieu=figures.cash_in_lieu, payment_due=figures.payment_due,
            shares_remaining=figures.shares_remaining, delivery_due=item.schedule.delivery_due,
            basket=basket, calculation=calculation,
        )
        item.settled = settlement
        item.move(ExerciseStatus.AWAITING_DELIVERY)
        item.shares_due = figures.units_delivered  # shares, or the basket units (4(a))
        out: list[OutputRecord] = [settlement]
        change = self.warrants.timeline.add(
            Entry(eff, RANK_EXERCISE, rec.id,
                  ExerciseFact(rec.id, rec.warrant, figures.shares_exercised)), None)
        out.extend(self.warrants.publish(change))
        if basket is None and figures.shares_issued > 0:
            self.ownership.issued(rec.holder, eff, figures.shares_issued, rec.id)
            out.extend(self.headroom(rec.holder, eff, rec.id))
        return out

    def _check_default(self, item: OpenExercise, detected_at: datetime) -> list[OutputRecord]:
        deadline = item.schedule.deadline
        check = default_check(detected_at, deadline, item.shares_due, item.deliveries)
        if not check.in_default:
            item.move(ExerciseStatus.DELIVERED)  # nothing more is watched for it
            return []
        alert = ExerciseDefault(
            id=output_id("exercise_default", item.record.id), symbol=self.terms.symbol,
            series=self.terms.series, exercise_id=item.record.id, warrant=item.record.warrant,
            holder=item.record.holder, delivery_due=item.schedule.delivery_due,
            deadline=deadline, detected_at=detected_at,
            shares_undelivered=check.shares_undelivered,
        )
        item.defaulted = alert
        item.move(ExerciseStatus.IN_DEFAULT)
        return [alert]

    # --- Section 7 monitor --------------------------------------------------------------------

    def headroom(self, holder: str, at: datetime, cause: str) -> list[OutputRecord]:
        """The `cap_headroom` records of `holder` as of `at`, if the shares outstanding are
        known: one; with several series on the symbol, one per series of which the holder
        holds a warrant (each with that series' waivers and expiry), or one of the first
        series if none (docs/decisions.md "Several series")."""
        if len(self.peers) == 1:
            return self.series_headroom(holder, at, cause)
        holding = [d for d in self.peers if any(
            w.holder == holder and w.shares > 0
            for w in d.warrants.timeline.book_at(at).warrants.values())]
        return [r for d in holding or self.peers[:1] for r in d.series_headroom(holder, at, cause)]

    def series_headroom(self, holder: str, at: datetime, cause: str) -> list[OutputRecord]:
        """A `cap_headroom` for `holder` as of `at` under this series' terms."""
        outstanding = self.ownership.outstanding_at(at)
        if outstanding is None:
            return []
        owned = self.ownership.owned(holder, at)
        cap = self.terms.ownership_cap
        try:
            room = headroom(owned, outstanding, cap)
        except ContractInputError:
            return []
        warrants = [w for w in self.warrants.timeline.book_at(at).warrants.values()
                    if w.holder == holder and w.shares > 0]
        terms = self._terms_now()
        scopes = [cap_scope(at, terms, self.waivers.get(w.warrant, ())) for w in warrants]
        if not scopes:
            scopes = [cap_scope(at, terms)]
        waived = all(not s.applies for s in scopes)
        text = room.calculation + "; " + "; ".join(sorted({s.calculation for s in scopes}))
        mark = (self.terms.series,) if len(self.peers) > 1 else ()
        return [CapHeadroom(
            id=output_id("cap_headroom", holder, at.isoformat(), cause, *mark),
            symbol=self.terms.symbol, series=self.terms.series, holder=holder, as_of=at,
            owned=owned, outstanding=outstanding, cap=cap,
            max_additional_shares=room.max_additional_shares, waived=waived, calculation=text,
        )]

    def holders(self, at: datetime) -> list[str]:
        """Every holder known at `at`: of a holding, or of a warrant of any series."""
        found = set(self.ownership.holders())
        for desk in self.peers:
            found.update(w.holder for w in desk.warrants.timeline.book_at(at).warrants.values())
        return sorted(found)


def run_due(desks: tuple[ExerciseDesk, ...], at: datetime,
            detected_at: datetime) -> list[OutputRecord]:
    """What falls due by `at` in the desks of a symbol's series, in one order across them:
    settlements by effective instant (so the cap of a later exercise of one series counts the
    shares an earlier exercise of another issued), then delivery deadlines, then the waivers
    that come into force (docs/decisions.md "Several series")."""
    out: list[OutputRecord] = []
    watched = [(item, desk) for desk in desks for item in desk._watched()]
    for item, desk in sorted(watched, key=lambda x: (x[0].effective_at, x[0].record.id)):
        if item.status is ExerciseStatus.AWAITING_VALUE and item.settle_after <= at:
            out.extend(desk._settle(item))
    for item, desk in sorted(watched, key=lambda x: (x[0].schedule.deadline, x[0].record.id)):
        if (item.status is ExerciseStatus.AWAITING_DELIVERY
                and item.shares_due > 0 and item.schedule.deadline <= at):
            out.extend(desk._check_default(item, detected_at))
    for desk in desks:
        while desk.waiver_holders and desk.waiver_holders[0][0] <= at:
            starts, holder, cause = desk.waiver_holders.pop(0)
            out.extend(desk.headroom(holder, starts, cause))
    return out
