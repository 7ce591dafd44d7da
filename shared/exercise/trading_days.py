"""What the exercise, notice and delivery rules need from the Section 8 Trading Day calendar.

`shared.calendar.TradingCalendar` satisfies this; the modules that count Trading Days take
any object with these methods, so they stay independent of how the calendar is built.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol


class TradingDays(Protocol):
    """Section 8 "Trading Day" queries, judged by the venue in force on each date."""

    def is_trading_day(self, day: date) -> bool:
        """Whether `day` is a Trading Day."""
        ...

    def next_trading_day(self, day: date) -> date:
        """The first Trading Day strictly after `day`."""
        ...

    def trading_days_after(self, day: date, n: int) -> date:
        """The date `n` Trading Days after `day`, counting strictly after it."""
        ...
