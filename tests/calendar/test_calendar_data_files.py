"""The golden files themselves: every written-out weekday agrees with the date."""

from __future__ import annotations

import re

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
    # the comment block says where the rows come from: a published source (a web address or
    # a statute) or other files of this folder, each of which exists; never the code under test
    paths = sorted(RESOURCES.glob("*.csv"))
    assert len(paths) >= 8
    names = {p.name for p in paths}
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        block = " ".join(line for line in lines if line.startswith("#"))
        assert lines[0].startswith("#") and len(block) > 120, f"{path.name}: no source comment"
        cited = set(re.findall(r"[\w-]+\.csv", block)) - {path.name}
        assert cited <= names, f"{path.name} cites missing files {sorted(cited - names)}"
        web = re.search(r"\b[\w.-]+\.(gov|com|org)\b|\bLaw section \d+", block)
        assert web or cited, f"{path.name} names no published source and no other file"
        assert "warrantwatch" not in block.replace("never produced by warrantwatch", "")
