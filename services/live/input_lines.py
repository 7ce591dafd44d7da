"""The lines `warrantwatch publish` reads: replay lines or bare input records, checked.

A line is either a replay line of docs/events.md (`{"topic": ..., "value": {...}}`), checked
exactly as the replay checks it (`shared.engine.replay.parse_envelope`), or a bare input record
(`{"type": ..., "id": ..., "symbol": ...}`) whose topic is the one input topic that accepts
its `type` (docs/events.md, Inputs). Either way the record is validated as the engine will
validate it (`shared.events.codec.decode_value`), so a line refused here would have become a
dead letter in the worker. Blank lines are skipped; line numbers count from 1 over every line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, get_args

from shared.engine.replay import _check as check_replay_line
from shared.errors import RecordError
from shared.events.boundary import message_size
from shared.events.codec import decode_value, parse_json
from shared.events.escaping import MAX_RECORD_BYTES
from shared.events.inputs import INPUT_TOPICS, InputRecord

TOPIC_OF_TYPE: dict[str, str] = {
    get_args(model.model_fields["type"].annotation)[0]: topic
    for topic, models in INPUT_TOPICS.items() for model in models
}


@dataclass(frozen=True, slots=True)
class InputLine:
    """One non-blank line: its input topic and record, or why it cannot be sent."""

    number: int
    topic: str | None
    record: InputRecord | None
    reason: str | None = None


def _bare_topic(obj: Any) -> str:
    if not isinstance(obj, dict):
        raise RecordError("record: a line must be a JSON object: a replay line {\"topic\": "
                          "..., \"value\": {...}} or an input record {\"type\": ...}")
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise RecordError("type: required field missing or not a string")
    topic = TOPIC_OF_TYPE.get(kind)
    if topic is None:
        raise RecordError(f"type: {kind!r} is not an input record type; one of "
                          f"{', '.join(sorted(TOPIC_OF_TYPE))}")
    return topic


def _check(number: int, text: str) -> InputLine:
    topic: str | None = None
    try:
        size = message_size(text)
        if size > MAX_RECORD_BYTES:
            raise RecordError(f"record: {size} bytes exceeds the {MAX_RECORD_BYTES}-byte limit")
        obj = parse_json(text)
        if isinstance(obj, dict) and ("topic" in obj or "value" in obj):
            # a replay line: checked exactly as the replay checks it (key included)
            line = check_replay_line(number, text)
            if line.record is None:
                assert line.letter is not None
                return InputLine(number, line.topic, None,
                                 line.letter.reason.removeprefix(f"line {number}: "))
            return InputLine(number, line.topic, line.record)
        topic = _bare_topic(obj)
        return InputLine(number, topic, decode_value(topic, obj))
    except RecordError as exc:
        return InputLine(number, topic, None, str(exc))


def input_lines(lines: Iterable[str]) -> Iterator[InputLine]:
    """Every non-blank line, checked; a bad one carries its reason instead of a record."""
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text:
            yield _check(number, text)
