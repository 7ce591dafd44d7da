"""Bounded dead letters: what a refused message becomes, whatever it was (docs/operations.md
"Bad input", docs/decisions.md "Bad input").

Every dead letter stays far below the Kafka producer's 1,000,000-byte maximum:

- `raw` is the message as text (invalid UTF-8 shown as `\\xNN`, a lone surrogate as `\\udNNN`),
  at most `MAX_RAW_BYTES` of UTF-8; when cut, `raw_truncated` is true. `raw_size` (bytes)
  and `raw_sha256` always describe the whole message as received.
- `reason` is printable ASCII only (anything else escaped, so a Cyrillic O in "GLОW" reads
  `\\u041e`) and at most `MAX_REASON_CHARS` long; values it quotes go through `shown`.
- `symbol` and `topic` are escaped and bounded the same way when they are not clean.

Nothing here raises for any input: it is the last step of every refusal.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from shared.events.escaping import (
    MAX_RAW_BYTES,
    MAX_RECORD_BYTES,
    bounded_reason,
    clean_name,
    safe_text,
)
from shared.events.outputs import DeadLetter, output_id

__all__ = ["MAX_RAW_BYTES", "MAX_RECORD_BYTES", "dead_letter", "raw_bytes"]

def raw_bytes(raw: str | bytes) -> bytes:
    """The message's bytes as received (a text's UTF-8, lone surrogates kept as surrogatepass)."""
    if isinstance(raw, bytes):
        return raw
    return raw.encode("utf-8", errors="surrogatepass")


def _symbol_of(raw: str | bytes) -> str:
    if len(raw) > MAX_RAW_BYTES:
        return ""  # no parse of a large message just for its symbol
    try:
        obj: Any = json.loads(raw)
    except Exception:
        return ""
    if isinstance(obj, dict):
        if isinstance(obj.get("value"), dict) and "topic" in obj:  # a replay line
            obj = obj["value"]
        symbol = obj.get("symbol")
        if isinstance(symbol, str):
            return symbol
    return ""


def dead_letter(topic: str, raw: str | bytes, reason: str, symbol: str = "") -> DeadLetter:
    """The bounded dead letter of a message that could not be used (never raises for text).

    The id comes from the topic, the whole message's digest and the reason, so a redelivery
    of the same message yields the same id.
    """
    data = raw_bytes(raw)
    digest = hashlib.sha256(data).hexdigest()
    text = safe_text(raw)
    encoded = text.encode("utf-8")
    truncated = len(encoded) > MAX_RAW_BYTES
    if truncated:
        text = encoded[:MAX_RAW_BYTES].decode("utf-8", errors="ignore")
    why = bounded_reason(reason)
    where = clean_name(topic)
    who = clean_name(symbol or _symbol_of(raw))
    key = hashlib.sha256(f"{where}\n{digest}\n{why}".encode()).hexdigest()[:24]
    return DeadLetter(id=output_id("dead_letter", key), symbol=who, topic=where, raw=text,
                      reason=why, raw_size=len(data), raw_sha256=digest,
                      raw_truncated=truncated)
