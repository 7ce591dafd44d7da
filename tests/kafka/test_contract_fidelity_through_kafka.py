"""Contract fidelity through the embedded Tansu broker: the same records as in process.

The scenarios of tests/resources/engine/contract_fidelity.toml (Sections 4(a), 4(b), 4(c),
4(e)/4(f), 4(g)(iv), 7 and 8, worked by hand there) are replayed twice: through the
in-process engine and through `warrantwatch worker` on the module's broker. Each scenario
runs under its own symbol (F1, F2, ...: the bundled W-F-05 terms under that symbol), so one
broker run carries them all. The two runs must give the same output lines, byte for byte,
and the broker's records must carry the hand-worked figures of the data file.
"""

from __future__ import annotations

import json
import sys
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from services.kafka.replay import run_plan
from services.kafka.replay_plan import output_line, plan_lines
from services.kafka.settings import KafkaSettings
from shared.engine import Engine
from shared.engine.replay import output_line as engine_output_line
from shared.engine.replay import replay_lines
from shared.events.outputs import OUTPUT_TOPICS, OutputRecord
from shared.terms import Terms, load_terms

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from engine_golden import Emitted, check_exhaustive, check_expect

pytestmark = pytest.mark.kafka

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "engine"
DATA = "contract_fidelity.toml"
MODELS: dict[str, type[OutputRecord]] = {
    model.model_fields["type"].default: model
    for models in OUTPUT_TOPICS.values() for model in models
}


def _load(name: str) -> dict[str, Any]:
    with (RESOURCES / name).open("rb") as handle:
        return tomllib.load(handle)


def scenarios() -> list[tuple[str, dict[str, Any]]]:
    """(symbol, scenario) for every scenario of the data file."""
    found = _load(DATA)["scenario"]
    assert len(found) >= 7
    return [(f"F{n}", scenario) for n, scenario in enumerate(found, start=1)]


def scenario_lines(symbol: str, scenario: dict[str, Any]) -> list[str]:
    preludes = _load("preludes.toml")["prelude"]
    records = [r for name in scenario.get("prelude", []) for r in preludes[name]["input"]]
    records.extend(scenario["input"])
    lines = []
    for record in records:
        value = {k: v for k, v in record.items() if k != "topic"}
        value["symbol"] = symbol
        lines.append(json.dumps({"topic": record["topic"], "value": value}))
    return lines


def all_lines() -> tuple[list[str], list[Terms]]:
    lines: list[str] = []
    terms: list[Terms] = []
    for symbol, scenario in scenarios():
        lines.extend(scenario_lines(symbol, scenario))
        terms.append(replace(load_terms(), symbol=symbol))
    return lines, terms


def for_symbol(expect: dict[str, Any], symbol: str) -> dict[str, Any]:
    """An expectation of the data file (written for GLOW) for the scenario's symbol."""
    out = dict(expect)
    if "id" in out:
        out["id"] = str(out["id"]).replace(":GLOW:", f":{symbol}:")
    return out


async def test_contract_scenarios_through_the_broker_match_in_process_and_the_hand_figures(
        settings: KafkaSettings) -> None:
    lines, terms = all_lines()
    expected = [engine_output_line(topic, record)
                for topic, record in replay_lines(Engine(terms), lines)]
    plan = plan_lines(lines)
    assert not plan.local, "every scenario line is a valid record"
    ordered = await run_plan(plan, settings, terms)
    got = [output_line(out) for _, out in ordered]
    assert len(got) > 25  # every scenario gives several records (sanity, not a golden count)
    assert got == expected

    # the broker's records, each tagged with the input that caused it, against the data file
    causes = {s.index: json.loads(s.value)["id"] for s in plan.submissions}
    emitted: dict[str, list[Emitted]] = {}
    for (index, _, _), out in ordered:
        data = json.loads(out.text)
        record = MODELS[data["type"]].model_validate_json(out.text)
        emitted.setdefault(data["symbol"], []).append(
            Emitted(out.topic, record, causes[index], output_line(out)))
    for symbol, scenario in scenarios():
        mine = emitted.get(symbol, [])
        for expect in scenario.get("expect", []):
            check_expect(for_symbol(expect, symbol), mine)
        check_exhaustive(scenario, mine)
