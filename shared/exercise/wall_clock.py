"""Contract time: every instant is read on the wall clock of the terms' zone (eastern time).

docs/contract.md "Time": all contract times are America/New_York wall-clock, with DST.
Comparisons are made on UTC values, because two datetimes sharing one ZoneInfo compare by
wall clock, which is wrong across a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from shared.errors import ContractInputError


def require_aware(at: datetime, name: str) -> datetime:
    """`at` as given, or ContractInputError if it carries no UTC offset."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ContractInputError(f"{name} must carry a UTC offset, got {at.isoformat()}")
    return at


def in_utc(at: datetime, name: str = "instant") -> datetime:
    """The same instant in UTC, for comparisons that must hold across DST changes."""
    return require_aware(at, name).astimezone(UTC)


def local_date(at: datetime, zone: ZoneInfo, name: str = "instant") -> date:
    """The calendar date of `at` on the wall clock of `zone`."""
    return require_aware(at, name).astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """00:00 on the wall clock of `zone` on `day` (no DST change happens at midnight here)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def show_instant(at: datetime, zone: ZoneInfo) -> str:
    """An instant as calculation texts show it: eastern wall clock, zone name and UTC."""
    local = require_aware(at, "instant").astimezone(zone)
    utc = at.astimezone(UTC)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()} ({utc:%Y-%m-%d %H:%M:%S} UTC)"
