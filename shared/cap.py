"""Section 7: the 4.999% ownership cap, its largest passing exercise, and when it is off.

The test (docs/contract.md "Exercise"): with H the holder's shares, O the shares
outstanding and X the whole shares the exercise issues (a fraction is paid in cash, so it
is never owned), the exercise passes when (H + X) / (O + X) <= cap, i.e. exactly when
H + X <= cap x (O + X). It is checked on exact products, never on a rounded ratio.

Largest whole X: X <= (cap x O - H) / (1 - cap), floored; 0 when H already exceeds
cap x O (then even an exercise issuing no whole share fails: the holder already owns
more than the cap allows, and 0 is the answer "none").

Largest exercise Y for a refused request (decisions, docs/decisions.md):
- Y moves in steps of `step` warrant shares (0.01: share numbers are kept to 1/100 share,
  Section 4(g)(iii)). Whole shares issued are floor(Y_cash + X), so a cash exercise of
  Xmax + 0.99 passes: it issues Xmax shares and pays 0.99 x PSMV in lieu.
- Cashless: floor(Y x (B - A) / B) <= Xmax, solved exactly for the largest step multiple.
- Combined (cash part first): the cash part is kept as asked when it passes alone (else it
  is cut to its largest passing size and the cashless part to 0); the cashless part then
  takes the room left. A holder who chose to pay cash for some shares is not silently
  switched to cashless.
- The answer never exceeds the request or the warrant shares available.

Waivers: a Waiver Notice effective (Section 12) at any time on date D takes the cap off,
for the warrant shares it names (the whole warrant if none), from 00:00 eastern of
D + 61 days (`waiver_notice_days`): the notice has then been given on 61 calendar days.
Within one exercise (docs/contract.md "Exercise"), the waiver covers as many of the warrant
shares asked as it still names, the cash part first; the part not covered is tested alone
against what the holder owned before the exercise, and the covered part is issued free of
the cap. So a holder who waived W shares may exercise W plus the capped maximum in one
request; later exercises count every share the holder then owns, waived ones included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from shared.errors import ContractInputError
from shared.exercise.cashless import (
    check_in_the_money,
    require_not_negative,
    require_positive,
)
from shared.exercise.wall_clock import in_utc, local_date, show_instant, start_of_day
from shared.numbers import (
    HUNDREDTH,
    ONE,
    ZERO,
    difference,
    figure,
    floor_divmod,
    product,
    quotient,
    show_price,
    text_stock,
    text_value,
    text_warrant_shares,
    total,
)
from shared.term import in_no_cap_period, no_cap_period_text
from shared.terms import Terms

# the text forms of docs/events.md "Numbers", short for the long texts below
_wshares, _stock, _value = text_warrant_shares, text_stock, text_value


@dataclass(frozen=True, slots=True)
class CapCheck:
    """Whether one exercise passes Section 7, with the comparison written out."""

    passes: bool
    owned: Decimal
    outstanding: Decimal
    issued: Decimal
    cap: Decimal
    calculation: str


@dataclass(frozen=True, slots=True)
class Headroom:
    """The live monitor's figure: the most whole shares the holder may still receive."""

    owned: Decimal
    outstanding: Decimal
    cap: Decimal
    max_additional_shares: Decimal
    calculation: str


@dataclass(frozen=True, slots=True)
class MaxExercise:
    """The largest exercise of the requested kind that passes Section 7."""

    cash_shares: Decimal
    cashless_shares: Decimal
    total: Decimal
    calculation: str


@dataclass(frozen=True, slots=True)
class Waiver:
    """A Waiver Notice: when it became effective (Section 12) and the warrant shares named."""

    effective_at: datetime
    shares: Decimal | None = None  # None: the whole warrant


@dataclass(frozen=True, slots=True)
class CapScope:
    """Whether Section 7 applies at an instant and how much of the warrant is waived."""

    applies: bool
    waived_shares: Decimal  # warrant shares under partial waivers in force (when it applies)
    calculation: str


def _check_holdings(owned: Decimal, outstanding: Decimal, cap: Decimal) -> None:
    require_not_negative(owned, "shares owned H")
    require_positive(outstanding, "shares outstanding O")
    require_positive(cap, "ownership cap")
    if cap >= ONE:
        raise ContractInputError(f"ownership cap must be below 1, got {cap}")
    if owned > outstanding:
        raise ContractInputError(
            f"shares owned H = {_stock(owned)} exceed shares outstanding O = "
            f"{_stock(outstanding)}: one of the two figures is stale or wrong"
        )


