"""Every bad input becomes exactly one `dead_letter` naming the field, and the stream goes on.

docs/events.md: `dead_letter` carries `topic`, `raw` (the message as received) and `reason`.
The cases are in tests/resources/events/bad_records.toml, one field rule each.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.engine import Engine
from shared.events.outputs import DeadLetter, MarketValue
from shared.terms import load_terms

CASES = Path(__file__).parents[1] / "resources" / "events" / "bad_records.toml"

# A valid quote and a tick past the 16:00 Nasdaq close of Tuesday 2008-11-18 (EST, -05:00):
# the PSMV of that date is (1.10 + 1.20) / 2 = 1.15 (Section 8(a)).
GOOD_QUOTE = ('{"type": "quote", "id": "good-q", "symbol": "GLOW", '
              '"at": "2008-11-18T15:00:00-05:00", "bid": "1.10", "ask": "1.20"}')
GOOD_TICK = ('{"type": "tick", "id": "good-t", "symbol": "GLOW", '
             '"at": "2008-11-18T16:00:01-05:00"}')


def _cases() -> list[dict[str, Any]]:
    with CASES.open("rb") as handle:
        cases: list[dict[str, Any]] = tomllib.load(handle)["case"]
    return cases


def _engine() -> Engine:
    return Engine([load_terms()])


def _assert_still_works(engine: Engine) -> None:
    assert engine.handle("quotes", GOOD_QUOTE) == []
    out = engine.handle("clock", GOOD_TICK)
    assert len(out) == 1
    record = out[0]
    assert isinstance(record, MarketValue)
    assert record.value == Decimal("1.15")
    assert record.date.isoformat() == "2008-11-18"


def _names_word(reason: str, word: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", reason) is not None


def test_cases_file_is_not_empty() -> None:
    assert len(_cases()) >= 50


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["name"])
def test_bad_record_is_one_dead_letter_naming_the_field(case: dict[str, Any]) -> None:
    engine = _engine()
    out = engine.handle(case["topic"], case["raw"])
    assert len(out) == 1, out
    letter = out[0]
    assert isinstance(letter, DeadLetter)
    assert letter.type == "dead_letter"
    assert letter.topic == case["topic"]
    assert letter.raw == case["raw"]
    assert letter.reason.strip()
    for word in case["names"]:
        assert _names_word(letter.reason, word), f"reason does not name {word!r}: {letter.reason}"
    for fragment in case["says"]:
        assert fragment in letter.reason, f"reason lacks {fragment!r}: {letter.reason}"
    _assert_still_works(engine)


def test_all_bad_records_in_a_row_then_the_engine_still_works() -> None:
    engine = _engine()
    cases = _cases()
    out = [o for case in cases for o in engine.handle(case["topic"], case["raw"])]
    # Nothing but dead letters, each carrying one of the raw messages (the count per case
    # is checked case by case above).
    assert out
    assert all(isinstance(o, DeadLetter) for o in out)
    raws = {case["raw"] for case in cases}
    assert all(o.raw in raws for o in out if isinstance(o, DeadLetter))
    _assert_still_works(engine)


def test_dead_letter_ids_are_deterministic() -> None:
    """Output ids derive from the input, so a redelivery yields the same dead letter id."""
    case = _cases()[0]
    first = _engine().handle(case["topic"], case["raw"])
    again = _engine().handle(case["topic"], case["raw"])
    assert first[0].id == again[0].id
    other = _cases()[1]
    assert _engine().handle(other["topic"], other["raw"])[0].id != first[0].id


def _oversize_form4(filler: str, count: int) -> str:
    return json.dumps({"type": "form4", "id": "big", "symbol": "GLOW", "xml": filler * count},
                      ensure_ascii=False)


def test_oversize_record_is_a_bounded_dead_letter() -> None:
    """1.1 MB, over the 512 KiB record limit: the letter keeps the first 16 KiB of the text,
    the size and the SHA-256 of the whole message (docs/operations.md "Bad input")."""
    raw = _oversize_form4("x", 1_100_000)
    engine = _engine()
    out = engine.handle("holdings", raw)
    assert len(out) == 1
    letter = out[0]
    assert isinstance(letter, DeadLetter)
    assert letter.raw == raw[:16_384]
    assert letter.raw_truncated
    assert letter.raw_size == len(raw) == 1_100_000 + len(_oversize_form4("x", 0))
    assert letter.raw_sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert "bytes" in letter.reason
    assert "524288" in letter.reason
    _assert_still_works(engine)


def test_oversize_is_measured_in_bytes_not_characters() -> None:
    """700,000 x "é" is 1.4 MB of UTF-8 on the wire: over the limit the reason states in bytes."""
    raw = _oversize_form4("é", 700_000)
    assert len(raw.encode("utf-8")) > 1_048_576
    out = _engine().handle("holdings", raw)
    assert len(out) == 1
    assert isinstance(out[0], DeadLetter)
    assert "bytes" in out[0].reason


def test_oversize_bytes_message_is_a_dead_letter() -> None:
    raw = _oversize_form4("x", 1_100_000).encode("utf-8")
    out = _engine().handle("holdings", raw)
    assert len(out) == 1
    assert isinstance(out[0], DeadLetter)
    assert out[0].raw == raw[:16_384].decode("utf-8")
    assert out[0].raw_size == len(raw)
    assert out[0].raw_sha256 == hashlib.sha256(raw).hexdigest()


def test_valid_record_is_not_a_dead_letter() -> None:
    """The control: the good quote itself produces no dead letter."""
    _assert_still_works(_engine())


def test_number_with_5000_digits_is_refused_naming_the_field() -> None:
    """Well-formed JSON (a 5,000-digit integer) but no price: the reason names `bid`."""
    raw = ('{"type": "quote", "id": "x1", "symbol": "GLOW", "at": "2008-11-18T15:00:00-05:00", '
           f'"bid": {"1" * 5000}}}')
    engine = _engine()
    out = engine.handle("quotes", raw)
    assert len(out) == 1
    letter = out[0]
    assert isinstance(letter, DeadLetter)
    assert letter.raw == raw
    assert _names_word(letter.reason, "bid"), letter.reason
    _assert_still_works(engine)
