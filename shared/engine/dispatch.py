"""What each input record type does in the engine: one table keyed by record type.

The inputs are those of docs/events.md ("Inputs", the models of shared.events.inputs);
tests/engine/test_engine_dispatch.py fails when one of them has no entry here. Per type:
- `handler`: the `SymbolEngine` method that applies it (shared/engine/symbol.py);
- `window`: how a repeat of its id is recognised (docs/operations.md "Duplicates"): None,
  the id is kept for good (few records: corporate actions, registry, exercises, notices,
  ownership); else the field whose date keeps the id only while that date is open;
- `notice_date`: the field of the date whose Section 9 notice is due 20 days before (a
  record date or effective date), None where Section 9 asks for no notice.
Event time moves to the instant a record carries (`InputRecord.instant()`; a daily bar's is
its date's close, docs/contract.md "Event time").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from shared.events.inputs import INPUT_TOPICS, InputModel


@dataclass(frozen=True, slots=True)
class RecordKind:
    handler: str
    window: str | None = None
    notice_date: str | None = None


DISPATCH: dict[str, RecordKind] = {
    # market facts
    "quote": RecordKind("_quote", window="at"),
    "daily_bar": RecordKind("_daily_bar", window="date"),
    "listing": RecordKind("_listing"),
    "halt": RecordKind("_halt"),
    "appraisal": RecordKind("_appraisal"),
    "tick": RecordKind("_tick", window="at"),
    # Sections 4, 5, 9, 10: the warrant timeline
    "stock_split": RecordKind("_warrant_action", notice_date="effective"),
    "stock_dividend": RecordKind("_warrant_action", notice_date="record_date"),
    "dividend_abandoned": RecordKind("_warrant_action"),
    "distribution": RecordKind("_warrant_action", notice_date="record_date"),
    "issuance": RecordKind("_warrant_action"),
    "equivalents_issued": RecordKind("_warrant_action"),
    "equivalents_expired": RecordKind("_warrant_action"),
    "equivalents_repriced": RecordKind("_warrant_action"),
    "reorganization": RecordKind("_warrant_action", notice_date="effective"),
    "amendment": RecordKind("_warrant_action"),
    "warrant_issued": RecordKind("_registry"),
    "warrant_transferred": RecordKind("_registry"),
    # Sections 2, 6, 7, 12: exercises, deliveries, holder notices, ownership
    "exercise": RecordKind("_exercise"),
    "delivery": RecordKind("_delivery"),
    "waiver_notice": RecordKind("_waiver"),
    "default_notice": RecordKind("_default_notice"),
    "buy_in": RecordKind("_buy_in"),
    "holding": RecordKind("_holding"),
    "form4": RecordKind("_form4"),
    "shares_outstanding": RecordKind("_shares_outstanding"),
}


def record_type(model: type[InputModel]) -> str:
    """The `type` literal of an input model."""
    kind: str = get_args(model.model_fields["type"].annotation)[0]
    return kind


def input_types() -> set[str]:
    """Every input record type of docs/events.md, as the models name them."""
    return {record_type(m) for models in INPUT_TOPICS.values() for m in models}