def check_cap(owned: Decimal, outstanding: Decimal, issued: Decimal,
              cap: Decimal) -> CapCheck:
    """Section 7: (H + X) / (O + X) <= cap for X whole shares issued."""
    _check_holdings(owned, outstanding, cap)
    require_not_negative(issued, "shares issued X")
    after, base = total(owned, issued), total(outstanding, issued)
    passes = after <= product(cap, base)
    ratio = quotient(after, base)
    text = (
        f"Section 7: (H + X) / (O + X) = ({_stock(owned)} + {_stock(issued)}) / "
        f"({_stock(outstanding)} + {_stock(issued)}) = {_stock(after)} / {_stock(base)} = "
        f"{figure(ratio)} {'<=' if passes else '>'} {figure(cap)}: "
        f"{'passes' if passes else 'over the cap'}"
    )
    return CapCheck(passes, owned, outstanding, issued, cap, text)


@dataclass(frozen=True, slots=True)
class WaiverSplit:
    """An exercise request split by a partial waiver: the covered part (cash first), the rest."""

    covered_cash: Decimal
    covered_cashless: Decimal
    cash: Decimal  # cash warrant shares not covered
    cashless: Decimal  # cashless warrant shares not covered

    @property
    def covered(self) -> Decimal:
        return total(self.covered_cash, self.covered_cashless)

    @property
    def rest(self) -> Decimal:
        return total(self.cash, self.cashless)


def split_by_waiver(cash_shares: Decimal, cashless_shares: Decimal,
                    waived: Decimal) -> WaiverSplit:
    """Section 7: the warrant shares of a request a partial waiver still covers, cash first."""
    cash = require_not_negative(cash_shares, "cash warrant shares")
    cashless = require_not_negative(cashless_shares, "cashless warrant shares")
    room = require_not_negative(waived, "waived warrant shares")
    w_cash = min(cash, room)
    w_cl = min(cashless, difference(room, w_cash))
    return WaiverSplit(w_cash, w_cl, difference(cash, w_cash), difference(cashless, w_cl))


def whole_shares(cash_shares: Decimal, cashless_shares: Decimal, warrant_price: Decimal,
                 market_value: Decimal | None) -> Decimal:
    """Whole shares a cash and cashless part issue: floor(Y_cash + Y_cl x (B - A) / B), exact."""
    if cashless_shares == 0:
        whole, _ = floor_divmod(cash_shares, ONE)
        return whole
    if market_value is None:
        raise ContractInputError("the shares a cashless part issues need the PSMV B")
    b = require_positive(market_value, "Per Share Market Value B")
    scaled = total(product(cash_shares, b),
                   product(cashless_shares, difference(b, warrant_price)))
    whole, _ = floor_divmod(scaled, b)
    return whole


def check_exercise(
    owned: Decimal,
    outstanding: Decimal,
    cap: Decimal,
    *,
    cash_shares: Decimal,
    cashless_shares: Decimal,
    warrant_price: Decimal,
    market_value: Decimal | None,
    waived: Decimal = ZERO,
) -> tuple[CapCheck, WaiverSplit]:
    """Section 7 for one exercise: the part a partial waiver does not cover is tested alone
    against the holdings before the exercise; the covered part passes free of the cap."""
    split = split_by_waiver(cash_shares, cashless_shares, waived)
    issued = whole_shares(split.cash, split.cashless, warrant_price, market_value)
    check = check_cap(owned, outstanding, issued, cap)
    if split.covered == 0:
        return check, split
    if split.rest == 0:
        _check_holdings(owned, outstanding, cap)
        text = (f"Section 7 waived: the {_wshares(split.covered)} warrant shares exercised are "
                f"within the {_wshares(waived)} the Waiver Notice still covers")
        return CapCheck(True, owned, outstanding, ZERO, cap, text), split
    text = (f"Section 7: the Waiver Notice covers {_wshares(split.covered)} of the warrant shares "
            f"(cash {_wshares(split.covered_cash)}, cashless {_wshares(split.covered_cashless)}), "
            f"issued free of the cap; the other {_wshares(split.rest)} (cash "
            f"{_wshares(split.cash)}, cashless {_wshares(split.cashless)}) issue X = "
            f"{_stock(issued)} whole shares, "
            f"tested against the holdings before the exercise: "
            + check.calculation.removeprefix("Section 7: "))
    return replace(check, calculation=text), split


