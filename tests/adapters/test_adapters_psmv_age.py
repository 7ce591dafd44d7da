"""The age of a PSMV taken from the nearest preceding date, on the real GLOW 2011 quotes.

The bundled scenario services/scenarios/glow-2011.jsonl (W-F-05 terms moved to 2011, OTCBB
all along: tier (b), the closing bid) ends with March; here the rest of the year's quotes
of data/glow/glow-trades-quotes-2011.csv are added through the CSV adapter, as the bundled
ones were. The last bid in the files is 2011-03-04's 2.07 (tests/resources/adapters/
glow-2011-psmv.csv), so every later date takes its value from 2011-03-04, however far back
(Section 8: "the date nearest preceding such date"). By hand, Trading Days (NYSE schedule,
docs/calendar.md) strictly after 2011-03-04:
- through 2011-03-31: Mar 7-11, 14-18, 21-25 (5 each) and 28-31 (4) = 19; no holiday.
- through 2011-12-02: the 195 weekdays from Mar 7 to Dec 2 less the NYSE holidays among
  them (Good Friday Apr 22, Memorial Day May 30, Jul 4, Labor Day Sep 5, Thanksgiving
  Nov 24) = 190. (Weekdays: Mar 7 - Dec 2 is 39 weeks = 195 weekdays.)
glow-2011.toml leaves the threshold at its default, 5 Trading Days: 19 and 190 warn;
2011-03-04 (age 0) does not.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from adapters_golden import GLOW_DATA

from services.adapters.csv_files import import_csv
from services.adapters.replay_lines import replay_line
from services.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "services" / "scenarios"
END = datetime.fromisoformat("2011-04-01T00:00:00-04:00")


@pytest.fixture(scope="module")
def values(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    lines = (SCENARIOS / "glow-2011.jsonl").read_text().splitlines()
    for name in ("glow-trades-quotes-2011.csv", "glowd-trades-quotes-2011.csv"):
        for topic, record in import_csv(GLOW_DATA / name, "GLOW", "ticks"):
            if record.at >= END:  # type: ignore[union-attr]
                lines.append(replay_line(topic, record))
    lines.append(json.dumps({"topic": "clock", "value": {
        "type": "tick", "id": "tick-2011-12-05", "symbol": "GLOW",
        "at": "2011-12-05T00:00:00-05:00"}}))
    folder = tmp_path_factory.mktemp("age")
    source, out = folder / "in.jsonl", folder / "out.jsonl"
    source.write_text("\n".join(lines) + "\n")
    assert main(["replay", str(source), "--terms", str(SCENARIOS / "glow-2011.toml"),
                 "--out", str(out)]) == 0
    records = [json.loads(line)["value"] for line in out.read_text().splitlines()]
    return {r["date"]: r for r in records if r["type"] == "market_value"}


@pytest.mark.parametrize(("day", "age"), [("2011-03-04", 0), ("2011-03-31", 19),
                                          ("2011-12-02", 190)])
def test_the_age_of_the_price_is_in_the_record_and_its_basis(
        values: dict[str, dict[str, Any]], day: str, age: int) -> None:
    value = values[day]
    assert (value["value"], value["source_date"], value["approximate"]) == (
        "2.07", "2011-03-04", False)
    assert value["source_age_trading_days"] == age
    if age:
        assert f"the price is from 2011-03-04, {age} Trading Days before {day}" in value["basis"]
        assert value["warning"].startswith(f"stale: the price is {age} Trading Days old")
    else:
        assert value["warning"] is None
