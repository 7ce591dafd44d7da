"""CSV market data (daily OHLC, intraday trade-and-quote) to records; bad lines to dead letters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from adapters_golden import GLOW_DATA, RESOURCES, rows

from services.adapters.csv_files import import_csv
from shared.errors import RecordError
from shared.events.codec import decode, encode
from shared.events.inputs import DailyBar, Quote
from shared.events.outputs import DeadLetter


def _optional(text: str) -> Decimal | None:
    return Decimal(text) if text else None


@pytest.mark.parametrize("row", rows("csv-golden.csv"), ids=lambda r: f"{r['file']}:{r['line']}")
def test_records_read_off_the_glow_files(row: dict[str, str]) -> None:
    fmt = "daily" if row["type"] == "daily_bar" else "ticks"
    items = import_csv(GLOW_DATA / row["file"], "GLOW", fmt)
    stem = Path(row["file"]).stem
    by_id = {record.id: record for _, record in items}
    record = by_id[f"csv:{stem}:GLOW:{row['type']}:{row['id_key']}"]
    if isinstance(record, DailyBar):
        assert record.date.isoformat() == row["at_or_date"]
        assert record.close == Decimal(row["price"])
    else:
        assert isinstance(record, Quote)
        assert record.at == datetime.fromisoformat(row["at_or_date"])
        assert record.at.utcoffset() == datetime.fromisoformat(row["at_or_date"]).utcoffset()
        assert record.last == Decimal(row["price"])
        assert (record.bid, record.ask) == (_optional(row["bid"]), _optional(row["ask"]))
    assert record.volume == Decimal(row["volume"])


@pytest.mark.parametrize("row", rows("csv-counts.csv"), ids=lambda r: r["file"])
def test_every_line_of_the_glow_files_is_a_valid_record(row: dict[str, str]) -> None:
    items = import_csv(GLOW_DATA / row["file"], "GLOW", row["format"])
    assert len(items) == int(row["records"])
    assert all(topic == "quotes" for topic, _ in items)
    assert len({record.id for _, record in items}) == len(items)
    for topic, record in items[:50]:
        assert decode(topic, encode(record)) == record


def _expected_bad() -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for row in rows("csv-bad-expected.csv"):
        out.setdefault(row["file"], {})[int(row["line"])] = row["reason_contains"]
    return out


@pytest.mark.parametrize(("name", "fmt"), [("bad-ticks.csv", "ticks"), ("bad-daily.csv", "daily")])
def test_each_bad_line_is_a_dead_letter_with_its_number(name: str, fmt: str) -> None:
    path = RESOURCES / "csv" / name
    lines = path.read_text().splitlines()
    expected = _expected_bad()[name]
    items = import_csv(path, "GLOW", fmt)
    letters = [r for t, r in items if t == "dead-letters"]
    assert all(isinstance(r, DeadLetter) for r in letters)
    got = {int(r.reason.split(":")[0].removeprefix("line ")): r for r in letters
           if isinstance(r, DeadLetter)}
    assert sorted(got) == sorted(expected)
    for number, phrase in expected.items():
        assert phrase in got[number].reason
        assert got[number].raw == lines[number - 1]
        assert got[number].topic == "quotes"
    good = [r for t, r in items if t == "quotes"]
    header = 1 if fmt == "daily" else 0
    assert len(good) == len(lines) - header - len(expected)  # the import went on


def test_same_instant_twice_gets_distinct_ids() -> None:
    items = import_csv(RESOURCES / "csv" / "bad-ticks.csv", "GLOW", "ticks")
    ids = [r.id for t, r in items if t == "quotes"]
    # lines 1 and 13 are both 2011-01-03 15:52:00 New York = epoch 1294087920
    assert ids[0] == "csv:bad-ticks:GLOW:quote:1294087920"
    assert ids[-1] == "csv:bad-ticks:GLOW:quote:1294087920:2"


def test_daily_file_without_header_is_refused() -> None:
    with pytest.raises(RecordError, match="line 1: the header is"):
        import_csv(RESOURCES / "csv" / "no-header-daily.csv", "GLOW", "daily")


def test_id_prefix_and_symbol() -> None:
    items = import_csv(GLOW_DATA / "glowd-trades-quotes-2011.csv", "glow", "ticks", "glowd")
    first = items[0][1]
    assert first.symbol == "GLOW" and first.id.startswith("glowd:GLOW:quote:")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="cannot read"):
        import_csv(tmp_path / "nope.csv", "GLOW", "ticks")
