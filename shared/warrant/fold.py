"""One step of the warrant fold: an event, taking effect at its instant, applied to a `Book`.

Each step returns the new frozen `Book` and the notices it gives rise to (Section 5 notices,
4(g)(ii) carried-forward adjustments, rejections). The figures come from
`shared.adjustments.formulas`; this module decides which clause applies and when:
- 4(b) splits, combinations and stock dividends (made as of close of business on the record
  date, 4(b)(i)) are never carried forward;
- 4(c), and 4(d)/4(e) when the terms switch makes them move the share number, are carried
  forward under 4(g)(ii) while the pending total stays under the 1% minimum, and are made at
  the next exercise of the warrant;
- 4(e) deemed issuances are recomputed under 4(f) when the equivalents expire (the actual
  issuance replaces the deemed one where it stood) or reprice (a new deemed issuance right
  after the increase);
- 4(a) Triggering Events set the successor basket; so does an assumption under 4(a)(ii)
  (the successor then delivers it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Literal, Protocol

from shared.adjustments.calculation import AdjustmentResult
from shared.adjustments.formulas import (
    distribution_adjustment,
    equivalents_adjustment,
    issuance_adjustment,
    split_adjustment,
    stock_dividend_adjustment,
)
from shared.errors import AdjustmentNotApplicable, MarketValueUnavailable, RecordError
from shared.events.inputs import (
    Amendment,
    Distribution,
    DividendAbandoned,
    EquivalentsExpired,
    EquivalentsIssued,
    EquivalentsRepriced,
    InputRecord,
    Issuance,
    Reorganization,
    StockDividend,
    StockSplit,
    WarrantIssued,
    WarrantTransferred,
)
from shared.numbers import (
    ONE,
    div,
    mul,
    round_shares,
    show,
    show_price,
    text_warrant_shares,
)
from shared.terms import Terms
from shared.warrant.state import BasketItem, Book, CarriedForward, WarrantState

# A carried-forward change is shown in percent cut (not rounded) to 4 places: one under the
# 1% minimum never reads as "1.0000%" (0.999999% shows 0.9999%).
PERCENT_PLACES = Decimal("0.0001")

NoticeKind = Literal["adjustment", "adjustment_deferred", "adjustment_rejected",
                     "amendment_refused", "adjustment_not_required"]


@dataclass(frozen=True, slots=True)
class Notice:
    """What a fold step says: published by the engine as the record of the same kind."""

    kind: NoticeKind
    warrant: str
    cause_id: str
    section: str
    effective_at: datetime
    price_before: Decimal
    price_after: Decimal
    shares_before: Decimal
    shares_after: Decimal
    calculation: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.warrant, self.cause_id, self.section)


@dataclass(frozen=True, slots=True)
class ExerciseFact:
    """A settled exercise, as the fold sees it: Y warrant shares leave the warrant."""

    id: str
    warrant: str
    shares: Decimal


@dataclass(frozen=True, slots=True)
class RestoreFact:
    """An Exercise Default Notice: the undelivered portion returns to the warrant (2(d))."""

    id: str
    warrant: str
    shares: Decimal


class Context(Protocol):
    """What a fold step may ask of the world: terms, market values, later corrections."""

    terms: Terms

    def market_value(self, day: date) -> Decimal: ...

    def original_issue_value(self) -> Decimal | None: ...

    def expiry_of(self, equivalents_id: str) -> EquivalentsExpired | None: ...

    def repricing_of(self, equivalents_id: str) -> EquivalentsRepriced | None: ...

    def issued_equivalents(self, equivalents_id: str) -> EquivalentsIssued | None: ...

    def amendment_problem(self, amendment: Amendment, book: Book) -> str | None: ...


Fact = InputRecord | ExerciseFact | RestoreFact
Step = tuple[Book, list[Notice]]


def _notice(kind: NoticeKind, w: WarrantState, cause: str, at: datetime,
            r: AdjustmentResult) -> Notice:
    return Notice(kind, w.warrant, cause, r.section, at, r.price_before, r.price_after,
                  r.shares_before, r.shares_after, r.calculation)


def _rejected(cause: str, section: str, at: datetime, reason: str) -> Notice:
    z = Decimal(0)
    return Notice("adjustment_rejected", "", cause, section, at, z, z, z, z, reason)


def not_required(book: Book, cause: str, section: str, at: datetime, reason: str) -> list[Notice]:
    """The trace of an event that adjusts nothing, for each warrant it would have touched:
    the terms in force, unchanged, and why (docs/decisions.md "Adjustments")."""
    return [_unadjusted(w, cause, section, at, reason)
            for _, w in sorted(book.warrants.items()) if w.shares > 0 and w.basket is None]


def _unadjusted(w: WarrantState, cause: str, section: str, at: datetime, reason: str) -> Notice:
    calc = (f"{reason}: no adjustment; Warrant Price {show_price(w.price)} and Warrant Share "
            f"Number {text_warrant_shares(w.shares)} unchanged")
    return Notice("adjustment_not_required", w.warrant, cause, section, at, w.price, w.price,
                  w.shares, w.shares, calc)


# --- carrying forward (4(g)(ii)) ------------------------------------------------------------


def _apply_unit(w: WarrantState, unit: CarriedForward, rounding: Decimal) -> WarrantState:
    shares = round_shares(mul(w.shares, unit.share_factor), rounding)
    if unit.price_factor is None:
        price = div(mul(w.price, w.shares), shares)
    else:
        price = mul(w.price, unit.price_factor)
    return w.with_terms(price, shares)


def make_carried(w: WarrantState, at: datetime, cause: str,
                 terms: Terms) -> tuple[WarrantState, list[Notice]]:
    """Make every carried-forward adjustment of `w` now, in order (at exercise or at 1%)."""
    notices = []
    for unit in w.carried:
        before = w
        w = _apply_unit(w, unit, terms.share_rounding)
        calc = (f"4(g)(ii) carried-forward adjustment for {unit.cause_id} made now "
                f"({cause}): Warrant Share Number {text_warrant_shares(before.shares)} x "
                f"{show(unit.share_factor)} = {text_warrant_shares(w.shares)}; Warrant Price "
                f"{show_price(before.price)} -> {show_price(w.price)}. Originally: "
                f"{unit.calculation}")
        notices.append(Notice("adjustment", w.warrant, unit.cause_id, unit.section, at,
                              before.price, w.price, before.shares, w.shares, calc))
    return replace(w, carried=()), notices


def _share_number_change(w: WarrantState, r: AdjustmentResult, at: datetime, cause: str,
                         terms: Terms, *, deferrable: bool,
                         compute: Callable[[WarrantState], AdjustmentResult | None],
                         ) -> tuple[WarrantState, list[Notice]]:
    """Apply `r` (= compute(w)) to `w`, or carry it forward while the pending total is under
    the minimum; past it, the carried units are made first and `r` recomputed on the result."""
    if r.shares_before == 0:
        return w, []
    factor = div(r.shares_after, r.shares_before)
    if not deferrable or not terms.defer_small_adjustments or factor == ONE:
        # 4(b) and price-only changes are made at once; carried-forward units stay carried
        # (their factors hold whatever the share base becomes).
        return w.with_terms(r.price_after, r.shares_after), [
            _notice("adjustment", w, cause, at, r)]
    pending = ONE
    for unit in w.carried:
        pending = mul(pending, unit.share_factor)
    total = mul(pending, factor)
    price_factor = None if r.section in ("4(b)", "4(c)") else div(r.price_after, r.price_before)
    unit = CarriedForward(cause, r.section, at, factor, price_factor, r.calculation)
    if abs(total - ONE) < terms.deferral_threshold:
        deferred = replace(w, carried=(*w.carried, unit))
        calc = (f"{r.calculation}. Carried forward under 4(g)(ii): with the adjustments "
                f"pending it changes the Warrant Share Number by "
                f"{show(((total - ONE) * 100).quantize(PERCENT_PLACES, ROUND_DOWN))}%,"
                f" under the {show(terms.deferral_threshold * 100)}% minimum")
        return deferred, [Notice("adjustment_deferred", w.warrant, cause, r.section, at,
                                 r.price_before, r.price_after, r.shares_before,
                                 r.shares_after, calc)]
    w2, notices = make_carried(w, at, cause, terms)
    r2 = compute(w2)
    if r2 is None:
        return w2, notices
    return w2.with_terms(r2.price_after, r2.shares_after), [
        *notices, _notice("adjustment", w2, cause, at, r2)]


# --- each kind of event ---------------------------------------------------------------------


def _each_warrant(book: Book, at: datetime, cause: str,
                  compute: Callable[[WarrantState], AdjustmentResult | None],
                  terms: Terms, *, deferrable: bool,
                  unadjusted: Callable[[WarrantState], tuple[str, str]] | None = None) -> Step:
    """Apply `compute` to each live warrant; where it asks for no adjustment (None) and
    `unadjusted` says why ((section, reason)), the warrant gets a not-required trace."""
    states = dict(book.warrants)
    notices: list[Notice] = []
    for wid in sorted(states):
        w = states[wid]
        if w.shares <= 0 or w.basket is not None:
            continue  # exhausted, or now a right to the successor basket (4(a))
        result = compute(w)
        if result is None:
            if unadjusted is not None:
                section, reason = unadjusted(w)
                notices.append(_unadjusted(w, cause, section, at, reason))
            continue
        w2, produced = _share_number_change(w, result, at, cause, terms, deferrable=deferrable,
                                            compute=compute)
        states[wid] = w2
        notices.extend(produced)
    return book.with_warrants(states), notices


def _split(book: Book, e: StockSplit, at: datetime, terms: Terms) -> Step:
    book2, notices = _each_warrant(
        book, at, e.id,
        lambda w: split_adjustment(w.price, w.shares, e.new, e.old, rounding=terms.share_rounding),
        terms, deferrable=False)
    return replace(book2, floor_factor=mul(book.floor_factor, div(e.old, e.new))), notices


def _stock_dividend(book: Book, e: StockDividend, at: datetime, terms: Terms) -> Step:
    book2, notices = _each_warrant(
        book, at, e.id,
        lambda w: stock_dividend_adjustment(w.price, w.shares, e.rate,
                                            rounding=terms.share_rounding),
        terms, deferrable=False)
    return replace(book2, floor_factor=div(book.floor_factor, ONE + e.rate)), notices


def _distribution(book: Book, e: Distribution, at: datetime, ctx: Context) -> Step:
    if e.kind.value == "cash" and e.out_of_earnings:
        return book, not_required(
            book, e.id, "4(c)", at,
            f"4(c)(i): a cash dividend of {show(e.value_per_share)} a share payable out of "
            f"earnings or earned surplus (the record's out_of_earnings flag) is excepted from "
            f"4(c)")
    try:
        psmv = ctx.market_value(e.record_date)
    except MarketValueUnavailable as exc:
        return book, [_rejected(e.id, "4(c)", at, f"4(c) needs the Per Share Market Value of "
                                f"the record date: {exc}")]
    try:
        return _each_warrant(
            book, at, e.id,
            lambda w: distribution_adjustment(w.price, w.shares, psmv, e.value_per_share,
                                              rounding=ctx.terms.share_rounding),
            ctx.terms, deferrable=True)
    except AdjustmentNotApplicable as exc:
        return book, [_rejected(e.id, "4(c)", at, str(exc))]


def _floor(book: Book, ctx: Context) -> Decimal | None:
    if not ctx.terms.floor_at_original_issue_value:
        return Decimal(0)
    value = ctx.original_issue_value()
    return None if value is None else mul(value, book.floor_factor)


def _issuance_like(book: Book, at: datetime, cause: str, section: str, ctx: Context,
                   outstanding: Decimal, shares: Decimal, consideration: Decimal,
                   formula: Callable[..., AdjustmentResult | None]) -> Step:
    floor = _floor(book, ctx)
    keep = ctx.terms.issuance_adjusts_share_number

    def why(w: WarrantState) -> tuple[str, str]:
        what = (f"{show(shares)} shares for {show(consideration)}: price per share "
                f"{show_price(div(consideration, shares))}")
        if consideration != 0 and consideration >= mul(shares, w.price):
            return section, (f"{section}: {what} is not below the Warrant Price "
                             f"{show_price(w.price)}")
        low = show_price(floor or Decimal(0))
        return section, (f"{section}: {what}, but the Warrant Price {show_price(w.price)} "
                         f"already stands at or below the floor {low} (the Per Share Market "
                         "Value on the Original Issue Date, Section 4)")

    try:
        book2, notices = _each_warrant(
            book, at, cause,
            lambda w: _relabel(formula(w.price, w.shares, outstanding, shares, consideration,
                                       floor=floor, keep_aggregate=keep,
                                       rounding=ctx.terms.share_rounding), section),
            ctx.terms, deferrable=keep, unadjusted=why)
    except AdjustmentNotApplicable as exc:
        return book, [_rejected(cause, section, at, str(exc))]
    return book2, notices


def _relabel(r: AdjustmentResult | None, section: str) -> AdjustmentResult | None:
    if r is None or r.section == section:
        return r
    return replace(r, section=section, calculation=f"{section} recomputation: {r.calculation}")


def converted_in_full(issued: EquivalentsIssued, expiry: EquivalentsExpired) -> bool:
    """Every share issuable was issued for all the consideration assumed at issuance: 4(f)(i)
    does not apply (no portion "shall not have been exercised") and the conversion itself
    adjusts nothing (4(d)(ii), 4(e) last sentence); the 4(e) adjustment stands as made."""
    return (expiry.converted_shares == issued.max_shares
            and expiry.consideration_received == issued.consideration)


def _equivalents_issued(book: Book, e: EquivalentsIssued, at: datetime, ctx: Context) -> Step:
    expiry = ctx.expiry_of(e.equivalents_id)
    if expiry is not None and not converted_in_full(e, expiry):
        # 4(f)(i): the deemed issuance is rescinded; what was actually issued, for what was
        # actually received, takes its place.
        if expiry.converted_shares <= 0:
            return book, []
        return _issuance_like(book, at, expiry.id, "4(f)", ctx, e.outstanding_before,
                              expiry.converted_shares, expiry.consideration_received,
                              issuance_adjustment)
    if ctx.repricing_of(e.equivalents_id) is not None:
        return book, []  # 4(f)(ii): deemed issued right after the increase instead
    return _issuance_like(book, at, e.id, "4(e)", ctx, e.outstanding_before, e.max_shares,
                          e.consideration, equivalents_adjustment)


def _equivalents_repriced(book: Book, e: EquivalentsRepriced, issued: EquivalentsIssued | None,
                          at: datetime, ctx: Context) -> Step:
    if issued is None:
        raise RecordError(f"equivalents_id: no equivalents {e.equivalents_id!r} were issued")
    if ctx.expiry_of(e.equivalents_id) is not None:
        return book, []
    return _issuance_like(book, at, e.id, "4(f)", ctx, issued.outstanding_before,
                          issued.max_shares, e.consideration, equivalents_adjustment)


def _reorganization(book: Book, e: Reorganization, at: datetime) -> Step:
    """4(a): from the Triggering Event each warrant share delivers the basket, at the Warrant
    Price in effect immediately prior. Under 4(a)(ii) the successor assumed the warrant in
    writing: no Triggering Event is deemed to occur, but what it assumes is "the obligation
    to deliver ... such shares of securities, cash or property as ... such Holder shall be
    entitled to receive" under 4(a): the holder receives the same basket (docs/contract.md)."""
    states = dict(book.warrants)
    notices = []
    basket = tuple(BasketItem(i.asset, i.per_share) for i in e.basket)
    lines = ", ".join(f"{show(i.per_share)} {i.asset}" for i in basket)
    for wid in sorted(states):
        w = states[wid]
        if w.shares <= 0:
            continue
        if e.assumed:
            calc = (f"4(a)(ii): the successor assumed this Warrant in writing, so no Triggering "
                    f"Event is deemed to have occurred and the Warrant continues in force; the "
                    f"successor delivers what the holder is entitled to under 4(a): on exercise "
                    f"each of the {show(w.shares)} warrant shares delivers {lines} instead of "
                    f"Common Stock, at the Warrant Price in effect immediately prior, "
                    f"{show_price(w.price)}")
        else:
            calc = (f"4(a)(i) Triggering Event: on exercise each of the {show(w.shares)} "
                    f"warrant shares delivers {lines} instead of Common Stock, at the Warrant "
                    f"Price in effect immediately prior, {show_price(w.price)}")
        states[wid] = replace(w, basket=basket)
        notices.append(Notice("adjustment", w.warrant, e.id, "4(a)", at, w.price, w.price,
                              w.shares, w.shares, calc))
    return book.with_warrants(states), notices


