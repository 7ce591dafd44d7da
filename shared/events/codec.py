"""Wire text to records and back: strict decoding with precise reasons, canonical encoding.

Decoding reads JSON numbers as `Decimal` (never through float), checks that the record's
`type` belongs to the topic it arrived on, and validates every field. Any failure is a
`RecordError` whose message names the field and the rule; the caller turns it into a
bounded `dead_letter` (shared.events.letters), and the stream goes on. The one entry that
never raises, whatever the message, is `shared.events.boundary.admit`.

A quote is decoded first by the fast path of shared/events/quote.py (msgspec and the same
rules); what it does not accept outright goes through the pydantic rules models below, which
give the record or the reason (docs/events.md "Decoding a quote"). Both entries, `decode`
for a message and `decode_value` for a parsed object, and `admit`, take these two steps.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError

from shared.errors import RecordError
from shared.events.escaping import MAX_RECORD_BYTES, shown
from shared.events.fields import JsonConstant
from shared.events.inputs import INPUT_TOPICS, AnyInput, InputModel, InputRecord, QuoteRules
from shared.events.letters import dead_letter
from shared.events.outputs import TOPIC_OF_OUTPUT, OutputRecord
from shared.events.quote import Quote, fast_quote, fast_quote_of, quote_dict

__all__ = ["MAX_RECORD_BYTES", "dead_letter", "decode", "decode_value", "decode_with_rules",
           "encode", "explain", "parse_json", "to_dict", "topic_of"]

QUOTES = "quotes"
SURELY_WITHIN_LIMIT = MAX_RECORD_BYTES // 4
"""A message of at most this many bytes or characters is within the size limit (a character
is at most 4 bytes of UTF-8): the fast quote path is tried on these without counting."""
_INPUT_ADAPTER: TypeAdapter[InputModel] = TypeAdapter(AnyInput)
_TYPES_OF_TOPIC: dict[str, frozenset[str]] = {
    topic: frozenset(get_args(m.model_fields["type"].annotation)[0] for m in models)
    for topic, models in INPUT_TOPICS.items()
}


def _parse_int(text: str) -> int | Decimal:
    # a long integer stays a Decimal so the field's own range rule names it (Python's int()
    # refuses more than 4,300 digits with an error that names no field)
    return int(text) if len(text) <= 30 else Decimal(text)


def parse_json(raw: str | bytes) -> Any:
    """JSON with numbers as Decimal/int; NaN and Infinity reach the field rules as
    `JsonConstant`, which every field refuses by name."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")  # strictly: json.loads would guess UTF-16 and UTF-32
        if "\x00" in raw:
            raise RecordError("record: not UTF-8 JSON: it holds NUL bytes (UTF-16 or UTF-32?)")
        return json.loads(raw, parse_float=Decimal, parse_int=_parse_int,
                          parse_constant=JsonConstant)
    except UnicodeDecodeError as exc:
        raise RecordError(f"record: not UTF-8: byte {exc.start}: {exc.reason}") from None
    except ArithmeticError:  # a JSON number Decimal cannot hold, such as 0e99999999999999999999
        raise RecordError("record: malformed JSON: a number beyond the decimal range") from None
    except ValueError as exc:
        raise RecordError(f"record: malformed JSON: {exc}") from None
    except RecursionError:
        raise RecordError("record: malformed JSON: nested too deeply") from None


def explain(error: ValidationError) -> str:
    """One line per failed rule: `field: message (got value)`."""
    parts = []
    for item in error.errors(include_url=False):
        loc_parts = [str(p)[:48] for p in item["loc"]]
        if loc_parts and loc_parts[0] in _ALL_TYPES:  # the union tag of the discriminated union
            loc_parts = loc_parts[1:]
        loc = ".".join(loc_parts)
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            parts.append(f"{loc}: required field missing")
        elif item["type"] == "extra_forbidden":
            parts.append(f"{loc}: unknown field")
        else:
            parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


_ALL_TYPES = frozenset(t for types in _TYPES_OF_TOPIC.values() for t in types)


def decode_value(topic: str, value: Any) -> InputRecord:
    """Validate one parsed JSON object arriving on `topic` into its input record."""
    if topic == QUOTES and type(value) is dict:
        quote = fast_quote_of(value)
        if quote is not None:
            return quote
    return _validated(topic, value)


def _validated(topic: str, value: Any) -> InputRecord:
    """The rules models' answer: the record, or a RecordError naming the field and rule."""
    if topic not in _TYPES_OF_TOPIC:
        raise RecordError(f"topic: unknown topic {shown(topic)}; "
                          f"one of {', '.join(_TYPES_OF_TOPIC)}")
    if not isinstance(value, dict):
        raise RecordError(f"value: a record must be a JSON object, got {type(value).__name__}")
    kind = value.get("type")
    if not isinstance(kind, str):
        raise RecordError("type: required field missing or not a string")
    allowed = _TYPES_OF_TOPIC[topic]
    if kind not in allowed:
        where = next((t for t, ks in _TYPES_OF_TOPIC.items() if kind in ks), None)
        hint = f" (it belongs on {where!r})" if where else ""
        accepted = ", ".join(sorted(allowed))
        raise RecordError(f"type: {shown(kind)} is not accepted on topic {topic!r}{hint}; "
                          f"one of {accepted}")
    try:
        record = _INPUT_ADAPTER.validate_python(value)
    except ValidationError as exc:
        raise RecordError(explain(exc)) from None
    except RecursionError:
        raise RecordError("value: nested too deeply") from None
    if isinstance(record, QuoteRules):  # the fast path was stricter: the engine's quote
        return record.record()
    return record


def _check_size(raw: str | bytes) -> None:
    size = len(raw)
    if isinstance(raw, str) and size * 4 > MAX_RECORD_BYTES:  # count UTF-8 bytes when it matters
        size = len(raw.encode("utf-8", errors="surrogatepass"))
    if size > MAX_RECORD_BYTES:
        raise RecordError(f"record: {size} bytes exceeds the {MAX_RECORD_BYTES}-byte limit")


def decode(topic: str, raw: str | bytes) -> InputRecord:
    """Decode one message as received on `topic` (RecordError naming the rule if it fails)."""
    if topic == QUOTES and len(raw) <= SURELY_WITHIN_LIMIT:
        quote = fast_quote(raw)
        if quote is not None:
            return quote
    _check_size(raw)
    return _validated(topic, parse_json(raw))


def decode_with_rules(topic: str, raw: str | bytes) -> InputRecord:
    """`decode` without the fast path: the rules models alone. It is the reference the fast
    path is tested against (tests/events/test_event_quote_decoder.py) and the baseline of
    `warrantwatch bench decode`; `decode` gives the same record or the same reason."""
    _check_size(raw)
    return _validated(topic, parse_json(raw))


def to_dict(record: OutputRecord | InputRecord) -> dict[str, Any]:
    """The JSON object of a record: `type`, `id`, `symbol` first, then its fields in order."""
    if isinstance(record, Quote):
        return quote_dict(record)
    data = record.model_dump(mode="json", exclude_none=False)
    head: dict[str, Any] = {k: data.pop(k) for k in ("type", "id", "symbol") if k in data}
    return {**head, **data}


def encode(record: OutputRecord | InputRecord) -> str:
    """Canonical JSON text of a record (same record, same bytes)."""
    return json.dumps(to_dict(record), ensure_ascii=False, separators=(", ", ": "))


def topic_of(record: OutputRecord) -> str:
    return TOPIC_OF_OUTPUT[record.type]  # type: ignore[attr-defined]
