"""Input records of docs/events.md, one frozen model per `type`.

Every date and instant is within the Trading Day tables (`TableDay`, `TableInstant`, in
shared/events/fields.py). Field rules beyond the types: bid <= ask; an exercise names at
least one share; a stock dividend is paid on or after its record date. Unknown fields are
refused (a misspelt `cashless_share` must not be silently ignored).

A quote in the engine is not one of these models but the msgspec Struct
`shared.events.quote.Quote` (docs/events.md "Decoding a quote"); its pydantic model here,
`QuoteRules`, holds its rules for the reasons of refused quotes and the JSON Schema export.
`InputRecord` is either: a model of this module or a `Quote`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from shared.events.fields import (
    RECORD_CONFIG,
    Document,
    NonNegativeDec,
    PositiveDec,
    TableDay,
    TableInstant,
    Text,
)
from shared.events.quote import Quote as Quote  # the engine's quote, re-exported
from shared.venues import Venue


class NoticeDelivery(StrEnum):
    """How a notice or exercise form was delivered (Section 12)."""

    FAX = "fax"
    COURIER = "courier"
    HAND = "hand"


class DistributionKind(StrEnum):
    CASH = "cash"
    DEBT = "debt"
    PROPERTY = "property"
    RIGHTS = "rights"
    SECURITIES = "securities"


class AppraiserSelectedBy(StrEnum):
    MAJORITY_HOLDERS = "majority_holders"
    ISSUER = "issuer"


class DeliveryChannel(StrEnum):
    DWAC = "DWAC"
    CERTIFICATE = "certificate"


class InputModel(BaseModel):
    """Every input carries `type`, `id` (unique per input) and `symbol` (the Kafka key)."""

    model_config = RECORD_CONFIG
    if TYPE_CHECKING:
        type: str  # each model's own `Literal` field
    id: Text
    symbol: Text

    def instant(self) -> dt.datetime | None:
        """The event-time instant this record carries, if any (it advances event time)."""
        return None


class CorporateAction(InputModel):
    """An Issuer event on the corporate-actions topic; `announced_at` is its Section 9 notice."""

    announced_at: TableInstant | None = None

    def instant(self) -> dt.datetime | None:
        return self.announced_at

    def action_date(self) -> dt.date:
        """The date on which the action occurs (its record, effective or issue date)."""
        raise NotImplementedError


# --- quotes ------------------------------------------------------------------------------


class QuoteRules(InputModel):
    # The rules of a `quote`, and its JSON Schema (no docstring: it would become the schema's
    # description); the engine's record is `shared.events.quote.Quote`, made by `record()`.
    model_config = ConfigDict(**RECORD_CONFIG, title="Quote")
    type: Literal["quote"]
    at: TableInstant
    bid: PositiveDec | None = None
    ask: PositiveDec | None = None
    last: PositiveDec | None = None
    volume: NonNegativeDec | None = None

    @model_validator(mode="after")
    def _prices(self) -> QuoteRules:
        if self.bid is None and self.ask is None and self.last is None:
            raise ValueError("a quote needs at least one of bid, ask, last")
        if self.bid is not None and self.ask is not None and self.bid > self.ask:
            raise ValueError(f"bid {self.bid} is above ask {self.ask}")
        return self

    def instant(self) -> dt.datetime | None:
        return self.at

    def record(self) -> Quote:
        """The engine's quote of these validated values."""
        return Quote(self.type, self.id, self.symbol, self.at, self.bid, self.ask, self.last,
                     self.volume)


class DailyBar(InputModel):
    """A last-sale daily close: a PSMV taken from it is marked approximate."""

    type: Literal["daily_bar"]
    date: TableDay
    close: PositiveDec
    volume: NonNegativeDec | None = None


# --- corporate actions -------------------------------------------------------------------


class Listing(CorporateAction):
    type: Literal["listing"]
    effective: TableDay
    venue: Venue

    def action_date(self) -> dt.date:
        return self.effective


