"""Sections 12, 9 and 10 against hand-worked examples (resources/exercise/notices.toml).

Trading Days come from the real `shared.calendar.TradingCalendar`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from exercise_golden import calendar, case_id, cases, day, dec, instant, table, terms

from shared.cap import waiver_in_force_from
from shared.errors import ContractInputError
from shared.events.inputs import NoticeDelivery
from shared.notices import (
    WarrantPosition,
    amendment_verdict,
    notice_effect,
    notice_effective,
    section9_check,
)

EXPIRY = "2010-03-14T17:00:00-04:00"


@pytest.mark.parametrize("case", cases("notices.toml", "effective"), ids=case_id)
def test_notice_effective(case: dict[str, Any]) -> None:
    effective = notice_effective(
        instant(case["submitted_at"]), NoticeDelivery(case["delivery"]),
        calendar(case["venue"]), terms(),
    )
    expected = instant(case["effective_at"])
    assert effective == expected
    # Same wall clock in eastern time, not merely the same instant.
    assert effective.astimezone(terms().zone).utcoffset() == expected.utcoffset()


def test_fax_text_names_the_clause() -> None:
    effect = notice_effect(
        instant("2008-11-26T18:00:00-05:00"), NoticeDelivery.FAX, calendar(), terms()
    )
    assert effect.calculation.startswith("Section 12(ii): fax 2008-11-26 18:00:00 EST")
    assert "next Trading Day 2008-11-28" in effect.calculation


def test_waiver_faxed_late_on_a_friday() -> None:
    case = table("notices.toml", "waiver_by_fax")
    effective = notice_effective(
        instant(case["submitted_at"]), NoticeDelivery.FAX, calendar(), terms()
    )
    assert effective == instant(case["effective_at"])
    assert waiver_in_force_from(effective, terms()) == instant(case["in_force_from"])


def test_naive_submission_time_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(ContractInputError, match="submitted_at"):
        notice_effective(datetime(2008, 11, 26, 18), NoticeDelivery.FAX, calendar(), terms())


@pytest.mark.parametrize("case", cases("notices.toml", "section9"), ids=case_id)
def test_section9(case: dict[str, Any]) -> None:
    announced = None if case["announced_at"] == "" else instant(case["announced_at"])
    check = section9_check(day(case["action_date"]), announced, terms())
    assert check.required_by == day(case["required_by"])
    assert check.late is case["late"]
    assert check.days_short == case["days_short"]
    assert f"required by {case['action_date']} - 20 days = {case['required_by']}" in (
        check.calculation
    )


@pytest.mark.parametrize("case", cases("notices.toml", "section10"), ids=case_id)
def test_section10(case: dict[str, Any]) -> None:
    positions = [
        WarrantPosition(w, h, dec(s), Decimal("2.40"), instant(EXPIRY))
        for w, h, s in case["positions"]
    ]
    verdict = amendment_verdict(
        warrant_price=dec(case["warrant_price"]) if "warrant_price" in case else None,
        share_number=dec(case["share_number"]) if "share_number" in case else None,
        expires_at=instant(case["expires_at"]) if "expires_at" in case else None,
        positions=positions,
        consenting_holders=case["consenting"],
        majority_holders_consent=case["majority_holders_consent"],
        terms=terms(),
    )
    assert verdict.allowed is case["allowed"]
    if case["allowed"]:
        assert verdict.reason == ""
    else:
        assert verdict.reason
        for holder in case.get("missing", []):
            assert f"without the consent of {holder}" in verdict.reason
        if "missing" not in case:
            assert "Majority Holders" in verdict.reason


def test_unknown_delivery_method_is_named() -> None:
    with pytest.raises(ContractInputError, match="fax, courier or hand"):
        notice_effective(
            instant("2008-11-26T10:00:00-05:00"), "pigeon",  # type: ignore[arg-type]
            calendar(), terms(),
        )
