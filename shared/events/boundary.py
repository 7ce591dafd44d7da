"""The decoding boundary: any message in, a record or one bounded dead letter out.

`admit(topic, raw, key)` is the one place a message from outside becomes an input record
(docs/operations.md "Bad input"). It never raises, whatever the message: invalid UTF-8,
UTF-16, any size (over `MAX_RECORD_BYTES` it is not parsed), any nesting depth, lone
surrogates, NaN, huge numbers, a key that is not the record's symbol. What fails becomes one
`DeadLetter` (shared.events.letters) whose reason names the field and the rule.
"""

from __future__ import annotations

from typing import Any

from shared.errors import RecordError
from shared.events.codec import QUOTES, SURELY_WITHIN_LIMIT, decode_value, parse_json
from shared.events.escaping import MAX_RECORD_BYTES, shown
from shared.events.inputs import InputRecord
from shared.events.letters import dead_letter
from shared.events.outputs import DeadLetter
from shared.events.quote import fast_quote

__all__ = ["MAX_RECORD_BYTES", "Admitted", "admit", "check_key", "message_size"]

Admitted = InputRecord | DeadLetter


def message_size(raw: str | bytes) -> int:
    """The message's size in bytes (a text's UTF-8)."""
    if isinstance(raw, bytes):
        return len(raw)
    return len(raw.encode("utf-8", errors="surrogatepass"))


def _symbol_in(value: Any) -> str:
    if isinstance(value, dict):
        symbol = value.get("symbol")
        if isinstance(symbol, str):
            return symbol
    return ""


def check_key(key: bytes | str | None, symbol: str, *, keyed: bool) -> str | None:
    """Why a message's key does not fit its record's symbol, or None (events.md: every input
    is keyed by its symbol). `keyed`: the transport always gives a key (Kafka), so no key is
    itself a fault."""
    if key is None:
        return "key: a message needs a key, its record's symbol; it has none" if keyed else None
    if isinstance(key, bytes):
        try:
            text = key.decode("utf-8")
        except UnicodeDecodeError:
            return f"key: not UTF-8: {shown(key)}"
    else:
        text = key
    if text != symbol:
        return (f"key: {shown(text)} is not the record's symbol {shown(symbol)}: every input "
                "is keyed by its symbol")
    return None


def admit(topic: str, raw: str | bytes, key: bytes | str | None = None, *,
          keyed: bool = False) -> Admitted:
    """The record a message carries, or the one dead letter that replaces it. Never raises.

    `key` is the message's key as the transport gave it (None: none); when given it must be
    the record's symbol. `keyed` says that a missing key is a fault (Kafka).
    """
    symbol = ""
    try:
        if topic == QUOTES and len(raw) <= SURELY_WITHIN_LIMIT:
            quote = fast_quote(raw)  # shared/events/quote.py
            if quote is not None:
                problem = check_key(key, quote.symbol, keyed=keyed)
                if problem is not None:
                    return dead_letter(topic, raw, problem, quote.symbol)
                return quote
        size = message_size(raw)
        if size > MAX_RECORD_BYTES:
            return dead_letter(topic, raw, f"record: {size} bytes exceeds the "
                                           f"{MAX_RECORD_BYTES}-byte limit")
        value = parse_json(raw)
        symbol = _symbol_in(value)
        record = decode_value(topic, value)
        problem = check_key(key, record.symbol, keyed=keyed)
        if problem is not None:
            return dead_letter(topic, raw, problem, record.symbol)
        return record
    except RecordError as exc:
        return _letter(topic, raw, str(exc), symbol)
    except Exception as exc:
        return _letter(topic, raw, f"record: cannot be decoded ({type(exc).__name__})", symbol)


def _letter(topic: str, raw: str | bytes, reason: str, symbol: str) -> DeadLetter:
    try:
        return dead_letter(topic, raw, reason, symbol)
    except Exception:
        return dead_letter("unknown", b"", f"record: {reason[:200]}")
