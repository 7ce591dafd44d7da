"""`warrantwatch replay IN.jsonl --out OUT.jsonl [--terms FILE]` (docs/events.md replay format).

The input and the hand-worked expected records are in tests/resources/replay/.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.cli import main

RESOURCES = Path(__file__).parents[1] / "resources" / "replay"
INPUT = RESOURCES / "week_of_quotes.jsonl"
EXPECTED = RESOURCES / "week_of_quotes.expected.toml"
BAD_TERMS = RESOURCES / "bad_terms.toml"
BUNDLED_TERMS = Path(__file__).parents[2] / "shared" / "terms_data" / "glowpoint-w-f-05.toml"


def _expected() -> list[dict[str, Any]]:
    with EXPECTED.open("rb") as handle:
        records: list[dict[str, Any]] = tomllib.load(handle)["record"]
    return records


def _bad_terms() -> list[dict[str, Any]]:
    with BAD_TERMS.open("rb") as handle:
        files: list[dict[str, Any]] = tomllib.load(handle)["file"]
    return files


def _replay(tmp_path: Path, name: str, *extra: str) -> bytes:
    out = tmp_path / name
    assert main(["replay", str(INPUT), "--out", str(out), *extra]) == 0
    return out.read_bytes()


def test_same_input_gives_byte_identical_output(tmp_path: Path) -> None:
    first = _replay(tmp_path, "first.jsonl")
    second = _replay(tmp_path, "second.jsonl")
    assert first
    assert first == second


def test_bundled_terms_named_explicitly_give_the_same_bytes(tmp_path: Path) -> None:
    default = _replay(tmp_path, "default.jsonl")
    named = _replay(tmp_path, "named.jsonl", "--terms", str(BUNDLED_TERMS))
    assert default == named


def test_output_records_are_the_hand_worked_ones(tmp_path: Path) -> None:
    lines = _replay(tmp_path, "out.jsonl").decode("utf-8").splitlines()
    inputs = INPUT.read_text("utf-8").splitlines()
    expected = _expected()
    assert len(lines) == len(expected)
    for line, want in zip(lines, expected, strict=True):
        envelope = json.loads(line)
        assert set(envelope) == {"topic", "value"}
        assert envelope["topic"] == want["topic"]
        value = envelope["value"]
        assert value["type"] == want["type"]
        assert value["symbol"] in ("GLOW", "ACME", "")
        if want["type"] == "market_value":
            assert value["date"] == want["date"]
            assert isinstance(value["value"], str)  # decimals travel as strings
            assert Decimal(value["value"]) == Decimal(want["value"])
            assert value["tier"] == "a"
            assert value["approximate"] is False
        else:
            assert value["raw"] == inputs[want["line"] - 1]
            for fragment in want["says"]:
                assert fragment in value["reason"], value["reason"]


def test_output_is_one_json_object_per_line_ending_in_newline(tmp_path: Path) -> None:
    data = _replay(tmp_path, "out.jsonl")
    assert data.endswith(b"\n")
    assert not data.endswith(b"\n\n")
    for line in data.decode("utf-8").splitlines():
        assert isinstance(json.loads(line), dict)


def test_replay_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file_bytes = _replay(tmp_path, "out.jsonl")
    capsys.readouterr()
    assert main(["replay", str(INPUT), "--out", "-"]) == 0
    assert capsys.readouterr().out.encode("utf-8") == file_bytes


def test_missing_input_file_is_exit_code_2(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.jsonl"
    assert main(["replay", str(missing), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "nope.jsonl" in capsys.readouterr().err


@pytest.mark.parametrize("bad", _bad_terms(), ids=lambda b: b["name"])
def test_bad_terms_file_fails_at_start_naming_the_field(
        bad: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code = main(["replay", str(INPUT), "--out", str(out),
                 "--terms", str(RESOURCES / "terms" / bad["name"])])
    err = capsys.readouterr().err
    assert code == 2, err
    assert bad["field"] in err, err
    for fragment in bad["says"]:
        assert fragment in err, err
    assert not out.exists(), "a bad terms file must stop the replay before any output"


def test_missing_terms_file_fails_at_start(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["replay", str(INPUT), "--out", str(tmp_path / "o.jsonl"),
                 "--terms", str(tmp_path / "absent.toml")])
    assert code == 2
    assert "absent.toml" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["replay", "worker"])
def test_two_terms_files_for_one_symbol_stop_the_start_naming_both(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the bundled W-F-05 terms twice, once under another name: both say symbol = "GLOW"
    copy = tmp_path / "glow-copy.toml"
    copy.write_text(BUNDLED_TERMS.read_text("utf-8"), "utf-8")
    out = tmp_path / "out.jsonl"
    args = (["replay", str(INPUT), "--out", str(out)] if command == "replay"
            else ["worker", "--broker", "kafka://127.0.0.1:9"])
    code = main([*args, "--terms", str(BUNDLED_TERMS), "--terms", str(copy)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "two terms files for symbol GLOW" in err, err
    assert str(BUNDLED_TERMS) in err and str(copy) in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_symbol_twice_in_a_json_terms_list_names_both_places(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from services.streams.terms_files import write_terms_json
    from shared.terms import load_terms

    listed = tmp_path / "terms.json"
    write_terms_json([load_terms(), load_terms()], listed)
    code = main(["replay", str(INPUT), "--out", str(tmp_path / "o.jsonl"),
                 "--terms", str(listed)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{listed}[0] and {listed}[1]" in err, err
