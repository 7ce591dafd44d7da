"""The replay line format of docs/events.md: `{"topic": "...", "value": {...record...}}`.

Adapters produce `(topic, record)` pairs; this module turns them into lines (one JSON
object per line, the record encoded by `shared.events.codec`) and writes them to a file or
standard output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from shared.errors import WarrantWatchError
from shared.events.codec import to_dict
from shared.events.inputs import INPUT_TOPICS, InputModel, InputRecord, Quote
from shared.events.outputs import DeadLetter, OutputRecord

DEAD_LETTERS = "dead-letters"
_TOPIC_OF_INPUT: dict[type[InputModel] | type[Quote], str] = {
    **{model: topic for topic, models in INPUT_TOPICS.items() for model in models},
    Quote: "quotes",  # the engine's quote (shared/events/quote.py); QuoteRules is its model
}

Routed = tuple[str, InputRecord | OutputRecord]


def topic_of_input(record: InputRecord) -> str:
    """The input topic a record travels on (docs/events.md, Inputs)."""
    return _TOPIC_OF_INPUT[type(record)]


def routed(record: InputRecord | DeadLetter) -> Routed:
    """The record with its topic: its input topic, or `dead-letters`."""
    if isinstance(record, DeadLetter):
        return DEAD_LETTERS, record
    return topic_of_input(record), record


def replay_line(topic: str, record: InputRecord | OutputRecord) -> str:
    """One replay line (no newline): same record, same bytes."""
    return json.dumps({"topic": topic, "value": to_dict(record)}, ensure_ascii=False,
                      separators=(", ", ": "))


def write_lines(items: Iterable[Routed], out: str | Path | None) -> tuple[int, int]:
    """Write replay lines to `out` (a path, or stdout for None or "-").

    Returns (records written, of which dead letters).
    """
    if out is None or str(out) == "-":
        return _write(items, sys.stdout)
    try:
        with Path(out).open("w", encoding="utf-8", newline="\n") as handle:
            return _write(items, handle)
    except OSError as exc:
        raise WarrantWatchError(f"cannot write {out}: {exc.strerror}") from None


def _write(items: Iterable[Routed], handle: TextIO) -> tuple[int, int]:
    count = dead = 0
    for topic, record in items:
        handle.write(replay_line(topic, record) + "\n")
        count += 1
        dead += topic == DEAD_LETTERS
    handle.flush()
    return count, dead
