"""Decimal arithmetic for money and share counts, and how each figure is printed: the one place.

The contract's rounding rules (docs/contract.md "Numbers"):

- Share numbers produced by an adjustment: nearest 1/100 share, half up (Section 4(g)(iii)).
- The Warrant Price is kept exact (28 significant digits) and shown with 4 places in texts.
- Cash paid or owed: rounded to the cent, half up, at the point of payment only.

Two contexts, named for what they are for: `FIGURES` (28 digits) holds every computed figure
of the contract (`div`, `mul`, the Section 4 formulas); `EXACT_STEPS` (60 digits) is wide
enough that the products, sums and differences of the exercise and cap arithmetic (Sections
2(c), 6, 7) never round (`product`, `difference`, `total`, `floor_divmod`), so "whole shares"
and the cap's largest whole X never depend on a rounded quotient. The 4(d)/4(e) "price per
share below the Warrant Price" test compares an exact product of its own width
(`exact_product`).

How a figure is printed is one rule per kind (docs/events.md "Numbers"): prices, Warrant Share
Numbers and cash with every significant place and at least 2 (`two_places_or_more`); shares of
Common Stock as integers when whole (`whole_or_exact`); ratios as held (`plain`).

Calculation texts (Section 5 `calculation`s, refusal `detail`s) follow the same rule per kind,
with thousands separators: `text_warrant_shares`, `text_cash` and `text_value` (a price other
than the Warrant Price) at least 2 places, `text_stock` (shares of Common Stock) an integer
when whole, a ratio as held (`figure`), and the Warrant Price at 4 places (`show_price`,
docs/contract.md "Numbers"). A figure with more than TEXT_PLACES places is shown rounded to
them, marked "≈". The Section 4 calculations show share numbers with 2 places or more
(`show_shares`) and a record's own input figures as received (`show_amount`); the readable
report rounds cash to the cent (`show_cents`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext

# Every computed figure of the contract (a Warrant Price, a PSMV, a 4(g) share number before
# its rounding): 28 significant digits, half up; the Warrant Price is "kept exact" in it
# (docs/contract.md "Numbers").
FIGURES = Context(prec=28, rounding=ROUND_HALF_UP)
# The exercise and cap steps (Sections 2(c), 6, 7): 28 digits of Warrant Price x up to 16
# digits of shares x up to 16 digits of price fits in 60, so every product, sum and difference
# taken in it is exact (the cashless X = Y - A*Y/B compares and floors exact values); only true
# quotients round.
EXACT_STEPS = Context(prec=60, rounding=ROUND_HALF_UP)
HUNDREDTH = Decimal("0.01")
CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.0001")
ZERO = Decimal(0)
ONE = Decimal(1)


def div(a: Decimal, b: Decimal) -> Decimal:
    """a / b in the 28-digit context, independent of the caller's thread context."""
    with localcontext(FIGURES):
        return a / b


def mul(a: Decimal, b: Decimal) -> Decimal:
    """a x b in the 28-digit context."""
    with localcontext(FIGURES):
        return a * b


# --- exact steps (EXACT_STEPS, 60 digits) ---------------------------------------------------


def product(*factors: Decimal) -> Decimal:
    """The exact product of the factors (wide context)."""
    with localcontext(EXACT_STEPS):
        result = Decimal(1)
        for factor in factors:
            result = result * factor
        return result


def difference(a: Decimal, b: Decimal) -> Decimal:
    """a - b, exact (wide context)."""
    with localcontext(EXACT_STEPS):
        return a - b


def total(*terms: Decimal) -> Decimal:
    """The exact sum of the terms (wide context)."""
    with localcontext(EXACT_STEPS):
        result = Decimal(0)
        for term in terms:
            result = result + term
        return result


def quotient(a: Decimal, b: Decimal) -> Decimal:
    """a / b to 60 significant digits (a display and comparison value, never floored)."""
    with localcontext(EXACT_STEPS):
        return a / b


def floor_divmod(a: Decimal, b: Decimal) -> tuple[Decimal, Decimal]:
    """(q, r) with q = floor(a / b) and r = a - q x b, both exact, for a >= 0 and b > 0."""
    with localcontext(EXACT_STEPS):
        q = a // b
        return q, a - q * b


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """a x b in a context as wide as both factors' digits (and 2 more), so it never rounds
    however long the factors are: 4(d)(i)/4(e) decide "price per share less than the Warrant
    Price" as C < N x price, which must not round at the border."""
    with localcontext(FIGURES) as exact:
        exact.prec = len(a.as_tuple().digits) + len(b.as_tuple().digits) + 2
        return a * b


# --- the contract's roundings --------------------------------------------------------------


