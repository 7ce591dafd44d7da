"""The engine's `quote` record and its fast decoder (docs/events.md "Decoding a quote").

Quotes are nearly all of the input traffic, so a quote is not a pydantic model in the
engine: `Quote` is a frozen msgspec Struct with the same fields, built by `fast_quote`
(from the message's bytes or text) or `fast_quote_of` (from an already parsed JSON object).
Both read the message with msgspec and then apply, in a few lines of Python, every rule of
the pydantic rules model (`shared.events.inputs.QuoteRules`, built from the field types of
shared/events/fields.py) where msgspec alone is laxer:

- `id`, `symbol`: 1 to 256 characters, printable (no control character, DEL, C1, lone
  surrogate), not blank;
- `at`: `YYYY-MM-DDTHH:MM:SS[.ffffff]` then `Z` or `+HH:MM`/`-HH:MM` up to 14:00, upper-case
  `T`/`Z` only, a real date and time, its date as written and its UTC date within the
  Trading Day tables;
- `bid`, `ask`, `last` (> 0) and `volume` (>= 0): a decimal string of ASCII digits (at most
  64 characters, no NaN or infinity) or a JSON number read as Decimal, never a float or a
  bool; magnitude 1e-12 to 1e15;
- at least one of bid, ask, last; bid <= ask; no unknown field; `type` is "quote".

The fast path may only be stricter than the rules model, never laxer: whatever it does not
accept outright (a space around a number, a date at the very edge of the tables, a non
printable but allowed character, anything unexpected) makes it return None, and the caller
decodes the message with the rules model, which gives the record or today's exact reason
(shared/events/codec.py). tests/events/test_event_quote_decoder.py checks the two against
each other.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import msgspec

from shared.calendar.exchange import RANGE_END, RANGE_START
from shared.errors import NotDecidedFast
from shared.numbers import plain

__all__ = ["Quote", "fast_quote", "fast_quote_of", "quote_dict"]


class Quote(msgspec.Struct, frozen=True, gc=False):
    """A bid/ask/last of the stock at an instant (docs/events.md, topic `quotes`).

    Build one with `shared.events.inputs.QuoteRules(...).record()` when the values are not
    known to be valid: a Struct's constructor checks nothing. `gc=False` is safe: the fields
    are strings, Decimals and datetimes, which can hold no reference cycle."""

    type: Literal["quote"]
    id: str
    symbol: str
    at: datetime
    bid: Decimal | None = None
    ask: Decimal | None = None
    last: Decimal | None = None
    volume: Decimal | None = None

    def instant(self) -> datetime | None:
        """The event-time instant this record carries (it advances event time)."""
        return self.at


class _Wire(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A quote as written: the types msgspec can check exactly; the rest is read below."""

    type: str
    id: str
    symbol: str
    at: str
    bid: Any = None
    ask: Any = None
    last: Any = None
    volume: Any = None


_DECODER = msgspec.json.Decoder(_Wire, float_hook=Decimal)
_FIELDS = frozenset(_Wire.__struct_fields__)


# the instant rule of fields.py with its offset bound (whole minutes, at most 14:00) written
# into the pattern (00:00 to 13:59, or 14:00), in two parts: the date and `T`, 11 characters
# exactly, then the clock and the offset; a text matches the whole rule iff its first 11
# characters match the first part and the rest the second
_DAY_PART = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T").fullmatch
_CLOCK_PART = re.compile(
    r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
).fullmatch
# a date written one day inside the tables' ends has its UTC date inside too (an offset
# moves the date by at most one day); at the ends themselves the rules model decides
_FIRST_DAY = (RANGE_START + timedelta(days=1)).isoformat()
_LAST_DAY = (RANGE_END - timedelta(days=1)).isoformat()
_INT_BOUND = 10**16  # an int of 17 digits or more is out of range: the rules model says so
_ZERO = Decimal(0)


_PRICES: dict[str, Decimal] = {}
"""Price texts already found to keep the rule (above zero): prices repeat, and a hit costs a
dict look-up instead of a parse. Cleared when it reaches `_PRICES_MAX` texts; a Decimal is
immutable, so a shared one is safe."""
_PRICES_MAX = 8192
_SYMBOLS: set[str] = set()
"""Symbols already found to keep the Text rule (bounded as `_PRICES`)."""
_DAYS: set[str] = set()
"""Date parts (`YYYY-MM-DDT`) already found to match and to fall inside the tables with a
day to spare; whether the date exists is asked of `datetime.fromisoformat` every time."""
_CLOCKS: set[str] = set()
"""Clock and offset parts (`HH:MM:SS[.ffffff]` and the offset) already found to match."""


def _remember(seen: set[str], text: str) -> None:
    if len(seen) >= _PRICES_MAX:
        seen.clear()
    seen.add(text)


def _text_number(value: str) -> Decimal:
    """A number written as a string, when it plainly keeps the rule of fields.py."""
    # Decimal() reads the decimal pattern of fields.py and also NaN, infinity, digits of other
    # scripts, `_` between digits and white space around: an ASCII text without `_` or white
    # space at its ends that Decimal() reads as finite is the pattern exactly
    if not 0 < len(value) <= 64 or not value.isascii() or "_" in value \
            or len(value.strip()) != len(value):
        raise NotDecidedFast
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise NotDecidedFast from None
    return _in_range(number)


def _in_range(number: Decimal) -> Decimal:
    """`number` if finite and of magnitude 1e-12 to 1e15 (fields.py `_to_decimal`)."""
    if not number.is_finite():
        raise NotDecidedFast
    exponent = number.adjusted()
    if exponent > 15 or exponent < -12:
        raise NotDecidedFast
    return number


