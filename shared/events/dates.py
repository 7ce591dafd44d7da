"""The dated fields of any input record, read generically (docs/contract.md "Time").

`outside_tables` names the first date or instant of a record that falls outside the Trading
Day tables as the engine reads it (an instant by its date in the terms' zone); `time_field`
names the field that gives a record its place in event time. Both take every input record:
the pydantic models of shared/events/inputs.py, read through their declared fields, and the
engine's quote (shared/events/quote.py), whose one instant is `at`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel

from shared.calendar.exchange import RANGE_END, RANGE_START
from shared.events.quote import Quote

__all__ = ["outside_tables", "time_field"]


def _may_hold_dates(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, date | BaseModel)  # a datetime is a date
    return any(_may_hold_dates(arg) for arg in get_args(annotation))


@cache
def _dated_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `model` that may hold a date or instant, directly or nested, in order
    (worked out once per record type: the check below runs on every record)."""
    return tuple(name for name, info in model.model_fields.items()
                 if _may_hold_dates(info.annotation))


def _dated_fields(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, date]]:
    for name in _dated_names(type(model)):
        value = getattr(model, name)
        if isinstance(value, date):
            yield prefix + name, value
        elif isinstance(value, BaseModel):
            yield from _dated_fields(value, f"{prefix}{name}.")
        elif isinstance(value, tuple):
            for n, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _dated_fields(item, f"{prefix}{name}.{n}.")


def _outside(name: str, value: date, zone: tzinfo) -> str | None:
    try:
        day = value.astimezone(zone).date() if isinstance(value, datetime) else value
    except (OverflowError, ValueError):
        day = date.min
    if RANGE_START <= day <= RANGE_END:
        return None
    return (f"{name}: {day.isoformat()} is outside the Trading Day tables, which cover "
            f"{RANGE_START.isoformat()} to {RANGE_END.isoformat()}")


def outside_tables(record: BaseModel | Quote, zone: tzinfo) -> str | None:
    """Which date or instant field of `record` falls outside the Trading Day tables, read as
    the engine reads it (an instant by its date in the terms' zone), or None
    (docs/contract.md "Time"; the decoder checks the date as written, shared/events/fields.py).
    """
    if isinstance(record, Quote):
        return _outside("at", record.at, zone)
    for name, value in _dated_fields(record):
        problem = _outside(name, value, zone)
        if problem is not None:
            return problem
    return None


def time_field(record: BaseModel | Quote) -> str:
    """The name of the field that gives the record its place in event time (else `record`)."""
    if isinstance(record, Quote):
        return "at"
    for name, value in record:
        if isinstance(value, datetime | date):
            return name
    return "record"
