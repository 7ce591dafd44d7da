"""No record, however wrong, stops a replay, changes the state or loses an input (issue 9;
docs/operations.md "Bad input").

The hostile corpus is tests/resources/hostile/corpus.toml (loader: hostile.py beside it),
each case with the field its dead letter must name. Each case is put among the valid lines
of the W-F-05 life scenario, in place of a blank line of a clean run (blank lines are
counted, so every line keeps its number): the run must give exactly one more output, a
bounded dead letter for that line, and otherwise the very same output lines as the clean run.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import resources
from pathlib import Path

import pytest

from services.cli import main
from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines, split_replay_lines
from shared.events.boundary import admit
from shared.events.codec import encode
from shared.events.outputs import DeadLetter
from shared.terms import load_terms

sys.path.insert(0, str(Path(__file__).parents[1] / "resources" / "hostile"))
from hostile import HostileCase, load_corpus, reason_field

CASES = load_corpus()
REPLAY_CASES = [c for c in CASES if not c.kafka_only]
SCENARIO: list[bytes] = [
    line for line in split_replay_lines(
        resources.files("services.scenarios").joinpath("wf05-life.jsonl").read_bytes())
    if line.strip()
]
PLACE = 20  # the hostile line's number - 1: after the first exercises, before settlements


def _run(lines: list[bytes]) -> list[str]:
    return [output_line(t, r) for t, r in replay_lines(Engine([load_terms()]), lines)]


def _with(at: int, line: bytes) -> list[bytes]:
    return [*SCENARIO[:at], line, *SCENARIO[at:]]


CLEAN = _run(_with(PLACE, b""))


def _assert_bounded(letter: DeadLetter) -> None:
    """docs/operations.md "Bad input": raw <= 16 KiB, reason <= 300 printable ASCII, the
    whole letter encodable and far below the producer's 1,000,000-byte maximum."""
    assert len(letter.raw.encode("utf-8")) <= 16_384
    assert len(letter.reason) <= 300
    assert all(" " <= ch <= "~" for ch in letter.reason), letter.reason
    assert letter.raw_size is not None and letter.raw_size > 0
    assert letter.raw_sha256 is not None and len(letter.raw_sha256) == 64
    assert len(encode(letter).encode("utf-8")) < 100_000
    letter.symbol.encode("utf-8")
    letter.topic.encode("utf-8")


def _digest(line: bytes) -> str:
    return hashlib.sha256(line.strip()).hexdigest()


def _letters_of(lines: list[str], digests: set[str]) -> list[str]:
    """The output lines that are dead letters of a line with one of these digests."""
    return [x for x in lines if json.loads(x)["value"]["type"] == "dead_letter"
            and json.loads(x)["value"]["raw_sha256"] in digests]


def _letter_of(lines: list[str], line: bytes) -> DeadLetter:
    letters = _letters_of(lines, {_digest(line)})
    assert len(letters) == 1, letters
    return DeadLetter.model_validate(json.loads(letters[0])["value"])


def test_the_corpus_holds_every_kind_of_the_issue() -> None:
    names = {c.name for c in CASES}
    assert len(CASES) >= 60
    for kind in ("nesting_10000_brackets", "symbol_lone_surrogate", "value_of_1040000_bytes",
                 "invalid_record_600kB_of_escaped_quotes", "invalid_utf8", "utf16_with_bom",
                 "instant_year_1_overflows_utc", "tick_2100", "shares_outstanding_2036",
                 "quote_2040", "exercise_2036", "waiver_notice_1990", "listing_2050",
                 "amendment_expires_9999", "bid_arabic_indic_digits", "offset_with_seconds",
                 "instant_week_date", "instant_basic_format", "warrant_with_c1_nel",
                 "key_is_another_symbol", "key_null", "homoglyph_symbol_cyrillic_o",
                 "bid_5001_digits", "key_binary"):
        assert kind in names


