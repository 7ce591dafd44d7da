"""The replay format of docs/events.md: `{"topic": ..., "value": {...}}` per line.

`replay_lines` drives an `Engine` over such lines and returns `(topic, record)` outputs in
the order they were produced; a line that is not a valid envelope becomes a dead letter too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from shared.engine.engine import Engine
from shared.errors import RecordError
from shared.events.codec import dead_letter, decode_value, parse_json, to_dict, topic_of
from shared.events.inputs import InputRecord
from shared.events.outputs import DeadLetter, OutputRecord

REPLAY_TOPIC = "replay"


def parse_envelope(line: str) -> tuple[str, Any]:
    """Split a replay line into its topic and its value; RecordError if it is not one."""
    obj = parse_json(line)
    if not isinstance(obj, dict):
        raise RecordError("a replay line must be a JSON object {\"topic\": ..., \"value\": {...}}")
    topic, value = obj.get("topic"), obj.get("value")
    if not isinstance(topic, str) or not topic:
        raise RecordError("replay line: `topic` missing or not a string")
    if value is None:
        raise RecordError("replay line: `value` missing")
    extra = set(obj) - {"topic", "value", "key"}
    if extra:
        raise RecordError(f"replay line: unknown fields {', '.join(sorted(extra))}")
    return topic, value


@dataclass(frozen=True, slots=True)
class CheckedLine:
    """One non-blank replay line: its record, or the dead letter that replaces it."""

    number: int
    text: str
    topic: str
    record: InputRecord | None
    letter: DeadLetter | None


def checked_lines(lines: Iterable[str]) -> Iterator[CheckedLine]:
    """Every non-blank line, its envelope and record checked; a bad one becomes a dead letter
    whose reason names the line."""
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        topic = REPLAY_TOPIC
        try:
            topic, value = parse_envelope(text)
            record = decode_value(topic, value)
        except RecordError as exc:
            yield CheckedLine(number, text, topic, None,
                              dead_letter(topic, text, f"line {number}: {exc}"))
            continue
        yield CheckedLine(number, text, topic, record, None)


def replay_lines(engine: Engine, lines: Iterable[str]) -> list[tuple[str, OutputRecord]]:
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


