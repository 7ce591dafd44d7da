"""The event contract of docs/events.md as typed, immutable records.

Inputs (`shared.events.inputs`) and outputs (`shared.events.outputs`) are frozen pydantic
models with strict field rules (`shared.events.fields`); `shared.events.codec` turns wire text
into records (or a precise `RecordError`) and records into canonical JSON.
"""
