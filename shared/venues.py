"""Where the Common Stock is listed or quoted, and the Section 8 tier that follows from it.

Section 8 ("Trading Day", "Per Share Market Value") picks its rule by venue:
(a) Nasdaq, (b) another registered national exchange, (c) the OTC Bulletin Board,
(d) quoted OTC as reported by the National Quotation Bureau (Pink Sheets); otherwise the
proviso (every business day in New York). PINK_UNREPORTED is the Pink Sheet quote that the
NQB does not report (PSMV tier (c)); NONE is not publicly traded (PSMV tier (d)).
"""

from __future__ import annotations

from enum import StrEnum

from shared.errors import UnknownVenueError


class Venue(StrEnum):
    NASDAQ = "NASDAQ"
    NYSE = "NYSE"
    AMEX = "AMEX"
    OTCBB = "OTCBB"
    PINK = "PINK"
    PINK_UNREPORTED = "PINK_UNREPORTED"
    NONE = "NONE"

    @classmethod
    def parse(cls, name: str) -> Venue:
        try:
            return cls(name.upper())
        except ValueError:
            known = ", ".join(v.value for v in cls)
            raise UnknownVenueError(f"unknown venue {name!r}; one of {known}") from None

    @property
    def is_exchange(self) -> bool:
        """Nasdaq or a registered national stock exchange: PSMV tier (a)."""
        return self in (Venue.NASDAQ, Venue.NYSE, Venue.AMEX)

    @property
    def market_value_tier(self) -> str:
        """The Per Share Market Value clause of Section 8 that applies: a, b, c or d."""
        if self.is_exchange:
            return "a"
        if self in (Venue.OTCBB, Venue.PINK):
            return "b"
        if self is Venue.PINK_UNREPORTED:
            return "c"
        return "d"