class Halt(CorporateAction):
    type: Literal["halt"]
    date: TableDay

    def action_date(self) -> dt.date:
        return self.date


class StockSplit(CorporateAction):
    """A holder of `old` shares holds `new`: 2-for-1 is new 2 old 1; 1-for-4 is new 1 old 4."""

    type: Literal["stock_split"]
    effective: TableDay
    new: PositiveDec
    old: PositiveDec

    def action_date(self) -> dt.date:
        return self.effective


class StockDividend(CorporateAction):
    type: Literal["stock_dividend"]
    record_date: TableDay
    payment_date: TableDay
    rate: PositiveDec

    @model_validator(mode="after")
    def _dates(self) -> StockDividend:
        if self.payment_date < self.record_date:
            raise ValueError("payment_date is before record_date")
        return self

    def action_date(self) -> dt.date:
        """4(b)(i): setting the record date is the event; it is made as of close of business
        on the record date (docs/contract.md "Adjustments")."""
        return self.record_date


class DividendAbandoned(CorporateAction):
    type: Literal["dividend_abandoned"]
    dividend_id: Text
    date: TableDay | None = None

    def action_date(self) -> dt.date:
        return self.date or dt.date.min


class Distribution(CorporateAction):
    type: Literal["distribution"]
    record_date: TableDay
    kind: DistributionKind
    value_per_share: PositiveDec
    out_of_earnings: StrictBool = False

    def action_date(self) -> dt.date:
        return self.record_date


class Issuance(CorporateAction):
    type: Literal["issuance"]
    date: TableDay
    shares: PositiveDec
    consideration: NonNegativeDec
    outstanding_before: PositiveDec

    def action_date(self) -> dt.date:
        return self.date


class EquivalentsIssued(CorporateAction):
    type: Literal["equivalents_issued"]
    date: TableDay
    equivalents_id: Text
    max_shares: PositiveDec
    consideration: NonNegativeDec
    outstanding_before: PositiveDec

    def action_date(self) -> dt.date:
        return self.date


class EquivalentsExpired(CorporateAction):
    type: Literal["equivalents_expired"]
    date: TableDay
    equivalents_id: Text
    converted_shares: NonNegativeDec
    consideration_received: NonNegativeDec

    def action_date(self) -> dt.date:
        return self.date


class EquivalentsRepriced(CorporateAction):
    """4(f)(ii): the consideration per share rose by the equivalents' own terms."""

    type: Literal["equivalents_repriced"]
    date: TableDay
    equivalents_id: Text
    consideration: NonNegativeDec

    def action_date(self) -> dt.date:
        return self.date


class BasketItem(BaseModel):
    model_config = RECORD_CONFIG
    asset: Text
    per_share: NonNegativeDec


class Reorganization(CorporateAction):
    type: Literal["reorganization"]
    effective: TableDay
    basket: tuple[BasketItem, ...] = Field(min_length=1)
    assumed: StrictBool = False

    def action_date(self) -> dt.date:
        return self.effective


class SharesOutstanding(CorporateAction):
    type: Literal["shares_outstanding"]
    as_of: TableInstant
    shares: PositiveDec

    def instant(self) -> dt.datetime | None:
        return self.as_of

    def action_date(self) -> dt.date:
        return self.as_of.date()


class Appraisal(CorporateAction):
    type: Literal["appraisal"]
    date: TableDay
    value: PositiveDec
    selected_by: AppraiserSelectedBy

    def action_date(self) -> dt.date:
        return self.date


class AmendmentChanges(BaseModel):
    model_config = RECORD_CONFIG
    warrant_price: PositiveDec | None = None
    share_number: PositiveDec | None = None
    expires_at: TableInstant | None = None


class Amendment(CorporateAction):
    type: Literal["amendment"]
    effective: TableDay
    changes: AmendmentChanges
    majority_holders_consent: StrictBool
    consenting_holders: tuple[Text, ...] = ()
    warrants: tuple[Text, ...] | None = None
    series: Text | None = None  # the warrant series amended; required with several series

    def action_date(self) -> dt.date:
        return self.effective


