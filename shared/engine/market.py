"""Closing quotes in, `market_value` records out (Section 8 Per Share Market Value).

A date's PSMV is published once event time passes that date's close for the venue in force;
a quote for a date whose value is already published is refused as late (the published value
stands, and settlements may already rest on it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from shared.calendar import TradingCalendar
from shared.errors import CalendarRangeError, MarketValueUnavailable, RecordError
from shared.events.inputs import Appraisal, DailyBar, Quote
from shared.events.outputs import MarketValue, OutputRecord, output_id
from shared.market_value import (
    AppraisalValue,
    MarketValueResult,
    PriceHistory,
    ShareChange,
)
from shared.terms import Terms
from shared.venues import Venue


class MarketBook:
    """Prices of one symbol and which dates' market values are published."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.history = PriceHistory()
        self.pending: set[date] = set()
        self.published: dict[date, MarketValueResult] = {}

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.terms.zone).date()

    def quote(self, q: Quote, calendar: TradingCalendar, day: date | None = None, *,
              newest: bool = False) -> datetime | None:
        """A quote of `day` (its local date; worked out when not given) toward that date's
        closing bid and ask; `newest`: it is at or after every instant recorded so far
        (`PriceHistory.record_quote`). Returns the close of `day` when the quote made that
        date pending (the caller's next due instant may move earlier), else None."""
        if day is None:
            day = self.local_date(q.at)
        try:
            close = calendar.close_on(day)
        except CalendarRangeError as exc:
            raise RecordError(f"at: {exc}") from None
        if close is None:
            return None  # not a Trading Day: no closing quote of any date
        if q.at > close:
            return None  # after the close: does not change that date's closing quote
        if day in self.published:
            raise RecordError(
                f"late quote: the Per Share Market Value of {day.isoformat()} was published "
                f"when event time passed its close ({close.isoformat()}); it stands"
            )
        self.history.record_quote(day, q.at, q.bid, q.ask, q.last, newest=newest)
        pending = self.pending
        if day in pending:
            return None
        pending.add(day)
        return close

    def daily_bar(self, bar: DailyBar, calendar: TradingCalendar) -> None:
        try:
            trading = calendar.is_trading_day(bar.date)
        except CalendarRangeError as exc:
            raise RecordError(f"date: {exc}") from None
        if not trading:
            raise RecordError(f"date: {bar.date.isoformat()} is not a Trading Day")
        if bar.date in self.published:
            raise RecordError(f"late daily bar: the PSMV of {bar.date.isoformat()} is published")
        self.history.record_last_sale(bar.date, bar.close, f"daily bar {bar.id}",
                                      calendar.close_time(bar.date))
        self.pending.add(bar.date)

    def appraisal(self, a: Appraisal, calendar: TradingCalendar) -> list[OutputRecord]:
        self.history.record_appraisal(AppraisalValue(a.date, a.value, a.selected_by.value, a.id))
        if calendar.venue_on(a.date).market_value_tier != "d":
            return []
        try:
            result = self.value_of(a.date, calendar)
        except MarketValueUnavailable:
            return []  # an Issuer's appraisal before the Majority Holders' one
        return [self._record(result, f"{a.date.isoformat()}:{a.id}")]

    def share_change(self, change: ShareChange) -> None:
        self.history.record_change(change)

    def value_of(self, day: date, calendar: TradingCalendar) -> MarketValueResult:
        """Section 8 PSMV of `day` from what is known now."""
        venue = calendar.venue_on(day)
        period: tuple[date, ...] = ()
        if venue is Venue.PINK_UNREPORTED:
            period = calendar.trading_days_ending(day, self.terms.conversion_period_trading_days)
        result = self.history.per_share_market_value(
            day, venue, conversion_period=period,
            last_sale_stands_in=self.terms.last_sale_stands_in,
        )
        return self._aged(result, calendar)

    def _aged(self, result: MarketValueResult, calendar: TradingCalendar) -> MarketValueResult:
        """The age of the price in Trading Days (a price from the nearest preceding date may
        be months old), in the record and its basis; past the terms' threshold, a warning
        (docs/decisions.md). An appraisal (tier (d)) is not a closing price: no age."""
        if result.tier == "d":
            return result
        try:
            age = calendar.trading_days_between(result.source_date, result.date)
        except CalendarRangeError:
            return result
        basis = result.basis
        if age > 0:
            basis += (f"; the price is from {result.source_date.isoformat()}, {age} Trading "
                      f"Day{'s' if age > 1 else ''} before {result.date.isoformat()}")
        limit = self.terms.stale_after_trading_days
        warning = None
        if age > limit:
            warning = (f"stale: the price is {age} Trading Days old, more than the {limit} of "
                       "the terms (market_value.stale_after_trading_days); the text takes the "
                       "nearest preceding date however far back, so check the feed")
        return replace(result, basis=basis, source_age_trading_days=age, warning=warning)

    def next_close(self, calendar: TradingCalendar) -> datetime | None:
        """The earliest close among dates whose PSMV is not yet published."""
        if not self.pending:
            return None
        return calendar.close_time(min(self.pending))

    def publish_due(self, now: datetime, calendar: TradingCalendar, *,
                    inclusive: bool = False) -> list[OutputRecord]:
        """Publish the PSMV of every pending date whose close event time has passed."""
        due = sorted(d for d in self.pending
                     if calendar.close_time(d) < now
                     or (inclusive and calendar.close_time(d) == now))
        out: list[OutputRecord] = []
        for day in due:
            self.pending.discard(day)
            try:
                result = self.value_of(day, calendar)
            except MarketValueUnavailable:
                continue  # e.g. only an ask on a tier (b) date: nothing to publish
            self.published[day] = result
            out.append(self._record(result, day.isoformat()))
        return out

    def _record(self, result: MarketValueResult, key: str) -> MarketValue:
        return MarketValue(
            id=output_id("market_value", self.terms.symbol, key),
            symbol=self.terms.symbol,
            date=result.date,
            value=result.value,
            tier=result.tier,
            source_date=result.source_date,
            approximate=result.approximate,
            basis=result.basis,
            venue=result.venue.value,
            source_age_trading_days=result.source_age_trading_days,
            warning=result.warning,
        )


