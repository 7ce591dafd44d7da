"""Frozen state of the warrants of one symbol: what the fold carries from event to event.

Must live here: each warrant's Warrant Price and Warrant Share Number in force, adjustments
carried forward under 4(g)(ii), the successor basket after a 4(a) Triggering Event, the 4(b)
ratio applied to the Original Issue Date floor, and the expiry instant (which a Section 10
amendment may move). The Common Stock Equivalents a 4(f) recomputation needs are the input
records themselves, kept by the warrant desk (shared/engine/warrants.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from shared.numbers import ONE


@dataclass(frozen=True, slots=True)
class CarriedForward:
    """A share-number adjustment under the 4(g)(ii) minimum, carried forward as a unit."""

    cause_id: str
    section: str
    effective_at: datetime
    share_factor: Decimal          # shares after / shares before, unrounded
    price_factor: Decimal | None   # None: price x shares before / shares after (4(b), 4(c))
    calculation: str


@dataclass(frozen=True, slots=True)
class BasketItem:
    asset: str
    per_share: Decimal


@dataclass(frozen=True, slots=True)
class WarrantState:
    """One warrant: who holds it and the terms in force for it."""

    warrant: str
    holder: str
    price: Decimal                  # Warrant Price, exact
    shares: Decimal                 # Warrant Share Number not yet exercised
    carried: tuple[CarriedForward, ...] = ()
    basket: tuple[BasketItem, ...] | None = None

    def with_terms(self, price: Decimal, shares: Decimal) -> WarrantState:
        return replace(self, price=price, shares=shares)


def _frozen(data: Mapping[str, WarrantState] | None = None) -> Mapping[str, WarrantState]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True, slots=True)
class Book:
    """Every warrant of one symbol, and the symbol-wide facts the fold needs."""

    warrants: Mapping[str, WarrantState] = field(default_factory=_frozen)
    floor_factor: Decimal = ONE          # product of 4(b) ratios (old/new) since issue
    expires_at: datetime | None = None   # None: as the terms file says

    def with_warrant(self, state: WarrantState) -> Book:
        data = dict(self.warrants)
        data[state.warrant] = state
        return replace(self, warrants=MappingProxyType(data))

    def with_warrants(self, states: Mapping[str, WarrantState]) -> Book:
        return replace(self, warrants=_frozen(states))
