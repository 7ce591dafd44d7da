"""AdjustmentResult, combine, bad input and context independence of the Section 4 formulas."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext

import pytest

from shared.adjustments import (
    AdjustmentResult,
    combine,
    distribution_adjustment,
    issuance_adjustment,
    split_adjustment,
    stock_dividend_adjustment,
)
from shared.errors import AdjustmentNotApplicable

D = Decimal


def test_share_change_is_the_fraction_of_the_shares_before() -> None:
    # 1,000,000.00 -> 1,008,000.00: 8,000 / 1,000,000 = 0.008, under the 1% of 4(g)(ii).
    result = AdjustmentResult("4(d)", D("2.40"), D("2.38"), D("1000000.00"), D("1008000.00"), "")
    assert result.share_change == D("0.008")
    smaller = AdjustmentResult("4(b)", D("2.40"), D("9.60"), D("1000.00"), D("250.00"), "")
    assert smaller.share_change == D("0.75")


def test_combine_runs_from_the_first_terms_to_the_last() -> None:
    # 2-for-1 split: 1,000,000.00 at 2.40 -> 2,000,000.00 at 1.20; then 4(c) at PSMV 3.00 with
    # 0.60 distributed: x 1.25 -> 2,500,000.00 at 1.20 x 2,000,000 / 2,500,000 = 0.96.
    split = split_adjustment(D("2.40"), D("1000000.00"), D(2), D(1))
    distribution = distribution_adjustment(split.price_after, split.shares_after, D("3.00"),
                                           D("0.60"))
    unit = combine(split, distribution)
    assert unit.section == "4(b)+4(c)"
    assert (unit.price_before, unit.shares_before) == (D("2.40"), D("1000000.00"))
    assert (unit.price_after, unit.shares_after) == (D("0.96"), D("2500000.00"))
    assert unit.share_change == D("1.5")
    assert unit.calculation == f"{split.calculation}; then {distribution.calculation}"
    assert unit.floor_applied is False


def test_combine_refuses_results_that_do_not_follow_each_other() -> None:
    first = stock_dividend_adjustment(D("2.40"), D("1000.00"), D("0.10"))
    unrelated = stock_dividend_adjustment(D("2.40"), D("1000.00"), D("0.10"))
    with pytest.raises(AdjustmentNotApplicable, match="cannot combine 4\\(b\\) and 4\\(b\\)"):
        combine(first, unrelated)


def test_floor_applied_survives_combination() -> None:
    floored = issuance_adjustment(D("2.40"), D("1000.00"), D(100), D(100), D(0), floor=D("2.00"))
    assert floored is not None and floored.floor_applied
    assert floored.price_after == D("2.00")
    later = split_adjustment(floored.price_after, floored.shares_after, D(2), D(1))
    assert combine(floored, later).floor_applied is True


def test_results_do_not_depend_on_the_callers_context() -> None:
    with localcontext() as narrow:
        narrow.prec = 5
        narrow.rounding = ROUND_DOWN
        result = issuance_adjustment(D("2.40"), D("1000000.00"), D(10_000_000), D(500_000),
                                     D("1000000.00"), floor=D(1))
        split = split_adjustment(D("2.40"), D("10.02"), D(1), D(4))
        share_change = split.share_change
    assert result is not None
    assert result.price_after == D("2.380952380952380952380952381")  # 50/21, as worked
    assert split.shares_after == D("2.51")  # half up, not down
    assert share_change == D("0.7495009980039920159680638723")  # 7.51 / 10.02, 28 digits


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2.4, "4(b): Warrant Price must be a Decimal, got float 2.4"),
        (D("NaN"), "4(b): Warrant Price must be finite"),
        (D("Infinity"), "4(b): Warrant Price must be finite"),
        (D("0"), "4(b): Warrant Price must be greater than zero, got 0"),
        (D("1e20"), "out of range"),
    ],
)
def test_bad_price_is_rejected_with_the_reason(value: object, message: str) -> None:
    with pytest.raises(AdjustmentNotApplicable) as raised:
        split_adjustment(value, D("100.00"), D(2), D(1))  # type: ignore[arg-type]
    assert message in str(raised.value)


def test_bad_share_number_and_rounding_are_rejected() -> None:
    with pytest.raises(AdjustmentNotApplicable, match="Warrant Share Number must be greater than"):
        stock_dividend_adjustment(D("2.40"), D("-1"), D("0.10"))
    with pytest.raises(AdjustmentNotApplicable, match="share rounding must be greater than zero"):
        stock_dividend_adjustment(D("2.40"), D("100"), D("0.10"), rounding=D(0))
    with pytest.raises(AdjustmentNotApplicable, match="dividend rate must be greater than zero"):
        stock_dividend_adjustment(D("2.40"), D("100"), D("0"))


def test_a_negative_floor_is_rejected() -> None:
    with pytest.raises(AdjustmentNotApplicable, match="4\\(d\\): floor must not be negative"):
        issuance_adjustment(D("2.40"), D("100"), D(100), D(10), D(0), floor=D("-1"))


def test_whole_share_rounding_follows_the_rounding_argument() -> None:
    # A terms file may round to whole shares: 101 x 3 / 2 = 151.5 -> 152 (half up).
    result = split_adjustment(D("2.40"), D(101), D(3), D(2), rounding=D(1))
    assert result.shares_after == D(152)
    # 2.40 x 101 / 152 = 30.3 / 19, long division: 1.594736842105263157894736842|1...
    assert result.price_after == D("1.594736842105263157894736842")
