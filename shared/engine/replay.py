"""The replay format of docs/events.md: `{"topic": ..., "value": {...}}` per line, with an
optional `"key"` (the Kafka key the record would carry: it must be the record's symbol).

`replay_lines` drives an `Engine` over such lines and returns `(topic, record)` outputs in
the order they were produced; a line that is not a valid envelope becomes a dead letter too.

Lines are split on the byte `\\n` only (`split_replay_lines`): a JSON string may hold a raw
U+0085, U+2028 or U+2029, which `str.splitlines` would take for line ends. Each line is read
by the decoding boundary's rules (shared.events.boundary): invalid UTF-8, any nesting, a line
over `MAX_RECORD_BYTES`, a `key` that is not the record's symbol, each become one dead letter
whose reason starts with the line number, and the replay goes on (docs/operations.md
"Bad input").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, overload

from shared.engine.engine import Engine
from shared.errors import RecordError
from shared.events.boundary import check_key, message_size
from shared.events.codec import decode_value, parse_json, to_dict, topic_of
from shared.events.escaping import MAX_RECORD_BYTES, safe_text, shown
from shared.events.inputs import InputRecord
from shared.events.letters import dead_letter
from shared.events.outputs import DeadLetter, OutputRecord

REPLAY_TOPIC = "replay"
_NO_KEY = object()


@overload
def split_replay_lines(data: bytes) -> list[bytes]: ...


@overload
def split_replay_lines(data: str) -> list[str]: ...


def split_replay_lines(data: bytes | str) -> list[bytes] | list[str]:
    """The lines of a replay file: split on `\\n` only (a `\\r` before it is whitespace)."""
    if isinstance(data, bytes):
        return data.split(b"\n")
    return data.split("\n")


def parse_envelope(line: str | bytes) -> tuple[str, Any, object]:
    """Split a replay line into its topic, its value and its key (`_NO_KEY` when absent);
    RecordError if it is not an envelope."""
    obj = parse_json(line)
    if not isinstance(obj, dict):
        raise RecordError("record: a replay line must be a JSON object "
                          "{\"topic\": ..., \"value\": {...}}")
    topic, value = obj.get("topic"), obj.get("value")
    if not isinstance(topic, str) or not topic:
        raise RecordError("topic: replay line: `topic` missing or not a string")
    if value is None:
        raise RecordError("value: replay line: `value` missing")
    extra = set(obj) - {"topic", "value", "key"}
    if extra:
        raise RecordError(f"record: replay line: unknown fields "
                          f"{', '.join(shown(x) for x in sorted(extra))}")
    key = obj.get("key", _NO_KEY)
    if key is not _NO_KEY and not isinstance(key, str):
        raise RecordError(f"key: must be a string (the record's symbol), got "
                          f"{type(key).__name__}")
    return topic, value, key


@dataclass(frozen=True, slots=True)
class CheckedLine:
    """One non-blank replay line: its record, or the dead letter that replaces it."""

    number: int
    text: str
    topic: str
    record: InputRecord | None
    letter: DeadLetter | None


def _check(number: int, line: str | bytes) -> CheckedLine:
    topic = REPLAY_TOPIC
    try:
        size = message_size(line)
        if size > MAX_RECORD_BYTES:
            raise RecordError(f"record: {size} bytes exceeds the {MAX_RECORD_BYTES}-byte limit")
        topic, value, key = parse_envelope(line)
        record = decode_value(topic, value)
        if key is not _NO_KEY:
            assert isinstance(key, str)
            problem = check_key(key, record.symbol, keyed=False)
            if problem is not None:
                raise RecordError(problem)
    except RecordError as exc:
        reason = f"line {number}: {exc}"
    except Exception as exc:  # the boundary: one line never stops a replay
        reason = f"line {number}: record: cannot be decoded ({type(exc).__name__})"
    else:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        return CheckedLine(number, text, topic, record, None)
    return CheckedLine(number, safe_text(line), topic, None, dead_letter(topic, line, reason))


def checked_lines(lines: Iterable[str | bytes]) -> Iterator[CheckedLine]:
    """Every non-blank line, its envelope and record checked; a bad one becomes a dead letter
    whose reason names the line. Lines are numbered from 1, blank ones counted."""
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        yield _check(number, text)


def replay_lines(engine: Engine, lines: Iterable[str | bytes]) -> list[tuple[str, OutputRecord]]:
    """Run every non-blank line through the engine; outputs with their logical topics."""
    out: list[tuple[str, OutputRecord]] = []
    for line in checked_lines(lines):
        if line.record is None:
            assert line.letter is not None
            out.append((topic_of(line.letter), line.letter))
            continue
        for produced in engine.process(line.topic, line.record, line.text):
            out.append((topic_of(produced), produced))
    return out


def output_line(topic: str, record: OutputRecord) -> str:
    """One line of replay output, canonical JSON."""
    return json.dumps({"topic": topic, "value": to_dict(record)}, ensure_ascii=False,
                      separators=(", ", ": "))