def _amendment(book: Book, e: Amendment, at: datetime, ctx: Context) -> Step:
    problem = ctx.amendment_problem(e, book)
    z = Decimal(0)
    if problem is not None:
        return book, [Notice("amendment_refused", "", e.id, "10", at, z, z, z, z, problem)]
    states = dict(book.warrants)
    notices = []
    targets = e.warrants if e.warrants is not None else tuple(sorted(states))
    for wid in targets:
        w = states.get(wid)
        if w is None:
            continue
        price = e.changes.warrant_price if e.changes.warrant_price is not None else w.price
        shares = e.changes.share_number if e.changes.share_number is not None else w.shares
        states[wid] = w.with_terms(price, shares)
        calc = (f"Section 10 amendment {e.id}: Warrant Price {show_price(w.price)} -> "
                f"{show_price(price)}, Warrant Share Number {text_warrant_shares(w.shares)} -> "
                f"{text_warrant_shares(shares)}")
        if e.changes.expires_at is not None:
            calc += f", expiry -> {e.changes.expires_at.isoformat()}"
        notices.append(Notice("adjustment", wid, e.id, "10", at, w.price, price, w.shares,
                              shares, calc))
    book2 = book.with_warrants(states)
    if e.changes.expires_at is not None:
        book2 = replace(book2, expires_at=e.changes.expires_at)
    return book2, notices


