"""Properties of the Section 4 formulas that hold for any terms and event (hypothesis).

The oracle for 4(d) is exact rational arithmetic (`fractions.Fraction`) applied to the
contract's formula, independent of the Decimal code under test.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from shared.adjustments import (
    distribution_adjustment,
    equivalents_adjustment,
    issuance_adjustment,
    split_adjustment,
    stock_dividend_adjustment,
)

HALF_HUNDREDTH = Decimal("0.005")
# Relative slack for the 28-digit context: a product and a quotient each round once.
CONTEXT_SLACK = Decimal("1e-26")


def scaled(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals low/10^places .. high/10^places with exactly `places` places."""
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


prices = scaled(1, 1_000_000, 4)                 # 0.0001 .. 100.0000
share_numbers = scaled(1, 100_000_000_000, 2)    # 0.01 .. 1,000,000,000.00
counts = st.integers(1, 10_000_000_000).map(Decimal)
money = scaled(0, 10_000_000_000_000, 2)          # 0.00 .. 100,000,000,000.00


@st.composite
def split_ratios(draw: st.DrawFn) -> tuple[Decimal, Decimal]:
    """(new, old) with new > old: a split of old shares into new."""
    old = draw(st.integers(1, 50))
    new = draw(st.integers(old + 1, 100))
    return Decimal(new), Decimal(old)


@given(prices, share_numbers, split_ratios())
def test_split_then_inverse_combination_restores_the_terms(
    price: Decimal, shares: Decimal, ratio: tuple[Decimal, Decimal]
) -> None:
    new, old = ratio
    split = split_adjustment(price, shares, new, old)
    back = split_adjustment(split.price_after, split.shares_after, old, new)
    # After the split the rounding error is at most 0.005; the combination shrinks it by
    # old/new < 1, so it rounds back to the very same hundredth.
    assert back.shares_after == shares
    assert abs(back.price_after - price) <= price * CONTEXT_SLACK


@given(prices, share_numbers, split_ratios(), st.booleans())
def test_split_keeps_the_aggregate_exercise_price(
    price: Decimal, shares: Decimal, ratio: tuple[Decimal, Decimal], combination: bool
) -> None:
    new, old = (ratio[1], ratio[0]) if combination else ratio
    exact_shares = Fraction(shares) * Fraction(new) / Fraction(old)
    if exact_shares < Fraction(1, 200):
        return  # rounds to no shares: rejected, covered by the worked examples
    result = split_adjustment(price, shares, new, old)
    assert abs(Fraction(result.shares_after) - exact_shares) <= Fraction(HALF_HUNDREDTH)
    aggregate_change = abs(result.price_after * result.shares_after - price * shares)
    assert aggregate_change <= result.price_after * HALF_HUNDREDTH
    assert aggregate_change <= price * shares * CONTEXT_SLACK


@given(prices, share_numbers, scaled(1, 100_000, 4))
def test_stock_dividend_keeps_the_aggregate_exercise_price(
    price: Decimal, shares: Decimal, rate: Decimal
) -> None:
    result = stock_dividend_adjustment(price, shares, rate)
    exact_shares = Fraction(shares) * (1 + Fraction(rate))
    assert abs(Fraction(result.shares_after) - exact_shares) <= Fraction(HALF_HUNDREDTH)
    assert result.shares_after >= shares
    assert result.price_after <= price
    aggregate_change = abs(result.price_after * result.shares_after - price * shares)
    assert aggregate_change <= result.price_after * HALF_HUNDREDTH


@st.composite
def distributions(draw: st.DrawFn) -> tuple[Decimal, Decimal]:
    """(Per Share Market Value, value per share) with 0 < value < PSMV."""
    market = draw(st.integers(2, 1_000_000))
    value = draw(st.integers(1, market - 1))
    return Decimal(market).scaleb(-4), Decimal(value).scaleb(-4)


@given(prices, share_numbers, distributions())
def test_distribution_never_lowers_the_aggregate_or_the_share_number(
    price: Decimal, shares: Decimal, distribution: tuple[Decimal, Decimal]
) -> None:
    market, value = distribution
    result = distribution_adjustment(price, shares, market, value)
    assert result.shares_after >= shares
    assert result.price_after <= price
    before = price * shares
    assert result.price_after * result.shares_after >= before * (1 - CONTEXT_SLACK)
    # The holder's shares after the distribution are worth, ex-distribution, what the
    # warrant shares were worth before it (within the 1/100 share rounding).
    worth_after = Fraction(result.shares_after) * (Fraction(market) - Fraction(value))
    worth_before = Fraction(shares) * Fraction(market)
    assert abs(worth_after - worth_before) <= Fraction(HALF_HUNDREDTH) * (
        Fraction(market) - Fraction(value)
    )


@st.composite
def issuances(draw: st.DrawFn) -> dict[str, Decimal | bool]:
    price = draw(prices)
    return {
        "price": price,
        "shares": draw(share_numbers),
        "outstanding_before": draw(counts),
        "issued": draw(counts),
        "consideration": draw(money),
        "floor": draw(st.integers(0, 2_000_000).map(lambda n: Decimal(n).scaleb(-4))),
        "keep_aggregate": draw(st.booleans()),
    }


@given(issuances())
def test_issuance_never_raises_the_price_nor_goes_below_the_floor(
    case: dict[str, Decimal | bool],
) -> None:
    price, shares = Decimal(case["price"]), Decimal(case["shares"])
    o, n, c = (Decimal(case[k]) for k in ("outstanding_before", "issued", "consideration"))
    floor = Decimal(case["floor"])
    keep = bool(case["keep_aggregate"])
    result = issuance_adjustment(price, shares, o, n, c, floor=floor, keep_aggregate=keep)
    below = c == 0 or Fraction(c) / Fraction(n) < Fraction(price)
    if not below or price <= floor:
        assert result is None
        return
    assert result is not None
    assert floor <= result.price_after <= price
    formula = Fraction(price) * (Fraction(o) + Fraction(c) / Fraction(price)) / Fraction(o + n)
    expected = max(formula, Fraction(floor))
    assert abs(Fraction(result.price_after) - expected) <= Fraction(price * CONTEXT_SLACK)
    assert result.floor_applied is (formula < floor)
    if keep:
        kept = Fraction(shares) * Fraction(price) / Fraction(result.price_after)
        assert abs(Fraction(result.shares_after) - kept) <= Fraction(HALF_HUNDREDTH)
        assert result.shares_after >= shares
    else:
        assert result.shares_after == shares


@given(issuances())
def test_equivalents_adjust_as_a_deemed_issuance_of_the_maximum(
    case: dict[str, Decimal | bool],
) -> None:
    price, shares = Decimal(case["price"]), Decimal(case["shares"])
    o, n, c = (Decimal(case[k]) for k in ("outstanding_before", "issued", "consideration"))
    floor = Decimal(case["floor"])
    keep = bool(case["keep_aggregate"])
    deemed = issuance_adjustment(price, shares, o, n, c, floor=floor, keep_aggregate=keep)
    result = equivalents_adjustment(price, shares, o, n, c, floor=floor, keep_aggregate=keep)
    if deemed is None:
        assert result is None
        return
    assert result is not None
    assert result.section == "4(e)"
    assert (result.price_after, result.shares_after) == (deemed.price_after, deemed.shares_after)
