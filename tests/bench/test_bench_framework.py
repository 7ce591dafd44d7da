"""The benchmark framework (services/bench) and `warrantwatch bench`: shape, not speed.

Speed is reported by the benchmark itself as a ratio; these tests only check the machinery.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.bench import (
    BenchResult,
    compare,
    discover,
    format_seconds,
    format_table,
    measure,
    run_suites,
    suite_names,
)
from services.cli import main
from shared.errors import BenchError


def test_ratio_is_baseline_over_ours() -> None:
    result = BenchResult("s", "ours", 2e-6, "theirs", 5e-4)
    assert result.ratio == pytest.approx(250.0)
    assert result.as_json()["ratio"] == pytest.approx(250.0)


def test_measure_counts_operations_per_round() -> None:
    calls: list[int] = []
    timing = measure(lambda: calls.append(1), ops_per_round=10, repeat=4, warmup=2)
    assert len(calls) == 6  # 2 warm-up rounds + 4 timed rounds
    assert timing.repeat == 4 and timing.ops_per_round == 10
    assert 0 <= timing.best <= timing.median


def test_compare_runs_each_input_once_per_round() -> None:
    ours: list[int] = []
    theirs: list[int] = []
    result = compare(
        "s", "ours", ours.append, "theirs", theirs.append, [1, 2, 3],
        baseline_inputs=[1], repeat=2,
    )
    assert ours == [1, 2, 3] * 3  # warm-up + 2 rounds
    assert theirs == [1] * 3
    assert (result.suite, result.name, result.baseline_name) == ("s", "ours", "theirs")


def test_format_table_lists_every_result_with_its_ratio() -> None:
    table = format_table(
        [BenchResult("calendar", "fast", 1e-6, "slow", 3e-4),
         BenchResult("other", "same", 1e-3, "same too", 2e-3)]
    )
    lines = table.splitlines()
    assert len(lines) == 3 and lines[0].split()[0] == "suite"
    assert "fast" in lines[1] and lines[1].endswith("300x")
    assert lines[2].endswith("2.00x")
    assert format_seconds(1.5e-6) == "1.5 us" and format_seconds(2.5e-4) == "250 us"


def test_suites_are_discovered() -> None:
    # every module file of services/bench (not _private, not the package) is a suite, by name
    folder = Path(__file__).resolve().parents[2] / "services" / "bench"
    files = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    assert suite_names() == files
    assert {"calendar", "engine", "kafka", "adjustments"} <= set(files)
    suites = discover()
    assert sorted(suites) == files
    for name, module in suites.items():
        assert module.__name__ == f"services.bench.{name}"


def test_unknown_suite_is_a_clear_error() -> None:
    with pytest.raises(BenchError, match=r"unknown benchmark suite 'nope'; known: .*calendar"):
        run_suites(["nope"])


def test_bench_command_runs_the_calendar_suite(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "bench.json"
    assert main(["bench", "calendar", "--quick", "--json", str(target)]) == 0
    out = capsys.readouterr().out
    assert "trading_days_after(d, 3) NASDAQ" in out and "pmc valid_days" in out
    results = json.loads(target.read_text(encoding="utf-8"))
    assert {r["suite"] for r in results} == {"calendar"}
    assert len(results) == 4
    for r in results:
        assert r["per_op_seconds"] > 0 and r["baseline_per_op_seconds"] > 0
        assert r["ratio"] == pytest.approx(r["baseline_per_op_seconds"] / r["per_op_seconds"])


def test_bench_command_unknown_suite_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "nope"]) == 2
    assert "unknown benchmark suite 'nope'" in capsys.readouterr().err


def test_a_row_carries_its_figures_in_its_json() -> None:
    row = BenchResult("memory", "growth", 1e-5, "decode", 1e-5,
                      figures=(("quotes", 1000), ("rss_growth_bytes", 4096)))
    data = row.as_json()
    assert (data["quotes"], data["rss_growth_bytes"]) == (1000, 4096)
