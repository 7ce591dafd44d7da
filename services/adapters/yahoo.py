"""Yahoo Finance daily history to input records, with prices turned back into as traded.

Section 8 reads the price of a date as it was on that date, and docs/contract.md has the
engine adjust a price from before a split when it is used after it. Yahoo's daily history
arrives already adjusted for every split that came later (closes, volumes and dividend
amounts alike), so it must be undone here or the engine would adjust twice:

    as traded on t = adjusted x (product of `new` / product of `old`) over splits effective after t

(volumes by the inverse). A split's own effective date already trades on the new basis.
Yahoo adjusts for every split up to the moment of the request, so the split list must reach
that moment: fetch through today (`end=None`), or merge (`merge_histories`) a later
response that holds the later splits.

Two sources give the same `YahooHistory`: a saved v8 chart response (`load_chart_file`,
numbers read from the JSON text as Decimal) and yfinance (`fetch_history`, numbers given as
floats). Either way each price goes through `yahoo_decimal`, which recovers the decimal
Yahoo meant: the chart arrays hold binary32 values (the close 129.04 arrives as
129.0399932861328), and the shortest decimal that rounds to the same binary32 is the price
whenever it has at most 6 significant digits (binary32 keeps 6 decimal digits, FLT_DIG).
"""

from __future__ import annotations

import json
import math
import struct
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from services.input_files import read_text
from shared.calendar.exchange import EASTERN
from shared.errors import FeedUnavailable, RateLimited, RecordError
from shared.events.codec import dead_letter, explain
from shared.events.inputs import DailyBar, Distribution, DistributionKind, InputRecord, StockSplit
from shared.events.outputs import DeadLetter
from shared.numbers import FIGURES, ONE, at_least_places, significant

SOURCE = "yahoo"


# --- numbers -----------------------------------------------------------------------------


def _is_binary32(x: float) -> bool:
    return bool(struct.unpack("<f", struct.pack("<f", x))[0] == x)


