"""The console's pages, rendered from the engine's query views (shared/engine/queries.py).

Pure functions: an engine (or the alert records this worker published) in, one HTML page
out; nothing here knows Faust or Kafka, so a test renders a page from an in-process replay.
What each page shows is listed in docs/console.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.console.chart import market_value_chart
from services.console.html import (
    Cell,
    cash,
    definition,
    esc,
    href,
    instant,
    link,
    page,
    price,
    shares,
    table,
)
from shared.engine import Engine
from shared.engine.queries import (
    holders_view,
    open_exercises_view,
    recent_market_values_view,
    symbol_view,
    warrant_view,
)

Record = Mapping[str, Any]

# the output types the alerts page lists, in its order (docs/events.md)
ALERT_TYPES = ("exercise_default", "rights_restored", "buy_in_damages", "late_issuer_notice",
               "exercise_refused", "amendment_refused", "adjustment_rejected", "dead_letter")
RAW_SHOWN = 300


@dataclass(frozen=True, slots=True)
class Elsewhere:
    """A symbol this worker does not answer for, and where to ask (the 421 rule)."""

    symbol: str
    partition: int | None
    owner: str | None  # the other worker's web address; None while unknown
    reason: str


def symbol_nav(symbol: str) -> str:
    return ('<nav class="sym">' + " ".join([
        f"<b>{esc(symbol)}</b>",
        link(href(symbol, "holders"), "Cap headroom"),
        link(href(symbol, "exercises"), "Open exercises"),
        link(href(symbol, "market-values"), "Market values"),
    ]) + "</nav>")


def _warrants_table(symbol: str, view: Mapping[str, Any]) -> str:
    rows = [[link(href(symbol, "warrant", id=w["warrant"]), w["warrant"]), esc(w["holder"]),
             esc(price(w["warrant_price"])), esc(shares(w["warrant_share_number"]))]
            for w in view["warrants"]]
    return table(["Warrant", "Holder", "Warrant Price", "Warrant Share Number"], rows,
                 numeric=(2, 3), empty="no warrant on the register yet")


def index_page(held: Mapping[str, Engine], elsewhere: Sequence[Elsewhere],
               worker: str) -> str:
    """Every symbol and warrant this worker holds, and where the others are."""
    parts = []
    for symbol in sorted(held):
        view = symbol_view(held[symbol], symbol)
        parts.append(
            f'<div class="box"><h2>{esc(symbol)}: {esc(view["issuer"])}, series '
            f'{esc(view["family"])}</h2>{symbol_nav(symbol)}'
            + definition({"Event time": esc(instant(view["now"])),
                          "Expires": esc(instant(view["expires_at"])),
                          "Holders known": esc(", ".join(view["holders"]) or "none")})
            + _warrants_table(symbol, view) + "</div>")
    if not held:
        parts.append('<p class="muted">This worker holds no symbol right now.</p>')
    if elsewhere:
        rows = [[esc(e.symbol), esc(e.partition),
                 link(f"{e.owner.rstrip('/')}{href()}", e.owner) if e.owner else esc(e.reason)]
                for e in elsewhere]
        parts.append("<h2>Held by other workers</h2>"
                     + table(["Symbol", "Partition", "Ask"], rows))
    return page("Symbols and warrants", "".join(parts),
                subtitle=f"What worker {esc(worker)} holds; figures as of event time.")


def warrant_page(engine: Engine, symbol: str, warrant: str) -> str:
    """Terms in force, carried-forward adjustments, and each notice's calculation."""
    view = warrant_view(engine, symbol, warrant)
    terms = definition({
        "Holder": esc(view["holder"]),
        "Warrant Price": esc(price(view["warrant_price"])),
        "Warrant Price (exact)": f'<code>{esc(view["warrant_price"])}</code>',
        "Warrant Share Number": esc(shares(view["warrant_share_number"])),
        "Expires": esc(instant(view["expires_at"])),
    })
    carried = table(["Cause", "Section", "Share factor"],
                    [[esc(c["cause_id"]), esc(c["section"]), esc(c["share_factor"])]
                     for c in view["carried_forward"]], numeric=(2,),
                    empty="none carried forward")
    rows: list[list[Cell]] = []
    for n in view["history"]:
        certificate = (link(href(symbol, "certificate", notice=n["id"]), "certificate")
                       if n["kind"] == "adjustment" else '<span class="muted">-</span>')
        rows.append([
            esc(n["kind"].replace("_", " ")), esc(n["section"]), esc(instant(n["effective_at"])),
            esc(price(n["price_before"])), esc(price(n["price_after"])),
            esc(shares(n["shares_before"])), esc(shares(n["shares_after"])), certificate,
            (f'<div class="muted">cause {esc(n["cause_id"])}</div>'
             f'<div class="calc">{esc(n["calculation"])}</div>', ""),
        ])
    history = table(["Notice", "Section", "Effective", "Price before", "Price after",
                     "Shares before", "Shares after", "Section 5", "Calculation"], rows,
                    numeric=(3, 4, 5, 6), empty="no notice yet")
    body = (symbol_nav(symbol) + "<h2>Terms in force</h2>" + terms
            + "<h2>Carried forward (4(g)(ii))</h2>" + carried
            + "<h2>Adjustment history (Sections 4 and 5)</h2>" + history)
    return page(f"Warrant {warrant}", body, subtitle=f"{esc(symbol)}, series "
                f"{esc(engine.symbols[symbol].terms.family)}")


