"""Decimal arithmetic for money and share counts: the contract's rounding rules in one place.

- Share numbers produced by an adjustment: nearest 1/100 share, half up (Section 4(g)(iii)).
- The Warrant Price is kept exact (28 significant digits) and shown with 4 places in texts.
- Cash paid or owed: rounded to the cent, half up, at the point of payment only.

How a figure is printed is one rule per kind (docs/events.md "Numbers"): prices, Warrant Share
Numbers and cash with every significant place and at least 2 (`two_places_or_more`); shares of
Common Stock as integers when whole (`whole_or_exact`); ratios as held (`plain`).

Calculation texts (Section 5 `calculation`s, refusal `detail`s) follow the same rule per kind,
with thousands separators: `text_warrant_shares`, `text_cash` and `text_value` (a price other
than the Warrant Price) at least 2 places, `text_stock` (shares of Common Stock) an integer
when whole, and the Warrant Price at 4 places (`show_price`, docs/contract.md "Numbers"). A
figure with more than TEXT_PLACES places is shown rounded to them, marked "≈".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext

CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)
HUNDREDTH = Decimal("0.01")
CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.0001")
ZERO = Decimal(0)
ONE = Decimal(1)


def div(a: Decimal, b: Decimal) -> Decimal:
    """a / b in the 28-digit context, independent of the caller's thread context."""
    with localcontext(CONTEXT):
        return a / b


def mul(a: Decimal, b: Decimal) -> Decimal:
    """a x b in the 28-digit context."""
    with localcontext(CONTEXT):
        return a * b


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


TEXT_PLACES = 6


def _text(value: Decimal, form: Callable[[Decimal], str]) -> str:
    exact = _exact(value)
    exponent = exact.as_tuple().exponent
    mark = ""
    if isinstance(exponent, int) and exponent < -TEXT_PLACES:
        exact = _exact(exact.quantize(Decimal(1).scaleb(-TEXT_PLACES), rounding=ROUND_HALF_UP))
        mark = "≈"
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


def show(value: Decimal) -> str:
    """A figure in a calculation text, with thousands separators and its own places."""
    return f"{value:,}"


def _exact(value: Decimal) -> Decimal:
    """The value with no trailing zeros and no exponent (2.300 -> 2.3, 1E+6 -> 1000000)."""
    value = value.normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        value = value.quantize(ONE)
    return value


def two_places_or_more(value: Decimal) -> str:
    """A price, a Warrant Share Number or cash as records print it: every significant place,
    and at least 2 ("2.40", "2.328", "1000000.00"); the value is never rounded
    (docs/events.md "Numbers")."""
    exact = _exact(value)
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        exact = exact.quantize(HUNDREDTH)
    return format(exact, "f")


def whole_or_exact(value: Decimal) -> str:
    """Shares of Common Stock as records print them: a whole number as an integer ("40547"),
    a fraction with its significant places only (docs/events.md "Numbers")."""
    return format(_exact(value), "f")


def plain(value: Decimal) -> str:
    """A Decimal as the wire carries it: plain notation, no exponent, trailing zeros kept."""
    return format(value, "f")
