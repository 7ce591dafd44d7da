"""The replay format of docs/events.md: `{"topic": ..., "value": {...}}` per line.

`replay_lines` drives an `Engine` over such lines and returns `(topic, record)` outputs in
the order they were produced; a line that is not a valid envelope becomes a dead letter too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from shared.engine.engine import Engine
from shared.errors import RecordError
from shared.events.codec import dead_letter, decode_value, encode, parse_json, to_dict, topic_of
from shared.events.outputs import OutputRecord

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


def replay_lines(engine: Engine, lines: Iterable[str]) -> list[tuple[str, OutputRecord]]:
    """Run every non-blank line through the engine; outputs with their logical topics."""
    out: list[tuple[str, OutputRecord]] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        topic = REPLAY_TOPIC
        try:
            topic, value = parse_envelope(text)
            record = decode_value(topic, value)
        except RecordError as exc:
            letter = dead_letter(topic, text, f"line {number}: {exc}")
            out.append((topic_of(letter), letter))
            continue
        for produced in engine.process(topic, record, text):
            out.append((topic_of(produced), produced))
    return out


def output_line(topic: str, record: OutputRecord) -> str:
    """One line of replay output, canonical JSON."""


    return json.dumps({"topic": topic, "value": to_dict(record)}, ensure_ascii=False,
                      separators=(", ", ": "))


__all__ = ["REPLAY_TOPIC", "encode", "output_line", "parse_envelope", "replay_lines"]
