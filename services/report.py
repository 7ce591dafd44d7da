"""The readable account of a replay: plain-text, fixed-width tables, one section per output kind.

It reads output records as they are written to a replay output file (docs/events.md), so it
renders the same account whichever broker produced them. Figures are shown as the notices
show them (Section 5): the Warrant Price to 4 places, share counts with separators, cash to
the cent; every calculation the engine wrote is printed under its row, word-wrapped, never
shortened. Only a dead letter's raw text is cut, because it can be a whole Form 4.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import RecordError
from shared.numbers import show, show_cents, show_price

Record = dict[str, Any]
Output = tuple[str, Record]

WIDTH = 100
NOTE_INDENT = "    "
RAW_SHOWN = 110

# Every output type of docs/events.md, in the order the summary lists them.
OUTPUT_TYPES = (
    "market_value", "adjustment", "adjustment_deferred", "adjustment_rescinded",
    "adjustment_rejected", "settlement", "exercise_refused", "exercise_default",
    "rights_restored", "buy_in_damages", "cap_headroom", "holding", "late_issuer_notice",
    "amendment_refused", "dead_letter",
)


def parse_output_lines(lines: Iterable[str]) -> list[Output]:
    """Replay output lines (`{"topic": ..., "value": {...}}`) as (topic, record) pairs."""
    out: list[Output] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise RecordError(f"output line {number}: malformed JSON: {exc}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("value"), dict) \
                or not isinstance(obj.get("topic"), str):
            raise RecordError(f"output line {number}: not a {{\"topic\", \"value\"}} object")
        out.append((obj["topic"], obj["value"]))
    return out


# --- figures as notices show them ----------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def price(value: Any) -> str:
    """A Warrant Price or market value: 4 places (the record keeps the exact figure)."""
    number = _decimal(value)
    if number is None:
        return "-"
    return show_price(number)


def shares(value: Any) -> str:
    """A share count with separators; the places it has (0.01 after an adjustment)."""
    number = _decimal(value)
    return "-" if number is None else show(number)


def cash(value: Any) -> str:
    """Cash to the cent, half up (the record keeps the exact figure)."""
    number = _decimal(value)
    return "-" if number is None else show_cents(number)


def instant(value: Any) -> str:
    """An ISO instant as `YYYY-MM-DD HH:MM` in its own (eastern) offset."""
    if not isinstance(value, str):
        return "-"
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def text(value: Any) -> str:
    return "-" if value is None else str(value)


# --- tables -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    right: bool = False  # numbers are right-aligned


@dataclass(slots=True)
class Table:
    """Rows of cells, each row with optional notes printed under it, wrapped to WIDTH."""

    columns: tuple[Column, ...]
    rows: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)

    def add(self, cells: Sequence[str], notes: Sequence[str] = ()) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append((tuple(cells), tuple(n for n in notes if n)))

    def render(self) -> list[str]:
        if not self.rows:
            return ["  (none)"]
        widths = [max(len(c.title), *(len(r[0][i]) for r in self.rows))
                  for i, c in enumerate(self.columns)]

        def line(cells: Sequence[str]) -> str:
            parts = [cell.rjust(w) if col.right else cell.ljust(w)
                     for cell, w, col in zip(cells, widths, self.columns, strict=True)]
            return ("  " + "  ".join(parts)).rstrip()

        out = [line([c.title for c in self.columns]),
               line(["-" * w for w in widths])]
        for cells, notes in self.rows:
            out.append(line(cells))
            for note in notes:
                out.extend(textwrap.wrap(note, WIDTH, initial_indent=NOTE_INDENT,
                                         subsequent_indent=NOTE_INDENT + "  ",
                                         break_on_hyphens=False))
        return out


def _of(outputs: Sequence[Output], *kinds: str) -> list[Record]:
    return [r for _, r in outputs if r.get("type") in kinds]


# --- sections -----------------------------------------------------------------------------


def market_values(outputs: Sequence[Output]) -> list[str]:
    """Section 8 Per Share Market Value of each date, its tier and the price it came from."""
    table = Table((Column("Date"), Column("Venue"), Column("Tier"), Column("Value", True),
                   Column("From"), Column("Approx.")))
    for r in _of(outputs, "market_value"):
        table.add([text(r.get("date")), text(r.get("venue")), text(r.get("tier")),
                   price(r.get("value")), text(r.get("source_date")),
                   "yes" if r.get("approximate") else "no"], [f"basis: {text(r.get('basis'))}"])
    return table.render()


def adjustment_notices(outputs: Sequence[Output]) -> list[str]:
    """Section 5 notices of Section 4 adjustments, carried-forward ones and rescissions."""
    table = Table((Column("Notice"), Column("Section"), Column("Warrant"), Column("Effective"),
                   Column("Price before", True), Column("Price after", True),
                   Column("Shares before", True), Column("Shares after", True)))
    names = {"adjustment": "adjustment", "adjustment_deferred": "carried fwd",
             "adjustment_rescinded": "rescinded"}
    for r in _of(outputs, *names):
        table.add([names[r["type"]], text(r.get("section")), text(r.get("warrant")),
                   instant(r.get("effective_at")), price(r.get("price_before")),
                   price(r.get("price_after")), shares(r.get("shares_before")),
                   shares(r.get("shares_after"))],
                  [f"cause: {text(r.get('cause_id'))}",
                   f"calculation: {text(r.get('calculation'))}"])
    return table.render()


def _exercise_kind(r: Record) -> str:
    cash_part = _decimal(r.get("cash_shares")) or Decimal(0)
    cashless_part = _decimal(r.get("cashless_shares")) or Decimal(0)
    if cash_part and cashless_part:
        return "combined"
    return "cashless" if cashless_part else "cash"


def settlements(outputs: Sequence[Output]) -> list[str]:
    """Sections 2 and 6: the shares issued, the cash in lieu, the payment and the remainder."""
    table = Table((Column("Effective"), Column("Kind"), Column("Y", True), Column("A", True),
                   Column("B", True), Column("Issued", True), Column("In lieu", True),
                   Column("Payment", True), Column("Remaining", True), Column("Due")))
    for r in _of(outputs, "settlement"):
        table.add([instant(r.get("effective_at")), _exercise_kind(r),
                   shares(r.get("shares_exercised")), price(r.get("warrant_price")),
                   price(r.get("market_value")), shares(r.get("shares_issued")),
                   cash(r.get("cash_in_lieu")), cash(r.get("payment_due")),
                   shares(r.get("shares_remaining")), text(r.get("delivery_due"))],
                  [f"exercise {text(r.get('exercise_id'))} of {text(r.get('warrant'))} by "
                   f"{text(r.get('holder'))}", f"calculation: {text(r.get('calculation'))}"])
    return table.render()


def refusals(outputs: Sequence[Output]) -> list[str]:
    """Exercises refused, with the reason code and, under the cap, the largest that passes."""
    table = Table((Column("Exercise"), Column("Warrant"), Column("Reason"),
                   Column("Max shares", True)))
    for r in _of(outputs, "exercise_refused"):
        table.add([text(r.get("exercise_id")), text(r.get("warrant")), text(r.get("reason")),
                   shares(r.get("max_shares"))], [f"detail: {text(r.get('detail'))}"])
    return table.render()


def cap_headroom(outputs: Sequence[Output]) -> list[str]:
    """Section 7 monitor: the most whole shares each holder may still receive."""
    table = Table((Column("As of"), Column("Holder"), Column("Owned", True),
                   Column("Outstanding", True), Column("Cap", True),
                   Column("Max additional", True), Column("Cap applies")))
    for r in _of(outputs, "cap_headroom"):
        table.add([instant(r.get("as_of")), text(r.get("holder")), shares(r.get("owned")),
                   shares(r.get("outstanding")), text(r.get("cap")),
                   shares(r.get("max_additional_shares")),
                   "no (lapsed/waived)" if r.get("waived") else "yes"])
    return table.render()


def holdings(outputs: Sequence[Output]) -> list[str]:
    """Holdings read from SEC Form 4 filings (Table I common stock)."""
    table = Table((Column("As of"), Column("Holder"), Column("Shares", True), Column("Source")))
    for r in _of(outputs, "holding"):
        table.add([instant(r.get("as_of")), text(r.get("holder")), shares(r.get("shares")),
                   text(r.get("source"))])
    return table.render()


def default_alerts(outputs: Sequence[Output]) -> list[str]:
    """Section 2(d): Exercise Defaults, rights restored and buy-in damages."""
    table = Table((Column("Alert"), Column("Exercise"), Column("Figure", True), Column("When")))
    for r in _of(outputs, "exercise_default", "rights_restored", "buy_in_damages"):
        kind = r["type"]
        if kind == "exercise_default":
            cells = ["exercise default", text(r.get("exercise_id")),
                     f"{shares(r.get('shares_undelivered'))} sh undelivered",
                     instant(r.get("detected_at"))]
            notes = [f"delivery due {text(r.get('delivery_due'))}, deadline "
                     f"{instant(r.get('deadline'))}; detected when event time reached "
                     f"{instant(r.get('detected_at'))}"]
        elif kind == "rights_restored":
            cells = ["rights restored", text(r.get("exercise_id")),
                     f"{shares(r.get('shares_restored'))} sh", instant(r.get("effective_at"))]
            notes = [f"the Exercise Default Notice restores {shares(r.get('shares_restored'))} "
                     f"warrant shares to {text(r.get('warrant'))}"]
        else:
            cells = ["buy-in damages", text(r.get("exercise_id")), cash(r.get("amount")), "-"]
            notes = [f"calculation: {text(r.get('calculation'))}"]
        table.add(cells, notes)
    return table.render()


def compliance_alerts(outputs: Sequence[Output]) -> list[str]:
    """Section 9 late notices, Section 10 refused amendments, rejected adjustments."""
    table = Table((Column("Alert"), Column("Cause")))
    for r in _of(outputs, "late_issuer_notice", "amendment_refused", "adjustment_rejected"):
        kind = r["type"]
        if kind == "late_issuer_notice":
            note = (f"Section 9: notice required by {text(r.get('required_by'))}, given "
                    f"{instant(r.get('announced_at'))}: {text(r.get('days_short'))} days short")
        else:
            note = f"reason: {text(r.get('reason'))}"
        table.add([kind.replace("_", " "), text(r.get("cause_id"))], [note])
    return table.render()


def dead_letters(outputs: Sequence[Output]) -> list[str]:
    """Input that could not be used, with the reason and the raw text as received."""
    table = Table((Column("Topic"), Column("Reason")))
    for r in _of(outputs, "dead_letter"):
        raw = text(r.get("raw"))
        shown = raw if len(raw) <= RAW_SHOWN else f"{raw[:RAW_SHOWN]}... ({len(raw)} chars)"
        table.add([text(r.get("topic")), text(r.get("reason"))], [f"raw: {shown}"])
    return table.render()


def summary(outputs: Sequence[Output]) -> list[str]:
    """How many records of each output type, every type listed (0 when absent)."""
    counts = Counter(str(r.get("type")) for _, r in outputs)
    table = Table((Column("Output type"), Column("Records", True)))
    for kind in (*OUTPUT_TYPES, *sorted(set(counts) - set(OUTPUT_TYPES))):
        table.add([kind, str(counts.get(kind, 0))])
    table.add(["total", str(len(outputs))])
    return table.render()


Section = tuple[str, Callable[[Sequence[Output]], list[str]]]

SECTIONS: tuple[Section, ...] = (
    ("MARKET VALUES (Section 8 Per Share Market Value)", market_values),
    ("ADJUSTMENT NOTICES (Sections 4 and 5)", adjustment_notices),
    ("SETTLEMENTS (Sections 2 and 6)", settlements),
    ("REFUSALS (Sections 1, 2, 7)", refusals),
    ("CAP HEADROOM (Section 7, 4.999%)", cap_headroom),
    ("HOLDINGS FROM FORM 4", holdings),
    ("DEFAULT ALERTS (Section 2(d))", default_alerts),
    ("COMPLIANCE ALERTS (Sections 4(c), 9, 10)", compliance_alerts),
    ("DEAD LETTERS", dead_letters),
    ("SUMMARY", summary),
)


def render_report(outputs: Sequence[Output]) -> str:
    """Every section, headed and separated, as one text."""
    lines: list[str] = []
    for title, render in SECTIONS:
        lines.extend(["", title, "=" * len(title)])
        lines.extend(render(outputs))
    return "\n".join(lines) + "\n"
