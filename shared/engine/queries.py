"""Read-only views of an engine's state, as JSON-ready dicts (the service's HTTP views).

Each view answers what a back office asks: the terms in force for a warrant and how they
came about (Section 5 notices), the Per Share Market Value of a date (Section 8), a holder's
headroom under the cap (Section 7), and the open exercises with their delivery deadlines
(Section 2(d)). Nothing here changes the engine.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from shared.cap import cap_scope, max_exercise, waiver_in_force_from
from shared.engine.engine import Engine
from shared.engine.exercises import ExerciseStatus
from shared.engine.symbol import SymbolEngine
from shared.engine.warrants import notice_record
from shared.errors import ContractInputError, MarketValueUnavailable, QueryError
from shared.events.codec import to_dict
from shared.numbers import ZERO, plain
from shared.term import TermStatus, term_status


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
        {"id": notice_record(notice, revision, symbol).id, "kind": notice.kind,
         "cause_id": notice.cause_id, "section": notice.section,
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
            "venue": result.venue.value,
            "source_age_trading_days": result.source_age_trading_days,
            "warning": result.warning, "published": day in sym.market.published}


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


_OPEN_STATUS = {
    ExerciseStatus.AWAITING_VALUE: "awaiting market value",
    ExerciseStatus.AWAITING_DELIVERY: "awaiting delivery",
    ExerciseStatus.IN_DEFAULT: "in default",
}


def open_exercises_view(engine: Engine, symbol: str) -> list[dict[str, Any]]:
    """Exercises not yet delivered in full, refused or restored, with their deadlines."""
    sym = _symbol(engine, symbol)
    out = []
    for item in sorted(sym.exercises.open.values(), key=lambda i: (i.effective_at, i.record.id)):
        if item.status not in _OPEN_STATUS:
            continue
        delivered = sum((s for _, s in item.deliveries), start=type(item.shares_due)(0))
        status = _OPEN_STATUS[item.status]
        out.append({
            "exercise_id": item.record.id, "warrant": item.record.warrant,
            "holder": item.record.holder, "effective_at": item.effective_at.isoformat(),
            "delivery_due": item.schedule.delivery_due.isoformat(),
            "deadline": item.schedule.deadline.isoformat(), "status": status,
            "shares_due": plain(item.shares_due), "shares_delivered": plain(delivered),
            "trading_days_left": _trading_days_left(sym, item.schedule.delivery_due),
        })
    return out


def _trading_days_left(sym: SymbolEngine, due: date) -> int | None:
    """Trading Days after the event-time date up to and including `due` (0: due today or
    past); None before any event time."""
    if sym.now is None:
        return None
    day = sym.now.astimezone(sym.terms.zone).date()
    left = 0
    while (day := sym.calendar.next_trading_day(day)) <= due:
        left += 1
    return left


def symbol_view(engine: Engine, symbol: str) -> dict[str, Any]:
    """What the engine holds for `symbol`: its terms, event time, and every warrant on the
    register with the terms in force (Sections 1, 4, 8)."""
    sym = _symbol(engine, symbol)
    book = sym.desk.timeline.current
    terms = sym.terms
    return {
        "symbol": symbol, "family": terms.family, "issuer": terms.issuer,
        "now": None if sym.now is None else sym.now.isoformat(),
        "expires_at": (book.expires_at or terms.expires_at).isoformat(),
        "warrants": [{"warrant": w.warrant, "holder": w.holder, "warrant_price": plain(w.price),
                      "warrant_share_number": plain(w.shares)}
                     for w in sorted(book.warrants.values(), key=lambda w: w.warrant)],
        "holders": sym.exercises.holders(sym.now) if sym.now is not None else [],
    }


def holders_view(engine: Engine, symbol: str, at: datetime | None = None
                 ) -> list[dict[str, Any]]:
    """Section 7 for every holder known at `at` (default: event time now): the headroom, the
    largest cash exercise of each of its warrants that would pass (and cashless at the
    latest published PSMV, when above the Warrant Price; 0 outside the exercise window of
    Sections 1 and 2(a)), and its Waiver Notices."""
    sym = _symbol(engine, symbol)
    when = at or sym.now
    if when is None:
        return []
    desk = sym.exercises
    terms = sym.terms
    book = desk.warrants.timeline.book_at(when)
    latest = max(sym.market.published.items(), default=None)
    expiry = desk.warrants.timeline.current.expires_at
    window = term_status(when, terms if expiry is None else replace(terms, expires_at=expiry))
    out = []
    for holder in desk.holders(when):
        records = desk.headroom(holder, when, "query")
        room = to_dict(records[0]) if records else None
        if room is not None:
            room.pop("id", None)
        warrants = []
        for w in sorted(book.warrants.values(), key=lambda w: w.warrant):
            if w.holder != holder:
                continue
            waivers = desk.waivers.get(w.warrant, [])
            scope = cap_scope(when, terms, waivers)
            entry: dict[str, Any] = {
                "warrant": w.warrant, "warrant_price": plain(w.price),
                "warrant_share_number": plain(w.shares), "cap_applies": scope.applies,
                "scope": scope.calculation, "largest_cash": None, "largest_cashless": None,
                "term": window.status.value, "term_calculation": window.calculation,
                "waivers": [{"effective_at": v.effective_at.isoformat(),
                             "in_force_from": waiver_in_force_from(v.effective_at,
                                                                   terms).isoformat(),
                             "shares": None if v.shares is None else plain(v.shares),
                             "in_force": waiver_in_force_from(v.effective_at, terms) <= when}
                            for v in waivers],
            }
            outstanding = desk.ownership.outstanding_at(when)
            if window.status is not TermStatus.OK:
                entry["largest_cash"] = entry["largest_cashless"] = "0"  # Sections 1, 2(a)
            elif not scope.applies:
                entry["largest_cash"] = entry["largest_cashless"] = plain(w.shares)
            elif outstanding is not None and w.shares > 0:
                waived = max(scope.waived_shares - desk.waiver_used.get(w.warrant, ZERO), ZERO)
                common = {"owned": desk.ownership.owned(holder, when),
                          "outstanding": outstanding, "cap": terms.ownership_cap,
                          "warrant_price": w.price, "available": w.shares, "waived": waived,
                          "step": terms.share_rounding}
                try:
                    entry["largest_cash"] = plain(max_exercise(
                        cash_shares=w.shares, cashless_shares=ZERO, market_value=None,
                        **common).total)
                    if latest is not None and latest[1].value > w.price:
                        entry["largest_cashless"] = plain(max_exercise(
                            cash_shares=ZERO, cashless_shares=w.shares,
                            market_value=latest[1].value, **common).total)
                        entry["cashless_at"] = latest[0].isoformat()
                except ContractInputError:
                    pass  # no answer from figures that do not hold together
            warrants.append(entry)
        out.append({"holder": holder, "headroom": room, "warrants": warrants})
    return out


def recent_market_values_view(engine: Engine, symbol: str, limit: int = 30
                              ) -> list[dict[str, Any]]:
    """The Section 8 PSMV of the latest `limit` published dates, oldest first."""
    sym = _symbol(engine, symbol)
    days = sorted(sym.market.published)[-limit:] if limit > 0 else []
    return [{"date": d.isoformat(), "value": plain(r.value), "tier": r.tier,
             "source_date": r.source_date.isoformat(), "approximate": r.approximate,
             "basis": r.basis, "venue": r.venue.value}
            for d in days for r in (sym.market.published[d],)]


def notice_view(engine: Engine, symbol: str, notice_id: str) -> dict[str, Any]:
    """The published record (as on its output topic) of the notice `notice_id` in force."""
    sym = _symbol(engine, symbol)
    for notice, revision in sym.desk.published.values():
        record = notice_record(notice, revision, symbol)
        if record.id == notice_id:
            return to_dict(record)
    raise QueryError(f"no notice {notice_id!r} of {symbol} is in force")
