"""Field types of the event contract: strict rules, no float anywhere (docs/decisions.md
"What a field admits").

- Money, prices and shares: `Decimal`, from a decimal string of ASCII digits or a JSON
  number read as Decimal (the codec parses JSON numbers with `parse_float=Decimal`); a float,
  a bool, NaN, infinity, Arabic-Indic or fullwidth digits are refused. Serialised as a plain
  decimal string ("2.40").
- Instants: ISO 8601 extended format with an offset, `YYYY-MM-DDTHH:MM:SS[.ffffff]` then `Z`
  or `+HH:MM`/`-HH:MM` (whole minutes, at most 14:00); no basic format, week or ordinal
  dates, offset seconds, a space or a lower-case `t`/`z`. A naive time is refused.
- Dates: `YYYY-MM-DD` only.
- Identifiers and names (`Text`): 1 to 256 characters, no control character (C0, DEL, C1)
  and no lone surrogate.
- Inputs' dates and instants (`TableDay`, `TableInstant`) must fall within the Trading Day
  tables, 1995-01-01 to 2035-12-31 (docs/contract.md "Time"): the date as written and, for
  an instant, its UTC date too. Outside, the record is a dead letter before it can move
  event time or change any state.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from shared.calendar.exchange import RANGE_END, RANGE_START
from shared.events.escaping import shown
from shared.numbers import plain, two_places_or_more, whole_or_exact

RECORD_CONFIG = ConfigDict(frozen=True, extra="forbid", strict=False, validate_default=False)

_DECIMAL_TEXT = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INSTANT_TEXT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-](?P<oh>[0-9]{2}):(?P<om>[0-9]{2}))"
)
MAX_OFFSET_MINUTES = 14 * 60


class JsonConstant(str):
    """`NaN`, `Infinity` or `-Infinity` as written in the JSON text: never a number."""

    __slots__ = ()


def _to_decimal(raw: Any) -> Decimal:
    if isinstance(raw, JsonConstant):
        raise ValueError(f"JSON constant {raw} is not a number")
    if isinstance(raw, bool):
        raise ValueError(f"must be a decimal number, got a boolean {shown(raw)}")
    if isinstance(raw, float):
        raise ValueError("must be a decimal string or JSON number, never a binary float")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        text = raw.strip(" ")
        if len(text) > 64 or not _DECIMAL_TEXT.fullmatch(text):
            raise ValueError(f"not a decimal number of ASCII digits: {shown(raw)}")
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already rules this out
            raise ValueError(f"not a decimal number: {shown(raw)}") from None
    else:
        raise ValueError(f"must be a decimal number, got {type(raw).__name__}")
    if not value.is_finite():
        raise ValueError(f"must be finite, got {shown(raw)}")
    if value.adjusted() > 15 or value.adjusted() < -12:
        raise ValueError(f"out of range (magnitude 1e-12 to 1e15): {shown(raw)}")
    return value


def _positive(raw: Any) -> Decimal:
    value = _to_decimal(raw)
    if value <= 0:
        raise ValueError(f"must be greater than zero, got {shown(raw)}")
    return value


def _non_negative(raw: Any) -> Decimal:
    value = _to_decimal(raw)
    if value < 0:
        raise ValueError(f"must not be negative, got {shown(raw)}")
    return value


def _to_instant(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str) and not isinstance(raw, JsonConstant):
        match = _INSTANT_TEXT.fullmatch(raw)
        if match is None:
            raise ValueError("not an ISO 8601 instant with an offset, YYYY-MM-DDTHH:MM:SS"
                             f"[.ffffff] then Z or +HH:MM: {shown(raw)}")
        if match["oh"] is not None and (int(match["om"]) > 59 or int(match["oh"]) * 60
                                        + int(match["om"]) > MAX_OFFSET_MINUTES):
            raise ValueError(f"UTC offset beyond 14:00 or not whole minutes: {shown(raw)}")
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"not a valid date and time: {shown(raw)}") from None
    else:
        raise ValueError(f"must be an ISO 8601 timestamp string, got {type(raw).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"must carry a UTC offset (e.g. -05:00), got {shown(raw)}")
    return value


def _outside_tables(day: date) -> str | None:
    if RANGE_START <= day <= RANGE_END:
        return None
    return (f"{day.isoformat()} is outside the Trading Day tables, which cover "
            f"{RANGE_START.isoformat()} to {RANGE_END.isoformat()}")


def _to_table_instant(raw: Any) -> datetime:
    value = _to_instant(raw)
    problem = _outside_tables(value.date())  # the date as written: no conversion can overflow
    if problem is None:
        problem = _outside_tables(value.astimezone(UTC).date())
    if problem is not None:
        raise ValueError(problem)
    return value


def _to_date(raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and _DATE_TEXT.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"not a calendar date: {shown(raw)}") from None
    raise ValueError(f"must be a date YYYY-MM-DD, got {shown(raw)}")


def _to_table_date(raw: Any) -> date:
    value = _to_date(raw)
    problem = _outside_tables(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def refused_character(text: str) -> str | None:
    """The first character an identifier may not hold (a control character, DEL, C1, a lone
    surrogate), described, or None."""
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return f"control character {ch!a}"
        if 0xD800 <= code <= 0xDFFF:
            return f"lone surrogate {ch!a}"
    return None


def _to_text(raw: Any) -> str:
    if not isinstance(raw, str) or isinstance(raw, JsonConstant):
        raise ValueError(f"must be a string, got {type(raw).__name__}")
    if not raw or not raw.strip():
        raise ValueError("must not be empty")
    if len(raw) > 256:
        raise ValueError(f"longer than 256 characters ({len(raw)})")
    problem = refused_character(raw)
    if problem is not None:
        raise ValueError(f"contains a {problem}")
    return raw


def _to_document(raw: Any) -> str:
    """A document carried whole (a Form 4's XML): no lone surrogate and no C0 control but
    tab, newline and carriage return (XML 1.0 "Char")."""
    if not isinstance(raw, str) or isinstance(raw, JsonConstant):
        raise ValueError(f"must be a string, got {type(raw).__name__}")
    if not raw:
        raise ValueError("must not be empty")
    for ch in raw:
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n\r") or 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"contains {ch!a}, not allowed in a document")
    return raw


_DECIMAL_SCHEMA = {
    "type": ["string", "number"],
    "pattern": _DECIMAL_TEXT.pattern,
    "description": "decimal number; a string such as \"2.40\" is preferred",
}

Dec = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(plain, return_type=str),
    WithJsonSchema(_DECIMAL_SCHEMA),
]
PositiveDec = Annotated[
    Decimal,
    BeforeValidator(_positive),
    PlainSerializer(plain, return_type=str),
    WithJsonSchema({**_DECIMAL_SCHEMA, "description": "decimal number greater than zero"}),
]
NonNegativeDec = Annotated[
    Decimal,
    BeforeValidator(_non_negative),
    PlainSerializer(plain, return_type=str),
    WithJsonSchema({**_DECIMAL_SCHEMA, "description": "decimal number, zero or more"}),
]

# Output figures by kind (docs/events.md "Numbers"): the same values, one printed form per kind.
Price = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(two_places_or_more, return_type=str),
    WithJsonSchema({**_DECIMAL_SCHEMA, "description": "price per share, at least 2 places"}),
]
ShareNumber = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(two_places_or_more, return_type=str),
    WithJsonSchema({**_DECIMAL_SCHEMA, "description": "warrant shares, at least 2 places"}),
]
Cash = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(two_places_or_more, return_type=str),
    WithJsonSchema({**_DECIMAL_SCHEMA, "description": "cash, at least 2 places"}),
]
StockShares = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(whole_or_exact, return_type=str),
    WithJsonSchema({**_DECIMAL_SCHEMA,
                    "description": "shares of Common Stock, an integer when whole"}),
]
_INSTANT_PATTERN = _INSTANT_TEXT.pattern.replace("?P<oh>", "").replace("?P<om>", "")
_INSTANT_SCHEMA = {"type": "string", "format": "date-time",
                   "pattern": f"^{_INSTANT_PATTERN}$",
                   "description": "ISO 8601 extended format with Z or a UTC offset of whole "
                                  "minutes up to 14:00"}
_TABLES = (f"within the Trading Day tables, {RANGE_START.isoformat()} to "
           f"{RANGE_END.isoformat()}")
Instant = Annotated[
    datetime,
    BeforeValidator(_to_instant),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema(_INSTANT_SCHEMA),
]
TableInstant = Annotated[
    datetime,
    BeforeValidator(_to_table_instant),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({**_INSTANT_SCHEMA,
                    "description": f"{_INSTANT_SCHEMA['description']}, {_TABLES}"}),
]
Day = Annotated[
    date,
    BeforeValidator(_to_date),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_TEXT.pattern}),
]
TableDay = Annotated[
    date,
    BeforeValidator(_to_table_date),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_TEXT.pattern,
                    "description": f"YYYY-MM-DD {_TABLES}"}),
]
Text = Annotated[
    str,
    BeforeValidator(_to_text),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 256,
                    "description": "no control character (C0, DEL, C1), no lone surrogate"}),
]
Document = Annotated[
    str,
    BeforeValidator(_to_document),
    WithJsonSchema({"type": "string", "minLength": 1}),
]
