"""One symbol's engine: event time, the Trading Day calendar, prices and the warrants.

Event time is the latest instant seen (a `tick`, or any record that carries an instant);
a daily bar counts as published just after its date's close. Whatever becomes due when event
time passes an instant (a date's closing price, a settlement waiting for its PSMV, a delivery
deadline) is emitted then, in instant order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.calendar import TradingCalendar
from shared.engine.market import MarketBook
from shared.engine.warrants import WarrantDesk, is_warrant_action
from shared.errors import RecordError
from shared.events.inputs import (
    Amendment,
    Appraisal,
    CorporateAction,
    DailyBar,
    DividendAbandoned,
    Halt,
    InputRecord,
    Listing,
    Quote,
    StockDividend,
    StockSplit,
    Tick,
    WarrantIssued,
    WarrantTransferred,
)
from shared.events.outputs import OutputRecord
from shared.market_value import ShareChange
from shared.numbers import div
from shared.terms import Terms
from shared.warrant.amendments import section10_problem
from shared.warrant.state import Book

Handler = Callable[[Any], list[OutputRecord]]


class SymbolEngine:
    """The state of everything watched for one symbol, advanced one record at a time."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.calendar = TradingCalendar(terms)
        self.now: datetime | None = None
        self.market = MarketBook(terms)
        self.desk = WarrantDesk(terms, self.market_value, self.amendment_problem)
        self.seen: dict[str, set[str]] = {}
        self._handlers: dict[str, Handler] = {
            "quote": self._quote,
            "daily_bar": self._daily_bar,
            "listing": self._listing,
            "halt": self._halt,
            "appraisal": self._appraisal,
            "tick": self._tick,
            "warrant_issued": self._registry,
            "warrant_transferred": self._registry,
        }

    # --- entry -----------------------------------------------------------------------------

    def process(self, topic: str, record: InputRecord) -> list[OutputRecord]:
        kind: str = record.type  # type: ignore[attr-defined]
        seen = self.seen.setdefault(topic, set())
        if record.id in seen:
            raise RecordError(f"duplicate id {record.id!r} on topic {topic!r}: "
                              "already applied once")
        handler = self._handlers.get(kind)
        if handler is None and is_warrant_action(record):
            handler = self._warrant_action
        if handler is None:
            raise RecordError(f"record type {kind!r} is not handled yet by this engine")
        out: list[OutputRecord] = []
        instant = self._instant_of(record)
        if instant is not None and (self.now is None or instant > self.now):
            out.extend(self._advance(instant))
        out.extend(handler(record))
        seen.add(record.id)
        return out

    def _instant_of(self, record: InputRecord) -> datetime | None:
        if isinstance(record, DailyBar):
            # a daily bar is published after its date's close
            return self.calendar.close_time(record.date) + timedelta(microseconds=1) \
                if self.calendar.is_trading_day(record.date) else None
        return record.instant()

    def _advance(self, instant: datetime) -> list[OutputRecord]:
        """Event time moves to `instant`: emit what fell due, in the order it fell due.

        A date's close is due once event time passes it; a scheduled corporate action once
        event time reaches its instant (close of business).
        """
        out: list[OutputRecord] = []
        while True:
            close = self.market.next_close(self.calendar)
            action = self.desk.next_scheduled()
            if close is not None and close < instant and (action is None or close <= action):
                self.now = close
                out.extend(self.market.publish_due(close, self.calendar, inclusive=True))
            elif action is not None and action <= instant:
                self.now = action
                out.extend(self.desk.advance(action))
            else:
                break
        self.now = instant
        return out

    # --- quotes and market facts -----------------------------------------------------------

    def _quote(self, q: Quote) -> list[OutputRecord]:
        self.market.quote(q, self.calendar, self.now)
        if self.terms.count_only_observed_trading and q.volume and q.volume > 0:
            self.calendar = self.calendar.with_observed_trading(self.market.local_date(q.at))
        return []

    def _daily_bar(self, bar: DailyBar) -> list[OutputRecord]:
        self.market.daily_bar(bar, self.calendar, self.now)
        if self.terms.count_only_observed_trading and bar.volume and bar.volume > 0:
            self.calendar = self.calendar.with_observed_trading(bar.date)
        return []

    def _listing(self, listing: Listing) -> list[OutputRecord]:
        self.calendar = self.calendar.with_listing(listing.effective, listing.venue)
        return []

    def _halt(self, halt: Halt) -> list[OutputRecord]:
        self.calendar = self.calendar.with_halt(halt.date)
        return []

    def _appraisal(self, appraisal: Appraisal) -> list[OutputRecord]:
        return self.market.appraisal(appraisal, self.calendar)

    def _tick(self, tick: Tick) -> list[OutputRecord]:
        return []

    # --- warrants: Sections 4, 5, 10 ---------------------------------------------------------

    def _warrant_action(self, action: CorporateAction) -> list[OutputRecord]:
        if isinstance(action, StockSplit):
            self.market.share_change(ShareChange(action.effective, div(action.old, action.new),
                                                 action.id))
        elif isinstance(action, StockDividend):
            self.market.share_change(ShareChange(action.payment_date,
                                                 div(Decimal(1), 1 + action.rate), action.id))
        elif isinstance(action, DividendAbandoned):
            self.market.history.remove_change(action.dividend_id)
        return self.desk.corporate_action(action, self.now)

    def _registry(self, record: WarrantIssued | WarrantTransferred) -> list[OutputRecord]:
        return self.desk.registry(record, self.now)

    def market_value(self, day: date) -> Decimal:
        """Section 8 PSMV of `day` from what is known now (MarketValueUnavailable if none)."""
        return self.market.value_of(day, self.calendar).value

    def amendment_problem(self, amendment: Amendment, book: Book) -> str | None:
        """Section 10: why an amendment cannot bind, or None."""
        return section10_problem(amendment, book, self.terms)

    # --- queries used by the other parts ---------------------------------------------------

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.terms.zone).date()
