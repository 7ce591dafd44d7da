"""docs/events.md says what the code has: every record type, its topic and its fields.

The Inputs and Outputs tables of docs/events.md are read as written (a field is a backticked
name outside any brackets in the fields column; "(optional" right after it marks it optional)
and compared with the record models of shared/events, in both directions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from shared.events.inputs import INPUT_TOPICS
from shared.events.outputs import OUTPUT_TOPICS

EVENTS_MD = Path(__file__).resolve().parents[2] / "docs" / "events.md"
COMMON = {"type", "id", "symbol"}
ANY_OF_THE_ABOVE = "any of the above"

Fields = dict[str, bool]  # field name -> optional
Topics = dict[str, tuple[type[BaseModel], ...]]


def _strip_brackets(text: str) -> str:
    """The text outside (), [] and {} (nested ones too)."""
    out, depth = [], 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _fields(cell: str) -> Fields:
    found: Fields = {}
    for match in re.finditer(r"`([a-z_][a-z0-9_]*)`", _strip_brackets(cell)):
        found[match.group(1)] = False
    for name in found:
        if re.search(rf"`{name}`\s*\(optional", cell):
            found[name] = True
    return found


def _table(heading: str) -> dict[str, tuple[str, Fields]]:
    text = EVENTS_MD.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, Fields]] = {}
    shared_fields: dict[str, Fields] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("topic", "---") or set(cells[0]) <= {"-"}:
            continue
        topic, kind, cell = cells
        if kind == ANY_OF_THE_ABOVE:
            shared_fields[topic] = _fields(cell)
            continue
        name = kind.strip("`")
        assert name not in rows, f"{heading}: {name} listed twice"
        rows[name] = (topic, _fields(cell))
    for topic, fields in rows.values():
        fields.update(shared_fields.get(topic, {}))
    return rows


def _code(topics: Topics) -> dict[str, tuple[str, Fields]]:
    out: dict[str, tuple[str, Fields]] = {}
    for topic, models in topics.items():
        for model in models:
            kind = model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
            fields = {name: not info.is_required() for name, info in model.model_fields.items()
                      if name not in COMMON}
            out[kind] = (topic, fields)
    return out


CASES = [("Inputs", INPUT_TOPICS), ("Outputs", OUTPUT_TOPICS)]


@pytest.mark.parametrize(("heading", "topics"), CASES, ids=["inputs", "outputs"])
def test_record_types_of_events_md_are_the_code_s(heading: str, topics: Topics) -> None:
    documented, code = _table(heading), _code(topics)
    assert sorted(documented) == sorted(code)
    assert {k: t for k, (t, _) in documented.items()} == {k: t for k, (t, _) in code.items()}


@pytest.mark.parametrize(("heading", "topics"), CASES, ids=["inputs", "outputs"])
def test_fields_of_events_md_are_the_code_s(heading: str, topics: Topics) -> None:
    documented, code = _table(heading), _code(topics)
    for kind in code:
        assert sorted(documented[kind][1]) == sorted(code[kind][1]), kind
        assert documented[kind][1] == code[kind][1], f"{kind}: optional fields differ"


def test_the_tables_are_read() -> None:
    # the parser sees the rows it must: a broken table would make the checks above vacuous
    inputs, outputs = _table("Inputs"), _table("Outputs")
    assert len(inputs) == sum(len(m) for m in INPUT_TOPICS.values()) >= 26
    assert len(outputs) == sum(len(m) for m in OUTPUT_TOPICS.values()) >= 15
    assert inputs["quote"][1] == {"at": False, "bid": True, "ask": True, "last": True,
                                  "volume": True}
    assert inputs["listing"][1] == {"effective": False, "venue": False, "announced_at": True}


def test_refusal_codes_of_events_md_are_the_code_s() -> None:
    from shared.events.outputs import RefusalReason

    text = EVENTS_MD.read_text(encoding="utf-8")
    para = text.split("Refusal codes of `exercise_refused.reason`:", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", para.split("Each has")[0]))
    assert listed == {r.value for r in RefusalReason}
