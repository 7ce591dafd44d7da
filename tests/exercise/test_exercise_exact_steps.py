"""shared/numbers.py: the two contexts and the exact steps of the exercise and cap arithmetic
(docs/contract.md "Numbers"). Every expected value is worked by hand in its comment."""

from __future__ import annotations

from decimal import Decimal

from shared.numbers import (
    EXACT_STEPS,
    FIGURES,
    ONE,
    difference,
    div,
    exact_product,
    floor_divmod,
    mul,
    product,
    quotient,
    total,
)


def test_the_contexts_hold_28_and_60_digits_half_up() -> None:
    assert (FIGURES.prec, EXACT_STEPS.prec) == (28, 60)
    # 2/3 = 0.666...: 28 digits, the 29th is a 6, so the 28th rounds up to 7
    assert div(Decimal(2), Decimal(3)) == Decimal("0." + "6" * 27 + "7")
    # 1/3 to 60 digits, the 61st a 3: no rounding up
    assert quotient(ONE, Decimal(3)) == Decimal("0." + "3" * 60)
    # 2.5 to a whole number rounds half up to 3 in both (half even would give 2)
    assert Decimal("2.5").quantize(ONE, context=FIGURES) == 3
    assert Decimal("2.5").quantize(ONE, context=EXACT_STEPS) == 3


def test_products_and_sums_of_up_to_60_digits_are_exact() -> None:
    a, b = Decimal(10**27 + 1), Decimal(10**15 + 1)
    # (10^27 + 1)(10^15 + 1) = 10^42 + 10^27 + 10^15 + 1: 43 digits, kept whole
    assert product(a, b) == Decimal(10**42 + 10**27 + 10**15 + 1)
    # the 28-digit mul keeps the digits of 10^42 down to 10^15 (42 - 15 + 1 = 28): the + 1 is lost
    assert mul(a, b) == Decimal(10**42 + 10**27 + 10**15)
    assert product() == ONE
    # 10^40 - 1 = forty nines
    assert difference(Decimal("1E+40"), ONE) == Decimal("9" * 40)
    assert total(Decimal("1E+40"), ONE, Decimal("-1E+40")) == ONE
    assert total() == 0


def test_floor_divmod_is_exact() -> None:
    assert floor_divmod(Decimal(7), Decimal(2)) == (Decimal(3), ONE)
    # (10^45 + 7) / 10^20: quotient 10^25 (floored), remainder 7
    q, r = floor_divmod(Decimal(10**45 + 7), Decimal(10**20))
    assert (q, r) == (Decimal(10**25), Decimal(7))
    # 1 / 0.3 = 3.33...: floor 3, remainder 1 - 0.9 = 0.1
    assert floor_divmod(ONE, Decimal("0.3")) == (Decimal(3), Decimal("0.1"))


def test_exact_product_never_rounds_however_long_the_factors() -> None:
    # 4(d)(i)/4(e): C < N x price decided exactly. N = 10^70 + 1 (71 digits) x 3
    n = Decimal(10**70 + 1)
    assert exact_product(n, Decimal(3)) == Decimal(3 * 10**70 + 3)
    # even the 60-digit context would drop the + 3
    assert product(n, Decimal(3)) == Decimal(3 * 10**70)
