"""Output records of docs/events.md, one frozen model per `type`.

Every output id is derived from the ids of the inputs that caused it (`output_id`), so a
replay or a redelivery yields the same ids and downstream can de-duplicate.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.events.fields import (
    RECORD_CONFIG,
    Cash,
    Day,
    Dec,
    Instant,
    Price,
    ShareNumber,
    StockShares,
)


def output_id(kind: str, *parts: object) -> str:
    """A deterministic id: the output type and the causing inputs' ids, readable when short."""
    text = ":".join(str(p) for p in parts)
    if len(text) > 160:
        text = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return f"{kind}:{text}"


def _type_required(schema: dict[str, Any]) -> None:
    """Every published output schema requires `type` (it has a default in the model)."""
    required = schema.setdefault("required", [])
    if "type" in schema.get("properties", {}) and "type" not in required:
        required.insert(0, "type")


class OutputRecord(BaseModel):
    model_config = ConfigDict(**RECORD_CONFIG, json_schema_extra=_type_required)
    id: str
    symbol: str


class SeriesRecord(OutputRecord):
    """An output about the warrants of one series (docs/events.md "Series"): `series` names
    it (the terms' `warrant.series`, docs/terms-format.md), right after `symbol`."""

    series: str | None = None


class MarketValue(OutputRecord):
    """Section 8 Per Share Market Value of `date`, with the tier and the price it came from."""

    type: Literal["market_value"] = "market_value"
    date: Day
    value: Price
    tier: Literal["a", "b", "c", "d"]
    source_date: Day
    approximate: bool
    basis: str
    venue: str
    source_age_trading_days: int | None = None
    warning: str | None = None


class _AdjustmentFields(SeriesRecord):
    warrant: str
    cause_id: str
    section: str
    effective_at: Instant
    price_before: Price
    price_after: Price
    shares_before: ShareNumber
    shares_after: ShareNumber
    calculation: str


class Adjustment(_AdjustmentFields):
    """Section 5 notice of an adjustment under Section 4."""

    type: Literal["adjustment"] = "adjustment"


class AdjustmentDeferred(_AdjustmentFields):
    """A share-number adjustment under 1% carried forward (4(g)(ii)); not a Section 5 notice."""

    type: Literal["adjustment_deferred"] = "adjustment_deferred"


class AdjustmentNotRequired(SeriesRecord):
    """An event Section 4 looked at that adjusts nothing, and why (docs/decisions.md): a cash
    dividend out of earnings (4(c)(i)), an issuance not below the Warrant Price (4(d), 4(e)),
    equivalents converted in full (4(d)(ii)), a dividend abandoned before its record date
    (4(g)(iv)). Not a Section 5 notice: the terms in force are stated unchanged."""

    type: Literal["adjustment_not_required"] = "adjustment_not_required"
    warrant: str
    cause_id: str
    section: str
    effective_at: Instant
    warrant_price: Dec
    share_number: Dec
    reason: str


class AdjustmentRescinded(SeriesRecord):
    """An earlier adjustment rescinded and annulled (4(f), 4(g)(iv)) or corrected."""

    type: Literal["adjustment_rescinded"] = "adjustment_rescinded"
    warrant: str
    cause_id: str
    price_after: Price
    shares_after: ShareNumber
    calculation: str


class BasketLine(BaseModel):
    model_config = RECORD_CONFIG
    asset: str
    per_share: Price
    total: Price


class Settlement(SeriesRecord):
    """An exercise settled (Sections 2, 6): shares, cash in lieu, payment, the remainder."""

    type: Literal["settlement"] = "settlement"
    exercise_id: str
    warrant: str
    holder: str
    effective_at: Instant
    warrant_price: Price
    market_value: Price | None = None
    shares_exercised: ShareNumber
    cash_shares: ShareNumber
    cashless_shares: ShareNumber
    shares_issued: StockShares
    cash_in_lieu: Cash
    payment_due: Cash
    shares_remaining: ShareNumber
    delivery_due: Day
    basket: tuple[BasketLine, ...] | None = None
    calculation: str


class RefusalReason(StrEnum):
    """Why an exercise was refused; each code has a sentence a holder understands."""

    CAP = "cap"
    NOT_YET_EXERCISABLE = "not_yet_exercisable"
    EXPIRED = "expired"
    EXCEEDS_WARRANT = "exceeds_warrant"
    CASHLESS_OUT_OF_MONEY = "cashless_out_of_money"
    CASHLESS_NOT_ALLOWED = "cashless_not_allowed"
    UNKNOWN_WARRANT = "unknown_warrant"
    WRONG_HOLDER = "wrong_holder"
    UNKNOWN_HOLDER = "unknown_holder"
    DUPLICATE = "duplicate"
    NO_MARKET_VALUE = "no_market_value"
    NO_SHARES_OUTSTANDING = "no_shares_outstanding"
    WARRANT_EXHAUSTED = "warrant_exhausted"


