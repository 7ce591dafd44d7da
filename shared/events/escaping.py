"""Quoting outside text safely: printable ASCII, bounded (docs/operations.md "Bad input").

A value quoted in a dead letter's reason, its symbol or its topic may be anything a sender
wrote: a homoglyph, a control character, a lone surrogate, 100 kB. These functions make it
printable ASCII (or at least encodable text) of bounded length, and never raise.
"""

from __future__ import annotations

from decimal import Decimal

MAX_RECORD_BYTES = 524_288
"""The largest message decoded (512 KiB): above it, a dead letter without a parse."""
MAX_RAW_BYTES = 16_384
"""The most of a refused message a dead letter keeps (UTF-8 bytes of its `raw`)."""
MAX_REASON_CHARS = 300
MAX_SHOWN_CHARS = 48
MAX_NAME_CHARS = 128


def _printable(ch: str) -> bool:
    return " " <= ch <= "~"


def escape(text: str) -> str:
    """`text` with every character outside printable ASCII escaped as Python would write it."""
    if all(_printable(ch) for ch in text):
        return text
    return "".join(ch if _printable(ch) else ascii(ch)[1:-1] for ch in text)


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """A value quoted in a reason: ASCII repr, cut to `limit` characters of the value."""
    try:
        if isinstance(value, str | bytes) and len(value) > limit:
            unit = "chars" if isinstance(value, str) else "bytes"
            return f"{value[:limit]!a}... ({len(value)} {unit})"
        text = ascii(str(value)) if isinstance(value, Decimal | int) else ascii(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    if len(text) > limit + 2:
        text = f"{text[:limit]}..."
    return text


def bounded_reason(reason: str) -> str:
    """A reason as a dead letter carries it: printable ASCII, at most MAX_REASON_CHARS."""
    text = escape(reason)
    if len(text) > MAX_REASON_CHARS:
        tail = f"... [{len(text)} chars]"
        text = text[: MAX_REASON_CHARS - len(tail)] + tail
    return text


def clean_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    """A symbol or topic as a dead letter carries it: as given when clean, else escaped."""
    text = escape(name) if any(not ch.isprintable() for ch in name) else name
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = escape(text)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def safe_text(raw: str | bytes) -> str:
    """The message as text that always encodes: invalid UTF-8 and lone surrogates escaped."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="backslashreplace")
    try:
        raw.encode("utf-8")
        return raw
    except UnicodeEncodeError:
        return raw.encode("utf-8", errors="backslashreplace").decode("utf-8")
