"""CLI conventions: `--version`, `-` for standard input (replay, import csv, yahoo-chart and
form4, demo --scenario), replay's summary line and
`--fail-on-dead-letter`, and nothing but records on standard output.

Expected counts come from tests/resources/replay/week_of_quotes.expected.toml (worked by hand:
4 market values and 4 dead letters from its 13 non-blank lines) and the version from pyproject.toml.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from pathlib import Path

import pytest

from services.cli import main
from services.scenarios import scenario_text

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "tests" / "resources" / "replay"
GLOW_DATA = REPO / "data" / "glow"
YAHOO_DATA = REPO / "data" / "yahoo"
INPUT = RESOURCES / "week_of_quotes.jsonl"
SUMMARY = ("replayed 13 input lines -> 8 output records{where} "
           "(market_value 4, dead_letter 4)")


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_version_is_the_package_s(capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"warrantwatch {pyproject['project']['version']}\n"


def test_replay_reads_standard_input_for_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from_file = tmp_path / "file.jsonl"
    assert main(["replay", str(INPUT), "--out", str(from_file)]) == 0
    capsys.readouterr()
    _stdin(monkeypatch, INPUT.read_bytes())
    assert main(["replay", "-"]) == 0
    out, _ = capsys.readouterr()
    assert out.encode() == from_file.read_bytes()
    assert len(out.splitlines()) == 8


def test_replay_ends_with_a_summary_on_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(INPUT)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines()[-1] == SUMMARY.format(where="")
    # standard output carries replay lines and nothing else
    assert all(set(json.loads(line)) == {"topic", "value"} for line in out.splitlines())
    assert "replayed" not in out


def test_replay_summary_names_the_out_file(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.jsonl"
    assert main(["replay", str(INPUT), "--out", str(out)]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == SUMMARY.format(where=f" in {out}")


def test_fail_on_dead_letter_exits_1_when_there_were_any(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(INPUT), "--fail-on-dead-letter"]) == 1
    assert capsys.readouterr().err.splitlines()[-1].endswith("dead_letter 4)")


def test_fail_on_dead_letter_exits_0_without_any(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    tick = {"topic": "clock", "value": {"type": "tick", "id": "t1", "symbol": "GLOW",
                                        "at": "2008-11-18T16:00:00-05:00"}}
    _stdin(monkeypatch, (json.dumps(tick) + "\n").encode())
    assert main(["replay", "-", "--fail-on-dead-letter"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "replayed 1 input lines -> 0 output records (dead_letter 0)"


def test_import_csv_reads_standard_input_for_dash(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = GLOW_DATA / "glowd-trades-quotes-2011.csv"
    args = ["--symbol", "GLOWD", "--format", "ticks", "--id-prefix", "csv:glowd"]
    assert main(["import", "csv", str(source), *args]) == 0
    from_file = capsys.readouterr().out
    _stdin(monkeypatch, source.read_bytes())
    assert main(["import", "csv", "-", *args]) == 0
    from_stdin = capsys.readouterr().out
    assert from_stdin == from_file
    assert len(from_stdin.splitlines()) == 102  # tests/resources/adapters/csv-counts.csv


def test_replay_output_has_no_terminal_control_sequences(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(INPUT)]) == 0
    out, err = capsys.readouterr()
    assert not re.search(r"[\x1b\r\x08]", out + err)


def test_import_yahoo_chart_reads_standard_input_for_dash(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    source = YAHOO_DATA / "chart-AAPL-2020-08-31-to-2020-11-07.json"
    assert main(["import", "yahoo-chart", str(source), "--symbol", "AAPL"]) == 0
    from_file = capsys.readouterr().out
    _stdin(monkeypatch, source.read_bytes())
    assert main(["import", "yahoo-chart", "-", "--symbol", "AAPL"]) == 0
    from_stdin, err = capsys.readouterr()
    assert from_stdin == from_file
    # the recorded response: 49 timestamps (daily bars), one split and one dividend event
    types = [json.loads(x)["value"]["type"] for x in from_stdin.splitlines()]
    assert (types.count("daily_bar"), types.count("stock_split"), len(types)) == (49, 1, 51)
    assert err.startswith("-: ")  # messages name the input as given


def test_import_form4_reads_standard_input_for_dash(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    source = REPO / "data" / "form4" / "374water-option-grant.xml"
    for extra in ([], ["--holdings", "--id", "f4-374"]):
        assert main(["import", "form4", str(source), *extra]) == 0
        from_file = capsys.readouterr().out
        _stdin(monkeypatch, source.read_bytes())
        assert main(["import", "form4", "-", *extra]) == 0
        from_stdin = capsys.readouterr().out
        assert from_stdin == from_file
        [line] = [json.loads(x) for x in from_stdin.splitlines()]
        # the filing's one Table I line: 757,756 shares owned following (data/form4)
        assert line["value"]["type"] == ("holding" if extra else "form4")
    assert line["value"]["shares"] == "757756"


def test_demo_reads_its_scenario_from_standard_input_for_dash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled, piped = tmp_path / "bundled.jsonl", tmp_path / "piped.jsonl"
    assert main(["demo", "--broker", "inprocess", "--quiet", "--out", str(bundled)]) == 0
    _stdin(monkeypatch, scenario_text().encode("utf-8"))
    assert main(["demo", "--scenario", "-", "--broker", "inprocess", "--quiet",
                 "--out", str(piped)]) == 0
    assert piped.read_bytes() == bundled.read_bytes()
    # docs/demo.md: "a cash, a cashless and a combined exercise"
    assert piped.read_text("utf-8").count('"type": "settlement"') == 3
