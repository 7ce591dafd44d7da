"""Section 7 cap against hand-worked examples (resources/exercise/cap.toml)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from exercise_golden import case_id, cases, dec, instant, table, terms

from shared.cap import (
    Waiver,
    cap_scope,
    check_cap,
    check_exercise,
    headroom,
    max_exercise,
    max_shares_issuable,
    waiver_in_force_from,
)
from shared.errors import CashlessOutOfMoney, ContractInputError
from shared.exercise.settlement_math import settle_exercise

CAP = Decimal("0.04999")
OWNED, OUTSTANDING = Decimal(40000), Decimal(1000000)
A, B = Decimal("2.40"), Decimal("3.00")


@pytest.mark.parametrize("case", cases("cap.toml", "boundary"), ids=case_id)
def test_boundary_one_under_passes_one_over_fails(case: dict[str, Any]) -> None:
    owned, outstanding, cap = dec(case["owned"]), dec(case["outstanding"]), dec(case["cap"])
    largest = dec(case["max_issuable"])
    assert max_shares_issuable(owned, outstanding, cap) == largest
    assert check_cap(owned, outstanding, largest, cap).passes
    assert not check_cap(owned, outstanding, largest + 1, cap).passes
    assert headroom(owned, outstanding, cap).max_additional_shares == largest


@pytest.mark.parametrize("case", cases("cap.toml", "over"), ids=case_id)
def test_already_over_the_cap(case: dict[str, Any]) -> None:
    owned, outstanding, cap = dec(case["owned"]), dec(case["outstanding"]), dec(case["cap"])
    assert max_shares_issuable(owned, outstanding, cap) == 0
    assert not check_cap(owned, outstanding, Decimal(0), cap).passes
    assert not check_cap(owned, outstanding, Decimal(1), cap).passes
    assert "already over the cap" in headroom(owned, outstanding, cap).calculation
    largest = max_exercise(
        owned=owned, outstanding=outstanding, cap=cap, cash_shares=Decimal(10),
        cashless_shares=Decimal(0), warrant_price=A, market_value=None,
    )
    assert largest.total == 0


@pytest.mark.parametrize("case", cases("cap.toml", "largest"), ids=case_id)
def test_largest_exercise(case: dict[str, Any]) -> None:
    result = max_exercise(
        owned=OWNED, outstanding=OUTSTANDING, cap=CAP,
        cash_shares=dec(case["cash_shares"]), cashless_shares=dec(case["cashless_shares"]),
        warrant_price=A, market_value=B,
    )
    assert result.cash_shares == dec(case["max_cash"])
    assert result.cashless_shares == dec(case["max_cashless"])
    assert result.total == dec(case["max_cash"]) + dec(case["max_cashless"])


@pytest.mark.parametrize("case", cases("cap.toml", "largest"), ids=case_id)
def test_largest_exercise_passes_and_one_step_more_fails(case: dict[str, Any]) -> None:
    """The settlement of the answer passes the cap; a hundredth more of its last part fails."""
    cash, cashless = dec(case["max_cash"]), dec(case["max_cashless"])

    def issued(c: Decimal, cl: Decimal) -> Decimal:
        return settle_exercise(
            cash_shares=c, cashless_shares=cl, warrant_price=A, market_value=B,
            share_number=Decimal(10**7),
        ).shares_issued

    assert check_cap(OWNED, OUTSTANDING, issued(cash, cashless), CAP).passes
    step = Decimal("0.01")
    bigger = (cash, cashless + step) if cashless > 0 else (cash + step, cashless)
    assert not check_cap(OWNED, OUTSTANDING, issued(*bigger), CAP).passes


def test_boundary_texts_show_the_comparison() -> None:
    over = check_cap(OWNED, OUTSTANDING, Decimal(10516), CAP).calculation
    assert "(40,000 + 10,516) / (1,000,000 + 10,516) = 50,516 / 1,010,516" in over
    assert "> 0.04999: over the cap" in over
    room = headroom(OWNED, OUTSTANDING, CAP).calculation
    assert "(0.04999 x 1,000,000 - 40,000) / 0.95001" in room
    assert "-> 10,515 whole shares" in room


def test_largest_is_bounded_by_what_the_warrant_has_left() -> None:
    result = max_exercise(
        owned=OWNED, outstanding=OUTSTANDING, cap=CAP, cash_shares=Decimal(20000),
        cashless_shares=Decimal(0), warrant_price=A, market_value=None,
        available=Decimal(7000),
    )
    assert result.cash_shares == Decimal(7000)


def test_largest_cashless_out_of_the_money_is_refused() -> None:
    with pytest.raises(CashlessOutOfMoney):
        max_exercise(
            owned=OWNED, outstanding=OUTSTANDING, cap=CAP, cash_shares=Decimal(0),
            cashless_shares=Decimal(100), warrant_price=A, market_value=Decimal("2.40"),
        )


@pytest.mark.parametrize("case", cases("cap.toml", "waiver"), ids=case_id)
def test_partial_waiver_lets_its_shares_through(case: dict[str, Any]) -> None:
    """The waived part is issued free of the cap; the rest is tested against H and O before."""
    owned, outstanding, waived = dec(case["owned"]), dec(case["outstanding"]), dec(case["waived"])

    def cash_exercise(y: Decimal) -> bool:
        check, split = check_exercise(owned, outstanding, CAP, cash_shares=y,
                                      cashless_shares=Decimal(0), warrant_price=A,
                                      market_value=None, waived=waived)
        assert split.covered == min(y, waived)
        return check.passes

    assert cash_exercise(dec(case["passes"]))
    assert not cash_exercise(dec(case["fails"]))
    largest = max_exercise(
        owned=owned, outstanding=outstanding, cap=CAP, cash_shares=dec(case["asked"]),
        cashless_shares=Decimal(0), warrant_price=A, market_value=B, waived=waived,
    )
    assert largest.cash_shares == largest.total == dec(case["max_cash"])
    assert not cash_exercise(largest.total + Decimal("0.01"))
    # the answer passes as a settlement: its whole shares beyond the waived ones fit the cap
    check, _ = check_exercise(owned, outstanding, CAP, cash_shares=largest.total,
                              cashless_shares=Decimal(0), warrant_price=A, market_value=B,
                              waived=waived)
    assert check.passes and check.issued == dec(case["max_cash"]) // 1 - waived


def test_partial_waiver_covers_the_cash_part_first() -> None:
    # 20,000 waived of cash 15,000 + cashless 40,000 (X = 0.2 Y_cl at A 2.40, B 3.00): the
    # waiver takes the 15,000 cash and 5,000 cashless; the other 35,000 cashless issue
    # 0.2 x 35,000 = 7,000 whole shares <= 10,515 (40,000 owned of 1,000,000): passes.
    check, split = check_exercise(OWNED, OUTSTANDING, CAP, cash_shares=Decimal(15000),
                                  cashless_shares=Decimal(40000), warrant_price=A,
                                  market_value=B, waived=Decimal(20000))
    assert (split.covered_cash, split.covered_cashless) == (Decimal(15000), Decimal(5000))
    assert check.passes and check.issued == Decimal(7000)
    assert "covers 20,000.00 of the warrant shares" in check.calculation


@pytest.mark.parametrize(
    ("owned", "outstanding", "problem"),
    [("-1", "100", "shares owned H"), ("5", "0", "shares outstanding O"),
     ("101", "100", "exceed shares outstanding")],
)
def test_bad_holdings_are_named(owned: str, outstanding: str, problem: str) -> None:
    with pytest.raises(ContractInputError, match=problem):
        headroom(Decimal(owned), Decimal(outstanding), CAP)


# --- when the cap is off -------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("time.toml", "waiver"), ids=case_id)
def test_waiver_in_force_from_the_61st_day(case: dict[str, Any]) -> None:
    effective = instant(case["effective_at"])
    starts = waiver_in_force_from(effective, terms())
    assert starts == instant(case["in_force_from"])
    assert starts.utcoffset() == instant(case["in_force_from"]).utcoffset()
    whole = (Waiver(effective),)
    assert cap_scope(instant(case["still_capped"]), terms(), whole).applies
    assert not cap_scope(instant(case["waived"]), terms(), whole).applies


def test_partial_waiver_scope_adds_up_named_shares() -> None:
    case = cases("time.toml", "waiver")[0]
    effective = instant(case["effective_at"])
    waivers = (Waiver(effective, Decimal(100000)), Waiver(effective, Decimal("2500.50")))
    before = cap_scope(instant(case["still_capped"]), terms(), waivers)
    after = cap_scope(instant(case["waived"]), terms(), waivers)
    assert before.applies and before.waived_shares == 0
    assert after.applies and after.waived_shares == Decimal("102500.50")
    assert "102,500.50 warrant shares waived" in after.calculation


def test_no_cap_in_the_last_61_days() -> None:
    no_cap = table("time.toml", "no_cap")
    for key, applies in (("before", True), ("before_utc", True), ("at_start", False),
                         ("at_start_utc", False)):
        scope = cap_scope(instant(no_cap[key]), terms())
        assert scope.applies is applies, key
    assert "2010-01-12 00:00:00 EST" in cap_scope(instant(no_cap["at_start"]), terms()).calculation


def test_cap_scope_rejects_a_naive_time() -> None:
    with pytest.raises(ContractInputError, match="UTC offset"):
        cap_scope(datetime(2008, 1, 1, 12), terms())
