"""`warrantwatch schema DIR` publishes a valid JSON Schema for every record type of docs/events.md.

The record types, their topics and the hand-written samples are in
tests/resources/events/schema_samples.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from services.cli import main
from shared.errors import RecordError
from shared.events.codec import decode_value
from shared.events.inputs import INPUT_TOPICS
from shared.events.outputs import OUTPUT_TOPICS, OutputRecord

SAMPLES = Path(__file__).parents[1] / "resources" / "events" / "schema_samples.json"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _samples() -> dict[str, dict[str, dict[str, Any]]]:
    with SAMPLES.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return {"inputs": data["inputs"], "outputs": data["outputs"]}


def _all_types() -> list[tuple[str, str, dict[str, Any]]]:
    return [(direction, kind, entry)
            for direction, table in _samples().items()
            for kind, entry in table.items()]


def _output_model(kind: str) -> type[OutputRecord]:
    for models in OUTPUT_TOPICS.values():
        for model in models:
            if model.model_fields["type"].default == kind:
                return model
    raise AssertionError(f"no output model for {kind}")


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("schemas")
    assert main(["schema", str(target)]) == 0
    return target


def _schema(schema_dir: Path, kind: str) -> dict[str, Any]:
    path = schema_dir / f"{kind}.schema.json"
    assert path.is_file(), f"no schema written for {kind}"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def test_the_samples_cover_every_record_type_of_the_code() -> None:
    """One sample per record model, on the model's topic, and none for a type the code lacks
    (tests/events/test_events_md.py checks docs/events.md against the same models). An output
    that is also an input (the `holding` derived from a Form 4) shares the input's schema."""
    samples = _samples()
    code = {direction: {get_args(m.model_fields["type"].annotation)[0]: topic
                        for topic, models in topics.items() for m in models}
            for direction, topics in (("inputs", INPUT_TOPICS), ("outputs", OUTPUT_TOPICS))}
    also_input = {k: t for k, t in code["outputs"].items() if k in code["inputs"]}
    assert also_input == {"holding": "holdings"}
    assert {k: e["topic"] for k, e in samples["inputs"].items()} == code["inputs"]
    assert {k: e["topic"] for k, e in samples["outputs"].items()} == {
        k: t for k, t in code["outputs"].items() if k not in also_input}


def test_the_derived_holding_shares_the_input_schema(schema_dir: Path) -> None:
    schema = _schema(schema_dir, "holding")
    assert schema["x-direction"] == "input"
    assert schema.get("x-also-output") is True


def test_one_file_per_record_type(schema_dir: Path) -> None:
    written = {p.name.removesuffix(".schema.json") for p in schema_dir.glob("*.schema.json")}
    wanted = {kind for _, kind, _ in _all_types()}
    assert wanted <= written, f"missing: {sorted(wanted - written)}"


@pytest.mark.parametrize(("direction", "kind", "entry"), _all_types(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_schema_is_valid_draft_2020_12(schema_dir: Path, direction: str, kind: str,
                                       entry: dict[str, Any]) -> None:
    schema = _schema(schema_dir, kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT_2020_12
    assert schema["x-topic"] == entry["topic"]
    assert schema["x-direction"] == direction.removesuffix("s")


@pytest.mark.parametrize(("direction", "kind", "entry"), _all_types(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_valid_sample_validates_and_bad_ones_do_not(schema_dir: Path, direction: str, kind: str,
                                                    entry: dict[str, Any]) -> None:
    validator = Draft202012Validator(_schema(schema_dir, kind))
    sample = entry["valid"]
    errors = [e.message for e in validator.iter_errors(sample)]
    assert errors == [], errors
    for bad in entry["invalid"]:
        assert not validator.is_valid(bad), f"schema of {kind} accepts {bad}"
    assert not validator.is_valid({**sample, "colour": "blue"}), "unknown field accepted"
    without_id = {k: v for k, v in sample.items() if k != "id"}
    assert not validator.is_valid(without_id), "record without id accepted"


@pytest.mark.parametrize(("direction", "kind", "entry"), _all_types(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_record_requires_type_id_and_symbol(schema_dir: Path, direction: str, kind: str,
                                                  entry: dict[str, Any]) -> None:
    """docs/events.md: "Every record has `type` and `id`"; a consumer tells records apart by
    `type`, so a record without it must not validate against any record's schema."""
    schema = _schema(schema_dir, kind)
    assert {"type", "id", "symbol"} <= set(schema.get("required", [])), schema.get("required")
    validator = Draft202012Validator(schema)
    untyped = {k: v for k, v in entry["valid"].items() if k != "type"}
    assert not validator.is_valid(untyped)
    assert not validator.is_valid({**entry["valid"], "type": "something_else"})


@pytest.mark.parametrize(("kind", "entry"), list(_samples()["inputs"].items()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_input_samples_agree_with_the_decoder(kind: str, entry: dict[str, Any]) -> None:
    """The published schema and the decoder agree on the samples."""
    record = decode_value(entry["topic"], entry["valid"])
    assert record.type == kind  # type: ignore[attr-defined]
    for bad in entry["invalid"]:
        with pytest.raises(RecordError):
            decode_value(entry["topic"], bad)


@pytest.mark.parametrize(("kind", "entry"), list(_samples()["outputs"].items()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_output_samples_agree_with_the_models(kind: str, entry: dict[str, Any]) -> None:
    model = _output_model(kind)
    record = model.model_validate(entry["valid"])
    assert record.id == entry["valid"]["id"]