def _issue(book: Book, e: WarrantIssued, terms: Terms) -> Step:
    if e.warrant in book.warrants:
        raise RecordError(f"warrant: {e.warrant!r} is already issued")
    price = terms.initial_warrant_price
    if book.warrants:  # a later warrant of the family carries the price in force
        largest = max(book.warrants.values(), key=lambda w: (w.shares, w.warrant))
        price = largest.price
    state = WarrantState(e.warrant, e.holder, price, e.shares)
    return book.with_warrant(state), []


def _transfer(book: Book, e: WarrantTransferred) -> Step:
    w = book.warrants.get(e.warrant)
    if w is None:
        raise RecordError(f"warrant: unknown warrant {e.warrant!r}")
    if e.new_warrant in book.warrants:
        raise RecordError(f"new_warrant: {e.new_warrant!r} already exists")
    if e.shares > w.shares:
        raise RecordError(f"shares: {show(e.shares)} exceeds the {show(w.shares)} warrant "
                          f"shares of {e.warrant}")
    new = replace(w, warrant=e.new_warrant, holder=e.to_holder, shares=e.shares)
    rest = replace(w, shares=w.shares - e.shares)
    return book.with_warrant(rest).with_warrant(new), []


def _exercised(book: Book, f: ExerciseFact, at: datetime, terms: Terms) -> Step:
    w = book.warrants.get(f.warrant)
    if w is None:
        return book, []
    w2, notices = make_carried(w, at, f"exercise {f.id}", terms)
    w2 = replace(w2, shares=max(w2.shares - f.shares, Decimal(0)))
    return book.with_warrant(w2), notices


