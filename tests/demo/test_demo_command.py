"""`warrantwatch demo`: the file it writes, the account it prints, and its broker fallback."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from demo_golden import replayed

from services.cli import main
from services.commands.demo import DemoRun, kafka_replay, run_scenario
from services.report import Column, Table, price, render_report
from services.scenarios import scenario_lines
from shared.errors import BrokerError
from shared.terms import Terms, load_terms

# The headings the account must print, one per kind of output (the brief of the demo).
SECTIONS = (
    "MARKET VALUES", "ADJUSTMENT NOTICES", "SETTLEMENTS", "REFUSALS", "CAP HEADROOM",
    "HOLDINGS FROM FORM 4", "DEFAULT ALERTS", "COMPLIANCE ALERTS", "DEAD LETTERS", "SUMMARY",
)


def expected_file() -> str:
    return "".join(f"{line}\n" for line in replayed())


def test_demo_writes_every_output_record_and_prints_each_section(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nested" / "demo.jsonl"
    assert main(["demo", "--broker", "inprocess", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert out.read_text("utf-8") == expected_file()
    for heading in SECTIONS:
        assert f"\n{heading}" in printed, heading
    assert f"-> {len(replayed())} output records" in printed
    # progress names each input as it is replayed
    assert "illustrative-exercise-2005-09-20-cashless" in printed.split("MARKET VALUES")[0]
    # hand-checked figures reach the account as the notices show them
    assert "223,152.99" in printed  # the cap refusal's largest exercise
    assert "40,547" in printed and "2.76" in printed  # the cashless settlement
    assert "2.3280" in printed  # the 4(d) Warrant Price, 4 places


def test_demo_twice_writes_byte_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["demo", "--broker", "inprocess", "--quiet", "--out", str(first)]) == 0
    assert main(["demo", "--broker", "inprocess", "--quiet", "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_default_broker_falls_back_in_process_when_the_kafka_edge_does_not_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "services.kafka.replay", None)  # import now fails
    reason = kafka_replay()
    assert isinstance(reason, str) and "cannot be imported" in reason
    out = tmp_path / "demo.jsonl"
    assert main(["demo", "--quiet", "--out", str(out)]) == 0  # default broker: embedded
    printed = capsys.readouterr().out
    assert "note: services.kafka.replay cannot be imported" in printed
    assert "replaying in process instead" in printed
    assert out.read_text("utf-8") == expected_file()


def _failing(lines: Sequence[str], terms: Sequence[Terms], *, broker: str) -> list[str]:
    raise BrokerError("the embedded broker did not start")


def test_an_embedded_broker_failure_falls_back_with_a_note() -> None:
    said: list[str] = []
    run = run_scenario(scenario_lines(), [load_terms()], "embedded", said.append,
                       find_kafka=lambda: _failing)
    assert run.broker == "inprocess"
    assert run.note is not None and "did not start" in run.note
    assert any(line.startswith("note: the embedded broker failed") for line in said)
    assert tuple(run.output_lines) == replayed()


def test_a_named_kafka_cluster_that_fails_is_an_error_not_a_fallback() -> None:
    with pytest.raises(BrokerError):
        run_scenario(scenario_lines(), [load_terms()], "kafka://127.0.0.1:9", lambda _: None,
                     find_kafka=lambda: _failing)


def test_the_kafka_path_is_used_when_it_is_available() -> None:
    asked: list[str] = []

    def fake(lines: Sequence[str], terms: Sequence[Terms], *, broker: str) -> list[str]:
        asked.append(broker)
        return list(replayed())

    run = run_scenario(scenario_lines(), [load_terms()], "embedded", lambda _: None,
                       find_kafka=lambda: fake)
    assert asked == ["embedded"]
    assert isinstance(run, DemoRun) and run.broker == "embedded" and run.note is None


def test_an_unreadable_scenario_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.jsonl"
    assert main(["demo", "--broker", "inprocess", "--scenario", str(missing),
                 "--out", str(tmp_path / "o.jsonl")]) == 2
    assert f"cannot read scenario {missing}" in capsys.readouterr().err


def test_prices_show_four_places_half_up_and_empty_sections_say_none() -> None:
    assert price("1.799349994751895848640303775") == "1.7993"
    assert price("2.32805") == "2.3281"
    assert Table((Column("A"),)).render() == ["  (none)"]
    text = render_report([])
    for heading in SECTIONS[:-1]:
        assert f"{heading}" in text
    assert text.count("(none)") == len(SECTIONS) - 1  # the summary still lists the zero counts


@pytest.mark.kafka
def test_through_the_embedded_broker_the_output_is_the_same(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kafka.jsonl"
    assert main(["demo", "--broker", "embedded", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "note:" not in printed and "output records (embedded," in printed  # no fallback
    assert out.read_text("utf-8") == expected_file()
