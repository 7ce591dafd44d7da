"""Yahoo daily history to records as traded: both the yfinance path (served offline by a
RecordedSession) and a saved chart file must give the golden values of yahoo-golden.csv."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from adapters_golden import AAPL_JAN, AAPL_SPLIT, WWTEST, YAHOO_DATA, rows

from services.adapters.recorded_http import RecordedSession, load_recording
from services.adapters.yahoo import (
    YahooHistory,
    fetch_history,
    history_records,
    load_chart_file,
    merge_histories,
)
from shared.errors import FeedUnavailable, RateLimited, RecordError
from shared.events.codec import decode, encode
from shared.events.inputs import Distribution
from shared.events.outputs import DeadLetter


def _window(path: Path) -> tuple[datetime, datetime]:
    """The period1/period2 of a recording, so yfinance asks exactly for what was recorded."""
    params = load_recording(path).params
    return (datetime.fromtimestamp(int(params["period1"]), UTC),
            datetime.fromtimestamp(int(params["period2"]), UTC))


def _by_id(history: YahooHistory) -> dict[str, Any]:
    return {record.id: record for _, record in history_records(history)}


def _check_golden(records: dict[str, Any], symbol: str) -> int:
    checked = 0
    for row in rows("yahoo-golden.csv"):
        if row["symbol"] != symbol:
            continue
        record = records[f"yahoo:{symbol}:{row['type']}:{row['date']}"]
        assert getattr(record, row["field"]) == Decimal(row["expected"]), row
        checked += 1
    return checked


def test_aapl_chart_files_as_traded() -> None:
    history = merge_histories([load_chart_file(AAPL_SPLIT), load_chart_file(AAPL_JAN)])
    assert _check_golden(_by_id(history), "AAPL") == 8


def test_aapl_through_yfinance_with_recorded_session() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    histories = [fetch_history("AAPL", *_window(path), session=session)
                 for path in (AAPL_SPLIT, AAPL_JAN)]
    assert session.unmatched == []
    assert _check_golden(_by_id(merge_histories(histories)), "AAPL") == 8


def test_two_splits_chart_file() -> None:
    assert _check_golden(_by_id(load_chart_file(WWTEST)), "WWTEST") == 13


def test_two_splits_through_yfinance() -> None:
    session = RecordedSession.from_paths(WWTEST)
    history = fetch_history("WWTEST", *_window(WWTEST), session=session)
    assert session.unmatched == []
    assert _check_golden(_by_id(history), "WWTEST") == 13


def test_both_paths_give_the_same_records() -> None:
    session = RecordedSession.from_paths(WWTEST)
    through_yf = history_records(fetch_history("WWTEST", *_window(WWTEST), session=session))
    from_file = [item for item in history_records(load_chart_file(WWTEST))
                 if not isinstance(item[1], DeadLetter)]
    assert [encode(r) for _, r in through_yf] == [encode(r) for _, r in from_file]


def test_records_are_valid_on_their_topics_and_ordered() -> None:
    items = history_records(load_chart_file(WWTEST))
    kinds = [(t, getattr(r, "type", "")) for t, r in items]
    # the split of 2011-01-14 comes before that day's bar; the null close is a dead letter
    assert kinds.index(("corporate-actions", "stock_split")) == 1
    assert kinds[-1] == ("dead-letters", "dead_letter")
    for topic, record in items[:-1]:
        assert decode(topic, encode(record)) == record


def test_null_close_is_a_dead_letter_with_the_date() -> None:
    _, letter = history_records(load_chart_file(WWTEST))[-1]
    assert isinstance(letter, DeadLetter)
    assert letter.topic == "quotes" and "2011-03-02" in letter.reason
    assert '"close": null' in letter.raw


def test_cash_dividends_out_of_earnings_switch() -> None:
    history = load_chart_file(WWTEST)
    default = _by_id(history)["yahoo:WWTEST:distribution:2011-02-15"]
    switched = {r.id: r for _, r in history_records(history, out_of_earnings=False)}
    changed = switched["yahoo:WWTEST:distribution:2011-02-15"]
    assert isinstance(changed, Distribution)
    assert default.out_of_earnings is True and changed.out_of_earnings is False


def test_without_the_later_split_the_january_bar_stays_adjusted() -> None:
    # the documented limit: the split list must reach the time of the request
    alone = _by_id(load_chart_file(AAPL_JAN))["yahoo:AAPL:daily_bar:2020-01-02"]
    assert alone.close == Decimal("75.0875")


def test_merge_refuses_disagreeing_bars(tmp_path: Path) -> None:
    text = WWTEST.read_text().replace("57000", "57001")
    other = tmp_path / "other.json"
    other.write_text(text)
    with pytest.raises(RecordError, match="2011-01-13: two responses disagree"):
        merge_histories([load_chart_file(WWTEST), load_chart_file(other)])


@pytest.mark.parametrize(("content", "message"), [
    ('{"request": {"url": "x"},\n "response": {"status": 200,\n "bodyJson": {"chart": ',
     r"malformed JSON at line 3 column"),
    ('{"response": {"status": 404, "bodyJson": {}}}', "HTTP status 404, not 200"),
    ('{"chart": {"result": null, "error": {"code": "Not Found", '
     '"description": "No data found, symbol may be delisted"}}}',
     "Yahoo answered an error: No data found"),
    ('{"chart": {"result": [{"meta": {"symbol": "X"}, "timestamp": [1], '
     '"indicators": {"quote": [{"close": [1.5, 2.5], "volume": [1]}]}}]}}',
     "differ in length"),
    ('{"chart": {"result": [{"meta": {"symbol": "X"}}]}}',
     r"response.bodyJson.chart.result\[0\].indicators: missing"),
    ('{"chart": {"result": [{"meta": {"symbol": "X"}, "timestamp": [1], "events": {"splits": '
     '{"1": {"date": 1, "numerator": 0, "denominator": 1}}}, '
     '"indicators": {"quote": [{"close": [1.5], "volume": [1]}]}}]}}',
     "numerator: must be greater than zero"),
    ('{"chart": {"result": [{"meta": {"symbol": "X"}, "timestamp": [1], '
     '"indicators": {"quote": [{"close": [NaN], "volume": [1]}]}}]}}',
     "NaN is not a number"),
])
def test_bad_chart_files_name_the_place(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "chart.json"
    path.write_text(content)
    with pytest.raises(RecordError, match=message) as info:
        load_chart_file(path)
    assert str(path) in str(info.value)


def test_rate_limit_through_yfinance_is_rate_limited() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    session.fail_next(429, count=50)
    start, _ = _window(AAPL_SPLIT)
    # an end no other test asks for: yfinance caches answers for past windows
    with pytest.raises(RateLimited, match="429"):
        fetch_history("AAPL", start, datetime(2020, 11, 8, tzinfo=UTC), session=session)


def test_no_recording_is_feed_unavailable() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    with pytest.raises(FeedUnavailable):
        fetch_history("AAPL", datetime(2001, 1, 1, tzinfo=UTC), datetime(2001, 2, 1, tzinfo=UTC),
                      session=session)
    assert any("period1=978307200" in r for r in session.unmatched)

