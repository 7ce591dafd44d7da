"""Section 8 "Trading Day": session tables per venue, New York business days (the proviso),
and `TradingCalendar`, which follows the stock's listing timeline, halts and observed trading.
"""

from shared.calendar.exchange import (
    RANGE_END,
    RANGE_START,
    SessionTable,
    check_in_range,
    schedule_source,
    session_table,
)
from shared.calendar.new_york import (
    federal_reserve_holidays,
    general_election_day,
    is_new_york_business_day,
    new_york_business_days,
    new_york_legal_holidays,
)
from shared.calendar.trading_days import ListingChange, TradingCalendar

__all__ = [
    "RANGE_END",
    "RANGE_START",
    "ListingChange",
    "SessionTable",
    "TradingCalendar",
    "check_in_range",
    "federal_reserve_holidays",
    "general_election_day",
    "is_new_york_business_day",
    "new_york_business_days",
    "new_york_legal_holidays",
    "schedule_source",
    "session_table",
]
