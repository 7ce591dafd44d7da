"""Hand-worked engine scenarios (tests/resources/engine/*.toml) and how to run and check them.

A scenario is a list of input records replayed through `Engine([load_terms()])` one line at
a time, so that every output is tagged with the input whose processing emitted it; the
expected outputs were worked by hand (see the resources' README.md), never produced by the
code under test.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines
from shared.events.codec import to_dict
from shared.events.outputs import OutputRecord
from shared.terms import load_terms

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "engine"
SYMBOL = "GLOW"

# Outcomes of an exercise (and dead letters) are always checked exhaustively.
ALWAYS_EXHAUSTIVE = frozenset({
    "settlement", "exercise_refused", "exercise_default", "rights_restored",
    "buy_in_damages", "dead_letter",
})
_META = frozenset({"id", "type", "emitted_on", "null_fields"})


@dataclass(frozen=True, slots=True)
class Emitted:
    """One output record, the input id whose processing emitted it, and its replay line."""

    topic: str
    record: OutputRecord
    cause: str
    line: str

    @property
    def data(self) -> dict[str, Any]:
        return to_dict(self.record)

    @property
    def type(self) -> str:
        kind: str = self.record.type  # type: ignore[attr-defined]
        return kind


@cache
def _load(name: str) -> dict[str, Any]:
    with (RESOURCES / name).open("rb") as handle:
        return tomllib.load(handle)


def scenario_files() -> list[str]:
    return sorted(p.name for p in RESOURCES.glob("*.toml") if p.name != "preludes.toml")


def scenarios() -> list[tuple[str, dict[str, Any]]]:
    """Every (file, scenario) of the resources."""
    found: list[tuple[str, dict[str, Any]]] = []
    for name in scenario_files():
        for scenario in _load(name)["scenario"]:
            found.append((name, scenario))
    assert found, f"no scenarios under {RESOURCES}"
    return found


def scenario_id(item: tuple[str, dict[str, Any]]) -> str:
    return f"{item[0].removesuffix('.toml')}: {item[1]['name']}"


def line(record: dict[str, Any]) -> str:
    """A replay line from a resource record: `topic` plus the value's fields."""
    value = {k: v for k, v in record.items() if k != "topic"}
    value.setdefault("symbol", SYMBOL)
    return json.dumps({"topic": record["topic"], "value": value})


def scenario_input(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    preludes = _load("preludes.toml")["prelude"]
    records: list[dict[str, Any]] = []
    for name in scenario.get("prelude", []):
        records.extend(preludes[name]["input"])
    records.extend(scenario["input"])
    return records


def run_records(records: Iterable[dict[str, Any]], engine: Engine | None = None) -> list[Emitted]:
    """Replay `records` one line at a time; each output tagged with its input's id."""
    engine = engine or Engine([load_terms()])
    out: list[Emitted] = []
    for record in records:
        text = line(record)
        for topic, produced in replay_lines(engine, [text]):
            out.append(Emitted(topic, produced, str(record.get("id", "")),
                               output_line(topic, produced)))
    return out


# --- comparing -----------------------------------------------------------------------------


def _as_decimal(value: object) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _as_instant(value: object) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def same_value(expected: object, actual: object) -> bool:
    """Decimals as numbers, instants as instants, dates and text as written; lists and
    tables (a settlement's basket) item by item."""
    if isinstance(expected, list):
        return (isinstance(actual, list | tuple) and len(expected) == len(actual)
                and all(same_value(e, a) for e, a in zip(expected, actual, strict=True)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and expected.keys() == actual.keys()
                and all(same_value(v, actual[k]) for k, v in expected.items()))
    if isinstance(expected, bool) or not isinstance(expected, str):
        return expected == actual
    number, other = _as_decimal(expected), _as_decimal(actual)
    if number is not None and other is not None:
        return number == other
    when, other_when = _as_instant(expected), _as_instant(actual)
    if when is not None and other_when is not None:
        return when == other_when
    if isinstance(actual, date):
        return expected == actual.isoformat()
    return expected == actual


def _find(expect: dict[str, Any], emitted: Sequence[Emitted]) -> Emitted:
    if "id" in expect:
        hits = [e for e in emitted if e.record.id == expect["id"]]
        assert hits, f"no output with id {expect['id']!r}; got {[e.record.id for e in emitted]}"
        assert len(hits) == 1, f"{len(hits)} outputs with id {expect['id']!r}"
        return hits[0]
    kind, cause = expect["type"], expect["emitted_on"]
    hits = [e for e in emitted if e.type == kind and e.cause == cause]
    assert len(hits) == 1, f"expected one {kind} emitted on {cause!r}, got {len(hits)}"
    return hits[0]


def check_expect(expect: dict[str, Any], emitted: Sequence[Emitted]) -> None:
    """One expected output: found, emitted on the right input, every field as worked."""
    found = _find(expect, emitted)
    data = found.data
    where = expect.get("id") or f"{expect['type']} on {expect['emitted_on']}"
    if "type" in expect:
        assert found.type == expect["type"], f"{where}: type {found.type}"
    if "emitted_on" in expect:
        assert found.cause == expect["emitted_on"], (
            f"{where}: emitted while processing {found.cause!r}, expected "
            f"{expect['emitted_on']!r}")
    for field in expect.get("null_fields", []):
        assert data[field] is None, f"{where}: {field} = {data[field]!r}, expected null"
    for key, want in expect.items():
        if key in _META:
            continue
        if key.endswith("_contains"):
            field = key.removesuffix("_contains")
            assert want in str(data[field]), f"{where}: {field} = {data[field]!r} lacks {want!r}"
            continue
        assert key in data, f"{where}: no field {key!r} in {sorted(data)}"
        assert same_value(want, data[key]), f"{where}: {key} = {data[key]!r}, expected {want!r}"


def check_exhaustive(scenario: dict[str, Any], emitted: Sequence[Emitted]) -> None:
    """For the exhaustive types, exactly the expected outputs and no others."""
    kinds = ALWAYS_EXHAUSTIVE | set(scenario.get("exhaustive", []))
    expects = scenario.get("expect", [])
    for kind in sorted(kinds):
        got = [e for e in emitted if e.type == kind]
        wanted = [x for x in expects
                  if x.get("type") == kind or str(x.get("id", "")).startswith(kind + ":")]
        got_ids = sorted(e.record.id for e in got)
        assert len(got) == len(wanted), (
            f"{kind}: {len(got)} emitted {got_ids}, {len(wanted)} expected; "
            + "; ".join(e.line for e in got))
