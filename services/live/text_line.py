"""One readable line per output record, for `warrantwatch watch` on a terminal.

The line names the record's type and symbol, then its own figures as `field=value` in the
record's field order. Long explanatory fields (`calculation`, a dead letter's `raw`, a
settlement's `basket`) are left out: the JSON line (`--format json`) keeps everything.
"""

from __future__ import annotations

from typing import Any

_LEFT_OUT = frozenset({"type", "id", "symbol", "calculation", "raw", "basket"})
_MAX_VALUE = 80


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    if len(text) > _MAX_VALUE:
        text = text[: _MAX_VALUE - 3] + "..."
    return text.replace("\n", " ")


def text_line(topic: str, record: dict[str, Any]) -> str:
    """`TYPE SYMBOL field=value ...` (dead letters: their reason last, whole)."""
    kind = _show(record.get("type", "?"))
    symbol = _show(record.get("symbol", ""))
    parts = [f"{kind:<20}", symbol or "-"]
    for name, value in record.items():
        if name in _LEFT_OUT or name == "reason":
            continue
        parts.append(f"{name}={_show(value)}")
    if "reason" in record:
        parts.append(f"reason: {record['reason']}")
    if kind == "?":
        parts.append(f"(on {topic})")
    return " ".join(parts)