class ExerciseRefused(SeriesRecord):
    type: Literal["exercise_refused"] = "exercise_refused"
    exercise_id: str
    warrant: str
    reason: RefusalReason
    detail: str
    max_shares: ShareNumber | None = None


class ExerciseDefault(SeriesRecord):
    """Section 2(d) Exercise Default: shares not delivered within the Trading Days allowed."""

    type: Literal["exercise_default"] = "exercise_default"
    exercise_id: str
    warrant: str
    holder: str
    delivery_due: Day
    deadline: Instant
    detected_at: Instant
    shares_undelivered: StockShares


class RightsRestored(SeriesRecord):
    type: Literal["rights_restored"] = "rights_restored"
    exercise_id: str
    warrant: str
    shares_restored: ShareNumber
    effective_at: Instant


class BuyInDamages(SeriesRecord):
    type: Literal["buy_in_damages"] = "buy_in_damages"
    exercise_id: str
    amount: Cash
    calculation: str


class CapHeadroom(SeriesRecord):
    """Section 7: the holder's live headroom under the ownership cap."""

    type: Literal["cap_headroom"] = "cap_headroom"
    holder: str
    as_of: Instant
    owned: StockShares
    outstanding: StockShares
    cap: Dec
    max_additional_shares: StockShares
    waived: bool
    calculation: str


class LateIssuerNotice(OutputRecord):
    type: Literal["late_issuer_notice"] = "late_issuer_notice"
    cause_id: str
    required_by: Day
    announced_at: Instant | None
    days_short: int


class AmendmentRefused(SeriesRecord):
    type: Literal["amendment_refused"] = "amendment_refused"
    cause_id: str
    reason: str


class AdjustmentRejected(SeriesRecord):
    type: Literal["adjustment_rejected"] = "adjustment_rejected"
    cause_id: str
    reason: str


class UnmatchedReportingOwner(OutputRecord):
    """A Form 4 whose reporting owner is no warrant holder's id: the holding is kept, but it
    counts for no warrant under Section 7 until the mapping is fixed (docs/contract.md)."""

    type: Literal["unmatched_reporting_owner"] = "unmatched_reporting_owner"
    cause_id: str
    holder: str
    reason: str


class DeadLetter(OutputRecord):
    """A message that could not be used, bounded (shared.events.letters; docs/operations.md
    "Bad input"): `raw` at most 16 KiB of its text (`raw_truncated` when cut), `raw_size`
    and `raw_sha256` of the whole message as received, `reason` naming the field and the rule
    (printable ASCII, at most 300 characters)."""

    type: Literal["dead_letter"] = "dead_letter"
    topic: str
    raw: str
    reason: str
    raw_size: int | None = None
    raw_sha256: str | None = None
    raw_truncated: bool = False


OUTPUT_TOPICS: dict[str, tuple[type[OutputRecord], ...]] = {
    "market-values": (MarketValue,),
    "adjustment-notices": (Adjustment, AdjustmentDeferred, AdjustmentRescinded,
                           AdjustmentNotRequired),
    "exercise-settlements": (Settlement, ExerciseRefused),
    "exercise-default-alerts": (ExerciseDefault, RightsRestored, BuyInDamages),
    "cap-status": (CapHeadroom,),
    "compliance-alerts": (LateIssuerNotice, AmendmentRefused, AdjustmentRejected,
                          UnmatchedReportingOwner),
    "dead-letters": (DeadLetter,),
}

TOPIC_OF_OUTPUT: dict[str, str] = {
    model.model_fields["type"].default: topic
    for topic, models in OUTPUT_TOPICS.items()
    for model in models
}


class DerivedHolding(OutputRecord):
    """A `holding` derived from an SEC Form 4 (docs/contract.md "Ownership input").

    The same fields as the input `holding`, so the line can be fed back as input; the id
    (`<form4 id>:holding:<n>`) names the filing it came from.
    """

    type: Literal["holding"] = "holding"
    holder: str
    as_of: Instant
    shares: StockShares


OUTPUT_TOPICS["holdings"] = (DerivedHolding,)
TOPIC_OF_OUTPUT["holding"] = "holdings"
