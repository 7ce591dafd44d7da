"""Notices: when one is effective (Section 12), whether the Issuer's came in time (Section 9),
and whether an amendment may bind the holders (Section 10).

Section 12, as docs/contract.md reads it (decisions noted):
- fax before close of business (17:00 eastern, `terms.close_of_business`) on a Trading Day:
  effective at the moment of transmission;
- fax at or after 17:00, or on a day that is not a Trading Day: effective at 00:00 eastern
  of the next Trading Day (the start of that day: a notice effective "on" a day is
  effective for the whole of it). 17:00:00 itself is neither "prior to" (i) nor "later
  than" (ii) 5:00 p.m.: it is read with (ii), the cut-off (docs/decisions.md "Exercise, cap,
  delivery"). The text's "earlier than 11:59 p.m." leaves the last
  minute of a day to "actual receipt"; the contract page reads it as the next Trading Day too;
- overnight courier: 00:00 eastern of the Trading Day following the date of mailing
  (`submitted_at` is the mailing time);
- by hand (any other method): actual receipt, `submitted_at` itself.

Section 9: notice is due `section9_notice_days` (20) days before the record or effective
date: required_by = date - 20 days; the notice is late when its eastern calendar date is
after required_by, or when there was none; days_short is the whole days after required_by
(for no notice at all, the full 20).

Section 10: an amendment needs the Issuer (it is the Issuer's instrument) and the Majority
Holders (the flag, or consenting holders of >= 51% of the warrant shares known); one that
raises the Warrant Price, lowers the Warrant Share Number or shortens the exercise period
also needs the consent of each holder whose warrant it does that to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from shared.errors import ContractInputError
from shared.events.inputs import NoticeDelivery
from shared.exercise.trading_days import TradingDays
from shared.exercise.wall_clock import in_utc, local_date, require_aware, show_instant, start_of_day
from shared.numbers import figure, product, show_price, text_warrant_shares, total
from shared.terms import Terms


@dataclass(frozen=True, slots=True)
class NoticeEffect:
    """When a notice took effect under Section 12, and by which clause."""

    effective_at: datetime
    calculation: str


def notice_effect(
    submitted_at: datetime, delivery: NoticeDelivery, calendar: TradingDays, terms: Terms
) -> NoticeEffect:
    """Section 12: the instant a notice (an exercise form, a Waiver Notice ...) is effective."""
    zone = terms.zone
    sent = require_aware(submitted_at, "submitted_at").astimezone(zone)
    day = sent.date()
    shown = show_instant(sent, zone)
    if delivery is NoticeDelivery.HAND:
        # The local time at its fixed offset: in the hour repeated when daylight saving time
        # ends, a datetime in the zone itself compares unequal to the same instant in any
        # other zone (PEP 495), so receipt would not equal the instant it was sent.
        received = sent.astimezone(timezone(sent.utcoffset() or timedelta(0)))
        return NoticeEffect(
            received, f"Section 12(iv): delivered by hand, effective on receipt {shown}"
        )
    if delivery is NoticeDelivery.COURIER:
        effective_day = calendar.next_trading_day(day)
        at = start_of_day(effective_day, zone)
        return NoticeEffect(
            at,
            f"Section 12(iii): mailed by overnight courier {shown}; effective the Trading Day "
            f"after {day.isoformat()}: {show_instant(at, zone)}",
        )
    if delivery is NoticeDelivery.FAX:
        trading = calendar.is_trading_day(day)
        if trading and sent.time() < terms.close_of_business:
            return NoticeEffect(
                sent,
                f"Section 12(i): fax {shown}, before {terms.close_of_business:%H:%M} on Trading "
                f"Day {day.isoformat()}: effective then",
            )
        effective_day = calendar.next_trading_day(day)
        at = start_of_day(effective_day, zone)
        why = (
            f"at or after {terms.close_of_business:%H:%M}"
            if trading
            else f"on {day.isoformat()}, not a Trading Day"
        )
        return NoticeEffect(
            at,
            f"Section 12(ii): fax {shown}, {why}: effective the next Trading Day "
            f"{effective_day.isoformat()}, from {show_instant(at, zone)}",
        )
    raise ContractInputError(f"unknown notice delivery method {delivery!r}; fax, courier or hand")


def notice_effective(
    submitted_at: datetime, delivery: NoticeDelivery, calendar: TradingDays, terms: Terms
) -> datetime:
    """Section 12: the instant a notice is effective (see `notice_effect` for the text)."""
    return notice_effect(submitted_at, delivery, calendar, terms).effective_at


@dataclass(frozen=True, slots=True)
class Section9Check:
    """Whether the Issuer's Section 9 notice of a record or effective date came in time."""

    action_date: date
    required_by: date
    announced_on: date | None
    late: bool
    days_short: int
    calculation: str


