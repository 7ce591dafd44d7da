"""New York business days: the proviso of Section 8 "Trading Day".

When the Common Stock is not listed or quoted as in tiers (a)-(c), a Trading Day is "any day
except Saturday, Sunday and any day which shall be a legal holiday or a day on which banking
institutions in the State of New York are authorized or required by law or other government
action to close" (Section 8; docs/contract.md "Trading Day", point 5).

- Legal holidays: New York General Construction Law section 24. A holiday that falls on a
  Sunday is also kept the next day (except Flag Day); none moves off a Saturday.
- Bank closings: the Federal Reserve Banks' holidays, with the Fed's rule that a Sunday
  holiday closes the Monday and a Saturday one closes nothing. pandas'
  `USFederalHolidayCalendar` moves Saturday holidays to Friday and is wrong here.
- Other closings by government action are the terms file's `extra_closures`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

MONDAY, TUESDAY, THURSDAY, SATURDAY, SUNDAY = 0, 1, 3, 5, 6

# GCL section 24 gained Juneteenth by chapter 249 of the laws of 2020.
NY_JUNETEENTH_FROM = 2020
# The Federal Reserve Banks first closed for Juneteenth in 2022.
FED_JUNETEENTH_FROM = 2022


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) `weekday` (Monday = 0) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def last_weekday(year: int, month: int, weekday: int) -> date:
    """The last `weekday` (Monday = 0) of a month."""
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def general_election_day(year: int) -> date:
    """The first Tuesday after the first Monday in November (always November 2 to 8)."""
    return nth_weekday(year, 11, MONDAY, 1) + timedelta(days=1)


def _with_sunday_rule(
    days: Iterable[tuple[date, str]], *, keep_sunday: str = ""
) -> dict[date, str]:
    out: dict[date, str] = {}
    for day, name in days:
        out[day] = name
        if day.weekday() == SUNDAY and name != keep_sunday:
            out.setdefault(day + timedelta(days=1), f"{name} (observed, falls on Sunday)")
    return out


@lru_cache(maxsize=128)
def new_york_legal_holidays(year: int) -> dict[date, str]:
    """The New York legal holidays of a year (GCL section 24), with Sunday holidays' Mondays.

    Flag Day (the second Sunday in June) is listed but, being a Sunday that the statute does
    not move, never removes a weekday.
    """
    days = [
        (date(year, 1, 1), "New Year's day"),
        (nth_weekday(year, 1, MONDAY, 3), "Dr. Martin Luther King, Jr. day"),
        (date(year, 2, 12), "Lincoln's birthday"),
        (nth_weekday(year, 2, MONDAY, 3), "Washington's birthday"),
        (last_weekday(year, 5, MONDAY), "Memorial day"),
        (nth_weekday(year, 6, SUNDAY, 2), "Flag day"),
        (date(year, 7, 4), "Independence day"),
        (nth_weekday(year, 9, MONDAY, 1), "Labor day"),
        (nth_weekday(year, 10, MONDAY, 2), "Columbus day"),
        (general_election_day(year), "General election day"),
        (date(year, 11, 11), "Veterans' day"),
        (nth_weekday(year, 11, THURSDAY, 4), "Thanksgiving day"),
        (date(year, 12, 25), "Christmas day"),
    ]
    if year >= NY_JUNETEENTH_FROM:
        days.append((date(year, 6, 19), "Juneteenth"))
    return _with_sunday_rule(sorted(days), keep_sunday="Flag day")


@lru_cache(maxsize=128)
def federal_reserve_holidays(year: int) -> dict[date, str]:
    """The days of a year on which the Federal Reserve Banks are closed for a holiday.

    A holiday on a Sunday closes the Monday; one on a Saturday closes nothing, so the
    Saturday itself is the only entry (it is no business day anyway).
    """
    days = [
        (date(year, 1, 1), "New Year's Day"),
        (nth_weekday(year, 1, MONDAY, 3), "Birthday of Martin Luther King, Jr."),
        (nth_weekday(year, 2, MONDAY, 3), "Washington's Birthday"),
        (last_weekday(year, 5, MONDAY), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (nth_weekday(year, 9, MONDAY, 1), "Labor Day"),
        (nth_weekday(year, 10, MONDAY, 2), "Columbus Day"),
        (date(year, 11, 11), "Veterans Day"),
        (nth_weekday(year, 11, THURSDAY, 4), "Thanksgiving Day"),
        (date(year, 12, 25), "Christmas Day"),
    ]
    if year >= FED_JUNETEENTH_FROM:
        days.append((date(year, 6, 19), "Juneteenth National Independence Day"))
    return _with_sunday_rule(sorted(days))


def is_new_york_business_day(day: date, extra_closures: frozenset[date] = frozenset()) -> bool:
    """Section 8 proviso: not a weekend, NY legal holiday, Fed holiday or extra closure."""
    if day.weekday() >= SATURDAY or day in extra_closures:
        return False
    return (
        day not in new_york_legal_holidays(day.year)
        and day not in federal_reserve_holidays(day.year)
    )


def new_york_business_days(start: date, end: date) -> tuple[date, ...]:
    """Every New York business day from `start` to `end`, both inclusive."""
    span = (end - start).days + 1
    days = (start + timedelta(days=i) for i in range(max(span, 0)))
    return tuple(d for d in days if is_new_york_business_day(d))
