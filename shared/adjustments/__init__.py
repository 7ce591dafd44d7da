"""Section 4 adjustments of the Warrant Price and Warrant Share Number, as pure formulas."""

from shared.adjustments.calculation import AdjustmentResult, combine
from shared.adjustments.formulas import (
    distribution_adjustment,
    equivalents_adjustment,
    issuance_adjustment,
    split_adjustment,
    stock_dividend_adjustment,
)

__all__ = [
    "AdjustmentResult",
    "combine",
    "distribution_adjustment",
    "equivalents_adjustment",
    "issuance_adjustment",
    "split_adjustment",
    "stock_dividend_adjustment",
]