def max_shares_issuable(owned: Decimal, outstanding: Decimal, cap: Decimal) -> Decimal:
    """Section 7: the largest whole X with (H + X) / (O + X) <= cap; 0 if none."""
    return headroom(owned, outstanding, cap).max_additional_shares


def headroom(owned: Decimal, outstanding: Decimal, cap: Decimal) -> Headroom:
    """Section 7: floor((cap x O - H) / (1 - cap)) whole shares, or 0, with its calculation."""
    _check_holdings(owned, outstanding, cap)
    room = difference(product(cap, outstanding), owned)
    share = difference(ONE, cap)
    if room < 0:
        return Headroom(
            owned, outstanding, cap, ZERO,
            f"Section 7: cap x O - H = {figure(cap)} x {_stock(outstanding)} - {_stock(owned)} "
            f"= {_stock(room)} < 0: already over the cap, no shares may be issued",
        )
    largest, _ = floor_divmod(room, share)
    return Headroom(
        owned, outstanding, cap, largest,
        f"Section 7: X <= (cap x O - H) / (1 - cap) = ({figure(cap)} x {_stock(outstanding)} "
        f"- {_stock(owned)}) / {figure(share)} = {_stock(room)} / {figure(share)} = "
        f"{figure(quotient(room, share))} -> {_stock(largest)} whole shares",
    )


def _largest_cashless(
    room: Decimal, warrant_price: Decimal, market_value: Decimal, step: Decimal
) -> Decimal:
    """Largest multiple of `step` Y with Y x (B - A) / B < room (room > 0), exactly."""
    # Y = m x step; m x step x (B - A) < room x B; m = ceil(n / d) - 1.
    n = product(room, market_value)
    d = product(step, difference(market_value, warrant_price))
    q, r = floor_divmod(n, d)
    m = q - 1 if r == 0 else q
    return product(m, step)


def max_exercise(
    *,
    owned: Decimal,
    outstanding: Decimal,
    cap: Decimal,
    cash_shares: Decimal,
    cashless_shares: Decimal,
    warrant_price: Decimal,
    market_value: Decimal | None,
    available: Decimal | None = None,
    waived: Decimal = ZERO,
    step: Decimal = HUNDREDTH,
) -> MaxExercise:
    """Section 7: the largest exercise like the one requested that passes (see module doc).

    `available` bounds the total by the warrant shares left; `waived` is what a partial
    waiver in force still covers: that part of the request (cash first) is issued free of
    the cap, and the largest capped exercise of the rest is added to it. A cashless part
    needs B > A (else CashlessOutOfMoney).
    """
    _check_holdings(owned, outstanding, cap)
    req_cash = require_not_negative(cash_shares, "cash warrant shares")
    req_cl = require_not_negative(cashless_shares, "cashless warrant shares")
    require_not_negative(waived, "waived warrant shares")
    limit = total(req_cash, req_cl) if available is None else min(
        total(req_cash, req_cl), require_not_negative(available, "warrant shares available")
    )
    if waived == 0:
        return _max_capped(owned, outstanding, cap, req_cash, req_cl, warrant_price,
                           market_value, limit, step)
    split = split_by_waiver(req_cash, req_cl, min(waived, limit))
    capped = _max_capped(owned, outstanding, cap, split.cash, split.cashless, warrant_price,
                         market_value, difference(limit, split.covered), step)
    cash = total(split.covered_cash, capped.cash_shares)
    cashless = total(split.covered_cashless, capped.cashless_shares)
    text = (f"the Waiver Notice covers {_wshares(split.covered)} warrant shares of the request "
            f"(cash {_wshares(split.covered_cash)}, cashless {_wshares(split.covered_cashless)}), "
            f"issued free of the cap; the rest (cash {_wshares(split.cash)}, cashless "
            f"{_wshares(split.cashless)}) is capped: {capped.calculation}; largest = "
            f"{_wshares(split.covered)} + {_wshares(capped.total)} = "
            f"{_wshares(total(cash, cashless))}")
    return MaxExercise(cash, cashless, total(cash, cashless), text)


