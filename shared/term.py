"""The Term (Sections 1, 2(a)) and the last days of it in which Section 7 has no force.

- Section 2(a): exercisable "during the Term commencing on September 15, 2005" - from
  `terms.exercisable_from` (00:00 eastern that day).
- Section 1: the Term expires "at 5:00 p.m., eastern time, on March 14, 2010" -
  `terms.expires_at`. That day DST began, so expiry is 21:00 UTC, not 22:00. An exercise
  effective at 16:59:59 eastern is in time; one effective at 17:00:00 is not.
- Section 7: the cap is "of no further force or effect during the sixty-one (61) days
  immediately preceding the expiration of the term". Read as whole eastern calendar days:
  from 00:00 eastern of (expiry date - 61 days), i.e. 2010-01-12 00:00 EST for the bundled
  terms: 2010-01-12 .. 2010-03-13 is 61 whole days, then the expiry day up to 17:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.exercise.wall_clock import in_utc, show_instant, start_of_day
from shared.terms import Terms


class TermStatus(StrEnum):
    """Where an instant falls against the exercise window (values match refusal codes)."""

    NOT_YET_EXERCISABLE = "not_yet_exercisable"
    OK = "ok"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class TermCheck:
    status: TermStatus
    calculation: str


def term_status(effective_at: datetime, terms: Terms) -> TermCheck:
    """Sections 1 and 2(a): whether an exercise effective at `effective_at` is in the window.

    The window is exercisable_from <= t < expires_at, compared as instants (UTC).
    """
    at = in_utc(effective_at, "exercise effective time")
    zone = terms.zone
    shown = show_instant(at, zone)
    opens = show_instant(terms.exercisable_from, zone)
    closes = show_instant(terms.expires_at, zone)
    if at < in_utc(terms.exercisable_from):
        return TermCheck(
            TermStatus.NOT_YET_EXERCISABLE,
            f"Section 2(a): effective {shown} is before exercise opens at {opens}",
        )
    if at >= in_utc(terms.expires_at):
        return TermCheck(
            TermStatus.EXPIRED,
            f"Section 1: effective {shown} is at or after expiry at {closes}",
        )
    return TermCheck(
        TermStatus.OK,
        f"Sections 1, 2(a): effective {shown} is within {opens} .. {closes} (expiry excluded)",
    )


def no_cap_period_starts(terms: Terms) -> datetime:
    """Section 7: 00:00 eastern of the expiry date minus `no_cap_days_before_expiry` days."""
    expiry_day = terms.expires_at.astimezone(terms.zone).date()
    return start_of_day(expiry_day - timedelta(days=terms.no_cap_days_before_expiry), terms.zone)


def in_no_cap_period(at: datetime, terms: Terms) -> bool:
    """Section 7: whether the cap has lapsed at `at` ("no further force": also after expiry)."""
    return in_utc(at, "instant") >= in_utc(no_cap_period_starts(terms))


def no_cap_period_text(terms: Terms) -> str:
    """The calculation behind `no_cap_period_starts`, for notices."""
    expiry_day = terms.expires_at.astimezone(terms.zone).date()
    return (
        f"Section 7: no cap from {show_instant(no_cap_period_starts(terms), terms.zone)} = "
        f"00:00 of expiry date {expiry_day.isoformat()} - {terms.no_cap_days_before_expiry} days"
    )
