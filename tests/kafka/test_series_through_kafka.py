"""Two warrant series on one symbol through the embedded Tansu broker and the Faust services.

The hand-worked scenarios of tests/resources/engine/series/scenarios.toml (the W-F-05 and
W-G series on one stock; docs/terms-format.md "Several series"), each under a symbol of its
own carrying both series, so one worker run takes them all: the terms reach the worker as a
JSON list with two entries per symbol. The same expectations as the in-process test
(tests/engine/test_engine_series.py) are checked on what came back from Kafka, and the
outputs must be byte for byte those of the in-process engine.
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
from services.kafka.replay_plan import output_line as kafka_line
from services.kafka.replay_plan import plan_lines
from services.kafka.settings import KafkaSettings
from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines
from shared.events.outputs import OUTPUT_TOPICS, OutputRecord
from shared.terms import Terms, load_terms

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from engine_golden import Emitted, check_exhaustive, check_expect, scenario_input

pytestmark = pytest.mark.kafka

SERIES = Path(__file__).resolve().parents[1] / "resources" / "engine" / "series"
MODELS: dict[str, type[OutputRecord]] = {
    model.model_fields["type"].default: model
    for models in OUTPUT_TOPICS.values() for model in models
}


def _scenarios() -> list[dict[str, Any]]:
    with (SERIES / "scenarios.toml").open("rb") as handle:
        found: list[dict[str, Any]] = tomllib.load(handle)["scenario"]
    return found


def symbol_of(n: int) -> str:
    return f"GLOW{chr(ord('A') + n)}"


def scenario_lines() -> tuple[list[str], list[tuple[int, str]], list[Terms]]:
    lines: list[str] = []
    causes: list[tuple[int, str]] = []
    scenarios = _scenarios()
    for n, scenario in enumerate(scenarios):
        for record in scenario_input(scenario):
            value = {k: v for k, v in record.items() if k != "topic"}
            value["symbol"] = symbol_of(n)
            lines.append(json.dumps({"topic": record["topic"], "value": value}))
            causes.append((n, str(record.get("id", ""))))
    wf, wg = load_terms(), load_terms(SERIES / "glowpoint-w-g.toml")
    terms = [replace(t, symbol=symbol_of(n)) for n in range(len(scenarios)) for t in (wf, wg)]
    return lines, causes, terms


async def test_two_series_through_the_broker(settings: KafkaSettings) -> None:
    lines, causes, terms = scenario_lines()
    ordered = await run_plan(plan_lines(lines), settings, terms)
    got = [kafka_line(out) for _, out in ordered]
    expected = [output_line(topic, record)
                for topic, record in replay_lines(Engine(terms), lines)]
    assert got == expected
    assert any('"series": "W-G"' in g for g in got)
    scenarios = _scenarios()
    emitted: list[list[Emitted]] = [[] for _ in scenarios]
    for (number, _, _), out in ordered:
        n, cause = causes[number - 1]  # replay line numbers start at 1
        data: dict[str, Any] = json.loads(out.text)
        record = MODELS[data["type"]].model_validate_json(out.text)
        emitted[n].append(Emitted(out.topic, record, cause, kafka_line(out)))
    for n, scenario in enumerate(scenarios):
        assert emitted[n], f"{scenario['name']}: nothing came back"
        for expect in scenario.get("expect", []):
            check_expect(expect, emitted[n])
        check_exhaustive(scenario, emitted[n])
