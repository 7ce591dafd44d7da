"""Section 2(c) cashless exercise against hand-worked examples (resources: cashless.toml)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from exercise_golden import case_id, cases, dec

from shared.errors import CashlessOutOfMoney, ContractInputError
from shared.exercise.cashless import cashless_shares
from shared.exercise.settlement_math import settle_exercise

SIX = Decimal("0.000001")


@pytest.mark.parametrize("case", cases("cashless.toml", "case"), ids=case_id)
def test_cashless_example(case: dict[str, Any]) -> None:
    figures = cashless_shares(dec(case["Y"]), dec(case["A"]), dec(case["B"]))
    if "X" in case:
        assert figures.shares == dec(case["X"])
    if "X_6dp" in case:
        assert figures.shares.quantize(SIX, ROUND_HALF_UP) == dec(case["X_6dp"])
    if "canceled" in case:
        assert figures.canceled_in_payment == dec(case["canceled"])
    if "canceled_6dp" in case:
        assert figures.canceled_in_payment.quantize(SIX, ROUND_HALF_UP) == dec(
            case["canceled_6dp"]
        )
    assert figures.shares + figures.canceled_in_payment == dec(case["Y"])
    settled = settle_exercise(
        cash_shares=Decimal(0),
        cashless_shares=dec(case["Y"]),
        warrant_price=dec(case["A"]),
        market_value=dec(case["B"]),
        share_number=dec(case["Y"]),
    )
    assert settled.shares_issued == dec(case["whole"])
    assert settled.cash_in_lieu == dec(case["cash_in_lieu"])
    assert str(settled.cash_in_lieu) == case["cash_in_lieu"]  # to the cent, 2 places


@pytest.mark.parametrize("case", cases("cashless.toml", "refused"), ids=case_id)
def test_cashless_out_of_the_money_is_refused(case: dict[str, Any]) -> None:
    with pytest.raises(CashlessOutOfMoney) as caught:
        cashless_shares(dec(case["Y"]), dec(case["A"]), dec(case["B"]))
    assert caught.value.reason == "cashless_out_of_money"
    assert "2.4000" in caught.value.detail  # the Warrant Price, shown with 4 places


def test_calculation_text_shows_the_formula_and_four_place_price() -> None:
    text = cashless_shares(Decimal(10000), Decimal("2.40"), Decimal("3.00")).calculation
    assert ("X = Y - (A x Y) / B = 10,000.00 - (2.4000 x 10,000.00) / 3.00 = 10,000.00 - "
            "8,000.00") in text
    assert "= 2,000 shares" in text


@pytest.mark.parametrize(
    ("y", "a", "b"),
    [("0", "2.40", "3"), ("-5", "2.40", "3"), ("10", "0", "3"), ("10", "2.40", "0"),
     ("NaN", "2.40", "3")],
)
def test_bad_figures_are_named(y: str, a: str, b: str) -> None:
    with pytest.raises(ContractInputError, match="must be a Decimal above zero"):
        cashless_shares(Decimal(y), Decimal(a), Decimal(b))
