"""Section 2(d) deadlines, Exercise Default and buy-in damages
(resources/exercise/delivery.toml), on the real Trading Day calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from exercise_golden import calendar, case_id, cases, day, dec, instant, terms

from shared.delivery import (
    buy_in_damages,
    default_check,
    delivery_deadline,
    delivery_due,
    delivery_schedule,
)
from shared.errors import ContractInputError


@pytest.mark.parametrize("case", cases("delivery.toml", "due"), ids=case_id)
def test_delivery_due(case: dict[str, Any]) -> None:
    cal = calendar(case["venue"])
    exercised = day(case["exercise_date"])
    assert delivery_due(exercised, cal, 3) == day(case["delivery_due"])
    schedule = delivery_schedule(exercised, cal, terms())
    assert schedule.delivery_due == day(case["delivery_due"])
    expected = instant(case["deadline"])
    assert schedule.deadline == expected
    assert schedule.deadline.utcoffset() == expected.utcoffset()
    assert delivery_deadline(schedule.delivery_due, terms().zone) == expected


@pytest.mark.parametrize("case", cases("delivery.toml", "default"), ids=case_id)
def test_exercise_default(case: dict[str, Any]) -> None:
    check = default_check(
        instant(case["event_time"]),
        instant(case["deadline"]),
        dec(case["shares_issued"]),
        [(instant(at), dec(shares)) for at, shares in case["deliveries"]],
    )
    assert check.in_default is case["in_default"]
    assert check.shares_undelivered == dec(case["undelivered"])


@pytest.mark.parametrize("case", cases("delivery.toml", "buy_in"), ids=lambda c: c["working"])
def test_buy_in_damages(case: dict[str, Any]) -> None:
    figures = buy_in_damages(dec(case["paid"]), dec(case["net_proceeds"]))
    assert figures.amount == dec(case["amount"])
    assert str(figures.amount) == case["amount"]


def test_delivery_count_must_be_positive() -> None:
    with pytest.raises(ContractInputError, match="1 or more"):
        delivery_due(date(2008, 11, 24), calendar(), 0)


def test_negative_buy_in_figure_is_refused() -> None:
    with pytest.raises(ContractInputError, match="net proceeds"):
        buy_in_damages(Decimal(10), Decimal(-1))
