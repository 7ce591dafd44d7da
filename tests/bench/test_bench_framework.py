"""The benchmark framework (services/bench) and `warrantwatch bench`: shape, not speed.

Speed is reported by the benchmark itself as a ratio; these tests only check the machinery.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
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
    names = [r["name"] for r in results]
    # the rows of before stay, each with a precomputing peer beside it (services/bench/calendar.py)
    for name in ("trading_days_after(d, 3) NASDAQ", "trading_days_after(d, 20) NASDAQ",
                 "is_trading_day(d) NASDAQ", "trading_days_after(d, 3) 3 tiers+halts"):
        assert name in names and f"{name} vs precomputed" in names
    assert len(results) == 10
    by_name = {r["name"]: r for r in results}
    assert "per tier" in by_name["trading_days_after(d, 3) 3 tiers+halts"]["baseline_name"]
    for r in results:
        assert r["per_op_seconds"] > 0 and r["baseline_per_op_seconds"] > 0
        assert r["ratio"] == pytest.approx(r["baseline_per_op_seconds"] / r["per_op_seconds"])
        # both sides on the same inputs, every answer compared
        assert r["inputs"] == r["baseline_inputs"] == r["answers_checked"] == 300


def test_calendar_suite_refuses_a_peer_that_disagrees() -> None:
    from services.bench.calendar import _check

    days = [date(2008, 11, 25), date(2008, 11, 26)]
    _check("same", lambda d: d, "peer", lambda d: d, days)
    with pytest.raises(BenchError, match="2008-11-26"):
        _check("ours", lambda d: d, "peer",
               lambda d: d + timedelta(days=d == date(2008, 11, 26)), days)


def test_calendar_peers_give_the_contract_s_answers() -> None:
    """The peers on hand-checked dates (tests/resources/exercise/README.md, delivery.toml):
    3 Trading Days after 2008-11-25 on Nasdaq is 2008-12-01 (Thanksgiving 11-27 closed); in
    the untraded span (New York business days) Veterans Day 2010-11-11 is none though Nasdaq
    was open; on the Pink Sheets (NYSE schedule) 3 after 2008-11-26 with 12-01 halted is
    11-28 (1), 12-02 (2), 12-03 (3)."""
    import pandas_market_calendars as pmc

    from services.bench.calendar import (
        _after_baseline,
        _after_precomputed,
        _market_ordinals,
        _spans,
        _timeline_after_baseline,
        _timeline_is_day_baseline,
    )
    from shared.venues import Venue

    nasdaq = pmc.get_calendar("NASDAQ")
    assert _after_baseline(nasdaq, 3)(date(2008, 11, 25)) == date(2008, 12, 1)
    assert _after_precomputed(_market_ordinals(nasdaq), 3)(date(2008, 11, 25)) == \
        date(2008, 12, 1)
    markets = {"NASDAQ": nasdaq, "NYSE": pmc.get_calendar("NYSE")}
    spans = _spans(Venue.NASDAQ)
    is_day = _timeline_is_day_baseline(markets, frozenset(), spans)
    assert not is_day(date(2010, 11, 11)) and is_day(date(2010, 11, 12))
    after = _timeline_after_baseline(markets, frozenset({date(2008, 12, 1)}), spans, 3)
    assert after(date(2008, 11, 26)) == date(2008, 12, 3)


def test_bench_command_unknown_suite_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "nope"]) == 2
    assert "unknown benchmark suite 'nope'" in capsys.readouterr().err


def test_a_row_carries_its_figures_in_its_json() -> None:
    row = BenchResult("memory", "growth", 1e-5, "decode", 1e-5,
                      figures=(("quotes", 1000), ("rss_growth_bytes", 4096)))
    data = row.as_json()
    assert (data["quotes"], data["rss_growth_bytes"]) == (1000, 4096)
