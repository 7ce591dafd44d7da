"""Section 2(d): the delivery deadline, the Exercise Default, and buy-in damages.

- Certificates (or a DWAC credit) are due "not exceeding three (3) Trading Days after such
  exercise": by the end of the `delivery_trading_days`-th Trading Day strictly after the
  exercise date (the eastern date of the effective instant), each day judged by the
  Trading Day tier in force on it.
- The deadline instant is the end of that day in eastern time, i.e. 00:00 eastern of the
  next calendar day. A delivery at or after that instant is late; event time at or after
  it with fewer shares delivered before it than issued is an Exercise Default.
- Buy-in damages (2(d)): (A) paid for the shares bought to cover minus (B) net proceeds,
  rounded to the cent half up. A difference below zero is no damage: the amount is 0.00
  (the clause measures the holder's loss; a gain is not owed to the Issuer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.errors import ContractInputError
from shared.exercise.cashless import require_not_negative
from shared.exercise.trading_days import TradingDays
from shared.exercise.wall_clock import in_utc, show_instant, start_of_day
from shared.numbers import ZERO, difference, round_cents, text_cash, text_stock, total
from shared.terms import Terms


@dataclass(frozen=True, slots=True)
class DeliverySchedule:
    """When the shares of one exercise are due (Section 2(d))."""

    exercise_date: date
    delivery_due: date
    deadline: datetime
    calculation: str


@dataclass(frozen=True, slots=True)
class DefaultCheck:
    """Whether an exercise is in Exercise Default at an event time."""

    in_default: bool
    shares_undelivered: Decimal
    calculation: str


@dataclass(frozen=True, slots=True)
class BuyInFigures:
    amount: Decimal
    calculation: str


def delivery_due(exercise_date: date, calendar: TradingDays, n: int) -> date:
    """Section 2(d): the `n`-th Trading Day strictly after the exercise date."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ContractInputError(f"delivery Trading Days must be 1 or more, got {n!r}")
    return calendar.trading_days_after(exercise_date, n)


def delivery_deadline(due: date, zone: ZoneInfo) -> datetime:
    """The end of the due date in eastern time: 00:00 of the next calendar day."""
    return start_of_day(due + timedelta(days=1), zone)


def delivery_schedule(exercise_date: date, calendar: TradingDays, terms: Terms) -> DeliverySchedule:
    """Section 2(d) with the terms' count of Trading Days, with its calculation."""
    n = terms.delivery_trading_days
    due = delivery_due(exercise_date, calendar, n)
    deadline = delivery_deadline(due, terms.zone)
    return DeliverySchedule(
        exercise_date, due, deadline,
        f"Section 2(d): {n} Trading Days after {exercise_date.isoformat()} = "
        f"{due.isoformat()}; deadline the end of that day, "
        f"{show_instant(deadline, terms.zone)}",
    )


def default_check(
    event_time: datetime,
    deadline: datetime,
    shares_issued: Decimal,
    deliveries: Iterable[tuple[datetime, Decimal]],
) -> DefaultCheck:
    """Section 2(d) Exercise Default: event time at or past the deadline, shares short.

    `deliveries` are (delivered_at, shares); only those before the deadline count.
    """
    now = in_utc(event_time, "event time")
    end = in_utc(deadline, "deadline")
    owed = require_not_negative(shares_issued, "shares issued")
    in_time = total(*(
        require_not_negative(shares, "delivered shares")
        for at, shares in deliveries
        if in_utc(at, "delivered_at") < end
    ))
    short = max(ZERO, difference(owed, in_time))
    if now < end:
        return DefaultCheck(
            False, short, f"Section 2(d): deadline {deadline.isoformat()} not reached"
        )
    if short == 0:
        return DefaultCheck(
            False, ZERO,
            f"Section 2(d): {text_stock(in_time)} of {text_stock(owed)} shares delivered before "
            f"the deadline {deadline.isoformat()}",
        )
    return DefaultCheck(
        True, short,
        f"Section 2(d) Exercise Default: {text_stock(owed)} shares issued - "
        f"{text_stock(in_time)} delivered before the deadline {deadline.isoformat()} = "
        f"{text_stock(short)} undelivered",
    )


def buy_in_damages(paid: Decimal, net_proceeds: Decimal) -> BuyInFigures:
    """Section 2(d): paid for the cover purchase - net proceeds, to the cent; never below 0."""
    require_not_negative(paid, "amount paid for the cover purchase")
    require_not_negative(net_proceeds, "net proceeds")
    loss = difference(paid, net_proceeds)
    amount = round_cents(max(ZERO, loss))
    text = (
        f"Section 2(d): paid {text_cash(paid)} - net proceeds {text_cash(net_proceeds)} = "
        f"{text_cash(loss)}"
    )
    text += f" -> {text_cash(amount)}" if loss >= 0 else " < 0: no damages, 0.00"
    return BuyInFigures(amount, text)
