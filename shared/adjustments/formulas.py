"""Section 4(b)-(e): the adjustment formulas, pure functions of the terms and the event.

Each function takes the Warrant Price and Warrant Share Number in effect and the figures of
one event, and returns the adjusted terms with their calculation (Section 5), `None` when the
clause asks for no adjustment, or raises `AdjustmentNotApplicable` when the event cannot be
applied as docs/contract.md reads the clause. Ordering, deferral (4(g)(ii)), rescission
(4(f), 4(g)(iv)) and the moment of effect belong to the warrant-state fold, not here.

Arithmetic runs in the contract's 28-digit context whatever the caller's context is; the
Warrant Price is kept exact, share numbers are rounded to `rounding` (1/100 share, half up,
4(g)(iii)).
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from shared.adjustments.calculation import AdjustmentResult
from shared.errors import AdjustmentNotApplicable
from shared.numbers import (
    FIGURES,
    HUNDREDTH,
    exact_product,
    round_shares,
    show_amount,
    show_price,
    show_shares,
)

# The event records carry at most 15 integer digits (shared/events/fields.py); the same bound
# here keeps every product well inside 28 significant digits before any rounding.
LIMIT = Decimal("1e16")


def split_adjustment(
    price: Decimal,
    shares: Decimal,
    new: Decimal,
    old: Decimal,
    *,
    rounding: Decimal = HUNDREDTH,
) -> AdjustmentResult:
    """4(b)(ii)/(iii): a split or combination in which `old` shares become `new` shares.

    The holder of the Warrant Share Number "would own" that number x new / old shares
    (rounded to `rounding`, 4(g)(iii)); the Warrant Price becomes price x shares before /
    shares after, so the aggregate exercise price is kept.
    """
    with localcontext(FIGURES):
        price, shares = _terms("4(b)", price, shares, rounding)
        new = _positive("4(b)", "new shares of the split", new)
        old = _positive("4(b)", "old shares of the split", old)
        if new == old:
            raise AdjustmentNotApplicable(
                f"4(b): a split of {old} into {new} shares changes nothing", section="4(b)")
        kind = "split" if new > old else "combination"
        after = _round("4(b)", shares * new / old, rounding)
        price_after = price * shares / after
        text = (
            f"4(b) {kind} of {show_amount(old)} shares into {show_amount(new)}: "
            f"Warrant Share Number {show_shares(shares)} x {show_amount(new)} / "
            f"{show_amount(old)} = {show_shares(after)}; "
            + _price_text(price, shares, after, price_after)
        )
        return AdjustmentResult("4(b)", price, price_after, shares, after, text)


def stock_dividend_adjustment(
    price: Decimal,
    shares: Decimal,
    rate: Decimal,
    *,
    rounding: Decimal = HUNDREDTH,
) -> AdjustmentResult:
    """4(b)(i): a dividend of `rate` shares of Common Stock per share (0.10 for 10%).

    A record holder of the Warrant Share Number would hold it x (1 + rate) after the dividend;
    the Warrant Price is adjusted as for a split.
    """
    with localcontext(FIGURES):
        price, shares = _terms("4(b)", price, shares, rounding)
        rate = _positive("4(b)", "dividend rate", rate)
        after = _round("4(b)", shares * (1 + rate), rounding)
        price_after = price * shares / after
        text = (
            f"4(b) stock dividend of {show_amount(rate)} share per share: "
            f"Warrant Share Number {show_shares(shares)} x (1 + {show_amount(rate)}) = "
            f"{show_shares(after)}; " + _price_text(price, shares, after, price_after)
        )
        return AdjustmentResult("4(b)", price, price_after, shares, after, text)


def distribution_adjustment(
    price: Decimal,
    shares: Decimal,
    market_value: Decimal,
    value_per_share: Decimal,
    *,
    rounding: Decimal = HUNDREDTH,
) -> AdjustmentResult:
    """4(c): a distribution of cash (not out of earnings), debt, other property or rights.

    `market_value` is the Per Share Market Value at the record date, `value_per_share` the
    cash plus the board's fair value allocable to one share. The share number is multiplied by
    PSMV / (PSMV - value per share); the price by shares before / shares after. A value per
    share at or above the PSMV leaves no denominator and is rejected (docs/contract.md).
    """
    with localcontext(FIGURES):
        price, shares = _terms("4(c)", price, shares, rounding)
        market_value = _positive("4(c)", "Per Share Market Value at the record date",
                                 market_value)
        value_per_share = _positive("4(c)", "value distributed per share", value_per_share)
        if value_per_share >= market_value:
            raise AdjustmentNotApplicable(
                f"4(c): value distributed per share {show_amount(value_per_share)} is not below "
                f"the Per Share Market Value at the record date {show_amount(market_value)}; "
                "the fraction PSMV / (PSMV - value per share) has no meaning",
                section="4(c)",
            )
        after = _round("4(c)", shares * market_value / (market_value - value_per_share),
                       rounding)
        text = (
            f"4(c) distribution of {show_amount(value_per_share)} per share: Warrant Share "
            f"Number {show_shares(shares)} x PSMV {show_amount(market_value)} / (PSMV "
            f"{show_amount(market_value)} - value per share {show_amount(value_per_share)}) = "
            f"{show_shares(after)}; "
        )
        price_after = price * shares / after
        text += _price_text(price, shares, after, price_after)
        return AdjustmentResult("4(c)", price, price_after, shares, after, text)


def issuance_adjustment(
    price: Decimal,
    shares: Decimal,
    outstanding_before: Decimal,
    issued: Decimal,
    consideration: Decimal,
    *,
    floor: Decimal | None,
    keep_aggregate: bool = False,
    rounding: Decimal = HUNDREDTH,
) -> AdjustmentResult | None:
    """4(d): `issued` Additional Shares for aggregate `consideration` (0: without consideration).

    Adjusts only when the price per share is below the Warrant Price (or there is no
    consideration): price x (O + C / price) / (O + N), never below `floor`, the Per Share
    Market Value on the Original Issue Date (Section 4, third sentence; `Decimal(0)` when the
    terms switch the floor off, `None` when it is not known yet). `None` when no adjustment
    is due, including when the price already stands at or below the floor. The share number
    is unchanged unless `keep_aggregate` (the terms' switch).
    """
    with localcontext(FIGURES):
        price, shares = _terms("4(d)", price, shares, rounding)
        outstanding_before = _positive("4(d)", "shares outstanding before", outstanding_before)
        issued = _positive("4(d)", "Additional Shares issued", issued)
        consideration = _non_negative("4(d)", "consideration", consideration)
        if not _below_price(consideration, issued, price):
            return None
        lead = (
            f"4(d) issuance of N {show_amount(issued)} Additional Shares "
            + _for_consideration(consideration, issued, price)
        )
        return _deemed_issuance(
            "4(d)", lead, price, shares, outstanding_before, issued, consideration,
            floor=floor, keep_aggregate=keep_aggregate, rounding=rounding,
        )


def equivalents_adjustment(
    price: Decimal,
    shares: Decimal,
    outstanding_before: Decimal,
    max_shares: Decimal,
    consideration: Decimal,
    *,
    floor: Decimal | None,
    keep_aggregate: bool = False,
    rounding: Decimal = HUNDREDTH,
) -> AdjustmentResult | None:
    """4(e): Common Stock Equivalents convertible into at most `max_shares` shares.

    `consideration` is everything 4(g)(i) counts: what was received for the rights or the
    equivalents plus what is payable on conversion or exchange. When consideration /
    max_shares is below the Warrant Price, the maximum shares are deemed issued for that
    consideration and the terms adjusted as 4(d), with the same floor and switch.
    """
    with localcontext(FIGURES):
        price, shares = _terms("4(e)", price, shares, rounding)
        outstanding_before = _positive("4(e)", "shares outstanding before", outstanding_before)
        max_shares = _positive("4(e)", "maximum shares issuable on conversion", max_shares)
        consideration = _non_negative("4(e)", "consideration", consideration)
        if not _below_price(consideration, max_shares, price):
            return None
        lead = (
            f"4(e) Common Stock Equivalents convertible into at most N "
            f"{show_amount(max_shares)} shares, deemed issued "
            + _for_consideration(consideration, max_shares, price)
        )
        return _deemed_issuance(
            "4(e)", lead, price, shares, outstanding_before, max_shares, consideration,
            floor=floor, keep_aggregate=keep_aggregate, rounding=rounding,
        )


# --- the 4(d) computation shared with 4(e) --------------------------------------------------


def _deemed_issuance(
    section: str,
    lead: str,
    price: Decimal,
    shares: Decimal,
    outstanding: Decimal,
    issued: Decimal,
    consideration: Decimal,
    *,
    floor: Decimal | None,
    keep_aggregate: bool,
    rounding: Decimal,
) -> AdjustmentResult | None:
    if floor is None:
        raise AdjustmentNotApplicable(
            f"{section}: the floor, the Per Share Market Value on the Original Issue Date, is "
            "unknown; an issuance below the Warrant Price cannot be applied without it",
            section=section,
        )
    floor = _non_negative(section, "floor", floor)
    if price <= floor:
        # The floor forbids going lower and 4(d) never raises the price: nothing to do.
        return None
    # price x (O + C / price) is price x O + C exactly; one division keeps the result exact
    # to the 28th digit instead of rounding C / price first.
    computed = (price * outstanding + consideration) / (outstanding + issued)
    floor_applied = computed < floor
    price_after = floor if floor_applied else computed
    text = (
        f"{lead}; Warrant Price {show_price(price)} x (O {show_amount(outstanding)} + "
        f"C {show_amount(consideration)} / {show_price(price)}) / (O {show_amount(outstanding)}"
        f" + N {show_amount(issued)}) = {show_price(computed)}"
    )
    if floor_applied:
        text += (
            f", below the floor {show_amount(floor)} (Per Share Market Value on the Original "
            f"Issue Date): Warrant Price {show_price(price_after)}"
        )
    if keep_aggregate:
        after = _round(section, shares * price / price_after, rounding)
        text += (
            f"; Warrant Share Number {show_shares(shares)} x {show_price(price)} / "
            f"{show_price(price_after)} = {show_shares(after)} (aggregate exercise price kept)"
        )
    else:
        after = shares
        text += f"; Warrant Share Number unchanged {show_shares(shares)}"
    return AdjustmentResult(section, price, price_after, shares, after, text, floor_applied)


def _below_price(consideration: Decimal, count: Decimal, price: Decimal) -> bool:
    """consideration / count < price, or no consideration at all (4(d)(i)), decided exactly."""
    if consideration == 0:
        return True
    return consideration < exact_product(count, price)


def _for_consideration(consideration: Decimal, count: Decimal, price: Decimal) -> str:
    if consideration == 0:
        return "without consideration"
    return (
        f"for C {show_amount(consideration)}: price per share {show_price(consideration / count)}"
        f" below the Warrant Price {show_price(price)}"
    )


# --- shared pieces ----------------------------------------------------------------------------


def _price_text(price: Decimal, before: Decimal, after: Decimal, price_after: Decimal) -> str:
    return (
        f"Warrant Price {show_price(price)} x {show_shares(before)} / {show_shares(after)} = "
        f"{show_price(price_after)}"
    )


def _round(section: str, shares: Decimal, rounding: Decimal) -> Decimal:
    after = round_shares(shares, rounding)
    if after <= 0:
        raise AdjustmentNotApplicable(
            f"{section}: the Warrant Share Number after the adjustment rounds to {after}",
            section=section,
        )
    return after


def _terms(
    section: str, price: Decimal, shares: Decimal, rounding: Decimal
) -> tuple[Decimal, Decimal]:
    _positive(section, "share rounding", rounding)
    return (
        _positive(section, "Warrant Price", price),
        _positive(section, "Warrant Share Number", shares),
    )


def _positive(section: str, name: str, value: object) -> Decimal:
    number = _number(section, name, value)
    if number <= 0:
        raise AdjustmentNotApplicable(
            f"{section}: {name} must be greater than zero, got {number}", section=section)
    return number


def _non_negative(section: str, name: str, value: object) -> Decimal:
    number = _number(section, name, value)
    if number < 0:
        raise AdjustmentNotApplicable(
            f"{section}: {name} must not be negative, got {number}", section=section)
    return number


def _number(section: str, name: str, value: object) -> Decimal:
    if not isinstance(value, Decimal):
        raise AdjustmentNotApplicable(
            f"{section}: {name} must be a Decimal, got {type(value).__name__} {value!r}",
            section=section,
        )
    if not value.is_finite():
        raise AdjustmentNotApplicable(
            f"{section}: {name} must be finite, got {value}", section=section)
    if abs(value) >= LIMIT:
        raise AdjustmentNotApplicable(
            f"{section}: {name} {value} is out of range (at most 16 digits)", section=section)
    return value
