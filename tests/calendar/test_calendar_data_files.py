"""The golden files themselves: every written-out weekday agrees with the date."""

from __future__ import annotations

import pytest
from calendar_golden import RESOURCES, iso, rows

DATED = [
    ("nyse_closures.csv", "date"),
    ("nyse_open_days.csv", "date"),
    ("nyse_closes.csv", "date"),
    ("federal_reserve_holidays.csv", "holiday_date"),
    ("new_york_legal_holidays.csv", "date"),
    ("new_york_business_days.csv", "date"),
]


@pytest.mark.parametrize(("name", "column"), DATED)
def test_weekday_column_matches_the_date(name: str, column: str) -> None:
    table = rows(name)
    assert table, f"{name} is empty"
    for row in table:
        assert iso(row[column]).strftime("%a") == row["weekday"], row


def test_every_file_names_its_source() -> None:
    for path in sorted(RESOURCES.glob("*.csv")):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("#"), f"{path.name} has no source comment"
