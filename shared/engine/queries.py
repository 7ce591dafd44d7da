"""Read-only views of an engine's state, as JSON-ready dicts (the service's HTTP views).

Each view answers what a back office asks: the terms in force for a warrant and how they
came about (Section 5 notices), the Per Share Market Value of a date (Section 8), a holder's
headroom under the cap (Section 7), and the open exercises with their delivery deadlines
(Section 2(d)). Nothing here changes the engine.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.engine.engine import Engine
from shared.engine.symbol import SymbolEngine
from shared.errors import MarketValueUnavailable, WarrantWatchError
from shared.events.codec import to_dict
from shared.numbers import plain


class QueryError(WarrantWatchError):
    """A query names something the engine does not know (404 at the HTTP edge)."""


def _symbol(engine: Engine, symbol: str) -> SymbolEngine:
    found = engine.symbols.get(symbol)
    if found is None:
        raise QueryError(f"unknown symbol {symbol!r}; known: {', '.join(sorted(engine.symbols))}")
    return found


def warrant_view(engine: Engine, symbol: str, warrant: str) -> dict[str, Any]:
    """The terms in force for `warrant` and every notice published about it, in order."""
    sym = _symbol(engine, symbol)
    book = sym.desk.timeline.current
    state = book.warrants.get(warrant)
    if state is None:
        raise QueryError(f"unknown warrant {warrant!r} of {symbol}")
    history = [
        {"kind": notice.kind, "cause_id": notice.cause_id, "section": notice.section,
         "revision": revision, "effective_at": notice.effective_at.isoformat(),
         "price_before": plain(notice.price_before), "price_after": plain(notice.price_after),
         "shares_before": plain(notice.shares_before),
         "shares_after": plain(notice.shares_after), "calculation": notice.calculation}
        for notice, revision in sorted(sym.desk.published.values(),
                                       key=lambda p: (p[0].effective_at, p[0].cause_id))
        if notice.warrant == warrant
    ]
    expiry = book.expires_at or sym.terms.expires_at
    return {
        "symbol": symbol, "warrant": warrant, "holder": state.holder,
        "warrant_price": plain(state.price), "warrant_share_number": plain(state.shares),
        "expires_at": expiry.isoformat(),
        "carried_forward": [{"cause_id": c.cause_id, "section": c.section,
                             "share_factor": plain(c.share_factor)} for c in state.carried],
        "basket": None if state.basket is None else [
            {"asset": b.asset, "per_share": plain(b.per_share)} for b in state.basket],
        "history": history,
    }


def market_value_view(engine: Engine, symbol: str, day: date) -> dict[str, Any]:
    """Section 8 PSMV of `day` from what the engine knows now."""
    sym = _symbol(engine, symbol)
    try:
        result = sym.market.value_of(day, sym.calendar)
    except MarketValueUnavailable as exc:
        raise QueryError(str(exc)) from None
    return {"symbol": symbol, "date": day.isoformat(), "value": plain(result.value),
            "tier": result.tier, "source_date": result.source_date.isoformat(),
            "approximate": result.approximate, "basis": result.basis,
            "venue": result.venue.value, "published": day in sym.market.published}


def headroom_view(engine: Engine, symbol: str, holder: str,
                  at: datetime | None = None) -> dict[str, Any]:
    """Section 7 headroom of `holder` at `at` (default: event time now); an unknown holder
    (no warrant, holding or Form 4 names it) has none to report (docs/contract.md)."""
    sym = _symbol(engine, symbol)
    when = at or sym.now
    if when is None:
        raise QueryError("no event time yet: nothing has been processed")
    if not sym.exercises.known_holder(holder):
        hint = ""
        if holder.isdigit() and len(holder) < 10 and sym.exercises.known_holder(holder.zfill(10)):
            hint = f" (a CIK has ten digits: {holder.zfill(10)} is known)"
        raise QueryError(f"unknown holder {holder!r} of {symbol}: no warrant, holding or Form 4 "
                         f"names it, so it has no headroom to report{hint}")
    records = sym.exercises.headroom(holder, when, "query")
    if not records:
        raise QueryError(f"no shares outstanding known for {symbol} at {when.isoformat()}")
    data = to_dict(records[0])
    data.pop("id", None)
    return data


def open_exercises_view(engine: Engine, symbol: str) -> list[dict[str, Any]]:
    """Exercises not yet delivered in full, refused or restored, with their deadlines."""
    sym = _symbol(engine, symbol)
    out = []
    for item in sorted(sym.exercises.open.values(), key=lambda i: (i.effective_at, i.record.id)):
        if item.refused or item.restored or item.delivered_in_full:
            continue
        delivered = sum((s for _, s in item.deliveries), start=type(item.shares_due)(0))
        status = ("awaiting market value" if item.settled is None
                  else "in default" if item.defaulted is not None else "awaiting delivery")
        out.append({
            "exercise_id": item.record.id, "warrant": item.record.warrant,
            "holder": item.record.holder, "effective_at": item.effective_at.isoformat(),
            "delivery_due": item.schedule.delivery_due.isoformat(),
            "deadline": item.schedule.deadline.isoformat(), "status": status,
            "shares_due": plain(item.shares_due), "shares_delivered": plain(delivered),
        })
    return out
