"""`warrantwatch calendar`: ask the Section 8 Trading Day calendar one question.

    warrantwatch calendar add DATE N --venue VENUE          the date N Trading Days after DATE
    warrantwatch calendar is-trading-day DATE --venue VENUE  true or false
    warrantwatch calendar close DATE --venue VENUE          the close on DATE, ISO 8601

The venue is the one in force for the whole question (no listing changes); without
`--venue`, the terms' initial venue. `--terms FILE` reads another warrant's terms file.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import date

from shared.calendar import TradingCalendar
from shared.errors import CalendarQueryError
from shared.terms import load_terms
from shared.venues import Venue


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CalendarQueryError(f"not a date YYYY-MM-DD: {text!r}") from None


def parse_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise CalendarQueryError(
            f"N must be a whole number of Trading Days, got {text!r}"
        ) from None
    if count < 0:
        raise CalendarQueryError(f"N must be 0 or more, got {count}")
    return count


def calendar_for(args: argparse.Namespace) -> TradingCalendar:
    terms = load_terms(args.terms)
    if args.venue is not None:
        terms = dataclasses.replace(terms, initial_venue=Venue.parse(args.venue))
    return TradingCalendar(terms)


def run_add(args: argparse.Namespace) -> int:
    day, count = parse_date(args.date), parse_count(args.n)
    print(calendar_for(args).trading_days_after(day, count).isoformat())
    return 0


def run_is_trading_day(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    print("true" if calendar_for(args).is_trading_day(day) else "false")
    return 0


def run_close(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    print(calendar_for(args).close_time(day).isoformat())
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    venues = ", ".join(v.value for v in Venue)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--venue", help=f"one of {venues} (default: the terms' initial venue)")
    common.add_argument("--terms", help="terms file (default: the bundled W-F-05 terms)")

    p = sub.add_parser("calendar", help="Section 8 Trading Day questions")
    questions = p.add_subparsers(dest="question", required=True, metavar="QUESTION")

    add = questions.add_parser(
        "add", parents=[common], help="the date N Trading Days after DATE (strictly after)"
    )
    add.add_argument("date", help="YYYY-MM-DD")
    add.add_argument("n", help="number of Trading Days")
    add.set_defaults(func=run_add)

    is_day = questions.add_parser(
        "is-trading-day", parents=[common], help="print true if DATE is a Trading Day"
    )
    is_day.add_argument("date", help="YYYY-MM-DD")
    is_day.set_defaults(func=run_is_trading_day)

    close = questions.add_parser(
        "close", parents=[common], help="the close on Trading Day DATE (ISO 8601, eastern)"
    )
    close.add_argument("date", help="YYYY-MM-DD")
    close.set_defaults(func=run_close)
