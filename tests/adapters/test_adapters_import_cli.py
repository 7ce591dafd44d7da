"""`warrantwatch import ...` through services.cli.main, as a user would type it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from adapters_golden import (
    AAPL_JAN,
    AAPL_SPLIT,
    BUNDLED_TERMS,
    FORM4_DATA,
    GLOW_DATA,
    RESOURCES,
)

from services.cli import main
from shared.events.codec import decode_value, parse_json


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["import", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def lines_of(path: Path) -> list[dict[str, object]]:
    return [parse_json(line) for line in path.read_text().splitlines()]


def test_yahoo_chart_files_to_replay_lines(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "aapl.jsonl"
    code, _, err = run(capsys, "yahoo-chart", str(AAPL_SPLIT), str(AAPL_JAN), "--symbol", "AAPL",
                       "--out", str(out))
    assert code == 0 and "0 dead letters" in err
    lines = lines_of(out)
    first = lines[0]
    assert first["topic"] == "quotes"
    value = first["value"]
    assert isinstance(value, dict)
    # yahoo-golden.csv: AAPL 2020-01-02 close as traded 300.35
    assert (value["id"], value["close"]) == ("yahoo:AAPL:daily_bar:2020-01-02", "300.35")
    for line in lines:
        assert isinstance(line["topic"], str)
        decode_value(line["topic"], line["value"])


def test_yahoo_chart_malformed_json_exits_2_with_the_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"chart":\n  {"result": [}\n}')
    code, out, err = run(capsys, "yahoo-chart", str(bad), "--symbol", "X")
    # line 2 column 15: the "}" where a value was expected (counted by hand)
    assert code == 2 and out == ""
    assert "malformed JSON at line 2 column 15" in err


def test_csv_ticks_with_bad_lines_exits_1_and_reports_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ticks.jsonl"
    code, _, err = run(capsys, "csv", str(RESOURCES / "csv" / "bad-ticks.csv"), "--symbol",
                       "GLOW", "--format", "ticks", "--out", str(out))
    assert code == 1
    assert "line 8: bid 0.550 is above ask 0.500" in err
    topics = [line["topic"] for line in lines_of(out)]
    # csv-bad-expected.csv: 10 bad lines of 13, the other 3 are quotes
    assert topics.count("dead-letters") == 10 and topics.count("quotes") == 3


def test_csv_daily_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "csv", str(GLOW_DATA / "glow-daily-2011-2017.csv"), "--symbol",
                       "GLOW", "--format", "daily")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1471  # csv-counts.csv
    assert json.loads(lines[0])["value"]["close"] == "2.36"


def test_form4_record_and_holdings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nc = RESOURCES / "form4" / "0001562180-25-000280.nc"
    code, out, err = run(capsys, "form4", str(nc))
    [line] = [parse_json(x) for x in out.splitlines()]
    assert code == 0 and line["topic"] == "holdings"
    assert line["value"]["id"] == "form4:0001562180-25-000280"
    assert line["value"]["symbol"] == "TSVT"
    assert line["value"]["xml"].startswith("<?xml")
    assert "derivative (not counted): Stock Option (Right to buy) 70750.00" in err
    code, out, _ = run(capsys, "form4", str(FORM4_DATA / "374water-option-grant.xml"),
                       "--holdings", "--id", "f4-374")
    [holding] = [parse_json(x) for x in out.splitlines()]
    assert code == 0
    assert holding["value"] == {"type": "holding", "id": "f4-374:holding:1", "symbol": "SCWO",
                                "holder": "0002064133", "as_of": "2025-04-30T17:00:00-04:00",
                                "shares": "757756"}
    assert decode_value("holdings", holding["value"]).shares == Decimal("757756")  # type: ignore[attr-defined]
    # another terms file, another close of business: 2025-04-30 16:00 New York (EDT, UTC-4)
    terms = tmp_path / "terms.toml"
    terms.write_text(BUNDLED_TERMS.read_text("utf-8").replace(
        'close_of_business = "17:00"', 'close_of_business = "16:00"', 1), "utf-8")
    code, out, _ = run(capsys, "form4", str(FORM4_DATA / "374water-option-grant.xml"),
                       "--holdings", "--id", "f4-374", "--terms", str(terms))
    [holding] = [parse_json(x) for x in out.splitlines()]
    assert code == 0 and holding["value"]["as_of"] == "2025-04-30T16:00:00-04:00"


def test_form4_malformed_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "form4", str(RESOURCES / "form4" / "malformed.xml"))
    assert code == 2 and out == ""
    assert "malformed at line 7, column 7: mismatched tag" in err
