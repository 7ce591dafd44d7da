"""Sections 2(b), 6, 2(d)(ii), 4(a) settlement figures against hand-worked examples
(resources/exercise/settlement.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from exercise_golden import case_id, cases, dec

from shared.errors import ContractInputError, ExerciseRefusal, MarketValueUnavailable
from shared.events.inputs import BasketItem
from shared.events.outputs import RefusalReason
from shared.exercise.settlement_math import settle_exercise


def _market_value(case: dict[str, Any]) -> Decimal | None:
    text = case.get("market_value", "")
    return None if text == "" else dec(text)


@pytest.mark.parametrize("case", cases("settlement.toml", "case"), ids=case_id)
def test_settlement_example(case: dict[str, Any]) -> None:
    figures = settle_exercise(
        cash_shares=dec(case["cash_shares"]),
        cashless_shares=dec(case["cashless_shares"]),
        warrant_price=dec(case["warrant_price"]),
        market_value=_market_value(case),
        share_number=dec(case["share_number"]),
    )
    assert figures.payment_due == dec(case["payment_due"])
    assert figures.shares_issued == dec(case["shares_issued"])
    assert figures.cash_in_lieu == dec(case["cash_in_lieu"])
    assert figures.shares_remaining == dec(case["shares_remaining"])
    assert figures.shares_exercised == dec(case["cash_shares"]) + dec(case["cashless_shares"])
    for key in ("cashless_issued", "canceled_in_payment"):
        if key in case:
            assert getattr(figures, key) == dec(case[key])
    # Money carries exactly two places: it is what changes hands.
    assert figures.payment_due.as_tuple().exponent == -2
    assert figures.cash_in_lieu.as_tuple().exponent == -2


def test_combined_calculation_text_can_be_checked_by_pencil() -> None:
    case = cases("settlement.toml", "case")[1]
    text = settle_exercise(
        cash_shares=dec(case["cash_shares"]),
        cashless_shares=dec(case["cashless_shares"]),
        warrant_price=dec(case["warrant_price"]),
        market_value=dec(case["market_value"]),
        share_number=dec(case["share_number"]),
    ).calculation
    assert "payment due = A x Y_cash = 2.4000 x 100.50 = 241.20 -> 241.20" in text
    assert "211 whole shares issued" in text
    assert "-> 1.65 cash in lieu" in text
    assert "47,916.67 - 100.50 - 1,000.00 = 46,816.17" in text


@pytest.mark.parametrize("case", cases("settlement.toml", "basket"), ids=case_id)
def test_successor_basket(case: dict[str, Any]) -> None:
    items = tuple(
        BasketItem(asset=a, per_share=dec(p))
        for a, p in zip(case["assets"], case["per_share"], strict=True)
    )
    figures = settle_exercise(
        cash_shares=dec(case["cash_shares"]),
        cashless_shares=Decimal(0),
        warrant_price=dec(case["warrant_price"]),
        market_value=None,
        share_number=dec(case["share_number"]),
        basket=items,
    )
    assert figures.payment_due == dec(case["payment_due"])
    assert [line.asset for line in figures.basket] == case["assets"]
    assert [line.per_share for line in figures.basket] == [dec(p) for p in case["per_share"]]
    assert [line.total for line in figures.basket] == [dec(t) for t in case["totals"]]
    assert "Section 4(a) basket" in figures.calculation


@pytest.mark.parametrize("case", cases("settlement.toml", "refused"), ids=case_id)
def test_refused_requests(case: dict[str, Any]) -> None:
    with pytest.raises(ExerciseRefusal) as caught:
        settle_exercise(
            cash_shares=dec(case["cash_shares"]),
            cashless_shares=dec(case["cashless_shares"]),
            warrant_price=Decimal("2.40"),
            market_value=Decimal("3.00"),
            share_number=dec(case["share_number"]),
        )
    assert caught.value.reason == case["reason"]
    assert RefusalReason(caught.value.reason)  # a code of the closed list
    assert caught.value.max_shares == dec(case["max_shares"])


def test_cashless_without_market_value_is_unavailable() -> None:
    with pytest.raises(MarketValueUnavailable, match="Section 2"):
        settle_exercise(
            cash_shares=Decimal(0), cashless_shares=Decimal(10), warrant_price=Decimal("2.40"),
            market_value=None, share_number=Decimal(100),
        )


def test_fraction_without_market_value_is_unavailable() -> None:
    with pytest.raises(MarketValueUnavailable, match="Section 6"):
        settle_exercise(
            cash_shares=Decimal("10.5"), cashless_shares=Decimal(0),
            warrant_price=Decimal("2.40"), market_value=None, share_number=Decimal(100),
        )


def test_empty_request_is_bad_input() -> None:
    with pytest.raises(ContractInputError, match="above zero"):
        settle_exercise(
            cash_shares=Decimal(0), cashless_shares=Decimal(0), warrant_price=Decimal("2.40"),
            market_value=None, share_number=Decimal(100),
        )


def test_negative_part_is_bad_input() -> None:
    with pytest.raises(ContractInputError, match="Y_cash"):
        settle_exercise(
            cash_shares=Decimal(-1), cashless_shares=Decimal(5), warrant_price=Decimal("2.40"),
            market_value=Decimal(3), share_number=Decimal(100),
        )


@dataclass(frozen=True)
class _Item:
    asset: str
    per_share: Decimal


def test_basket_over_whole_shares_only() -> None:
    # 100.50 cash: 100 whole shares deliver the basket, the half share is paid in cash.
    figures = settle_exercise(
        cash_shares=Decimal("100.50"), cashless_shares=Decimal(0), warrant_price=Decimal("2.40"),
        market_value=Decimal("3.00"), share_number=Decimal(200),
        basket=(_Item("ACQ", Decimal("0.5")),),
    )
    assert figures.basket[0].total == Decimal(50)
    assert figures.cash_in_lieu == Decimal("1.50")
