"""Section 4(b)-(e) against the hand-worked examples in resources/adjustments/examples.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.adjustments import (
    AdjustmentResult,
    distribution_adjustment,
    equivalents_adjustment,
    issuance_adjustment,
    split_adjustment,
    stock_dividend_adjustment,
)
from shared.errors import AdjustmentNotApplicable

EXAMPLES = Path(__file__).parents[1] / "resources" / "adjustments" / "examples.toml"
CALLS: dict[str, tuple[str, Callable[..., AdjustmentResult | None]]] = {
    "split": ("4(b)", split_adjustment),
    "stock_dividend": ("4(b)", stock_dividend_adjustment),
    "distribution": ("4(c)", distribution_adjustment),
    "issuance": ("4(d)", issuance_adjustment),
    "equivalents": ("4(e)", equivalents_adjustment),
}


def _examples() -> list[dict[str, Any]]:
    with EXAMPLES.open("rb") as handle:
        examples: list[dict[str, Any]] = tomllib.load(handle)["example"]
    return examples


def _arguments(inputs: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for key, raw in inputs.items():
        if key == "keep_aggregate":
            arguments[key] = raw
        elif key == "floor" and raw == "unknown":
            arguments[key] = None
        else:
            arguments[key] = Decimal(raw)
    return arguments


@pytest.mark.parametrize("example", _examples(), ids=lambda e: e["name"])
def test_worked_example(example: dict[str, Any]) -> None:
    section, call = CALLS[example["call"]]
    arguments = _arguments(example["inputs"])
    if example["expect"] == "rejected":
        with pytest.raises(AdjustmentNotApplicable) as raised:
            call(**arguments)
        assert example["reason_contains"] in str(raised.value)
        return
    result = call(**arguments)
    if example["expect"] == "none":
        assert result is None
        return
    assert example["expect"] == "adjusted"
    assert result is not None
    assert result.section == section
    assert result.price_before == arguments["price"]
    assert result.shares_before == arguments["shares"]
    assert result.price_after == Decimal(example["price_after"]), result.calculation
    assert result.shares_after == Decimal(example["shares_after"])
    # The shares carry exactly the 1/100 places of 4(g)(iii), never more.
    assert result.shares_after.as_tuple().exponent == -2
    if "floor_applied" in example:
        assert result.floor_applied is example["floor_applied"]
    for fragment in example.get("calculation_contains", []):
        assert fragment in result.calculation
