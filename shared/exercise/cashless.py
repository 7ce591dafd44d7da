"""Section 2(c) cashless exercise: X = Y - (A x Y) / B.

Y is the part of the warrant exercised cashless, A the Warrant Price in effect, B the Per
Share Market Value of the exercise date. The shares not issued, Y - X = (A x Y) / B, are
"canceled in payment of the Warrant Price" (2(d)(ii)) and still count as exercised.

B <= A gives no shares: the request is refused by raising `CashlessOutOfMoney` (reason
code `cashless_out_of_money`), never answered with zero or negative shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.errors import CashlessOutOfMoney, ContractInputError
from shared.numbers import (
    difference,
    product,
    quotient,
    show_price,
    text_stock,
    text_value,
    text_warrant_shares,
)

CASHLESS_OUT_OF_MONEY = "cashless_out_of_money"


@dataclass(frozen=True, slots=True)
class CashlessFigures:
    """The figures of one cashless exercise, with the calculation a reader can check."""

    warrant_shares: Decimal  # Y
    warrant_price: Decimal  # A, exact
    market_value: Decimal  # B
    shares: Decimal  # X, before Section 6 splits it into whole shares and a fraction
    canceled_in_payment: Decimal  # Y - X = (A x Y) / B
    calculation: str


def require_positive(value: Decimal, name: str) -> Decimal:
    """`value` if it is a finite Decimal above zero, else ContractInputError naming it."""
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ContractInputError(f"{name} must be a Decimal above zero, got {value!r}")
    return value


def require_not_negative(value: Decimal, name: str) -> Decimal:
    """`value` if it is a finite Decimal of zero or more, else ContractInputError naming it."""
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ContractInputError(f"{name} must be a Decimal of zero or more, got {value!r}")
    return value


def check_in_the_money(warrant_price: Decimal, market_value: Decimal) -> None:
    """Raise CashlessOutOfMoney unless B > A (Section 2(c) gives shares only then)."""
    if market_value <= warrant_price:
        raise CashlessOutOfMoney(
            CASHLESS_OUT_OF_MONEY,
            f"the Per Share Market Value B = {text_value(market_value)} is not above the Warrant "
            f"Price A = {show_price(warrant_price)}, so X = Y - (A x Y) / B gives no shares "
            "(Section 2(c))",
        )


def cashless_shares(
    warrant_shares: Decimal, warrant_price: Decimal, market_value: Decimal
) -> CashlessFigures:
    """Section 2(c): the shares X issued for Y warrant shares exercised cashless.

    X is kept to 60 significant digits; Section 6's whole shares and fraction are taken
    exactly by `shared.exercise.settlement_math`, never by flooring this rounded value.
    """
    y = require_positive(warrant_shares, "cashless warrant shares Y")
    a = require_positive(warrant_price, "Warrant Price A")
    b = require_positive(market_value, "Per Share Market Value B")
    check_in_the_money(a, b)
    canceled = quotient(product(a, y), b)
    x = difference(y, canceled)
    text = (
        f"Section 2(c): X = Y - (A x Y) / B = {text_warrant_shares(y)} - ({show_price(a)} x "
        f"{text_warrant_shares(y)}) / {text_value(b)} = {text_warrant_shares(y)} - "
        f"{text_warrant_shares(canceled)} = {text_stock(x)} shares; "
        f"{text_warrant_shares(canceled)} warrant shares canceled in payment of the Warrant "
        "Price"
    )
    return CashlessFigures(y, a, b, x, canceled, text)
