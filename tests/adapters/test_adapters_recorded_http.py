"""RecordedSession: a real requests.Session whose transport answers from recorded files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from adapters_golden import AAPL_SPLIT, YAHOO_DATA

from services.adapters.recorded_http import RecordedSession, load_recording
from shared.errors import RecordError


def test_chart_is_answered_by_its_exact_window() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    url = ("https://query1.finance.yahoo.com/v8/finance/chart/AAPL?period1=1598832000"
           "&period2=1604707200&interval=1d&events=div%2Csplits")
    answer = session.get(url)
    assert answer.status_code == 200
    events = answer.json()["chart"]["result"][0]["events"]
    assert events["splits"]["1598880600"]["splitRatio"] == "4:1"
    other = session.get(url.replace("1604707200", "1604793600"))
    assert other.status_code == 404 and "no recorded response" in other.text
    assert session.unmatched == [f"GET {url.replace('1604707200', '1604793600')}"]


def test_quote_summary_needs_the_recorded_module() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    base = "https://query2.finance.yahoo.com/v10/finance/quoteSummary/AAPL?modules="
    found = session.get(base + "financialData,summaryDetail")
    assert found.json()["quoteSummary"]["result"][0]["summaryDetail"]["bid"] == 233.61
    assert session.get(base + "financialData").status_code == 404


def test_fail_next_answers_the_status_then_recovers() -> None:
    session = RecordedSession.from_paths(YAHOO_DATA)
    session.fail_next(429, count=2)
    url = "https://query2.finance.yahoo.com/v7/finance/quote?symbols=AAPL"
    assert [session.get(url).status_code for _ in range(3)] == [429, 429, 200]


def test_crumb_comes_from_the_recorded_urls() -> None:
    # quote-AAPL.json was recorded with crumb=haT3oykhHqZ
    session = RecordedSession.from_paths(YAHOO_DATA)
    assert session.get("https://query1.finance.yahoo.com/v1/test/getcrumb").text == "haT3oykhHqZ"
    assert session.adapter.filled == ["GET https://query1.finance.yahoo.com/v1/test/getcrumb"]


def test_recording_keeps_its_numbers() -> None:
    recording = load_recording(AAPL_SPLIT)
    body = json.loads(recording.body)
    closes = body["chart"]["result"][0]["indicators"]["quote"][0]["close"]
    assert closes[0] == 129.0399932861328 and recording.status == 200


def test_malformed_recording_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"request": {"url": "https://x/"},\n  "response": {"status": 200,, }}')
    # line 2, column 30 is the second comma (counted by hand)
    with pytest.raises(RecordError,
                       match="malformed JSON at line 2 column 30: Expecting property name"):
        load_recording(path)


def test_not_a_recording_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text('{"chart": {}}')
    with pytest.raises(RecordError, match="not a recorded exchange"):
        load_recording(path)
