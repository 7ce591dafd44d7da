"""The figures of one exercise settlement: Sections 2(b), 2(c), 2(d)(ii), 6 and 4(a).

- Cash part Y_cash: the holder pays A x Y_cash, rounded to the cent half up at payment.
- Cashless part Y_cl: X = Y_cl - (A x Y_cl) / B shares (Section 2(c)); Y_cl - X is canceled
  in payment and counts as exercised.
- Section 6: the shares Y_cash + X are delivered as whole shares; the fraction is paid in
  cash at fraction x B, rounded to the cent half up. Whole shares and the cash in lieu are
  taken exactly: (Y_cash + X) x B = Y_cash x B + Y_cl x (B - A) is an exact product, and
  its floor division by B gives the whole shares and fraction x B with no rounding at all.
- 2(d)(ii): the warrant keeps share number - Y_cash - Y_cl.
- 4(a): after a reorganization (assumed under 4(a)(ii) or not) each whole share of Warrant
  Stock the exercise would issue delivers the recorded basket per share instead (lines with
  per_share and total; totals are exact, not rounded: the successor's delivery is the
  engine's to round, if ever). No Common Stock of the Issuer is issued then: `shares_issued`
  is 0, and `units_delivered` counts the whole shares the basket replaces (what a delivery
  confirms). The fraction is still paid in cash under Section 6 at fraction x PSMV.

Refusals raise `ExerciseRefusal` with a reason code (exceeds_warrant, warrant_exhausted,
cashless_out_of_money); a needed but unknown B raises `MarketValueUnavailable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from shared.errors import ContractInputError, ExerciseRefusal, MarketValueUnavailable
from shared.exercise.cashless import (
    CashlessFigures,
    require_not_negative,
    require_positive,
)
from shared.exercise.cashless import cashless_shares as cashless_exercise
from shared.numbers import (
    ZERO,
    difference,
    floor_divmod,
    product,
    quotient,
    round_cents,
    show_price,
    text_cash,
    text_stock,
    text_value,
    text_warrant_shares,
    total,
    whole_and_fraction,
)

EXCEEDS_WARRANT = "exceeds_warrant"
WARRANT_EXHAUSTED = "warrant_exhausted"


class BasketEntry(Protocol):
    """One item of a 4(a) successor basket (`shared.events.inputs.BasketItem` is one)."""

    @property
    def asset(self) -> str: ...

    @property
    def per_share(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class BasketLineFigures:
    """What one asset of the basket comes to for this exercise."""

    asset: str
    per_share: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class BasketFigures:
    lines: tuple[BasketLineFigures, ...]
    calculation: str


@dataclass(frozen=True, slots=True)
class SettlementFigures:
    """Every figure of a settlement, with the calculation a reader can check with a pencil."""

    cash_shares: Decimal  # Y_cash
    cashless_shares: Decimal  # Y_cl
    shares_exercised: Decimal  # Y_cash + Y_cl
    warrant_price: Decimal  # A, exact
    market_value: Decimal | None  # B; None when no figure needed it
    cashless_issued: Decimal  # X of the cashless part (0 with no cashless part)
    canceled_in_payment: Decimal  # Y_cl - X
    total_shares: Decimal  # Y_cash + X, before Section 6
    shares_issued: Decimal  # whole shares of Common Stock delivered (0 with a basket)
    units_delivered: Decimal  # whole shares of Warrant Stock delivered, or replaced by the basket
    fraction: Decimal  # the fractional share paid in cash
    fraction_value: Decimal  # fraction x B, exact (always below B)
    cash_in_lieu: Decimal  # fraction x B, to the cent
    payment_due: Decimal  # A x Y_cash, to the cent
    shares_remaining: Decimal  # share number - Y_cash - Y_cl
    basket: tuple[BasketLineFigures, ...]
    calculation: str


def successor_basket(entries: Sequence[BasketEntry], shares: Decimal) -> BasketFigures:
    """Section 4(a): each share of Warrant Stock delivers the basket; total = per_share x shares."""
    require_not_negative(shares, "shares delivering the basket")
    lines: list[BasketLineFigures] = []
    texts: list[str] = []
    for entry in entries:
        per_share = require_not_negative(entry.per_share, f"basket {entry.asset} per share")
        line_total = product(per_share, shares)
        lines.append(BasketLineFigures(entry.asset, per_share, line_total))
        texts.append(
            f"{entry.asset}: {text_value(per_share)} per share x {text_stock(shares)} = "
            f"{text_value(line_total)}"
        )
    text = "Section 4(a) basket: " + ("; ".join(texts) if texts else "no items")
    return BasketFigures(tuple(lines), text)


def _check_request(cash: Decimal, cashless: Decimal, share_number: Decimal) -> Decimal:
    require_not_negative(cash, "cash warrant shares Y_cash")
    require_not_negative(cashless, "cashless warrant shares Y_cl")
    require_not_negative(share_number, "Warrant Share Number")
    exercised = total(cash, cashless)
    if exercised <= 0:
        raise ContractInputError("an exercise needs cash or cashless warrant shares above zero")
    if share_number <= 0:
        raise ExerciseRefusal(
            WARRANT_EXHAUSTED,
            "no warrant shares remain to be exercised (share number 0)",
            max_shares=ZERO,
        )
    if exercised > share_number:
        raise ExerciseRefusal(
            EXCEEDS_WARRANT,
            f"{text_warrant_shares(exercised)} warrant shares asked, but the warrant is "
            f"exercisable for {text_warrant_shares(share_number)} (Warrant Share Number)",
            max_shares=share_number,
        )
    return exercised


def settle_exercise(
    *,
    cash_shares: Decimal,
    cashless_shares: Decimal,
    warrant_price: Decimal,
    market_value: Decimal | None,
    share_number: Decimal,
    basket: Sequence[BasketEntry] = (),
) -> SettlementFigures:
    """Sections 2(b), 2(c), 6, 2(d)(ii), 4(a): the figures of one exercise request.

    `market_value` (B, the PSMV of the exercise date) is needed for a cashless part and for
    any fraction; pass None when it is not known and the request may not need it.
    """
    y_cash, y_cl = cash_shares, cashless_shares
    exercised = _check_request(y_cash, y_cl, share_number)
    a = require_positive(warrant_price, "Warrant Price A")
    b = None if market_value is None else require_positive(market_value, "PSMV B")
    lines: list[str] = []

    payment_due = round_cents(product(a, y_cash))
    if y_cash > 0:
        lines.append(
            f"Section 2(b): cash part Y_cash = {text_warrant_shares(y_cash)}; payment due = A x "
            f"Y_cash = {show_price(a)} x {text_warrant_shares(y_cash)} = "
            f"{text_cash(product(a, y_cash))} -> {text_cash(payment_due)} (to the cent, half up)"
        )

    cashless: CashlessFigures | None = None
    if y_cl > 0:
        if b is None:
            raise MarketValueUnavailable(
                "a cashless exercise needs the Per Share Market Value B of the exercise date "
                "(Section 2(c))"
            )
        cashless = cashless_exercise(y_cl, a, b)
        lines.append(cashless.calculation)
    x = ZERO if cashless is None else cashless.shares
    canceled = ZERO if cashless is None else cashless.canceled_in_payment
    total_shares = total(y_cash, x)
    if y_cash > 0 and y_cl > 0:
        lines.append(
            f"shares = Y_cash + X = {text_stock(y_cash)} + {text_stock(x)} = "
            f"{text_stock(total_shares)}"
        )

    if b is None:
        whole, fraction = whole_and_fraction(y_cash)
        fraction_value = ZERO
        if fraction > 0:
            raise MarketValueUnavailable(
                f"cash in lieu of the fractional share {text_stock(fraction)} needs the Per Share "
                "Market Value of the exercise date (Section 6)"
            )
    else:
        # (Y_cash + X) x B, exact; floor division by B splits it with no rounding.
        scaled = total(product(y_cash, b), product(y_cl, difference(b, a)))
        whole, fraction_value = floor_divmod(scaled, b)
        fraction = quotient(fraction_value, b)
    cash_in_lieu = round_cents(fraction_value)
    if fraction > 0:
        lines.append(
            f"Section 6: {text_stock(whole)} whole shares issued; fraction "
            f"{text_stock(fraction)} x PSMV {text_value(b or ZERO)} = "
            f"{text_cash(fraction_value)} -> {text_cash(cash_in_lieu)} cash in lieu (to the "
            "cent, half up)"
        )
    else:
        lines.append(f"Section 6: {text_stock(whole)} whole shares issued; no fraction")

    remaining = difference(difference(share_number, y_cash), y_cl)
    lines.append(
        f"Section 2(d)(ii): remaining = share number - Y_cash - Y_cl = "
        f"{text_warrant_shares(share_number)} - {text_warrant_shares(y_cash)} - "
        f"{text_warrant_shares(y_cl)} = {text_warrant_shares(remaining)}"
    )

    basket_lines: tuple[BasketLineFigures, ...] = ()
    issued = whole
    if basket:
        figures = successor_basket(basket, whole)
        basket_lines = figures.lines
        issued = ZERO
        lines.append(
            f"Section 4(a): no Common Stock of the Issuer is issued (shares issued 0); each of "
            f"the {text_stock(whole)} whole shares of Warrant Stock delivers the basket instead"
        )
        lines.append(figures.calculation)

    return SettlementFigures(
        cash_shares=y_cash,
        cashless_shares=y_cl,
        shares_exercised=exercised,
        warrant_price=a,
        market_value=b,
        cashless_issued=x,
        canceled_in_payment=canceled,
        total_shares=total_shares,
        shares_issued=issued,
        units_delivered=whole,
        fraction=fraction,
        fraction_value=fraction_value,
        cash_in_lieu=cash_in_lieu,
        payment_due=payment_due,
        shares_remaining=remaining,
        basket=basket_lines,
        calculation="; ".join(lines),
    )
