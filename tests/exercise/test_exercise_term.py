"""Sections 1, 2(a) and the Section 7 last-61-days period (resources/exercise/time.toml)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from exercise_golden import cases, instant, table, terms

from shared.errors import ContractInputError
from shared.term import TermStatus, in_no_cap_period, no_cap_period_starts, term_status


@pytest.mark.parametrize("case", cases("time.toml", "term"), ids=lambda c: c["at"])
def test_term_edges(case: dict[str, Any]) -> None:
    check = term_status(instant(case["at"]), terms())
    assert check.status is TermStatus(case["status"])


def test_expiry_is_21_utc_on_the_day_dst_began() -> None:
    assert terms().expires_at.astimezone(UTC) == datetime(2010, 3, 14, 21, 0, tzinfo=UTC)
    text = term_status(instant("2010-03-14T17:00:00-04:00"), terms()).calculation
    assert "2010-03-14 17:00:00 EDT (2010-03-14 21:00:00 UTC)" in text


def test_no_cap_period_starts_61_days_before_expiry() -> None:
    no_cap = table("time.toml", "no_cap")
    starts = no_cap_period_starts(terms())
    assert starts == instant(no_cap["starts"])
    assert starts.utcoffset() == instant(no_cap["starts"]).utcoffset()
    assert not in_no_cap_period(instant(no_cap["before"]), terms())
    assert in_no_cap_period(instant(no_cap["at_start"]), terms())
    assert not in_no_cap_period(instant(no_cap["before_utc"]), terms())
    assert in_no_cap_period(instant(no_cap["at_start_utc"]), terms())


def test_naive_time_is_refused() -> None:
    with pytest.raises(ContractInputError, match="UTC offset"):
        term_status(datetime(2008, 1, 1), terms())
