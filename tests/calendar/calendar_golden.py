"""Golden answers for the calendar tests: CSV files under tests/resources/calendar/.

Each file names its published source in its header comments; none was produced by the code
under test. Lines starting with '#' are comments.
"""

from __future__ import annotations

import csv
import dataclasses
from datetime import date
from functools import cache
from pathlib import Path

from shared.calendar import TradingCalendar
from shared.terms import Terms, load_terms
from shared.venues import Venue

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "calendar"


def rows(name: str) -> list[dict[str, str]]:
    with (RESOURCES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def iso(text: str) -> date:
    return date.fromisoformat(text)


def dates(text: str) -> list[date]:
    return [iso(part) for part in text.split()]


def flag(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"not true/false: {text!r}")
    return text == "true"


@cache
def base_terms() -> Terms:
    return load_terms()


def terms_with(venue: Venue, **changes: object) -> Terms:
    return dataclasses.replace(base_terms(), initial_venue=venue, **changes)  # type: ignore[arg-type]


def calendar_for_row(row: dict[str, str]) -> TradingCalendar:
    """The calendar a scenario row describes (venue, listings, halts, observed, switches)."""
    terms = terms_with(
        Venue(row["initial_venue"]),
        count_only_observed_trading=flag(row.get("count_only_observed") or "false"),
        pink_sheets_under_proviso=flag(row.get("pink_under_proviso") or "false"),
        extra_closures=tuple(dates(row.get("extra_closures") or "")),
    )
    calendar = TradingCalendar(terms)
    for change in (row.get("listings") or "").split():
        effective, venue = change.split(":")
        calendar = calendar.with_listing(iso(effective), Venue(venue))
    for day in dates(row.get("halts") or ""):
        calendar = calendar.with_halt(day)
    for day in dates(row.get("observed") or ""):
        calendar = calendar.with_observed_trading(day)
    return calendar
