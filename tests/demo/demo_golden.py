"""The bundled W-F-05 life replayed once in process, and its hand-worked figures.

The expected figures are in tests/resources/demo/wf05_hand_checked.toml, worked by hand from
the contract (see the `working` of each record); none was produced by the code under test.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal, InvalidOperation, localcontext
from functools import cache
from pathlib import Path
from typing import Any

from services.commands.replay import replay_in_process
from services.scenarios import scenario_lines
from shared.terms import load_terms

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "demo"


@cache
def hand_checked() -> dict[str, Any]:
    with (RESOURCES / "wf05_hand_checked.toml").open("rb") as handle:
        return tomllib.load(handle)


@cache
def replayed() -> tuple[str, ...]:
    """The output lines of the bundled scenario, replayed in process."""
    return tuple(replay_in_process(scenario_lines(), [load_terms()]))


def records() -> list[dict[str, Any]]:
    return [json.loads(line)["value"] for line in replayed()]


def by_id(record_id: str) -> dict[str, Any]:
    found = [r for r in records() if r["id"] == record_id]
    assert len(found) == 1, f"{len(found)} output records with id {record_id!r}"
    return found[0]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def same(actual: Any, expected: str) -> bool:
    """Equal as decimals when both are numbers (2.30 == 2.3), else as JSON text."""
    a, e = _number(actual), _number(expected)
    if a is not None and e is not None:
        return a == e
    shown = json.dumps(actual) if isinstance(actual, bool) else str(actual)
    return shown == expected


def ratio(numerator: str, denominator: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(numerator) / Decimal(denominator)


def check(case: dict[str, Any]) -> None:
    """Assert every expectation of one hand-checked record."""
    record = by_id(case["id"])
    for field, expected in case.get("expect", {}).items():
        assert same(record.get(field), expected), (
            f"{case['id']} {field}: got {record.get(field)!r}, worked by hand {expected!r}")
    for field, (num, den) in case.get("expect_ratio", {}).items():
        got = Decimal(str(record[field]))
        want = ratio(num, den)
        assert abs(got - want) <= want * Decimal("1e-24"), (
            f"{case['id']} {field}: got {got}, worked by hand {num} / {den} = {want}")
    for phrase in case.get("calculation_contains", []):
        assert phrase in record["calculation"], (
            f"{case['id']}: calculation lacks {phrase!r}: {record['calculation']}")
