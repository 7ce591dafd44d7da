"""`warrantwatch schema DIR`: a JSON Schema file per record type of docs/events.md."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Literal

from shared.events.inputs import INPUT_TOPICS
from shared.events.outputs import OUTPUT_TOPICS


def schemas() -> dict[str, dict[str, Any]]:
    """Record type name -> its JSON Schema, with the topic it travels on."""
    out: dict[str, dict[str, Any]] = {}
    for direction, table in (("input", INPUT_TOPICS), ("output", OUTPUT_TOPICS)):
        mode: Literal["validation", "serialization"] = (
            "validation" if direction == "input" else "serialization")
        for topic, models in table.items():
            for model in models:
                schema = model.model_json_schema(mode=mode)
                kind = schema["properties"]["type"].get("const") or schema["properties"]["type"][
                    "enum"
                ][0]
                schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
                schema["x-topic"] = topic
                schema["x-direction"] = direction
                if kind in out:  # an output that is also an input (a Form 4 `holding`)
                    out[kind]["x-also-output"] = True
                    continue
                out[kind] = schema
    return out


def run(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    target.mkdir(parents=True, exist_ok=True)
    for kind, schema in sorted(schemas().items()):
        path = target / f"{kind}.schema.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(schemas())} schemas to {target}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="write a JSON Schema per record type into DIR")
    p.add_argument("dir", help="directory to write <type>.schema.json files into")
    p.set_defaults(func=run)
