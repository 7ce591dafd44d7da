"""Every error the domain core raises, each named for what went wrong (style: one error module)."""

from __future__ import annotations


class WarrantWatchError(Exception):
    """Base of every error raised by the domain core."""


class TermsError(WarrantWatchError):
    """A terms file is malformed: names the field and the problem."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"terms: {field}: {problem}")
        self.field = field
        self.problem = problem


class RecordError(WarrantWatchError):
    """An input record failed validation; becomes a `dead_letter` with this reason."""


class CalendarRangeError(WarrantWatchError):
    """A date outside the range for which the Trading Day tables are built."""


class UnknownVenueError(WarrantWatchError):
    """A venue name that is not one of the Section 8 tiers' venues."""


class MarketValueUnavailable(WarrantWatchError):
    """No Per Share Market Value can be determined for a date (Section 8)."""


class AdjustmentRejected(WarrantWatchError):
    """A corporate action that cannot be applied as the contract reads (e.g. 4(c) value >= PSMV)."""


class NotATradingDayError(WarrantWatchError):
    """A query that needs a Trading Day (its market close, say) got a day that is not one."""


class CalendarQueryError(WarrantWatchError):
    """A Trading Day query with a bad argument: a negative count, a date that does not parse."""


class UnknownBenchSuiteError(WarrantWatchError):
    """`warrantwatch bench` was asked for a benchmark suite that does not exist."""


class FeedUnavailable(WarrantWatchError):
    """A market-data source gave no usable answer (network, HTTP error, empty answer)."""


class RateLimited(FeedUnavailable):
    """A market-data source refused the request for its rate limit (HTTP 429)."""
