"""The result of one Section 4 adjustment and the Section 5 "method" text that goes with it.

Section 5 asks the Issuer's certificate to set out "the method by which such adjustment was
calculated"; every `AdjustmentResult` therefore carries its calculation as text a reader can
check with a pencil: each input with its name, the formula with the numbers, the result.
Warrant Prices are shown with 4 decimal places (the value itself stays exact), share numbers
with 2 (the 1/100 share of 4(g)(iii)).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from shared.errors import AdjustmentNotApplicable
from shared.numbers import FIGURES, show_price, show_shares


@dataclass(frozen=True, slots=True)
class AdjustmentResult:
    """One adjustment of the Warrant Price and Warrant Share Number (Section 4), ready for a
    Section 5 notice: the terms before and after and how they were computed."""

    section: str
    price_before: Decimal
    price_after: Decimal
    shares_before: Decimal
    shares_after: Decimal
    calculation: str
    floor_applied: bool = False

    @property
    def share_change(self) -> Decimal:
        """|after - before| / before: the fraction 4(g)(ii) compares with its 1% minimum."""
        with localcontext(FIGURES):
            return abs(self.shares_after - self.shares_before) / self.shares_before


def combine(first: AdjustmentResult, second: AdjustmentResult) -> AdjustmentResult:
    """Two adjustments made one after the other, as one unit (4(g)(ii) carried-forward units).

    `second` must have been computed from the terms `first` produced; the unit runs from the
    terms before `first` to the terms after `second`, and its calculation shows both steps.
    """
    if second.shares_before != first.shares_after or second.price_before != first.price_after:
        raise AdjustmentNotApplicable(
            f"cannot combine {first.section} and {second.section}: the second starts from "
            f"Warrant Price {show_price(second.price_before)} and Warrant Share Number "
            f"{show_shares(second.shares_before)}, not from the first's result "
            f"{show_price(first.price_after)} and {show_shares(first.shares_after)}",
            section="4",
        )
    return AdjustmentResult(
        section=f"{first.section}+{second.section}",
        price_before=first.price_before,
        price_after=second.price_after,
        shares_before=first.shares_before,
        shares_after=second.shares_after,
        calculation=f"{first.calculation}; then {second.calculation}",
        floor_applied=first.floor_applied or second.floor_applied,
    )

