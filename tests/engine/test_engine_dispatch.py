"""The engine's dispatch table (shared/engine/dispatch.py) covers every input of docs/events.md.

tests/events/test_events_md.py ties docs/events.md's Inputs table to the models of
shared.events.inputs; this ties the models to the table, so a new input type without an
entry (no handler, no de-duplication rule, no Section 9 rule) fails here.
"""

from __future__ import annotations

import typing
from datetime import date, datetime

import pytest

from shared.engine.dispatch import DISPATCH, input_types, record_type
from shared.engine.symbol import SymbolEngine
from shared.events.inputs import INPUT_TOPICS, AnyInput, InputRecord
from shared.terms import load_terms

MODELS: dict[str, type[InputRecord]] = {
    record_type(m): m for models in INPUT_TOPICS.values() for m in models}


def test_every_input_type_has_an_entry_and_no_entry_is_extra() -> None:
    assert set(DISPATCH) == input_types()
    union = typing.get_args(typing.get_args(AnyInput)[0])
    assert {record_type(m) for m in union} == set(DISPATCH)


@pytest.mark.parametrize("kind", sorted(DISPATCH))
def test_each_entry_names_a_handler_and_dated_fields(kind: str) -> None:
    entry = DISPATCH[kind]
    engine = SymbolEngine(load_terms())
    assert callable(getattr(engine, entry.handler))
    fields = MODELS[kind].model_fields
    for name in (entry.window, entry.notice_date):
        if name is None:
            continue
        annotation = fields[name].annotation
        kinds = {a for a in (annotation, *typing.get_args(annotation)) if isinstance(a, type)}
        assert kinds & {date, datetime}, f"{kind}.{name} is not a date or instant"


def test_section9_dates_are_those_of_docs_contract() -> None:
    """Section 9: 20 days' notice of the record date of a dividend or distribution and of
    the effective date of a split or reorganization; nothing else."""
    with_notice = {k: e.notice_date for k, e in DISPATCH.items() if e.notice_date is not None}
    assert with_notice == {"stock_split": "effective", "stock_dividend": "record_date",
                           "distribution": "record_date", "reorganization": "effective"}
