"""Per Share Market Value (Section 8), tiers (a) to (d), from the closing quotes of each date.

- The closing bid (ask) of a date is the last bid (ask) quoted that date at or before the
  market's close for the stock's venue; a later quote does not change it.
- (a) Nasdaq or a national exchange: mean of the closing bid and ask on the date, else on the
  nearest preceding date that has both.
- (b) OTC Bulletin Board / NQB (Pink Sheets): the closing bid (nearest preceding if none).
- (c) Not reported by OTCBB or NQB: mean of the Pink Sheet closing bids over the holder's
  conversion period (the Trading Days ending on the date that have one).
- (d) Not publicly traded: the Independent Appraiser's value; if the Issuer then selects a
  second appraiser, the mean of the two.
- A price from before a split, combination or stock dividend, used for a later date, is
  adjusted by that event's ratio ("appropriately adjusted for ... stock splits").
- A last-sale close may stand in where no bid/ask exists, marked approximate with its basis.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal

from shared.errors import MarketValueUnavailable
from shared.numbers import ONE, div, mul, show
from shared.venues import Venue

TWO = Decimal(2)


@dataclass(frozen=True, slots=True, init=False)
class DayPrices:
    """What is known of one date's close: closing bid and ask, and a last-sale close.

    Built once per quote that changes it (`PriceHistory.record_quote`), so its constructor
    writes the slots directly: the frozen dataclass's own would call `object.__setattr__`
    once per field, three times the cost (docs/operations.md "Throughput")."""

    bid: Decimal | None
    bid_at: datetime | None
    ask: Decimal | None
    ask_at: datetime | None
    last_sale: Decimal | None
    last_sale_at: datetime | None
    last_sale_basis: str

    def __init__(self, bid: Decimal | None = None, bid_at: datetime | None = None,
                 ask: Decimal | None = None, ask_at: datetime | None = None,
                 last_sale: Decimal | None = None, last_sale_at: datetime | None = None,
                 last_sale_basis: str = "") -> None:
        _SET_BID(self, bid)
        _SET_BID_AT(self, bid_at)
        _SET_ASK(self, ask)
        _SET_ASK_AT(self, ask_at)
        _SET_LAST_SALE(self, last_sale)
        _SET_LAST_SALE_AT(self, last_sale_at)
        _SET_LAST_SALE_BASIS(self, last_sale_basis)


(_SET_BID, _SET_BID_AT, _SET_ASK, _SET_ASK_AT, _SET_LAST_SALE, _SET_LAST_SALE_AT,
 _SET_LAST_SALE_BASIS) = (vars(DayPrices)[f.name].__set__ for f in fields(DayPrices))
_NO_PRICES = DayPrices()


@dataclass(frozen=True, slots=True)
class ShareChange:
    """A split, combination or stock dividend: prices before `effective` x `factor` (old/new)."""

    effective: date
    factor: Decimal
    cause_id: str


@dataclass(frozen=True, slots=True)
class AppraisalValue:
    date: dt.date
    value: Decimal
    selected_by: str
    cause_id: str


@dataclass(frozen=True, slots=True)
class MarketValueResult:
    """A determined PSMV with the tier, the date its price came from, and how."""

    date: dt.date
    value: Decimal
    tier: str
    source_date: dt.date
    approximate: bool
    basis: str
    venue: Venue
    source_age_trading_days: int | None = None  # set by the engine, which knows the calendar
    warning: str | None = None


@dataclass(slots=True)
class PriceHistory:
    """Closing prices by date, share changes and appraisals: the inputs of Section 8's PSMV.

    Mutable for speed inside one engine; every value it holds is immutable.
    """

    days: dict[date, DayPrices] = field(default_factory=dict)
    quoted_dates: list[date] = field(default_factory=list)      # dates with bid and ask
    bid_dates: list[date] = field(default_factory=list)         # dates with a closing bid
    last_sale_dates: list[date] = field(default_factory=list)   # dates with a last-sale close
    changes: list[ShareChange] = field(default_factory=list)
    change_dates: list[date] = field(default_factory=list)      # effective dates of `changes`
    appraisals: list[AppraisalValue] = field(default_factory=list)

    def record_quote(self, day: date, at: datetime, bid: Decimal | None, ask: Decimal | None,
                     last: Decimal | None = None, *, newest: bool = False) -> None:
        """A quote at `at`, already known to be at or before the close of `day`.

        The last bid (ask, last sale) at or before the close wins; an equal-time quote
        replaces. `newest`: the caller knows `at` is at or after every instant recorded so
        far (the engine: the quote is event time, the latest instant seen), so it wins
        without comparing. One new `DayPrices` per quote that changes anything (the hot path
        of the engine: docs/operations.md "Throughput")."""
        old = self.days.get(day, _NO_PRICES)
        if newest:
            take_bid, take_ask, take_last = bid is not None, ask is not None, last is not None
        else:
            bid_at = old.bid_at
            later = bid_at is None or at >= bid_at  # than the closing bid so far
            take_bid = bid is not None and later
            ask_at = old.ask_at
            if ask_at is not bid_at:  # one quote's bid and ask share their instant
                later = ask_at is None or at >= ask_at
            take_ask = ask is not None and later
            take_last = last is not None and (old.last_sale_at is None
                                              or at >= old.last_sale_at)
        if not (take_bid or take_ask or take_last):
            return
        new = DayPrices(
            bid if take_bid else old.bid, at if take_bid else old.bid_at,
            ask if take_ask else old.ask, at if take_ask else old.ask_at,
            last if take_last else old.last_sale, at if take_last else old.last_sale_at,
            f"last sale at {at.isoformat()}" if take_last else old.last_sale_basis,
        )
        self.days[day] = new
        if ((take_bid and old.bid is None) or (take_ask and old.ask is None)
                or (take_last and old.last_sale is None)):
            self._index(day, old, new)  # a price the date had none of

    def record_last_sale(self, day: date, close: Decimal, basis: str,
                         at: datetime | None = None) -> None:
        """A last-sale close of `day` (a daily bar), as of `at` (the close)."""
        old = self.days.get(day, DayPrices())
        new = replace(old, last_sale=close, last_sale_at=at, last_sale_basis=basis)
        self.days[day] = new
        self._index(day, old, new)

    def _index(self, day: date, old: DayPrices, new: DayPrices) -> None:
        if new.bid is not None and new.ask is not None and (old.bid is None or old.ask is None):
            insort(self.quoted_dates, day)
        if new.bid is not None and old.bid is None:
            insort(self.bid_dates, day)
        if new.last_sale is not None and old.last_sale is None:
            insort(self.last_sale_dates, day)

    def record_change(self, change: ShareChange) -> None:
        i = bisect_right(self.changes, (change.effective, change.cause_id),
                         key=lambda c: (c.effective, c.cause_id))
        self.changes.insert(i, change)
        self.change_dates.insert(i, change.effective)

    def remove_change(self, cause_id: str) -> None:
        self.changes = [c for c in self.changes if c.cause_id != cause_id]
        self.change_dates = [c.effective for c in self.changes]

    def record_appraisal(self, appraisal: AppraisalValue) -> None:
        self.appraisals.append(appraisal)
        self.appraisals.sort(key=lambda a: (a.date, a.selected_by, a.cause_id))

    # --- Section 8 ------------------------------------------------------------------------

    def adjustment_factor(self, source: date, target: date) -> tuple[Decimal, str]:
        """Product of old/new for share changes effective after `source`, up to `target`.

        A change's effective date is the first day the stock trades on the new basis, so the
        prices of that date are already adjusted."""
        dates = self.change_dates
        lo, hi = bisect_right(dates, source), bisect_right(dates, target)
        if lo >= hi:
            return ONE, ""
        factor = ONE
        applied = self.changes[lo:hi]
        for change in applied:
            factor = mul(factor, change.factor)
        if len(applied) <= 3:
            text = " ".join(f"x {show(c.factor)} for {c.cause_id} on {c.effective.isoformat()}"
                            for c in applied)
        else:
            text = (f"x {show(factor)} for {len(applied)} share changes from "
                    f"{applied[0].effective.isoformat()} to {applied[-1].effective.isoformat()}")
        return factor, text

    def _adjusted(self, price: Decimal, source: date, target: date) -> tuple[Decimal, str]:
        factor, notes = self.adjustment_factor(source, target)
        if factor == ONE:
            return price, ""
        return mul(price, factor), f", adjusted {notes}"

    @staticmethod
    def _latest_on_or_before(dates: Sequence[date], day: date) -> date | None:
        i = bisect_right(dates, day)
        return dates[i - 1] if i else None

    def per_share_market_value(self, day: date, venue: Venue, *,
                               conversion_period: Sequence[date] = (),
                               last_sale_stands_in: bool = True) -> MarketValueResult:
        """Section 8 "Per Share Market Value" of `day`, for the stock's `venue` on that day."""
        tier = venue.market_value_tier
        if tier == "a":
            result = self._tier_a(day, venue)
        elif tier == "b":
            result = self._tier_b(day, venue)
        elif tier == "c":
            result = self._tier_c(day, venue, conversion_period)
        else:
            return self._tier_d(day, venue)
        if result is not None:
            return result
        if last_sale_stands_in:
            stand_in = self._last_sale(day, venue, tier)
            if stand_in is not None:
                return stand_in
        raise MarketValueUnavailable(
            f"no Per Share Market Value for {day.isoformat()}: tier ({tier}) on {venue} needs "
            f"{'a closing bid and ask' if tier == 'a' else 'a closing bid'} on or before that date"
        )

    def _tier_a(self, day: date, venue: Venue) -> MarketValueResult | None:
        source = self._latest_on_or_before(self.quoted_dates, day)
        if source is None:
            return None
        prices = self.days[source]
        assert prices.bid is not None and prices.ask is not None
        mean = div(prices.bid + prices.ask, TWO)
        value, note = self._adjusted(mean, source, day)
        where = "" if source == day else f" (nearest preceding date {source.isoformat()})"
        basis = (f"8(a) mean of closing bid {show(prices.bid)} and closing ask {show(prices.ask)}"
                 f" on {venue}{where} = {show(mean)}{note}")
        return MarketValueResult(day, value, "a", source, False, basis, venue)

    def _tier_b(self, day: date, venue: Venue) -> MarketValueResult | None:
        source = self._latest_on_or_before(self.bid_dates, day)
        if source is None:
            return None
        bid = self.days[source].bid
        assert bid is not None
        value, note = self._adjusted(bid, source, day)
        where = "" if source == day else f" (nearest preceding date {source.isoformat()})"
        board = "OTC Bulletin Board" if venue is Venue.OTCBB else "National Quotation Bureau"
        basis = f"8(b) closing bid {show(bid)} as reported by the {board}{where}{note}"
        return MarketValueResult(day, value, "b", source, False, basis, venue)

    def _tier_c(self, day: date, venue: Venue,
                period: Sequence[date]) -> MarketValueResult | None:
        bids: list[tuple[date, Decimal]] = []
        for d in period:
            prices = self.days.get(d)
            if prices is not None and prices.bid is not None:
                adjusted, _ = self._adjusted(prices.bid, d, day)
                bids.append((d, adjusted))
        if not bids:
            fallback = self._tier_b(day, venue)
            if fallback is None:
                return None
            return replace(fallback, tier="c",
                           basis="8(c) no Pink Sheet bid in the conversion period; "
                                 + fallback.basis.removeprefix("8(b) "))
        total = sum((b for _, b in bids), Decimal(0))
        value = div(total, Decimal(len(bids)))
        listed = " + ".join(show(b) for _, b in bids)
        basis = (f"8(c) mean of {len(bids)} Pink Sheet closing bids in the conversion period "
                 f"{period[0].isoformat()}..{period[-1].isoformat()}: ({listed}) / {len(bids)}"
                 f" = {show(value)}")
        return MarketValueResult(day, value, "c", bids[-1][0], False, basis, venue)

    def _tier_d(self, day: date, venue: Venue) -> MarketValueResult:
        majority = [a for a in self.appraisals
                    if a.selected_by == "majority_holders" and a.date <= day]
        if not majority:
            raise MarketValueUnavailable(
                f"no Per Share Market Value for {day.isoformat()}: the stock is not publicly "
                "traded (8(d)) and no Independent Appraiser selected by the Majority Holders "
                "has reported"
            )
        first = majority[-1]
        second = [a for a in self.appraisals
                  if a.selected_by == "issuer" and first.date <= a.date <= day]
        if second:
            other = second[-1]
            value = div(first.value + other.value, TWO)
            basis = (f"8(d) mean of the appraisals {show(first.value)} (Majority Holders' "
                     f"appraiser, {first.date.isoformat()}) and {show(other.value)} (Issuer's "
                     f"additional appraiser, {other.date.isoformat()}) = {show(value)}")
            return MarketValueResult(day, value, "d", other.date, False, basis, venue)
        basis = (f"8(d) fair market value {show(first.value)} by the Independent Appraiser "
                 f"selected by the Majority Holders ({first.date.isoformat()})")
        return MarketValueResult(day, first.value, "d", first.date, False, basis, venue)

    def _last_sale(self, day: date, venue: Venue, tier: str) -> MarketValueResult | None:
        source = self._latest_on_or_before(self.last_sale_dates, day)
        if source is None:
            return None
        prices = self.days[source]
        assert prices.last_sale is not None
        value, note = self._adjusted(prices.last_sale, source, day)
        where = "" if source == day else f" (nearest preceding date {source.isoformat()})"
        basis = (f"APPROXIMATE: stands in for 8({tier}), which needs bid/ask quotes: "
                 f"last-sale close {show(prices.last_sale)} ({prices.last_sale_basis}){where}"
                 f"{note}")
        return MarketValueResult(day, value, tier, source, True, basis, venue)