# --- registry, holdings, exercises, deliveries, holder notices, clock ---------------------


class WarrantIssued(InputModel):
    type: Literal["warrant_issued"]
    warrant: Text
    holder: Text
    shares: PositiveDec
    series: Text | None = None  # the warrant's series; required with several series


class WarrantTransferred(InputModel):
    type: Literal["warrant_transferred"]
    warrant: Text
    to_holder: Text
    shares: PositiveDec
    new_warrant: Text


class Holding(InputModel):
    type: Literal["holding"]
    holder: Text
    as_of: TableInstant
    shares: NonNegativeDec

    def instant(self) -> dt.datetime | None:
        return self.as_of


class Form4(InputModel):
    type: Literal["form4"]
    xml: Document


class Exercise(InputModel):
    type: Literal["exercise"]
    warrant: Text
    holder: Text
    submitted_at: TableInstant
    delivery: NoticeDelivery
    cash_shares: NonNegativeDec = Decimal(0)
    cashless_shares: NonNegativeDec = Decimal(0)

    @model_validator(mode="after")
    def _some_shares(self) -> Exercise:
        if self.cash_shares + self.cashless_shares <= 0:
            raise ValueError("an exercise needs cash_shares or cashless_shares above zero")
        return self

    def instant(self) -> dt.datetime | None:
        return self.submitted_at


class Delivery(InputModel):
    type: Literal["delivery"]
    exercise_id: Text
    delivered_at: TableInstant
    shares: PositiveDec
    channel: DeliveryChannel

    def instant(self) -> dt.datetime | None:
        return self.delivered_at


class WaiverNotice(InputModel):
    type: Literal["waiver_notice"]
    warrant: Text
    holder: Text
    submitted_at: TableInstant
    delivery: NoticeDelivery
    shares: PositiveDec | None = None

    def instant(self) -> dt.datetime | None:
        return self.submitted_at


class DefaultNotice(InputModel):
    type: Literal["default_notice"]
    exercise_id: Text
    submitted_at: TableInstant
    delivery: NoticeDelivery

    def instant(self) -> dt.datetime | None:
        return self.submitted_at


class BuyIn(InputModel):
    type: Literal["buy_in"]
    exercise_id: Text
    paid: NonNegativeDec
    net_proceeds: NonNegativeDec


class Tick(InputModel):
    type: Literal["tick"]
    at: TableInstant

    def instant(self) -> dt.datetime | None:
        return self.at


InputRecord: TypeAlias = InputModel | Quote
"""An input record as the engine receives it."""

INPUT_TOPICS: dict[str, tuple[type[InputModel], ...]] = {
    "quotes": (QuoteRules, DailyBar),
    "corporate-actions": (
        Listing, Halt, StockSplit, StockDividend, DividendAbandoned, Distribution, Issuance,
        EquivalentsIssued, EquivalentsExpired, EquivalentsRepriced, Reorganization,
        SharesOutstanding, Appraisal, Amendment,
    ),
    "registry": (WarrantIssued, WarrantTransferred),
    "holdings": (Holding, Form4),
    "exercises": (Exercise,),
    "deliveries": (Delivery,),
    "holder-notices": (WaiverNotice, DefaultNotice, BuyIn),
    "clock": (Tick,),
}

AnyInput = Annotated[
    QuoteRules | DailyBar | Listing | Halt | StockSplit | StockDividend | DividendAbandoned
    | Distribution | Issuance | EquivalentsIssued | EquivalentsExpired | EquivalentsRepriced
    | Reorganization | SharesOutstanding | Appraisal | Amendment | WarrantIssued
    | WarrantTransferred | Holding | Form4 | Exercise | Delivery | WaiverNotice | DefaultNotice
    | BuyIn | Tick,
    Field(discriminator="type"),
]