def holders_page(engine: Engine, symbol: str) -> str:
    """Section 7 for each holder: owned, outstanding, headroom, largest passing exercise."""
    parts = [symbol_nav(symbol)]
    holders = holders_view(engine, symbol)
    for h in holders:
        room = h["headroom"]
        if room is None:
            figures = '<p class="muted">No shares outstanding known yet: no headroom.</p>'
        else:
            applies = ('<span class="muted">no: lapsed or waived</span>' if room["waived"]
                       else "yes")
            figures = definition({
                "Owned": esc(shares(room["owned"])),
                "Shares outstanding": esc(shares(room["outstanding"])),
                "Cap": esc(room["cap"]),
                "Most additional shares under the cap": esc(shares(
                    room["max_additional_shares"])),
                "Cap applies": applies,
                "As of": esc(instant(room["as_of"])),
            }) + f'<div class="calc">{esc(room["calculation"])}</div>'
        rows: list[list[Cell]] = []
        waivers: list[list[Cell]] = []
        for w in h["warrants"]:
            cashless = esc(shares(w["largest_cashless"]))
            if w.get("cashless_at"):
                cashless += f' <span class="muted">(at the PSMV of {esc(w["cashless_at"])})</span>'
            if w["term"] != "ok":
                cashless += f' <span class="alert">({esc(w["term"].replace("_", " "))})</span>'
            rows.append([link(href(symbol, "warrant", id=w["warrant"]), w["warrant"]),
                         esc(shares(w["warrant_share_number"])), esc(price(w["warrant_price"])),
                         esc(shares(w["largest_cash"])), cashless,
                         ("yes" if w["cap_applies"] else "no", "")])
            for v in w["waivers"]:
                waivers.append([esc(w["warrant"]), esc(instant(v["effective_at"])),
                                esc(instant(v["in_force_from"])),
                                esc("whole warrant" if v["shares"] is None
                                    else shares(v["shares"])),
                                ("in force", "ok") if v["in_force"]
                                else ("not yet", "muted")])
        parts.append(
            f'<div class="box"><h2>Holder {esc(h["holder"])}</h2>{figures}'
            + table(["Warrant", "Warrant shares", "Warrant Price", "Largest cash exercise",
                     "Largest cashless exercise", "Cap applies"], rows, numeric=(1, 2, 3, 4),
                    empty="holds no warrant")
            + ("<h3>Waiver Notices</h3>" + table(
                ["Warrant", "Effective", "Takes effect", "Shares", "Status"], waivers)
               if waivers else "")
            + "</div>")
    if not holders:
        parts.append('<p class="muted">No holder known yet.</p>')
    return page(f"Cap headroom: {symbol}", "".join(parts),
                subtitle="Section 7, at event time; the largest exercise is the one that "
                         "would pass now (cash alone, or cashless alone).")


def exercises_page(engine: Engine, symbol: str) -> str:
    """Open exercises with their delivery deadlines and the Trading Days left (2(d))."""
    now = symbol_view(engine, symbol)["now"]
    rows: list[list[Cell]] = []
    for x in open_exercises_view(engine, symbol):
        left = x["trading_days_left"]
        left_cell = ("-" if left is None else str(left),
                     "alert" if x["status"] == "in default" or left == 0 else "")
        rows.append([esc(x["exercise_id"]), link(href(symbol, "warrant", id=x["warrant"]),
                                                 x["warrant"]),
                     esc(x["holder"]), esc(instant(x["effective_at"])), esc(x["delivery_due"]),
                     esc(instant(x["deadline"])), left_cell,
                     (esc(x["status"]), "alert" if x["status"] == "in default" else ""),
                     esc(shares(x["shares_due"])), esc(shares(x["shares_delivered"]))])
    body = symbol_nav(symbol) + table(
        ["Exercise", "Warrant", "Holder", "Effective", "Delivery due", "Deadline",
         "Trading Days left", "Status", "Shares due", "Delivered"], rows,
        numeric=(6, 8, 9), empty="no open exercise")
    return page(f"Open exercises: {symbol}", body,
                subtitle=f"Event time {esc(instant(now))}. Trading Days left: Trading Days "
                         "after the event-time date up to the delivery due date.")


