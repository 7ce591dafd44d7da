"""New York business days, the Section 8 proviso: GCL section 24 and the Fed's holidays."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from calendar_golden import flag, iso, rows

from shared.calendar import (
    federal_reserve_holidays,
    general_election_day,
    is_new_york_business_day,
    new_york_business_days,
    new_york_legal_holidays,
)


@pytest.mark.parametrize("year", [2023, 2024])
def test_legal_holidays_are_exactly_the_statute(year: int) -> None:
    table = rows("new_york_legal_holidays.csv")
    expected = {iso(r["date"]) for r in table if r["date"].startswith(str(year))}
    assert set(new_york_legal_holidays(year)) == expected


def test_fed_weekday_closings_are_exactly_the_published_schedule() -> None:
    published: dict[int, set[date]] = defaultdict(set)
    for row in rows("federal_reserve_holidays.csv"):
        if row["banks_closed_on"]:
            published[int(row["year"])].add(iso(row["banks_closed_on"]))
    for year, closed in published.items():
        weekdays = {d for d in federal_reserve_holidays(year) if d.weekday() < 5}
        assert weekdays == closed, year


@pytest.mark.parametrize(
    "row", rows("federal_reserve_holidays.csv"), ids=lambda r: r["holiday_date"]
)
def test_fed_schedule_row(row: dict[str, str]) -> None:
    if row["banks_closed_on"]:
        assert not is_new_york_business_day(iso(row["banks_closed_on"]))
    else:
        # Saturday holiday: the Reserve Banks are open the Friday before.
        friday = iso(row["open_friday_before"])
        assert friday not in federal_reserve_holidays(friday.year)
        assert is_new_york_business_day(friday)


@pytest.mark.parametrize("row", rows("new_york_business_days.csv"), ids=lambda r: r["date"])
def test_business_day(row: dict[str, str]) -> None:
    assert is_new_york_business_day(iso(row["date"])) is flag(row["business_day"])


def test_extra_closures_remove_a_business_day() -> None:
    day = date(2012, 10, 29)  # an ordinary Monday (new_york_business_days.csv: none listed)
    assert is_new_york_business_day(day)
    assert not is_new_york_business_day(day, frozenset({day}))


def test_weekends_are_never_business_days() -> None:
    assert not is_new_york_business_day(date(2024, 3, 30))  # Saturday
    assert not is_new_york_business_day(date(2024, 3, 31))  # Sunday


@pytest.mark.parametrize(
    ("year", "expected"), [(2008, date(2008, 11, 4)), (2023, date(2023, 11, 7)),
                           (2024, date(2024, 11, 5)), (2022, date(2022, 11, 8))],
)
def test_general_election_day(year: int, expected: date) -> None:
    # The Tuesday after the first Monday in November (NY Election Law 8-100).
    assert general_election_day(year) == expected


def test_flag_day_never_removes_a_weekday() -> None:
    for year in range(1995, 2036):
        holidays = new_york_legal_holidays(year)
        flag_days = [d for d, name in holidays.items() if name.startswith("Flag day")]
        assert len(flag_days) == 1 and flag_days[0].weekday() == 6
        monday = flag_days[0] + timedelta(days=1)
        assert "Flag" not in holidays.get(monday, "")


def test_business_days_span_matches_the_predicate() -> None:
    days = new_york_business_days(date(2023, 11, 1), date(2023, 11, 30))
    # Every weekday of November 2023 but Election Day (7th) and Thanksgiving (23rd).
    assert len(days) == 20
    assert date(2023, 11, 7) not in days and date(2023, 11, 23) not in days
    assert date(2023, 11, 24) in days
