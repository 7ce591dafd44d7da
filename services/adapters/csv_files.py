"""CSV market data to input records: daily OHLC files and intraday trade-and-quote files.

Formats (data/PROVENANCE.md):
- daily: header `Date,Open,High,Low,Close,Volume,OpenInt`, one row per date -> `daily_bar`
  (a last-sale close: a Per Share Market Value from it is approximate, Section 8 and
  docs/contract.md).
- ticks: no header; `"timestamp","last","day volume","ask","ask size","bid","bid size"`
  with the timestamp in America/New_York wall-clock time -> `quote` (bid and ask are what
  Section 8 tiers (a) and (b) read). A 0 bid, ask or last means "none": it is left out.
  `volume` carries the file's cumulative day volume.

Every line that cannot be used becomes a `dead_letter` whose reason starts with its line
number; the import goes on. Nothing is skipped silently.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from services.input_files import read_text, stem
from shared.calendar.exchange import EASTERN
from shared.errors import RecordError
from shared.events.codec import dead_letter, explain
from shared.events.inputs import DailyBar, InputRecord, Quote, QuoteRules
from shared.events.outputs import DeadLetter

DAILY_HEADER = ("Date", "Open", "High", "Low", "Close", "Volume", "OpenInt")
TICK_FIELDS = ("timestamp", "last", "day volume", "ask", "ask size", "bid", "bid size")
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")

Item = tuple[str, InputRecord | DeadLetter]


class CsvFormat(StrEnum):
    DAILY = "daily"
    TICKS = "ticks"


class _BadLine(Exception):
    """A reason a line cannot be used (becomes the dead letter's reason)."""


def _fields(line: str, names: tuple[str, ...]) -> list[str]:
    try:
        row = next(csv.reader([line], strict=True))
    except (csv.Error, StopIteration) as exc:
        raise _BadLine(f"not a CSV row: {exc}") from None
    if len(row) != len(names):
        raise _BadLine(f"{len(row)} fields, expected {len(names)} ({', '.join(names)})")
    return row


def _number(text: str, name: str) -> Decimal:
    if not _NUMBER.match(text):
        raise _BadLine(f"{name}: not a decimal number: {text!r}")
    try:
        return Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - the pattern rules this out
        raise _BadLine(f"{name}: not a decimal number: {text!r}") from None


def _positive_or_none(text: str, name: str) -> Decimal | None:
    value = _number(text, name)
    return value if value > 0 else None


def eastern_instant(text: str, zone: ZoneInfo = EASTERN) -> datetime:
    """A wall-clock `YYYY-MM-DD HH:MM[:SS]` in `zone` as an aware instant.

    A time the clocks skipped (spring forward) or passed twice (fall back) is refused:
    the file does not say which instant it meant.
    """
    text = text.strip()
    if not _TIMESTAMP.match(text):
        raise _BadLine(f"timestamp: not YYYY-MM-DD HH:MM:SS: {text!r}")
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise _BadLine(f"timestamp: not a calendar date and time: {text!r}") from None
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    back = early.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise _BadLine(f"timestamp: {text} does not exist in {zone.key} (clocks went forward)")
    if early.utcoffset() != late.utcoffset():
        raise _BadLine(f"timestamp: {text} happens twice in {zone.key} (clocks went back)")
    return early


def _lines(path: str | Path) -> list[str]:
    try:
        text = read_text(path)
    except OSError as exc:
        raise RecordError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return text.splitlines()


def _dead(number: int, line: str, reason: str, symbol: str) -> Item:
    return "dead-letters", dead_letter("quotes", line, f"line {number}: {reason}", symbol)


def daily_records(lines: Iterable[str], symbol: str, *, source: str = "csv") -> Iterator[Item]:
    """`daily_bar` records (or dead letters) from the lines of a daily OHLC file.

    A first line that is not the header refuses the whole file (`RecordError`)."""
    seen: dict[date, int] = {}
    for number, line in enumerate(lines, start=1):
        if number == 1:
            header = tuple(f.strip() for f in line.lstrip("\ufeff").split(","))
            if header != DAILY_HEADER:
                # without its header the columns cannot be trusted: refuse the file
                raise RecordError(f"line 1: the header is {line!r}, not "
                                  f"{','.join(DAILY_HEADER)}: is this a daily file?")
            continue
        try:
            yield "quotes", _daily_bar(line, symbol, source, number, seen)
        except _BadLine as exc:
            yield _dead(number, line, str(exc), symbol)


def _daily_bar(line: str, symbol: str, source: str, number: int,
               seen: dict[date, int]) -> DailyBar:
    if not line.strip():
        raise _BadLine("blank line")
    day_text, open_, high, low, close, volume, open_int = _fields(line, DAILY_HEADER)
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise _BadLine(f"Date: not a date YYYY-MM-DD: {day_text!r}") from None
    if day in seen:
        raise _BadLine(f"Date: {day} already given on line {seen[day]}")
    prices = {name: _number(text, name)
              for name, text in (("Open", open_), ("High", high), ("Low", low), ("Close", close))}
    shares = _number(volume, "Volume")
    _number(open_int, "OpenInt")
    if not prices["Low"] <= prices["Close"] <= prices["High"]:
        raise _BadLine(f"Close {prices['Close']} is outside the day's range "
                       f"{prices['Low']} to {prices['High']}")
    try:
        bar = DailyBar(type="daily_bar", id=f"{source}:{symbol}:daily_bar:{day}", symbol=symbol,
                       date=day, close=prices["Close"], volume=shares)
    except ValidationError as exc:
        raise _BadLine(explain(exc)) from None
    seen[day] = number
    return bar


def tick_records(lines: Iterable[str], symbol: str, *, source: str = "csv",
                 zone: ZoneInfo = EASTERN) -> Iterator[Item]:
    """`quote` records (or dead letters) from the lines of a trade-and-quote file."""
    ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        try:
            yield "quotes", _quote(line, symbol, source, zone, ids)
        except _BadLine as exc:
            yield _dead(number, line, str(exc), symbol)


def _quote(line: str, symbol: str, source: str, zone: ZoneInfo, ids: dict[str, int]) -> Quote:
    if not line.strip():
        raise _BadLine("blank line")
    stamp, last, volume, ask, ask_size, bid, bid_size = _fields(line, TICK_FIELDS)
    at = eastern_instant(stamp, zone)
    fields = {
        "last": _positive_or_none(last, "last"),
        "volume": _number(volume, "day volume"),
        "ask": _positive_or_none(ask, "ask"),
        "bid": _positive_or_none(bid, "bid"),
    }
    _number(ask_size, "ask size")
    _number(bid_size, "bid size")
    base = f"{source}:{symbol}:quote:{int(at.timestamp())}"
    ids[base] = ids.get(base, 0) + 1
    record_id = base if ids[base] == 1 else f"{base}:{ids[base]}"
    try:
        return QuoteRules(type="quote", id=record_id, symbol=symbol, at=at, **fields).record()
    except ValidationError as exc:
        raise _BadLine(explain(exc)) from None


def import_csv(path: str | Path, symbol: str, fmt: CsvFormat | str,
               source: str | None = None) -> list[Item]:
    """All replay items of one CSV file; `source` (id prefix) defaults to `csv:<file stem>`."""
    symbol = symbol.strip().upper()
    if not symbol:
        raise RecordError("a symbol is needed (--symbol)")
    prefix = source or f"csv:{stem(path)}"
    lines = _lines(path)
    kind = CsvFormat(fmt)
    if kind is CsvFormat.DAILY:
        return list(daily_records(lines, symbol, source=prefix))
    return list(tick_records(lines, symbol, source=prefix))


__all__ = ["CsvFormat", "daily_records", "eastern_instant", "import_csv", "tick_records"]
