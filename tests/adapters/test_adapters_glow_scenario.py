"""The bundled GLOW 2011 scenario: real quotes across the real 1-for-4 reverse split of
2011-01-14, run by `warrantwatch replay` against the W-F-05 terms moved to 2011 (OTCBB, so
Section 8 tier (b): the closing bid). Golden PSMVs read off the quote files by hand."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from adapters_golden import GLOW_DATA, rows

from services.adapters.csv_files import import_csv
from services.adapters.replay_lines import replay_line
from services.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "services" / "scenarios"
SCENARIO = SCENARIOS / "glow-2011.jsonl"
TERMS = SCENARIOS / "glow-2011.toml"
END = datetime.fromisoformat("2011-04-01T00:00:00-04:00")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("glow") / "out.jsonl"
    assert main(["replay", str(SCENARIO), "--terms", str(TERMS), "--out", str(out)]) == 0
    return [json.loads(line)["value"] for line in out.read_text().splitlines()]


@pytest.mark.parametrize("row", rows("glow-2011-psmv.csv"), ids=lambda r: r["date"])
def test_psmv_before_and_after_the_split(outputs: list[dict[str, Any]],
                                         row: dict[str, str]) -> None:
    [value] = [v for v in outputs if v["type"] == "market_value" and v["date"] == row["date"]]
    assert Decimal(value["value"]) == Decimal(row["value"])
    assert (value["tier"], value["source_date"], value["approximate"]) == (
        row["tier"], row["source_date"], False)


def test_the_split_adjusts_the_warrant(outputs: list[dict[str, Any]]) -> None:
    [adjustment] = [v for v in outputs if v["type"] == "adjustment"]
    # 4(b) combination 1-for-4: 100,000 x 1/4 = 25,000 shares; $2.40 x 100,000 / 25,000 = $9.60
    assert adjustment["cause_id"] == "real-split-2011-01-14"
    assert Decimal(adjustment["shares_after"]) == Decimal("25000")
    assert Decimal(adjustment["price_after"]) == Decimal("9.60")


def test_no_input_line_is_refused(outputs: list[dict[str, Any]]) -> None:
    assert [v for v in outputs if v["type"] == "dead_letter"] == []


def test_scenario_quotes_are_the_csv_adapters_output() -> None:
    # the bundled quote lines are exactly what `import csv` makes of the two files (to March)
    expected = []
    for name in ("glow-trades-quotes-2011.csv", "glowd-trades-quotes-2011.csv"):
        for topic, record in import_csv(GLOW_DATA / name, "GLOW", "ticks"):
            if record.at < END:  # type: ignore[union-attr]
                expected.append(replay_line(topic, record))
    bundled = [line for line in SCENARIO.read_text().splitlines() if '"type": "quote"' in line]
    assert sorted(bundled) == sorted(expected)
