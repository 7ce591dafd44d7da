"""Hand-worked answers for the exercise tests: TOML files under tests/resources/exercise/.

Every expected value there was worked by hand (see its README.md and each case's
`working`); none was produced by the code under test.
"""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from shared.calendar import TradingCalendar
from shared.terms import Terms, load_terms
from shared.venues import Venue

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "exercise"


@cache
def _load(name: str) -> dict[str, Any]:
    with (RESOURCES / name).open("rb") as handle:
        return tomllib.load(handle)


def cases(name: str, table: str) -> list[dict[str, Any]]:
    """The array of tables `table` of resource file `name`."""
    found = _load(name)[table]
    assert isinstance(found, list) and found, f"{name} has no [[{table}]]"
    return found


def table(name: str, key: str) -> dict[str, Any]:
    found = _load(name)[key]
    assert isinstance(found, dict)
    return found


def dec(text: str) -> Decimal:
    return Decimal(text)


def instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"resource instant without offset: {text}"
    return value


def day(text: str) -> date:
    return date.fromisoformat(text)


@cache
def terms() -> Terms:
    return load_terms()


@cache
def calendar(venue: str = "NASDAQ") -> TradingCalendar:
    """The real Section 8 calendar with `venue` in force throughout."""
    return TradingCalendar(dataclasses.replace(terms(), initial_venue=Venue(venue)))


def case_id(case: dict[str, Any]) -> str:
    return str(case.get("name") or case.get("at") or case.get("effective_at") or case)