def _restored(book: Book, f: RestoreFact) -> Step:
    w = book.warrants.get(f.warrant)
    if w is None:
        return book, []
    return book.with_warrant(replace(w, shares=w.shares + f.shares)), []


def apply(book: Book, fact: Fact, at: datetime, ctx: Context) -> Step:
    """The fold's transition: `fact`, taking effect at `at`, applied to `book`."""
    try:
        return _dispatch(book, fact, at, ctx)
    except AdjustmentNotApplicable as exc:
        return book, [_rejected(fact.id, exc.section, at, str(exc))]


def _dispatch(book: Book, fact: Fact, at: datetime, ctx: Context) -> Step:
    terms = ctx.terms
    if isinstance(fact, ExerciseFact):
        return _exercised(book, fact, at, terms)
    if isinstance(fact, RestoreFact):
        return _restored(book, fact)
    if isinstance(fact, StockSplit):
        return _split(book, fact, at, terms)
    if isinstance(fact, StockDividend):
        return _stock_dividend(book, fact, at, terms)
    if isinstance(fact, Distribution):
        return _distribution(book, fact, at, ctx)
    if isinstance(fact, Issuance):
        return _issuance_like(book, at, fact.id, "4(d)", ctx, fact.outstanding_before,
                              fact.shares, fact.consideration, issuance_adjustment)
    if isinstance(fact, EquivalentsIssued):
        return _equivalents_issued(book, fact, at, ctx)
    if isinstance(fact, EquivalentsRepriced):
        return _equivalents_repriced(book, fact, ctx.issued_equivalents(fact.equivalents_id), at,
                                     ctx)
    if isinstance(fact, Reorganization):
        return _reorganization(book, fact, at)
    if isinstance(fact, Amendment):
        return _amendment(book, fact, at, ctx)
    if isinstance(fact, WarrantIssued):
        return _issue(book, fact, terms)
    if isinstance(fact, WarrantTransferred):
        return _transfer(book, fact)
    if isinstance(fact, EquivalentsExpired):
        issued = ctx.issued_equivalents(fact.equivalents_id)
        if issued is not None and converted_in_full(issued, fact):
            return book, not_required(
                book, fact.id, "4(e)", at,
                f"4(d)(ii), 4(e): the Common Stock Equivalents {fact.equivalents_id} were "
                f"converted in full, {show(fact.converted_shares)} shares for "
                f"{show(fact.consideration_received)}, the maximum and the consideration "
                f"deemed at their issuance ({issued.id}); that 4(e) adjustment stands and 4(f) "
                f"does not apply (no portion expired unexercised)")
        return book, []  # it acts by changing how the issuance folds (4(f))
    if isinstance(fact, DividendAbandoned):
        return book, []  # it acts by taking the dividend out of the timeline (4(g)(iv))
    raise RecordError(f"{type(fact).__name__} does not change the warrants")
