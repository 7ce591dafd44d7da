"""Drives the engine with the scenario files of tests/resources/warrant (Sections 4, 5, 10).

A scenario input line is `TOPIC JSON`: the record exactly as it arrives on that topic. The
driver feeds each line to `Engine.handle` and remembers which input produced which output,
so an expectation can say "the tick t2 produced this notice" (and nothing else produced
anything). Market values are left out of the comparison: other suites prove them.

The number formats below are written here, not imported from the code under test, so a
calculation text is checked against the contract's own presentation (docs/contract.md
"Numbers": share numbers to 1/100, the Warrant Price shown with 4 places).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from shared.engine import Engine
from shared.events.codec import encode
from shared.events.outputs import OutputRecord
from shared.terms import Terms, load_terms
from shared.warrant.state import WarrantState

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "warrant"
SYMBOL = "GLOW"
WARRANT = "W-F-05"
# What the warrant desk publishes, plus dead letters; market values are other suites' concern.
WATCHED = frozenset({
    "adjustment", "adjustment_deferred", "adjustment_rescinded", "adjustment_rejected",
    "adjustment_not_required", "amendment_refused", "dead_letter",
})
NOTICE_TYPES = frozenset({"adjustment", "adjustment_deferred"})


@dataclass(frozen=True, slots=True)
class Produced:
    """One output and the id of the input (or `line N`) whose handling produced it."""

    by: str
    record: OutputRecord

    @property
    def type(self) -> str:
        kind: str = self.record.type  # type: ignore[attr-defined]
        return kind

    def field(self, name: str) -> Any:
        return getattr(self.record, name)


@cache
def scenario_file(name: str) -> dict[str, Any]:
    with (RESOURCES / name).open("rb") as handle:
        return tomllib.load(handle)


@cache
def terms_named(name: str | None) -> Terms:
    """The bundled W-F-05 terms, or a terms file of tests/resources/warrant."""
    return load_terms() if name is None else load_terms(RESOURCES / name)


def new_engine(terms_file: str | None = None) -> Engine:
    return Engine([terms_named(terms_file)])


def split_line(line: str) -> tuple[str, str]:
    topic, _, raw = line.strip().partition(" ")
    return topic, raw.strip()


def input_id(raw: str, number: int) -> str:
    try:
        obj = json.loads(raw)
    except ValueError:
        return f"line {number}"
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return str(obj["id"])
    return f"line {number}"


def feed(engine: Engine, lines: Iterable[str]) -> list[Produced]:
    """Every line through `Engine.handle`, in order; every output with its cause."""
    produced: list[Produced] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        topic, raw = split_line(line)
        by = input_id(raw, number)
        produced.extend(Produced(by, record) for record in engine.handle(topic, raw))
    return produced


def watched(produced: Iterable[Produced]) -> list[Produced]:
    return [p for p in produced if p.type in WATCHED]


def scenario_lines(scenario: Mapping[str, Any], preludes: Mapping[str, Any]) -> list[str]:
    prelude = scenario.get("prelude", "standard")
    head: list[str] = [] if prelude == "none" else list(preludes[prelude]["input"])
    return head + list(scenario["input"])


def state_of(engine: Engine, warrant: str = WARRANT) -> WarrantState:
    return engine.symbols[SYMBOL].desk.timeline.current.warrants[warrant]


def encoded(produced: Iterable[Produced]) -> list[str]:
    return [encode(p.record) for p in produced]


# --- the contract's presentation of figures (docs/contract.md "Numbers") ------------------


def shares_texts(value: Decimal) -> set[str]:
    """A share number as a notice may show it: to 1/100 share, thousands separated; a whole
    number may also be shown without places (docs/contract.md writes "50,000,000")."""
    forms = {f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"}
    if value == value.to_integral_value():
        forms.add(f"{value.quantize(Decimal(1)):,}")
    return forms


def price_text(value: Decimal) -> str:
    """A Warrant Price as a notice shows it: 4 places, half up, thousands separated."""
    return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):,}"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)