def _max_capped(owned: Decimal, outstanding: Decimal, cap: Decimal, req_cash: Decimal,
                req_cl: Decimal, warrant_price: Decimal, market_value: Decimal | None,
                limit: Decimal, step: Decimal) -> MaxExercise:
    """The largest exercise of at most `limit` warrant shares, all of it under the cap."""
    a = require_positive(warrant_price, "Warrant Price A")
    require_positive(step, "step")
    b: Decimal | None = None
    if req_cl > 0:
        if market_value is None:
            raise ContractInputError(
                "the largest cashless exercise needs the Per Share Market Value B"
            )
        b = require_positive(market_value, "Per Share Market Value B")
        check_in_the_money(a, b)

    room = headroom(owned, outstanding, cap)
    xmax = room.max_additional_shares
    lines = [room.calculation]
    if difference(product(cap, outstanding), owned) < 0:
        cash, cashless = ZERO, ZERO
        lines.append("no exercise passes")
    else:
        cash_alone = difference(total(xmax, ONE), step)
        cash = min(req_cash, cash_alone, limit)
        if req_cash > 0:
            lines.append(
                f"cash part: floor(Y_cash) <= {_stock(xmax)} -> Y_cash <= {_stock(xmax)} + 1 - "
                f"{_wshares(step)} = {_wshares(cash_alone)}; asked {_wshares(req_cash)} -> "
                f"{_wshares(cash)}"
            )
        cashless = ZERO
        if b is not None and req_cash <= cash_alone:
            left = difference(total(xmax, ONE), cash)
            fits = _largest_cashless(left, a, b, step)
            cashless = max(ZERO, min(req_cl, fits, difference(limit, cash)))
            lines.append(
                f"cashless part: Y_cl x (B - A) / B < {_stock(xmax)} + 1 - {_wshares(cash)} = "
                f"{_stock(left)} -> Y_cl < {_stock(left)} x {_value(b)} / ({_value(b)} - "
                f"{show_price(a)}) = {figure(quotient(product(left, b), difference(b, a)))} -> "
                f"{_wshares(fits)} in steps of {_wshares(step)}; asked {_wshares(req_cl)} -> "
                f"{_wshares(cashless)}"
            )
    return MaxExercise(cash, cashless, total(cash, cashless), "; ".join(lines))


def waiver_in_force_from(effective_at: datetime, terms: Terms) -> datetime:
    """Section 7: 00:00 eastern of (the date the Waiver Notice is effective + 61 days)."""
    day = local_date(effective_at, terms.zone, "Waiver Notice effective time")
    return start_of_day(day + timedelta(days=terms.waiver_notice_days), terms.zone)


def cap_scope(at: datetime, terms: Terms, waivers: Sequence[Waiver] = ()) -> CapScope:
    """Section 7 at instant `at`: off in the last days of the Term or under a whole waiver.

    Partial waivers in force add up their named warrant shares into `waived_shares`.
    """
    moment = in_utc(at, "instant")
    if in_no_cap_period(moment, terms):
        return CapScope(False, ZERO, no_cap_period_text(terms) + ": the cap does not apply")
    waived = ZERO
    texts: list[str] = []
    for waiver in waivers:
        starts = waiver_in_force_from(waiver.effective_at, terms)
        if moment < in_utc(starts):
            continue
        named = "the whole warrant" if waiver.shares is None else f"{_wshares(waiver.shares)}"
        texts.append(
            f"Waiver Notice effective {show_instant(waiver.effective_at, terms.zone)} in force "
            f"from {show_instant(starts, terms.zone)} for {named}"
        )
        if waiver.shares is None:
            return CapScope(False, ZERO, "Section 7: " + "; ".join(texts))
        waived = total(waived, require_positive(waiver.shares, "waived warrant shares"))
    if texts:
        return CapScope(
            True, waived,
            "Section 7: " + "; ".join(texts) + f"; {_wshares(waived)} warrant shares waived",
        )
    return CapScope(True, ZERO, "Section 7 applies: no waiver in force, not in the last "
                    f"{terms.no_cap_days_before_expiry} days of the Term")
