"""The Per Share Market Value on the basis of the terms an exercise uses (Sections 2(c), 6, 8).

A split, combination or stock dividend moves prices and terms to its new basis at different
instants: the prices of its effective date are already on the new basis (docs/decisions.md,
"Per Share Market Value"), while the warrant's terms change at close of business of that date
(4(g)(ii)). An exercise effective before 17:00 on that date is on the terms before the change
and its B is a price on the basis after it. Section 8 wants every PSMV determination
"appropriately adjusted for any stock dividends, stock splits or other similar
transactions", so B (and the Section 6 value of a fraction) is scaled to the basis of the
terms in force at the exercise instant, in both directions: x new/old for a change the
prices have made and the terms not yet; / new/old for one the terms have made and the
prices not yet. On a 1-for-4 combination's effective date this keeps B from being 4x too big.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from shared.engine.ownership import ShareChangeAt
from shared.market_value import ShareChange
from shared.numbers import div, mul, show


def on_terms_basis(value: Decimal, day: date, at: datetime,
                   price_changes: Sequence[ShareChange],
                   terms_changes: Sequence[ShareChangeAt]) -> tuple[Decimal, str]:
    """The PSMV `value` of `day` (on the prices' basis of that day), restated on the basis of
    the terms in force at `at`, with the calculation ("" when the two bases agree).

    A change known to only one of the two lists (e.g. one being rescinded) is left alone."""
    price_by_id = {c.cause_id: c for c in price_changes}
    result = value
    notes: list[str] = []
    for change in terms_changes:
        price = price_by_id.get(change.cause_id)
        if price is None:
            continue
        in_prices, in_terms = price.effective <= day, change.at <= at
        if in_prices == in_terms:
            continue
        if in_prices:
            result = mul(result, change.ratio)
            notes.append(
                f"x {show(change.ratio)} ({change.cause_id}: the prices of {day.isoformat()} "
                f"are on its new basis from {price.effective.isoformat()}, the terms only from "
                f"close of business {change.at.isoformat()})")
        else:
            result = div(result, change.ratio)
            notes.append(
                f"/ {show(change.ratio)} ({change.cause_id}: the terms are on its new basis "
                f"from {change.at.isoformat()}, the prices of {day.isoformat()} not yet)")
    if not notes:
        return value, ""
    text = (f"Section 8: B on the basis of the terms in force at {at.isoformat()} = PSMV "
            f"{show(value)} {' '.join(notes)} = {show(result)}")
    return result, text
