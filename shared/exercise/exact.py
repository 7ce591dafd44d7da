"""Exact Decimal steps for the exercise and cap arithmetic, and how their figures are shown.

The contract's own rounding rules live in `shared.numbers`; this module adds what the
exercise math needs on top: a context wide enough that products of a 28-digit Warrant Price
and a share count are exact, and an exact floor division, so that "whole shares" (Section 6)
and the cap's largest whole X (Section 7) never depend on a rounded quotient.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

# 28 digits of Warrant Price x up to 16 digits of shares x up to 16 digits of price fits
# in 60, so every product and difference below is exact; only true quotients round.
WIDE = Context(prec=60, rounding=ROUND_HALF_UP)
# Figures with more places than this are shown rounded, marked with "≈" (text only).
SHOWN_PLACES = 6


def product(*factors: Decimal) -> Decimal:
    """The exact product of the factors (wide context)."""
    with localcontext(WIDE):
        result = Decimal(1)
        for factor in factors:
            result = result * factor
        return result


def difference(a: Decimal, b: Decimal) -> Decimal:
    """a - b, exact (wide context)."""
    with localcontext(WIDE):
        return a - b


def total(*terms: Decimal) -> Decimal:
    """The exact sum of the terms (wide context)."""
    with localcontext(WIDE):
        result = Decimal(0)
        for term in terms:
            result = result + term
        return result


def quotient(a: Decimal, b: Decimal) -> Decimal:
    """a / b to 60 significant digits (a display and comparison value, never floored)."""
    with localcontext(WIDE):
        return a / b


def floor_divmod(a: Decimal, b: Decimal) -> tuple[Decimal, Decimal]:
    """(q, r) with q = floor(a / b) and r = a - q x b, both exact, for a >= 0 and b > 0."""
    with localcontext(WIDE):
        q = a // b
        return q, a - q * b


def tidy(value: Decimal) -> Decimal:
    """A value without a positive exponent (2.0E+3 -> 2000); given places are kept (3.00)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return value.quantize(Decimal(1))
    return value


def figure(value: Decimal) -> str:
    """A figure as a calculation text shows it: thousands separators, no exponent.

    A value with more than SHOWN_PLACES decimal places is shown rounded, prefixed "≈".
    """
    value = tidy(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -SHOWN_PLACES:
        shown = value.quantize(Decimal(1).scaleb(-SHOWN_PLACES), rounding=ROUND_HALF_UP)
        return f"≈{shown.normalize():,f}"
    return f"{value:,f}"
