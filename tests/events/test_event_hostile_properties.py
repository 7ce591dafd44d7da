"""Generated malformed records (hypothesis): each is one bounded dead letter and the valid
outputs around it are those of a run without it (docs/operations.md "Bad input").

A malformed record is a valid record of the W-F-05 life scenario with one field given a
value its rule refuses (docs/decisions.md "What a field admits"), or its bytes truncated,
or an invalid UTF-8 byte put in; plus arbitrary bytes. Also: a failure nobody foresaw
inside the engine leaves the state as it was (shared/engine/engine.py).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines, split_replay_lines
from shared.engine.symbol import SymbolEngine
from shared.events.boundary import admit
from shared.events.codec import encode
from shared.events.outputs import DeadLetter
from shared.terms import load_terms

SCENARIO: list[bytes] = [
    line for line in split_replay_lines(
        resources.files("services.scenarios").joinpath("wf05-life.jsonl").read_bytes())
    if line.strip()
]

def _envelope(line: bytes) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads(line)
    except ValueError:
        return None  # the scenario has a malformed line of its own
    return found


ENVELOPES: list[dict[str, Any]] = [e for e in map(_envelope, SCENARIO) if e is not None]

TEXT = ("id", "symbol", "warrant", "holder", "equivalents_id")
DECIMAL = ("bid", "ask", "last", "volume", "close", "shares", "cash_shares", "cashless_shares",
           "consideration", "outstanding_before", "max_shares", "value_per_share")
DATE = ("date", "effective", "record_date")
INSTANT = ("at", "as_of", "submitted_at", "delivered_at")
ENUM = ("venue", "delivery", "channel", "kind")
CONTROL = [chr(c) for c in [*range(0, 32), *range(0x7F, 0xA0)]]


def _run(lines: list[bytes]) -> list[str]:
    return [output_line(t, r) for t, r in replay_lines(Engine([load_terms()]), lines)]


def _texts() -> st.SearchStrategy[str]:
    ok = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=8)
    return st.one_of(
        st.tuples(ok, st.sampled_from([*CONTROL, "\ud800", "\udfff"]), ok).map("".join),
        st.just(""), st.just(" "), st.text(min_size=257, max_size=300),
    )


def _decimals() -> st.SearchStrategy[Any]:
    foreign = st.sampled_from(["\u0661", "\u0668", "\uff11", "\u06f5", "\u0967", "\u2460"])
    return st.one_of(
        st.tuples(st.integers(0, 9).map(str), foreign).map("".join),
        st.sampled_from(["", "1.2.3", "0x10", "1e400", "-1e-400", "1,000", "$2.40",
                         "\u0661.\u0668\u0660"]),
        st.just(True), st.lists(st.integers(), max_size=2),
    )


def _dates() -> st.SearchStrategy[str]:
    years = st.one_of(st.integers(1, 1994), st.integers(2036, 9999))
    return st.one_of(
        years.map(lambda y: f"{y:04d}-06-15"),
        st.sampled_from(["20050915", "2005-W37-4", "2005-258", "2005-6-15", "15/06/2005",
                         "2005-02-30", "2005-06-15T00:00:00-04:00", "\u0662005-06-15"]),
    )


def _instants() -> st.SearchStrategy[str]:
    years = st.one_of(st.integers(1, 1994), st.integers(2036, 9999))
    return st.one_of(
        years.map(lambda y: f"{y:04d}-06-15T12:00:00-04:00"),
        st.sampled_from(["2005-06-15T12:00:00", "2005-06-15T12:00:00+05:00:30",
                         "2005-06-15T12:00:00+14:01", "2005-06-15T12:00:00-23:59",
                         "2005-06-15 12:00:00-04:00", "20050615T120000-0400",
                         "2005-W24-3T12:00:00-04:00", "2005-06-15t12:00:00-04:00",
                         "2005-06-15T12:00-04:00", "2005-06-15T12:00:00.1234567-04:00",
                         "2005-06-15T25:00:00-04:00", "0001-01-01T00:00:00+05:00"]),
    )


def _bad_value(field: str) -> st.SearchStrategy[Any]:
    nested = st.integers(2000, 4000).map(lambda n: json.loads("[" * 900 + "]" * 900))
    anything_wrong = st.sampled_from([None, {}, [], 1.5e400]) if field not in TEXT else \
        st.sampled_from([{}, [], 12])
    if field in TEXT:
        return st.one_of(_texts(), anything_wrong)
    if field in DECIMAL:
        return st.one_of(_decimals(), st.just({}), nested)
    if field in DATE:
        return st.one_of(_dates(), st.just({}))
    if field in INSTANT:
        return st.one_of(_instants(), st.just(12))
    return st.sampled_from(["", "FAX", "nasdaq ", "\u0000", "x" * 300])


@st.composite
def malformed(draw: st.DrawFn) -> bytes:
    """A replay line carrying one malformed record."""
    envelope = draw(st.sampled_from(ENVELOPES))
    value = dict(envelope["value"])
    how = draw(st.sampled_from(["field", "field", "field", "truncate", "byte", "junk"]))
    if how == "junk":
        return draw(st.binary(min_size=1, max_size=64).filter(lambda b: b.strip() != b""))
    if how == "field":
        fields = [f for f in value if f in (*TEXT, *DECIMAL, *DATE, *INSTANT, *ENUM)]
        field = draw(st.sampled_from(fields))
        value[field] = draw(_bad_value(field))
        if value[field] is None and field not in ("id", "symbol"):
            value[field] = {}  # null is "absent" for an optional field: not a fault
    text = json.dumps({"topic": envelope["topic"], "value": value}).encode()
    if how == "truncate":
        return text[:draw(st.integers(1, len(text) - 2))]
    if how == "byte":
        at = draw(st.integers(0, len(text) - 1))
        return text[:at] + draw(st.sampled_from([b"\xff", b"\xc0", b"\x80", b"\xed\xa0\x80"])) \
            + text[at:]
    return text


PLACE = 20
CLEAN = _run([*SCENARIO[:PLACE], b"", *SCENARIO[PLACE:]])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=malformed(), where=st.integers(0, len(SCENARIO)))
def test_a_malformed_record_is_one_dead_letter_and_changes_nothing(line: bytes,
                                                                   where: int) -> None:
    clean = CLEAN if where == PLACE else _run([*SCENARIO[:where], b"", *SCENARIO[where:]])
    mixed = _run([*SCENARIO[:where], line, *SCENARIO[where:]])
    digest = hashlib.sha256(line.strip()).hexdigest()
    own = [x for x in mixed if json.loads(x)["value"]["type"] == "dead_letter"
           and json.loads(x)["value"]["raw_sha256"] == digest]
    assert len(own) == 1, (line[:200], own)
    letter = DeadLetter.model_validate(json.loads(own[0])["value"])
    assert len(letter.reason) <= 300
    assert all(" " <= ch <= "~" for ch in letter.reason)
    assert len(encode(letter).encode()) < 100_000
    assert [x for x in mixed if x != own[0]] == clean


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300)),
       key=st.one_of(st.none(), st.binary(max_size=20)),
       topic=st.sampled_from(["quotes", "exercises", "clock", "nowhere", ""]))
def test_the_boundary_never_raises(raw: bytes | str, key: bytes | None, topic: str) -> None:
    result = admit(topic, raw, key, keyed=True)
    if isinstance(result, DeadLetter):
        assert len(result.reason) <= 300
        encode(result).encode("utf-8")


def test_a_failure_nobody_foresaw_leaves_the_state_as_before(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A handler that changes the state and then fails: the record is one dead letter naming
    `record` and the symbol, and every later output is that of a run without the record."""
    poison_id = "illustrative-quote-2005-06-15"
    original = SymbolEngine._quote

    def half_done(self: SymbolEngine, q: Any) -> list[Any]:
        original(self, q)  # the quote is booked, then something breaks
        if q.id == poison_id:
            self.now = None
            raise OverflowError("date value out of range")
        return []

    monkeypatch.setattr(SymbolEngine, "_quote", half_done)
    engine = Engine([load_terms()])
    by_line = [[output_line(t, r) for t, r in replay_lines(engine, [line])]
               for line in SCENARIO]
    at = next(n for n, line in enumerate(SCENARIO) if poison_id.encode() in line)
    poisoned = by_line[at]
    letters = [json.loads(x)["value"] for x in poisoned
               if json.loads(x)["value"]["type"] == "dead_letter"]
    assert len(letters) == 1
    assert letters[0]["symbol"] == "GLOW"
    assert letters[0]["reason"].startswith("record: ")
    assert "OverflowError" in letters[0]["reason"]

    monkeypatch.setattr(SymbolEngine, "_quote", original)
    without = [*SCENARIO[:at], b"", *SCENARIO[at + 1:]]
    reference = Engine([load_terms()])
    expected = [[output_line(t, r) for t, r in replay_lines(reference, [line])]
                for line in without]
    assert by_line[at + 1:] == expected[at + 1:]
    assert by_line[:at] == expected[:at]
