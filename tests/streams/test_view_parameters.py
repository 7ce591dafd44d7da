"""Query parameters are read by the record fields' rules (services/streams/views.py), without
a worker: the HTTP refusals are in tests/resources/kafka/query_views.toml."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.streams.views import BadParameter, parse_day, parse_instant


def test_a_date_is_yyyy_mm_dd_only() -> None:
    assert parse_day("2005-09-15") == date(2005, 9, 15)
    for text in ("20050915", "2005-W37-4", "2005-258", "2005-9-15", "2005-02-30", "١٩٩٥-01-01"):
        with pytest.raises(BadParameter, match="YYYY-MM-DD"):
            parse_day(text)


def test_an_instant_has_an_offset_and_a_utc_equivalent() -> None:
    eastern = timezone(timedelta(hours=-5))
    assert parse_instant("2005-09-21T10:00:00-05:00") == datetime(2005, 9, 21, 10, tzinfo=eastern)
    # a + sent unencoded arrives as a space
    assert parse_instant("2005-09-21T10:00:00 05:00").utcoffset() == timedelta(hours=5)
    with pytest.raises(BadParameter, match="no UTC offset"):
        parse_instant("2005-09-21T10:00:00")
    for text in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"):
        with pytest.raises(BadParameter, match="outside the calendar"):
            parse_instant(text)


def test_a_refusal_quotes_the_parameter_escaped_and_bounded() -> None:
    with pytest.raises(BadParameter) as refused:
        parse_instant("x\u202e\x00" + "9" * 5000)
    reason = str(refused.value)
    assert len(reason) < 400 and "\\u202e" in reason and "\\x00" in reason
    assert "(5003 characters)" in reason