def market_values_page(engine: Engine, symbol: str, limit: int = 30) -> str:
    """The Section 8 PSMV of the latest published dates, their tier and basis, a chart."""
    values = recent_market_values_view(engine, symbol, limit)
    rows: list[list[Cell]] = [
        [esc(v["date"]), esc(v["venue"]), esc(v["tier"]), esc(price(v["value"])),
         esc(v["source_date"]), "yes" if v["approximate"] else "no", (esc(v["basis"]), "calc")]
        for v in reversed(values)]
    body = (symbol_nav(symbol) + market_value_chart(values)
            + table(["Date", "Venue", "Tier", "PSMV", "From", "Approximate", "Basis"], rows,
                    numeric=(3,), empty="no market value published yet"))
    return page(f"Per Share Market Value: {symbol}", body,
                subtitle=f"Section 8; the latest {limit} published dates, newest first.")


def _alert_row(r: Record) -> list[Cell]:
    kind = str(r.get("type"))
    if kind == "exercise_default":
        what = (f"{shares(r.get('shares_undelivered'))} shares undelivered; due "
                f"{r.get('delivery_due')}, deadline {instant(r.get('deadline'))}, detected "
                f"{instant(r.get('detected_at'))}")
        ref = r.get("exercise_id")
    elif kind == "rights_restored":
        what = (f"{shares(r.get('shares_restored'))} warrant shares restored to "
                f"{r.get('warrant')} from {instant(r.get('effective_at'))}")
        ref = r.get("exercise_id")
    elif kind == "buy_in_damages":
        what = f"damages {cash(r.get('amount'))}: {r.get('calculation')}"
        ref = r.get("exercise_id")
    elif kind == "late_issuer_notice":
        what = (f"Section 9 notice required by {r.get('required_by')}, given "
                f"{instant(r.get('announced_at'))}: {r.get('days_short')} days short")
        ref = r.get("cause_id")
    elif kind == "exercise_refused":
        most = r.get("max_shares")
        what = f"{r.get('reason')}: {r.get('detail')}" + (
            f" (largest that passes: {shares(most)})" if most is not None else "")
        ref = r.get("exercise_id")
    elif kind in ("amendment_refused", "adjustment_rejected"):
        what, ref = str(r.get("reason")), r.get("cause_id")
    else:  # dead_letter
        raw = str(r.get("raw"))
        shown = raw if len(raw) <= RAW_SHOWN else f"{raw[:RAW_SHOWN]}... ({len(raw)} chars)"
        what = f"{r.get('reason')} | topic {r.get('topic')} | raw: {shown}"
        ref = None
    css = "alert" if kind in ("exercise_default", "dead_letter", "late_issuer_notice") else ""
    return [(esc(kind.replace("_", " ")), css), esc(r.get("symbol")), esc(ref),
            (esc(what), "calc")]


def alerts_page(records: Sequence[Record], held: Sequence[str],
                elsewhere: Sequence[Elsewhere], *, dropped: int = 0) -> str:
    """Defaults, late notices, refusals and dead letters this worker published."""
    by_kind = {k: [r for r in records if r.get("type") == k] for k in ALERT_TYPES}
    counts = table(["Alert", "Records"], [[esc(k.replace("_", " ")), str(len(v))]
                                          for k, v in by_kind.items()], numeric=(1,))
    rows = [_alert_row(r) for k in ALERT_TYPES for r in by_kind[k]]
    body = counts + table(["Alert", "Symbol", "Exercise or cause", "What"], rows,
                          empty="no alert")
    if dropped:
        body += f'<p class="muted">{dropped} older alerts not kept in memory.</p>'
    if elsewhere:
        body += "<h2>Alerts of other workers</h2>" + table(
            ["Symbol", "Ask"],
            [[esc(e.symbol), link(f"{e.owner.rstrip('/')}{href('alerts')}", e.owner)
              if e.owner else esc(e.reason)] for e in elsewhere])
    return page("Alerts", body, subtitle="Published by this worker for its partitions ("
                f"{esc(', '.join(held) or 'none')}): Sections 2(d), 7, 9, 10, 4(c), dead "
                "letters.")


def misdirected_page(found: Elsewhere, path: str) -> str:
    """421: another worker holds the symbol; a link to the same page there."""
    if found.owner:
        there = found.owner.rstrip("/") + path
        body = (f"<p>{esc(found.reason)}</p><p>Ask the worker that holds it: "
                f"{link(there, there)}</p>")
    else:
        body = f"<p>{esc(found.reason)}</p><p>Its owner is not known yet (the group is " \
               "rebalancing): try again in a moment.</p>"
    return page(f"{found.symbol} is held by another worker", body)


def error_page(title: str, reason: str) -> str:
    return page(title, f"<p>{esc(reason)}</p><p>{link(href(), 'Back to the index')}</p>")
