"""Engine snapshots (shared/engine/snapshot.py, docs/operations.md "State across restarts").

The differential proof: every bundled scenario (services/scenarios/*.jsonl, the hand-worked
engine scenarios of tests/resources/engine and the warrant scenarios of
tests/resources/warrant) is folded once without interruption, and once with the state
dumped and loaded into a freshly built engine before EVERY record; the outputs must be the
same bytes. Then the refusals: another version, other terms, damaged bytes, each a
SnapshotError that leaves the engine as it was.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from engine_golden import line, scenario_id, scenario_input, scenarios

from services.scenarios import scenario_text
from shared.engine import Engine
from shared.engine.replay import checked_lines, split_replay_lines
from shared.engine.snapshot import (
    SNAPSHOT_VERSION,
    STATE_FIELDS,
    WIRING_FIELDS,
    dump_symbols,
    load_symbols,
    parts,
)
from shared.errors import SnapshotError
from shared.events.codec import encode, topic_of
from shared.events.inputs import InputRecord
from shared.terms import Terms, load_terms

ROOT = Path(__file__).resolve().parents[2]
WARRANT_RESOURCES = ROOT / "tests" / "resources" / "warrant"
SCENARIO_TERMS = ROOT / "services" / "scenarios" / "glow-2011.toml"


@dataclass(frozen=True, slots=True)
class Step:
    topic: str
    record: InputRecord | None   # None: a line that is a dead letter before the engine
    raw: str


def _steps(lines: Iterable[str | bytes]) -> list[Step]:
    out: list[Step] = []
    for checked in checked_lines(lines):
        out.append(Step(checked.topic, checked.record, checked.text))
    return out


def _fold(terms: list[Terms], steps: list[Step],
          between: Callable[[Engine], Engine] | None = None) -> list[str]:
    engine = Engine(terms)
    out: list[str] = []
    for step in steps:
        if between is not None:
            engine = between(engine)
        if step.record is None:
            continue
        for produced in engine.process(step.topic, step.record, step.raw):
            out.append(f"{topic_of(produced)} {encode(produced)}")
    return out


def _reloaded(terms: list[Terms]) -> Callable[[Engine], Engine]:
    def between(engine: Engine) -> Engine:
        data = dump_symbols(engine, engine.symbols)
        fresh = Engine(terms)
        assert sorted(load_symbols(fresh, data)) == sorted(engine.symbols)
        # the same state gives the same bytes: the load lost nothing that is dumped
        assert dump_symbols(fresh, fresh.symbols) == data
        return fresh

    return between


def _differential(terms: list[Terms], steps: list[Step]) -> None:
    straight = _fold(terms, steps)
    assert straight, "the scenario produced nothing: the comparison would prove nothing"
    assert _fold(terms, steps, _reloaded(terms)) == straight


# --- the bundled scenarios -----------------------------------------------------------------


def test_wf05_life_reloaded_at_every_record() -> None:
    _differential([load_terms()], _steps(split_replay_lines(scenario_text())))


def test_glow_2011_reloaded_at_every_record() -> None:
    steps = _steps(split_replay_lines(scenario_text("glow-2011.jsonl")))
    _differential([load_terms(SCENARIO_TERMS)], steps)


@pytest.mark.parametrize("item", scenarios(), ids=scenario_id)
def test_engine_scenario_reloaded_at_every_record(item: tuple[str, dict[str, object]]) -> None:
    _, scenario = item
    steps = _steps(line(r) for r in scenario_input(scenario))  # type: ignore[arg-type]
    _differential([load_terms()], steps)


def _warrant_scenarios() -> list[dict[str, object]]:
    with (WARRANT_RESOURCES / "scenarios.toml").open("rb") as handle:
        data = tomllib.load(handle)
    preludes = data["prelude"]
    found = []
    for scenario in data["scenario"]:
        prelude = scenario.get("prelude", "standard")
        head = [] if prelude == "none" else list(preludes[prelude]["input"])
        found.append({**scenario, "lines": head + list(scenario["input"])})
    return found


@pytest.mark.parametrize("scenario", _warrant_scenarios(), ids=lambda s: str(s["name"]))
def test_warrant_scenario_reloaded_at_every_record(scenario: dict[str, object]) -> None:
    name = scenario.get("terms")
    terms = load_terms() if name is None else load_terms(WARRANT_RESOURCES / str(name))
    lines = []
    for text in scenario["lines"]:  # type: ignore[attr-defined]
        topic, _, raw = str(text).strip().partition(" ")
        lines.append(json.dumps({"topic": topic, "value": json.loads(raw)}))
    _differential([terms], _steps(lines))


# --- the snapshot's own contract -----------------------------------------------------------


def _demo_engine() -> Engine:
    engine = Engine([load_terms()])
    for step in _steps(split_replay_lines(scenario_text())):
        if step.record is not None:
            engine.process(step.topic, step.record, step.raw)
    return engine


def test_every_attribute_is_state_or_wiring() -> None:
    """A new attribute of a part must be listed: dumped with the state or built anew."""
    engine = _demo_engine()
    for name, obj in parts(engine.symbols["GLOW"]).items():
        attributes = set(vars(obj)) if hasattr(obj, "__dict__") else {
            s for cls in type(obj).__mro__ for s in getattr(cls, "__slots__", ())}
        assert attributes == set(STATE_FIELDS[name]) | set(WIRING_FIELDS[name]), name


def test_the_header_names_the_version() -> None:
    data = msgspec.msgpack.decode(dump_symbols(_demo_engine(), ["GLOW"]))
    assert data["version"] == SNAPSHOT_VERSION
    assert list(data["symbols"]) == ["GLOW"]


def _refused(data: bytes, engine: Engine | None = None) -> str:
    engine = engine or Engine([load_terms()])
    before = dump_symbols(engine, engine.symbols)
    with pytest.raises(SnapshotError) as caught:
        load_symbols(engine, data)
    assert dump_symbols(engine, engine.symbols) == before, "a refused load changed the engine"
    return str(caught.value)


def _patched(data: bytes, **changes: object) -> bytes:
    top = msgspec.msgpack.decode(data)
    top.update(changes)
    return msgspec.msgpack.encode(top)


def test_another_version_is_refused() -> None:
    data = dump_symbols(_demo_engine(), ["GLOW"])
    assert "version" in _refused(_patched(data, version=SNAPSHOT_VERSION + 1))


def test_another_schema_is_refused() -> None:
    data = dump_symbols(_demo_engine(), ["GLOW"])
    assert "state classes" in _refused(_patched(data, schema="0" * 16))


def test_other_terms_are_refused() -> None:
    import dataclasses
    from decimal import Decimal

    data = dump_symbols(_demo_engine(), ["GLOW"])
    other = dataclasses.replace(load_terms(), initial_warrant_price=Decimal("2.41"))
    assert "other terms" in _refused(data, Engine([other]))


def test_an_unknown_symbol_is_refused() -> None:
    data = dump_symbols(_demo_engine(), ["GLOW"])
    import dataclasses

    other = dataclasses.replace(load_terms(), symbol="OTHR")
    assert "OTHR" not in _refused(data, Engine([other]))


@pytest.mark.parametrize("cut", [0, 1, 10, 1000, -1])
def test_damaged_bytes_are_refused(cut: int) -> None:
    data = dump_symbols(_demo_engine(), ["GLOW"])
    _refused(data[:cut])


def test_a_damaged_value_deep_inside_is_refused_whole() -> None:
    engine = _demo_engine()
    data = msgspec.msgpack.decode(dump_symbols(engine, ["GLOW"]))
    series = data["symbols"]["GLOW"]["series"]["W-F-05"]
    series["timeline"][1] = ["c", "no.such.Class", []]
    _refused(msgspec.msgpack.encode(data))
    series["timeline"] = []
    _refused(msgspec.msgpack.encode(data))


def test_dump_of_an_unknown_symbol_is_an_error() -> None:
    with pytest.raises(SnapshotError):
        dump_symbols(Engine([load_terms()]), ["NOPE"])