def _number(value: Any) -> Decimal:
    """A price or volume as written, when it plainly keeps the rule of fields.py."""
    kind = type(value)
    if kind is str:
        return _text_number(value)
    if kind is Decimal:  # a JSON number with a fraction or an exponent, as written
        return _in_range(value)
    if kind is int:
        if not -_INT_BOUND < value < _INT_BOUND:
            raise NotDecidedFast
        return _in_range(Decimal(value))
    raise NotDecidedFast  # a bool, a float, an object, a list, a JSON constant


def _new_price(value: str) -> Decimal:
    """A price text not in `_PRICES`: checked, then remembered."""
    number = _text_number(value)
    if number <= _ZERO:
        raise NotDecidedFast
    if len(_PRICES) >= _PRICES_MAX:
        _PRICES.clear()
    _PRICES[value] = number
    return number


def _price(value: Any) -> Decimal | None:
    """A bid, ask or last: above zero."""
    if value is None:
        return None
    if type(value) is str:
        return _PRICES.get(value) or _new_price(value)
    number = _number(value)
    if number <= _ZERO:
        raise NotDecidedFast
    return number


def _volume(value: Any) -> Decimal | None:
    """A volume: zero or more (volumes hardly repeat: not cached)."""
    if value is None:
        return None
    number = _number(value)
    if number < _ZERO:
        raise NotDecidedFast
    return number


def _checked(kind: Any, id_: Any, symbol: Any, at: Any, bid: Any, ask: Any,
             last: Any, volume: Any) -> Quote:
    if type(kind) is not str or kind != "quote":
        raise NotDecidedFast
    # id and symbol (Text): 1 to 256 characters, not blank; printable is stricter than "no
    # control character, DEL, C1 or lone surrogate"
    if type(id_) is not str or not 0 < len(id_) <= 256 or not id_.isprintable() \
            or id_.isspace():
        raise NotDecidedFast
    if type(symbol) is not str:  # not a subclass either (a JSON constant equals its text)
        raise NotDecidedFast
    if symbol not in _SYMBOLS:
        if not 0 < len(symbol) <= 256 or not symbol.isprintable() or symbol.isspace():
            raise NotDecidedFast
        _remember(_SYMBOLS, symbol)
    if type(at) is not str:
        raise NotDecidedFast
    day = at[:11]
    if day not in _DAYS:
        if _DAY_PART(day) is None or not _FIRST_DAY <= day[:10] <= _LAST_DAY:
            raise NotDecidedFast
        _remember(_DAYS, day)
    clock = at[11:]
    if clock not in _CLOCKS:
        if _CLOCK_PART(clock) is None:
            raise NotDecidedFast
        _remember(_CLOCKS, clock)
    try:
        instant = datetime.fromisoformat(at)
    except ValueError:  # not a calendar date or time (2011-02-30, 24:00:00)
        raise NotDecidedFast from None
    prices = _PRICES  # a hit (a Decimal above zero, never falsy) skips the call
    b = (prices.get(bid) or _new_price(bid)) if type(bid) is str else _price(bid)
    a = (prices.get(ask) or _new_price(ask)) if type(ask) is str else _price(ask)
    s = None if last is None else _price(last)
    if b is None:
        if a is None and s is None:
            raise NotDecidedFast  # a quote needs one of bid, ask, last
    elif a is not None and b > a:
        raise NotDecidedFast
    return Quote("quote", id_, symbol, instant, b, a, s,
                 None if volume is None else _volume(volume))


def fast_quote(raw: str | bytes) -> Quote | None:
    """The quote of a JSON message when every rule plainly holds, else None (the caller
    then decodes with the rules model). The caller has checked the size limit."""
    # msgspec refuses bytes that are not UTF-8 and text with a lone surrogate; a NUL can only
    # be outside a string (malformed JSON) or inside one (refused by every field's check)
    try:
        if type(raw) is not str and type(raw) is not bytes:
            return None
        wire = _DECODER.decode(raw)
        return _checked(wire.type, wire.id, wire.symbol, wire.at, wire.bid, wire.ask,
                        wire.last, wire.volume)
    except (NotDecidedFast, msgspec.DecodeError, msgspec.ValidationError, UnicodeError):
        return None
    except Exception:  # anything unexpected: the rules model decides and explains
        return None


def fast_quote_of(value: dict[str, Any]) -> Quote | None:
    """The same as `fast_quote` for a JSON object already parsed by
    `shared.events.codec.parse_json` (numbers as int or Decimal, constants refused)."""
    try:
        if not _FIELDS.issuperset(value):
            return None
        get = value.get
        if "type" not in value or "id" not in value or "symbol" not in value \
                or "at" not in value:
            return None
        return _checked(get("type"), get("id"), get("symbol"), get("at"), get("bid"),
                        get("ask"), get("last"), get("volume"))
    except NotDecidedFast:
        return None
    except Exception:
        return None


def quote_dict(quote: Quote) -> dict[str, Any]:
    """The JSON object of a quote, as `shared.events.codec.to_dict` writes every record:
    `type`, `id`, `symbol`, then the fields in order, absent ones as null."""
    return {
        "type": quote.type, "id": quote.id, "symbol": quote.symbol,
        "at": quote.at.isoformat(),
        "bid": None if quote.bid is None else plain(quote.bid),
        "ask": None if quote.ask is None else plain(quote.ask),
        "last": None if quote.last is None else plain(quote.last),
        "volume": None if quote.volume is None else plain(quote.volume),
    }