def section9_check(action_date: date, announced_at: datetime | None, terms: Terms) -> Section9Check:
    """Section 9: notice at least `section9_notice_days` days before the record/effective date."""
    days = terms.section9_notice_days
    required_by = action_date - timedelta(days=days)
    head = (
        f"Section 9: required by {action_date.isoformat()} - {days} days = "
        f"{required_by.isoformat()}"
    )
    if announced_at is None:
        return Section9Check(
            action_date, required_by, None, True, days,
            f"{head}; no notice given: {days} days short",
        )
    announced_on = local_date(announced_at, terms.zone, "announced_at")
    short = max(0, (announced_on - required_by).days)
    if short == 0:
        text = f"{head}; notice given {announced_on.isoformat()}: in time"
    else:
        text = (
            f"{head}; notice given {announced_on.isoformat()}: {short} days short "
            f"({announced_on.isoformat()} - {required_by.isoformat()})"
        )
    return Section9Check(action_date, required_by, announced_on, short > 0, short, text)


@dataclass(frozen=True, slots=True)
class WarrantPosition:
    """One outstanding Warrant as an amendment would find it."""

    warrant: str
    holder: str
    share_number: Decimal
    warrant_price: Decimal
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AmendmentVerdict:
    allowed: bool
    reason: str  # empty when allowed
    calculation: str


def _adverse(
    position: WarrantPosition,
    warrant_price: Decimal | None,
    share_number: Decimal | None,
    expires_at: datetime | None,
) -> list[str]:
    """What an amendment would do to this warrant that Section 10 lets only its holder allow."""
    found: list[str] = []
    if share_number is not None and share_number < position.share_number:
        found.append(
            f"lowers the Warrant Share Number of {position.warrant} from "
            f"{text_warrant_shares(position.share_number)} to {text_warrant_shares(share_number)}"
        )
    if warrant_price is not None and warrant_price > position.warrant_price:
        found.append(
            f"raises the Warrant Price of {position.warrant} from "
            f"{show_price(position.warrant_price)} to {show_price(warrant_price)}"
        )
    if expires_at is not None and in_utc(expires_at, "expires_at") < in_utc(position.expires_at):
        found.append(
            f"shortens the exercise period of {position.warrant} from "
            f"{position.expires_at.isoformat()} to {expires_at.isoformat()}"
        )
    return found


def amendment_verdict(
    *,
    warrant_price: Decimal | None,
    share_number: Decimal | None,
    expires_at: datetime | None,
    positions: Sequence[WarrantPosition],
    consenting_holders: Collection[str],
    majority_holders_consent: bool,
    terms: Terms,
) -> AmendmentVerdict:
    """Section 10: whether an amendment changing these terms binds the warrants in `positions`.

    `positions` are the outstanding Warrants the amendment touches, with their holders' share
    numbers; the majority is the flag, or consenting holders of at least
    `majority_holders_fraction` of the warrant shares in `positions`.
    """
    held = total(*(p.share_number for p in positions))
    consenting = set(consenting_holders)
    agreed = total(*(p.share_number for p in positions if p.holder in consenting))
    threshold = product(terms.majority_holders_fraction, held)
    by_count = held > 0 and agreed >= threshold
    majority = majority_holders_consent or by_count
    lines = [
        f"Section 10: Majority Holders {'consent' if majority_holders_consent else 'flag not set'}"
        f"; consenting holders hold {text_warrant_shares(agreed)} of {text_warrant_shares(held)} "
        f"warrant shares, {'>=' if by_count else '<'} {figure(terms.majority_holders_fraction)} "
        f"x {text_warrant_shares(held)} = {text_warrant_shares(threshold)}"
    ]
    if not majority:
        reason = (
            "the amendment lacks the consent of the Majority Holders (holders of at least "
            f"{figure(terms.majority_holders_fraction * 100)}% of the warrant shares)"
        )
        return AmendmentVerdict(False, reason, "; ".join([*lines, reason]))
    missing: list[str] = []
    for position in positions:
        adverse = _adverse(position, warrant_price, share_number, expires_at)
        if adverse and position.holder not in consenting:
            missing.append(f"{'; '.join(adverse)} without the consent of {position.holder}")
        elif adverse:
            lines.append(f"{'; '.join(adverse)}, with the consent of {position.holder}")
    if missing:
        reason = "the amendment " + "; and ".join(missing) + " (Section 10 proviso)"
        return AmendmentVerdict(False, reason, "; ".join([*lines, reason]))
    return AmendmentVerdict(True, "", "; ".join([*lines, "allowed"]))
