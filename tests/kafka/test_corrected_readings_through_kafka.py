"""Issue 14's hand-worked scenarios through the embedded Tansu broker and the Faust services.

tests/resources/engine/corrected_readings.toml holds the scenarios (worked by hand, the
arithmetic in each `working`). Each runs under a symbol of its own (the bundled W-F-05 terms
under another ticker), so one worker run takes them all; every output is tagged with the
input whose processing emitted it by its input index, and the same expectations as the
in-process test (tests/engine/test_engine_scenarios.py) are checked on what came back from
Kafka. The Kafka outputs must also be byte for byte those of the in-process engine.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from services.kafka.replay import run_plan
from services.kafka.replay_plan import output_line as kafka_line
from services.kafka.replay_plan import plan_lines
from services.kafka.settings import KafkaSettings
from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines
from shared.events.outputs import OUTPUT_TOPICS, OutputRecord
from shared.terms import Terms, load_terms

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from engine_golden import (
    Emitted,
    _load,
    check_exhaustive,
    check_expect,
    scenario_input,
)

pytestmark = pytest.mark.kafka

FILE = "corrected_readings.toml"
MODELS: dict[str, type[OutputRecord]] = {
    model.model_fields["type"].default: model
    for models in OUTPUT_TOPICS.values() for model in models
}


def symbol_of(n: int) -> str:
    return f"GLOW{chr(ord('A') + n)}"


def scenario_lines() -> tuple[list[str], list[tuple[int, str]], list[Terms]]:
    """Every scenario's input as replay lines under its own symbol; (scenario, input id) of
    each line; the terms of every symbol."""
    lines: list[str] = []
    causes: list[tuple[int, str]] = []
    scenarios = _load(FILE)["scenario"]
    for n, scenario in enumerate(scenarios):
        for record in scenario_input(scenario):
            value = {k: v for k, v in record.items() if k != "topic"}
            if value.get("symbol", "GLOW") == "GLOW":
                value["symbol"] = symbol_of(n)
            lines.append(json.dumps({"topic": record["topic"], "value": value}))
            causes.append((n, str(record.get("id", ""))))
    terms = [replace(load_terms(), symbol=symbol_of(n)) for n in range(len(scenarios))]
    return lines, causes, terms


def record_of(text: str) -> OutputRecord:
    data: dict[str, Any] = json.loads(text)
    return MODELS[data["type"]].model_validate_json(text)


async def test_corrected_readings_through_the_broker(settings: KafkaSettings) -> None:
    lines, causes, terms = scenario_lines()
    ordered = await run_plan(plan_lines(lines), settings, terms)
    got = [kafka_line(out) for _, out in ordered]
    expected = [output_line(topic, record)
                for topic, record in replay_lines(Engine(terms), lines)]
    assert got == expected
    scenarios = _load(FILE)["scenario"]
    emitted: list[list[Emitted]] = [[] for _ in scenarios]
    for (number, _, _), out in ordered:
        n, cause = causes[number - 1]  # replay line numbers start at 1
        emitted[n].append(Emitted(out.topic, record_of(out.text), cause, kafka_line(out)))
    for n, scenario in enumerate(scenarios):
        assert emitted[n], f"{scenario['name']}: nothing came back"
        for expect in scenario.get("expect", []):
            check_expect(expect, emitted[n])
        check_exhaustive(scenario, emitted[n])