def yahoo_decimal(value: float | Decimal | int | str) -> Decimal:
    """The decimal Yahoo meant by a number it sent (a JSON text, a Decimal of it, or a float).

    A value that is exactly a binary32 is read as the shortest decimal with that binary32
    (129.0399932861328 -> 129.04); any other as the shortest decimal with its binary64
    (0.205 -> 0.205). Refuses booleans, NaN and infinities.
    """
    if isinstance(value, bool):
        raise RecordError(f"not a number: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    try:
        x = float(value)
    except (TypeError, ValueError, InvalidOperation):
        raise RecordError(f"not a number: {value!r}") from None
    if not math.isfinite(x):
        raise RecordError(f"not a finite number: {value!r}")
    if x == 0:
        return Decimal(0)
    if abs(x) < 3.4e38 and _is_binary32(x):
        packed = struct.pack("<f", x)
        for digits in range(1, 10):
            text = f"{x:.{digits}g}"
            if struct.pack("<f", float(text)) == packed:
                return Decimal(text)
    return Decimal(repr(x))


# --- the history, as Yahoo gives it ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YahooBar:
    """One daily bar as Yahoo gives it (adjusted for later splits)."""

    day: date
    close: Decimal | None
    volume: Decimal | None
    raw: str


@dataclass(frozen=True, slots=True)
class YahooSplit:
    """A holder of `old` shares holds `new` from `effective` (Yahoo numerator/denominator)."""

    effective: date
    new: Decimal
    old: Decimal


@dataclass(frozen=True, slots=True)
class YahooDividend:
    """A cash dividend; Yahoo gives its ex-dividend date and a split-adjusted amount."""

    ex_date: date
    amount: Decimal
    raw: str


@dataclass(frozen=True, slots=True)
class YahooHistory:
    symbol: str
    bars: tuple[YahooBar, ...]
    splits: tuple[YahooSplit, ...]
    dividends: tuple[YahooDividend, ...]


def merge_histories(histories: Sequence[YahooHistory]) -> YahooHistory:
    """One history from several responses of one symbol (e.g. a later one for its splits).

    The same bar, split or dividend in two responses must agree, or `RecordError`.
    """
    if not histories:
        raise RecordError("no Yahoo history to merge")
    symbol = histories[0].symbol
    bars: dict[date, YahooBar] = {}
    splits: dict[date, YahooSplit] = {}
    dividends: dict[date, YahooDividend] = {}
    for history in histories:
        if history.symbol != symbol:
            raise RecordError(f"cannot merge histories of {symbol} and {history.symbol}")
        for bar in history.bars:
            seen = bars.setdefault(bar.day, bar)
            if (seen.close, seen.volume) != (bar.close, bar.volume):
                raise RecordError(f"{symbol} {bar.day}: two responses disagree on the bar "
                                  f"({seen.close} vs {bar.close})")
        for split in history.splits:
            if splits.setdefault(split.effective, split) != split:
                raise RecordError(
                    f"{symbol} {split.effective}: two responses disagree on the split")
        for div in history.dividends:
            if dividends.setdefault(div.ex_date, div).amount != div.amount:
                raise RecordError(f"{symbol} {div.ex_date}: two responses disagree on the dividend")
    return YahooHistory(
        symbol=symbol,
        bars=tuple(bars[d] for d in sorted(bars)),
        splits=tuple(splits[d] for d in sorted(splits)),
        dividends=tuple(dividends[d] for d in sorted(dividends)),
    )


# --- a saved v8 chart response -----------------------------------------------------------


def _at(doc: Any, *keys: str | int) -> Any:
    here = doc
    trail = "response.bodyJson"
    for key in keys:
        trail += f"[{key}]" if isinstance(key, int) else f".{key}"
        try:
            here = here[key]
        except (KeyError, IndexError, TypeError):
            raise RecordError(f"{trail}: missing") from None
    return here


def _zone_of(meta: Mapping[str, Any]) -> ZoneInfo:
    name = meta.get("exchangeTimezoneName") or EASTERN.key
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise RecordError(f"meta.exchangeTimezoneName: unknown time zone {name!r}") from None


def _day(epoch: Any, zone: ZoneInfo, what: str) -> date:
    if isinstance(epoch, bool) or not isinstance(epoch, int | Decimal | str):
        raise RecordError(f"{what}: not an epoch time: {epoch!r}")
    try:
        return datetime.fromtimestamp(int(epoch), zone).date()
    except (ValueError, OverflowError, OSError):
        raise RecordError(f"{what}: not an epoch time: {epoch!r}") from None


def _positive(value: Any, what: str) -> Decimal:
    number = yahoo_decimal(value)
    if number <= 0:
        raise RecordError(f"{what}: must be greater than zero, got {value!r}")
    return number


def history_from_chart(body: Any, symbol: str | None = None) -> YahooHistory:
    """The history in a v8 chart response body (`{"chart": {"result": [...]}}`)."""
    chart = _at(body, "chart")
    error = chart.get("error") if isinstance(chart, dict) else None
    if error:
        what = error.get("description") or error.get("code") if isinstance(error, dict) else error
        raise RecordError(f"Yahoo answered an error: {what}")
    result = _at(body, "chart", "result", 0)
    meta = result.get("meta") or {}
    name = (symbol or str(meta.get("symbol") or "")).strip().upper()
    if not name:
        raise RecordError("no symbol: give --symbol (the response's meta has none)")
    zone = _zone_of(meta)
    stamps = result.get("timestamp") or []
    quote = _at(body, "chart", "result", 0, "indicators", "quote", 0)
    closes = quote.get("close") or []
    volumes = quote.get("volume") or [None] * len(stamps)
    if not len(stamps) == len(closes) == len(volumes):
        raise RecordError(f"timestamp, close and volume arrays differ in length "
                          f"({len(stamps)}, {len(closes)}, {len(volumes)})")
    bars = []
    for i, (stamp, close, volume) in enumerate(zip(stamps, closes, volumes, strict=True)):
        raw = json.dumps({"timestamp": stamp, "close": None if close is None else str(close),
                          "volume": None if volume is None else str(volume)})
        day = _day(stamp, zone, f"timestamp[{i}]")
        bars.append(YahooBar(
            day=day,
            close=None if close is None else yahoo_decimal(close),
            volume=None if volume is None else yahoo_decimal(volume),
            raw=raw,
        ))
    events = result.get("events") or {}
    splits = []
    for key, item in sorted((events.get("splits") or {}).items()):
        where = f"events.splits[{key}]"
        splits.append(YahooSplit(
            effective=_day(_at(item, "date"), zone, f"{where}.date"),
            new=_positive(_at(item, "numerator"), f"{where}.numerator"),
            old=_positive(_at(item, "denominator"), f"{where}.denominator"),
        ))
    dividends = []
    for key, item in sorted((events.get("dividends") or {}).items()):
        where = f"events.dividends[{key}]"
        amount = _at(item, "amount")
        dividends.append(YahooDividend(
            ex_date=_day(_at(item, "date"), zone, f"{where}.date"),
            amount=yahoo_decimal(amount),
            raw=json.dumps({"date": str(item.get("date")), "amount": str(amount)}),
        ))
    return merge_histories([YahooHistory(name, tuple(bars), tuple(splits), tuple(dividends))])


def load_chart_file(path: str | Path, symbol: str | None = None) -> YahooHistory:
    """A saved chart response: a recorded exchange (`{request, response: {status, bodyJson}}`)
    or a bare chart body. Malformed JSON gives `RecordError` with its line and column."""
    where = str(path)
    try:
        text = read_text(path)
    except OSError as exc:
        raise RecordError(f"{where}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RecordError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"{where}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    try:
        if isinstance(doc, dict) and "response" in doc:
            status = doc["response"].get("status")
            if status != 200:
                raise RecordError(f"the recorded response has HTTP status {status}, not 200")
            doc = doc["response"].get("bodyJson")
        return history_from_chart(doc, symbol)
    except RecordError as exc:
        raise RecordError(f"{where}: {exc}") from None


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a number", name, 0)


# --- yfinance ----------------------------------------------------------------------------


def _split_ratio(ratio: float) -> tuple[Decimal, Decimal]:
    """yfinance gives numerator/denominator as one float (4.0, 0.25): back to small integers."""
    fraction = Fraction(repr(float(ratio))).limit_denominator(1000)
    return Decimal(fraction.numerator), Decimal(fraction.denominator)


def history_from_yfinance(symbol: str, frame: Any) -> YahooHistory:
    """The history in a yfinance `history(auto_adjust=False, actions=True)` DataFrame."""
    bars = []
    splits = []
    dividends = []
    for stamp, row in frame.iterrows():
        day = stamp.date()
        close = row.get("Close")
        volume = row.get("Volume")
        close_ok = close is not None and math.isfinite(float(close))
        volume_ok = volume is not None and math.isfinite(float(volume))
        raw = json.dumps({"date": day.isoformat(),
                          "close": repr(float(close)) if close_ok else None,
                          "volume": int(volume) if volume_ok else None})
        bars.append(YahooBar(day, yahoo_decimal(float(close)) if close_ok else None,
                             Decimal(int(volume)) if volume_ok else None, raw))
        ratio = float(row.get("Stock Splits", 0) or 0)
        if ratio > 0:
            new, old = _split_ratio(ratio)
            splits.append(YahooSplit(day, new, old))
        amount = float(row.get("Dividends", 0) or 0)
        if amount > 0:
            dividends.append(YahooDividend(day, yahoo_decimal(amount),
                                           json.dumps({"date": day.isoformat(),
                                                       "amount": repr(amount)})))
    return merge_histories([YahooHistory(symbol.upper(), tuple(bars), tuple(splits),
                                         tuple(dividends))])


def fetch_history(symbol: str, start: datetime | date, end: datetime | date | None = None,
                  *, session: Any = None) -> YahooHistory:
    """Daily history from Yahoo through yfinance (`end=None`: through today, so that every
    later split is in the answer). `session`: any session yfinance accepts."""
    import yfinance as yf
    from yfinance.exceptions import YFRateLimitError

    try:
        with warnings.catch_warnings():  # pandas deprecation notices from inside yfinance
            warnings.filterwarnings("ignore", module="yfinance")
            ticker = yf.Ticker(symbol, session=session)
            frame = ticker.history(start=start, end=end, interval="1d", auto_adjust=False,
                                   actions=True, repair=False)
    except YFRateLimitError:
        raise RateLimited(f"Yahoo rate limit (HTTP 429) on the history of {symbol}") from None
    except Exception as exc:  # yfinance raises many types; the caller needs one
        raise FeedUnavailable(f"Yahoo history of {symbol}: {type(exc).__name__}: {exc}") from None
    if frame is None or frame.empty:
        raise FeedUnavailable(f"Yahoo gave no daily bars for {symbol} from {start} to {end}")
    return history_from_yfinance(symbol, frame)


# --- to records --------------------------------------------------------------------------


def split_factor_after(day: date, splits: Iterable[YahooSplit]) -> tuple[Decimal, Decimal]:
    """(product of new, product of old) over the splits effective after `day`."""
    new = old = ONE
    for split in splits:
        if split.effective > day:
            new *= split.new
            old *= split.old
    return new, old


def _as_traded(value: Decimal, new: Decimal, old: Decimal) -> Decimal:
    return FIGURES.divide(FIGURES.multiply(value, new), old)


def history_records(history: YahooHistory, *, out_of_earnings: bool = True,
                    source: str = SOURCE) -> list[tuple[str, InputRecord | DeadLetter]]:
    """Replay items, by date (corporate actions of a date before its bar).

    Splits -> `stock_split`; cash dividends -> `distribution` (kind cash, `record_date` =
    Yahoo's ex-dividend date, the only date Yahoo gives); bars -> `daily_bar` as traded.
    A bar Yahoo left empty (null close) becomes a dead letter.
    """
    sym = history.symbol
    keyed: list[tuple[date, int, str, InputRecord | DeadLetter]] = []
    for split in history.splits:
        keyed.append((split.effective, 0, "corporate-actions", StockSplit(
            type="stock_split", id=f"{source}:{sym}:stock_split:{split.effective}", symbol=sym,
            effective=split.effective, new=split.new, old=split.old)))
    for div in history.dividends:
        new, old = split_factor_after(div.ex_date, history.splits)
        try:
            record: InputRecord | DeadLetter = Distribution(
                type="distribution", id=f"{source}:{sym}:distribution:{div.ex_date}",
                symbol=sym, record_date=div.ex_date, kind=DistributionKind.CASH,
                value_per_share=significant(_as_traded(div.amount, new, old)),
                out_of_earnings=out_of_earnings)
            topic = "corporate-actions"
        except ValidationError as exc:
            record, topic = dead_letter("corporate-actions", div.raw, explain(exc), sym), \
                "dead-letters"
        keyed.append((div.ex_date, 1, topic, record))
    for bar in history.bars:
        keyed.append((bar.day, 2, *_bar_record(bar, sym, history.splits, source)))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [(topic, record) for _, _, topic, record in keyed]


def _bar_record(bar: YahooBar, sym: str, splits: Sequence[YahooSplit],
                source: str) -> tuple[str, InputRecord | DeadLetter]:
    if bar.close is None:
        return "dead-letters", dead_letter("quotes", bar.raw,
                                           f"{bar.day}: Yahoo gave no close (null)", sym)
    new, old = split_factor_after(bar.day, splits)
    volume = None if bar.volume is None else significant(_as_traded(bar.volume, old, new))
    try:
        return "quotes", DailyBar(
            type="daily_bar", id=f"{source}:{sym}:daily_bar:{bar.day}", symbol=sym,
            date=bar.day, close=at_least_places(_as_traded(bar.close, new, old)), volume=volume)
    except ValidationError as exc:
        return "dead-letters", dead_letter("quotes", bar.raw, f"{bar.day}: {explain(exc)}", sym)


__all__ = [
    "YahooBar", "YahooDividend", "YahooHistory", "YahooSplit", "fetch_history",
    "history_from_chart", "history_from_yfinance", "history_records", "load_chart_file",
    "merge_histories", "split_factor_after", "yahoo_decimal",
]
