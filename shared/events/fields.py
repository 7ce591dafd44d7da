"""Field types of the event contract: strict rules, no float anywhere.

- Money, prices and shares: `Decimal`, from a decimal string or a JSON number read as
  Decimal (the codec parses JSON numbers with `parse_float=Decimal`); a float, a bool,
  NaN or infinity is refused. Serialised as a plain decimal string ("2.40").
- Instants: ISO 8601 with an offset; a naive time is refused.
- Dates: `YYYY-MM-DD` only.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from shared.numbers import plain

RECORD_CONFIG = ConfigDict(frozen=True, extra="forbid", strict=False, validate_default=False)

_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class JsonConstant(str):
    """`NaN`, `Infinity` or `-Infinity` as written in the JSON text: never a number."""

    __slots__ = ()


def _to_decimal(raw: Any) -> Decimal:
    if isinstance(raw, JsonConstant):
        raise ValueError(f"JSON constant {raw} is not a number")
    if isinstance(raw, bool):
        raise ValueError(f"must be a decimal number, got a boolean {raw!r}")
    if isinstance(raw, float):
        raise ValueError("must be a decimal string or JSON number, never a binary float")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not _DECIMAL_TEXT.match(text):
            raise ValueError(f"not a decimal number: {raw!r}")
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already rules this out
            raise ValueError(f"not a decimal number: {raw!r}") from None
    else:
        raise ValueError(f"must be a decimal number, got {type(raw).__name__}")
    if not value.is_finite():
        raise ValueError(f"must be finite, got {raw!r}")
    if value.adjusted() > 15 or value.adjusted() < -12:
        raise ValueError(f"out of range: {raw!r}")
    return value


def _positive(raw: Any) -> Decimal:
    value = _to_decimal(raw)
    if value <= 0:
        raise ValueError(f"must be greater than zero, got {raw!r}")
    return value


def _non_negative(raw: Any) -> Decimal:
    value = _to_decimal(raw)
    if value < 0:
        raise ValueError(f"must not be negative, got {raw!r}")
    return value


def _to_instant(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"not an ISO 8601 timestamp: {raw!r}") from None
    else:
        raise ValueError(f"must be an ISO 8601 timestamp string, got {type(raw).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"must carry a UTC offset (e.g. -05:00), got {raw!r}")
    return value


def _to_date(raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and _DATE_TEXT.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"not a calendar date: {raw!r}") from None
    raise ValueError(f"must be a date YYYY-MM-DD, got {raw!r}")


def _to_text(raw: Any) -> str:
    if not isinstance(raw, str) or isinstance(raw, JsonConstant):
        raise ValueError(f"must be a string, got {type(raw).__name__}")
    if not raw or not raw.strip():
        raise ValueError("must not be empty")
    if len(raw) > 256:
        raise ValueError("longer than 256 characters")
    if any(ord(ch) < 32 for ch in raw):
        raise ValueError("contains control characters")
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
Instant = Annotated[
    datetime,
    BeforeValidator(_to_instant),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time",
                    "description": "ISO 8601 with a UTC offset"}),
]
Day = Annotated[
    date,
    BeforeValidator(_to_date),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_TEXT.pattern}),
]
Text = Annotated[
    str,
    BeforeValidator(_to_text),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 256}),
]