def test_the_clean_run_has_valid_outputs_to_lose() -> None:
    kinds = {json.loads(x)["value"]["type"] for x in CLEAN}
    assert {"settlement", "market_value", "adjustment"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_message_is_one_bounded_dead_letter_naming_its_field(case: HostileCase) -> None:
    """Through the decoding boundary as a Kafka message (value bytes and key) and the engine."""
    engine = Engine([load_terms()])
    admitted = admit(case.topic, case.raw, case.key, keyed=True)
    out = [admitted] if isinstance(admitted, DeadLetter) else \
        engine.process(case.topic, admitted, case.raw)
    assert len(out) == 1
    letter = out[0]
    assert isinstance(letter, DeadLetter)
    assert reason_field(letter.reason) == case.field, letter.reason
    assert case.says in letter.reason, letter.reason
    _assert_bounded(letter)


@pytest.mark.parametrize("case", REPLAY_CASES, ids=lambda c: c.name)
def test_each_line_among_valid_ones_changes_nothing_else(case: HostileCase) -> None:
    mixed = _run(_with(PLACE, case.replay_line()))
    letter = _letter_of(mixed, case.replay_line())
    assert reason_field(letter.reason) == case.field, letter.reason
    assert case.says in letter.reason, letter.reason
    _assert_bounded(letter)
    assert [x for x in mixed if x != encode_line(letter)] == CLEAN


def encode_line(letter: DeadLetter) -> str:
    return output_line("dead-letters", letter)


def _figures(tmp_path: Path) -> tuple[int, int, int, int]:
    """The whole corpus in one file, every case after a valid line, through `warrantwatch
    replay`: (tried, dead-lettered, crashed, valid outputs changed)."""
    lines: list[bytes] = []
    clean: list[bytes] = []
    per_line = -(-len(REPLAY_CASES) // len(SCENARIO))  # cases after each valid line
    for n, line in enumerate(SCENARIO):
        lines.append(line)
        clean.append(line)
        for case in REPLAY_CASES[n * per_line:(n + 1) * per_line]:
            lines.append(case.replay_line())
            clean.append(b"")
    source, reference = tmp_path / "hostile.jsonl", tmp_path / "clean.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    reference.write_bytes(b"\n".join(clean) + b"\n")
    assert main(["replay", str(reference), "--out", str(tmp_path / "clean.out")]) == 0
    try:
        code = main(["replay", str(source), "--out", str(tmp_path / "out.jsonl")])
    except Exception:
        return len(REPLAY_CASES), 0, 1, 0
    if code != 0:
        return len(REPLAY_CASES), 0, 1, 0
    out = (tmp_path / "out.jsonl").read_text("utf-8").split("\n")[:-1]
    expected = (tmp_path / "clean.out").read_text("utf-8").split("\n")[:-1]
    letters = _letters_of(out, {_digest(c.replay_line()) for c in REPLAY_CASES})
    rest = [x for x in out if x not in letters]
    changed = sum(1 for a, b in zip(rest, expected, strict=False) if a != b) + \
        abs(len(rest) - len(expected))
    return len(REPLAY_CASES), len(letters), 0, changed


def test_whole_corpus_in_one_file_replays_to_the_clean_outputs(tmp_path: Path) -> None:
    tried, lettered, crashed, changed = _figures(tmp_path)
    assert (tried, lettered, crashed, changed) == (len(REPLAY_CASES), len(REPLAY_CASES), 0, 0)


def test_raw_line_separators_inside_strings_do_not_split_a_line(tmp_path: Path) -> None:
    """U+2028 and U+2029 raw inside a holder: one record, and the next line keeps its number
    (str.splitlines would cut the line in three)."""
    holding = ('{"topic": "holdings", "value": {"type": "holding", "id": "sep-1", '
               '"symbol": "GLOW", "holder": "Fund\u2028A\u2029", '
               '"as_of": "2005-09-02T17:00:00-04:00", "shares": "1"}}')
    bad = '{"topic": "quotes", "value": {"type": "quote"}}'
    source = tmp_path / "sep.jsonl"
    source.write_bytes(f"{holding}\n{bad}\n{holding}\n".encode())
    assert main(["replay", str(source), "--out", str(tmp_path / "sep.out")]) == 0
    out = [json.loads(x)["value"] for x in
           (tmp_path / "sep.out").read_text("utf-8").split("\n") if x]
    letters = [v for v in out if v["type"] == "dead_letter"]
    assert len(letters) == 2
    assert letters[0]["reason"].startswith("line 2: ")
    # the holding was applied once: line 3, the same record again, is its duplicate
    assert "duplicate" in letters[1]["reason"]
    assert "sep-1" in letters[1]["reason"]


def test_invalid_utf8_line_in_a_file_is_one_dead_letter_and_the_run_writes_its_output(
        tmp_path: Path) -> None:
    source = tmp_path / "bin.jsonl"
    source.write_bytes(SCENARIO[0] + b"\n\xff\xfe\x00junk\n" + SCENARIO[1] + b"\n")
    assert main(["replay", str(source), "--out", str(tmp_path / "bin.out")]) == 0
    out = (tmp_path / "bin.out").read_text("utf-8").split("\n")[:-1]
    letter = _letter_of(out, b"\xff\xfe\x00junk")
    assert reason_field(letter.reason) == "record"
    assert "not UTF-8" in letter.reason
    assert letter.raw.startswith("\\xff\\xfe")
