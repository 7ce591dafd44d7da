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
An exercise of no more warrant shares than a partial waiver still covers passes; a larger
one is checked as a whole, because the waived shares it issues are owned afterwards too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from shared.errors import ContractInputError
from shared.exercise.cashless import (
    check_in_the_money,
    require_not_negative,
    require_positive,
)
from shared.exercise.exact import difference, figure, floor_divmod, product, quotient, total
from shared.exercise.wall_clock import in_utc, local_date, show_instant, start_of_day
from shared.numbers import HUNDREDTH, ONE, ZERO, show_price
from shared.term import in_no_cap_period, no_cap_period_text
from shared.terms import Terms


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
            f"shares owned H = {figure(owned)} exceed shares outstanding O = "
            f"{figure(outstanding)}: one of the two figures is stale or wrong"
        )


def check_cap(
    owned: Decimal,
    outstanding: Decimal,
    issued: Decimal,
    cap: Decimal,
    *,
    exercised: Decimal | None = None,
    waived: Decimal = ZERO,
) -> CapCheck:
    """Section 7: (H + X) / (O + X) <= cap for X whole shares issued.

    With `exercised` (warrant shares Y) at most `waived` (warrant shares a partial waiver
    in force still covers), the exercise passes whatever the ratio.
    """
    _check_holdings(owned, outstanding, cap)
    require_not_negative(issued, "shares issued X")
    require_not_negative(waived, "waived warrant shares")
    if exercised is not None and exercised <= waived:
        return CapCheck(
            True, owned, outstanding, issued, cap,
            f"Section 7 waived: {figure(exercised)} warrant shares exercised <= "
            f"{figure(waived)} covered by the Waiver Notice",
        )
    after, base = total(owned, issued), total(outstanding, issued)
    passes = after <= product(cap, base)
    ratio = quotient(after, base)
    text = (
        f"Section 7: (H + X) / (O + X) = ({figure(owned)} + {figure(issued)}) / "
        f"({figure(outstanding)} + {figure(issued)}) = {figure(after)} / {figure(base)} = "
        f"{figure(ratio)} {'<=' if passes else '>'} {figure(cap)}: "
        f"{'passes' if passes else 'over the cap'}"
    )
    return CapCheck(passes, owned, outstanding, issued, cap, text)


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
            f"Section 7: cap x O - H = {figure(cap)} x {figure(outstanding)} - {figure(owned)} "
            f"= {figure(room)} < 0: already over the cap, no shares may be issued",
        )
    largest, _ = floor_divmod(room, share)
    return Headroom(
        owned, outstanding, cap, largest,
        f"Section 7: X <= (cap x O - H) / (1 - cap) = ({figure(cap)} x {figure(outstanding)} "
        f"- {figure(owned)}) / {figure(share)} = {figure(room)} / {figure(share)} = "
        f"{figure(quotient(room, share))} -> {figure(largest)} whole shares",
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
    waiver in force still covers. A cashless part needs B > A (else CashlessOutOfMoney).
    """
    _check_holdings(owned, outstanding, cap)
    req_cash = require_not_negative(cash_shares, "cash warrant shares")
    req_cl = require_not_negative(cashless_shares, "cashless warrant shares")
    a = require_positive(warrant_price, "Warrant Price A")
    require_positive(step, "step")
    limit = total(req_cash, req_cl) if available is None else min(
        total(req_cash, req_cl), require_not_negative(available, "warrant shares available")
    )
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
                f"cash part: floor(Y_cash) <= {figure(xmax)} -> Y_cash <= {figure(xmax)} + 1 - "
                f"{figure(step)} = {figure(cash_alone)}; asked {figure(req_cash)} -> "
                f"{figure(cash)}"
            )
        cashless = ZERO
        if b is not None and req_cash <= cash_alone:
            left = difference(total(xmax, ONE), cash)
            fits = _largest_cashless(left, a, b, step)
            cashless = max(ZERO, min(req_cl, fits, difference(limit, cash)))
            lines.append(
                f"cashless part: Y_cl x (B - A) / B < {figure(xmax)} + 1 - {figure(cash)} = "
                f"{figure(left)} -> Y_cl < {figure(left)} x {figure(b)} / ({figure(b)} - "
                f"{show_price(a)}) = {figure(quotient(product(left, b), difference(b, a)))} -> "
                f"{figure(fits)} in steps of {figure(step)}; asked {figure(req_cl)} -> "
                f"{figure(cashless)}"
            )
    best = MaxExercise(cash, cashless, total(cash, cashless), "; ".join(lines))
    if waived > 0:
        w_cash = min(req_cash, waived, limit)
        w_cl = min(req_cl, difference(min(waived, limit), w_cash))
        if total(w_cash, w_cl) > best.total:
            return MaxExercise(
                w_cash, w_cl, total(w_cash, w_cl),
                best.calculation + f"; the Waiver Notice covers {figure(waived)} warrant "
                f"shares, more than the cap allows: cash {figure(w_cash)} + cashless "
                f"{figure(w_cl)}",
            )
    return best


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
        named = "the whole warrant" if waiver.shares is None else f"{figure(waiver.shares)}"
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
            "Section 7: " + "; ".join(texts) + f"; {figure(waived)} warrant shares waived",
        )
    return CapScope(True, ZERO, "Section 7 applies: no waiver in force, not in the last "
                    f"{terms.no_cap_days_before_expiry} days of the Term")