def round_shares(value: Decimal, places: Decimal = HUNDREDTH) -> Decimal:
    """Section 4(g)(iii): fractional interests taken to the nearest 1/100 share, half up."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def round_cents(value: Decimal) -> Decimal:
    """Cash paid or owed, rounded to the cent, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def whole_and_fraction(shares: Decimal) -> tuple[Decimal, Decimal]:
    """Section 6: the whole shares delivered and the fraction paid in cash."""
    whole = shares.to_integral_value(rounding=ROUND_DOWN)
    return whole, shares - whole


def show_price(price: Decimal) -> str:
    """A Warrant Price as notices show it: 4 decimal places (the value itself stays exact)."""
    return f"{price.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP):,}"


def show_cents(value: Decimal) -> str:
    """Cash as the readable report shows it: rounded to the cent, half up, with separators."""
    return f"{round_cents(value):,}"


# --- calculation texts (docs/events.md "Numbers") ------------------------------------------

TEXT_PLACES = 6


def _shown(value: Decimal) -> tuple[str, Decimal]:
    """A text's mark and value: more than TEXT_PLACES places are rounded to them, marked "≈"."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -TEXT_PLACES:
        rounded = value.quantize(Decimal(1).scaleb(-TEXT_PLACES), rounding=ROUND_HALF_UP)
        return "≈", significant(rounded)
    return "", value


def _text(value: Decimal, form: Callable[[Decimal], str]) -> str:
    mark, exact = _shown(significant(value))
    return f"{mark}{Decimal(form(exact)):,f}"


def text_warrant_shares(value: Decimal) -> str:
    """A Warrant Share Number or warrant shares in a text: "1,000,000.00", "845,283.02"."""
    return _text(value, two_places_or_more)


def text_stock(value: Decimal) -> str:
    """Shares of Common Stock in a text: "40,547" when whole, else its significant places."""
    return _text(value, whole_or_exact)


def text_cash(value: Decimal) -> str:
    """Cash in a text: "232,800.00"."""
    return _text(value, two_places_or_more)


def text_value(value: Decimal) -> str:
    """A price other than the Warrant Price (a PSMV, a value per share) in a text: "2.92"."""
    return _text(value, two_places_or_more)


def figure(value: Decimal) -> str:
    """A ratio (or a figure shown as held) in a text: thousands separators, no exponent, its
    given places kept ("0.04999", "3.00"); more than TEXT_PLACES places rounded, marked "≈"."""
    mark, shown = _shown(tidy(value))
    return f"{mark}{shown:,f}"


def show(value: Decimal) -> str:
    """A figure in a calculation text, with thousands separators and its own places."""
    return f"{value:,}"


def show_shares(value: Decimal) -> str:
    """A share number in a Section 4 calculation: 2 places (more only if it really has more),
    thousands separated."""
    with localcontext(FIGURES):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -2:
            value = value.quantize(HUNDREDTH)
        return f"{value:,}"


def show_amount(value: Decimal) -> str:
    """An input figure (count, money, ratio) as given, thousands separated, never with a
    positive exponent (1E+6 -> 1,000,000)."""
    with localcontext(FIGURES):
        return f"{tidy(value):,}"


# --- record forms (docs/events.md "Numbers") -----------------------------------------------


def tidy(value: Decimal) -> Decimal:
    """A value without a positive exponent (2.0E+3 -> 2000); given places are kept (3.00)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return value.quantize(ONE)
    return value


def significant(value: Decimal) -> Decimal:
    """The value with no trailing zeros and no exponent (2.300 -> 2.3, 1E+6 -> 1000000)."""
    return tidy(value.normalize())


def at_least_places(value: Decimal, places: int = 2) -> Decimal:
    """Every significant place of the value, and at least `places` (2.3 -> 2.30, 2.3280 ->
    2.328, 1E+3 -> 1000.00); the value is never rounded."""
    exact = significant(value)
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -places:
        exact = exact.quantize(Decimal(1).scaleb(-places))
    return exact


def two_places_or_more(value: Decimal) -> str:
    """A price, a Warrant Share Number or cash as records print it: every significant place,
    and at least 2 ("2.40", "2.328", "1000000.00"); the value is never rounded
    (docs/events.md "Numbers")."""
    return format(at_least_places(value, 2), "f")


def whole_or_exact(value: Decimal) -> str:
    """Shares of Common Stock as records print them: a whole number as an integer ("40547"),
    a fraction with its significant places only (docs/events.md "Numbers")."""
    return format(significant(value), "f")


def plain(value: Decimal) -> str:
    """A Decimal as the wire carries it: plain notation, no exponent, trailing zeros kept."""
    return format(value, "f")
