"""Several warrant series on one symbol (docs/terms-format.md "Several series",
docs/decisions.md "Several series").

The bundled W-F-05 terms and an illustrative W-G series
(tests/resources/engine/series/glowpoint-w-g.toml) on GLOW: the hand-worked scenarios of
tests/resources/engine/series/scenarios.toml (a split adjusts both series; the cap of a W-G
exercise counts the shares a W-F-05 exercise issued; each series' cap lapses at its own
expiry), the start-up errors, and the snapshot round trip at every record.
"""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from engine_golden import (
    Emitted,
    check_exhaustive,
    check_expect,
    line,
    run_records,
    scenario_input,
)

from services.streams.terms_files import load_terms_files
from shared.engine import Engine
from shared.engine.replay import checked_lines
from shared.engine.snapshot import copy_symbol, dump_symbols, load_symbols
from shared.errors import TermsError
from shared.events.codec import encode, topic_of
from shared.terms import Terms, load_terms

SERIES = Path(__file__).resolve().parents[1] / "resources" / "engine" / "series"
WG_FILE = SERIES / "glowpoint-w-g.toml"
BUNDLED = Path(__file__).resolve().parents[2] / "shared" / "terms_data" / "glowpoint-w-f-05.toml"


def _terms() -> list[Terms]:
    return [load_terms(), load_terms(WG_FILE)]


def _scenarios() -> list[dict[str, Any]]:
    with (SERIES / "scenarios.toml").open("rb") as handle:
        found: list[dict[str, Any]] = tomllib.load(handle)["scenario"]
    return found


def _run(scenario: dict[str, Any]) -> list[Emitted]:
    return run_records(scenario_input(scenario), Engine(_terms()))


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: str(s["name"]))
def test_two_series_scenario(scenario: dict[str, Any]) -> None:
    assert scenario["working"].strip(), "every scenario shows its working"
    emitted = _run(scenario)
    for expect in scenario.get("expect", []):
        check_expect(expect, emitted)
    check_exhaustive(scenario, emitted)


def test_every_warrant_output_names_its_series() -> None:
    emitted = [e for s in _scenarios() for e in _run(s)]
    named = [e for e in emitted if "series" in e.data]
    assert {e.data["series"] for e in named} == {"W-F-05", "W-G"}
    for e in named:
        warrant = e.data.get("warrant")
        if warrant is not None:
            assert e.data["series"] == ("W-G" if warrant.startswith("W-G") else "W-F-05"), e.line


def test_a_single_series_keeps_its_ids_and_names_its_series() -> None:
    """With one series the ids are those of before; the series is the terms' family."""
    scenario = _scenarios()[1]
    records = [r for r in scenario_input(scenario)
               if not str(r.get("warrant", "")).startswith("W-G")]
    records = [{k: v for k, v in r.items() if k != "series"} for r in records]
    emitted = run_records(records, Engine([load_terms()]))
    ids = {e.record.id for e in emitted}
    assert "settlement:e1" in ids
    assert "cap_headroom:Fund A:2006-06-06T10:00:00-04:00:e1" in ids
    assert {e.data["series"] for e in emitted if "series" in e.data} == {"W-F-05"}


# --- start-up --------------------------------------------------------------------------------


def test_the_series_defaults_to_the_family() -> None:
    assert load_terms().series == "W-F-05"
    assert load_terms(WG_FILE).series == "W-G"


def test_two_files_of_one_series_are_a_start_up_error_naming_both(tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_text(BUNDLED.read_text("utf-8"), "utf-8")
    with pytest.raises(TermsError) as caught:
        load_terms_files([str(BUNDLED), str(copy)])
    text = str(caught.value)
    assert caught.value.field == "warrant.series"
    assert "symbol GLOW and series W-F-05" in text
    assert str(BUNDLED) in text and str(copy) in text


def test_two_series_of_one_symbol_load() -> None:
    terms = load_terms_files([str(BUNDLED), str(WG_FILE)])
    assert [t.series for t in terms] == ["W-F-05", "W-G"]
    engine = Engine(terms)
    assert list(engine.symbols) == ["GLOW"]
    assert list(engine.symbols["GLOW"].desks) == ["W-F-05", "W-G"]


@pytest.mark.parametrize(("key", "value"), [
    ("exercise.close_of_business", '"16:00"'),
    ("warrant.zone", '"America/Chicago"'),
    ("warrant.initial_venue", '"NYSE"'),
    ("trading_days.extra_closures", '["2007-01-02"]'),
])
def test_series_that_disagree_on_a_symbol_wide_key_are_refused(
        tmp_path: Path, key: str, value: str) -> None:
    section, _, name = key.partition(".")
    lines = WG_FILE.read_text("utf-8").splitlines()
    in_section, replaced = "", False
    for n, text in enumerate(lines):
        if text.startswith("["):
            in_section = text.split("]")[0].strip("[")
        elif in_section == section and text.split("=")[0].strip() == name:
            lines[n] = f"{name} = {value}"
            replaced = True
    assert replaced, key
    other = tmp_path / "w-g.toml"
    other.write_text("\n".join(lines), "utf-8")
    with pytest.raises(TermsError) as caught:
        load_terms_files([str(BUNDLED), str(other)])
    assert caught.value.field == key
    assert str(BUNDLED) in str(caught.value) and str(other) in str(caught.value)


def test_the_engine_refuses_one_series_twice() -> None:
    with pytest.raises(TermsError, match="series W-F-05"):
        Engine([load_terms(), load_terms()])
    with pytest.raises(TermsError, match=r"exercise\.close_of_business"):
        Engine([load_terms(), dataclasses.replace(load_terms(WG_FILE),
                                                  close_of_business=time(16, 0))])


# --- snapshots ---------------------------------------------------------------------------------


def _fold(lines: list[str], reload: bool) -> list[str]:
    engine = Engine(_terms())
    out: list[str] = []
    for checked in checked_lines(lines):
        if reload:
            data = dump_symbols(engine, engine.symbols)
            fresh = Engine(_terms())
            assert load_symbols(fresh, data) == ["GLOW"]
            assert dump_symbols(fresh, fresh.symbols) == data
            engine = fresh
        if checked.record is None:
            continue
        for produced in engine.process(checked.topic, checked.record, checked.text):
            out.append(f"{topic_of(produced)} {encode(produced)}")
    return out


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: str(s["name"]))
def test_two_series_reloaded_at_every_record(scenario: dict[str, Any]) -> None:
    lines = [line(r) for r in scenario_input(scenario)]
    straight = _fold(lines, reload=False)
    assert any('"series": "W-G"' in o for o in straight)
    assert _fold(lines, reload=True) == straight


def test_a_snapshot_of_two_series_needs_both() -> None:
    from shared.errors import SnapshotError

    engine = Engine(_terms())
    data = dump_symbols(engine, engine.symbols)
    with pytest.raises(SnapshotError, match="other terms"):
        load_symbols(Engine([load_terms()]), data)


def test_a_copy_shares_one_ownership_across_its_series() -> None:
    copy = copy_symbol(Engine(_terms()).symbols["GLOW"])
    books = {id(d.ownership) for d in copy.exercise_desks.values()}
    assert len(books) == 1
    assert all(d.peers == tuple(copy.exercise_desks.values())
               for d in copy.exercise_desks.values())
