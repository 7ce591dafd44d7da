"""The console's routes on the worker's Faust web server (bound as the views are).

    GET /console/                                  every symbol and warrant this worker holds
    GET /console/alerts                            alerts published for its partitions
    GET /console/{symbol}/warrant?id=W             terms in force, adjustment history
    GET /console/{symbol}/certificate?notice=ID    the Section 5 certificate of a notice
    GET /console/{symbol}/holders                  Section 7 headroom of every holder
    GET /console/{symbol}/exercises                open exercises, deadlines, Trading Days left
    GET /console/{symbol}/market-values            recent Section 8 PSMV, tier, basis, chart

Status codes are those of the JSON views (services/streams/views.py): 404 for a symbol with no
terms or an unknown warrant or notice, 421 with a link to the owner when another worker holds
the symbol's partition, 503 before this worker joined its group. Pages carry a Content
Security Policy that allows no script at all (docs/console.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from services.console import pages
from services.console.certificate import render_certificate
from services.console.published import PublishedAlerts
from services.streams.views import owner_in_assignment
from services.streams.warrant_state import WarrantState
from shared.engine import Engine
from shared.engine.queries import notice_view, warrant_view
from shared.errors import BrokerError, QueryError, RecordError

log = logging.getLogger(__name__)

HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                      "img-src 'self' data:",
           "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
Page = tuple[int, str]


class Console:
    """Finds the engine of a symbol for a page, or the page that says where it is."""

    def __init__(self, state: WarrantState, owner_of: Callable[[int], str | None],
                 alerts: PublishedAlerts, worker: str) -> None:
        self.state = state
        self.owner_of = owner_of
        self.alerts = alerts
        self.worker = worker

    async def locate(self, symbol: str) -> Engine | pages.Elsewhere | Page:
        state = self.state
        if symbol not in state.symbols:
            return 404, pages.error_page("Unknown symbol", f"No terms for {symbol!r} here; "
                                         f"known: {', '.join(sorted(state.symbols))}")
        partition = state.partition_of(symbol)
        if state.assigned is None:
            return 503, pages.error_page("Not ready", "This worker has not joined its "
                                         "consumer group yet: try again in a moment.")
        if not state.owns(partition):
            return pages.Elsewhere(symbol, partition, self.owner_of(partition),
                                   f"{symbol} is on partition {partition} of {state.topic}, "
                                   f"which another worker holds.")
        try:
            return (await state.fold_for_query(partition)).engine
        except BrokerError as exc:
            return 503, pages.error_page("Cannot read the log", str(exc))

    async def symbol_page(self, symbol: str, path: str,
                          render: Callable[[Engine], str]) -> Page:
        found = await self.locate(symbol)
        if isinstance(found, pages.Elsewhere):
            return 421, pages.misdirected_page(found, path)
        if not isinstance(found, Engine):
            return found
        try:
            return 200, render(found)
        except (QueryError, RecordError) as exc:
            return 404, pages.error_page("Not found", str(exc))

    async def held(self) -> tuple[dict[str, Engine], list[pages.Elsewhere]]:
        here: dict[str, Engine] = {}
        elsewhere: list[pages.Elsewhere] = []
        for symbol in sorted(self.state.symbols):
            found = await self.locate(symbol)
            if isinstance(found, Engine):
                here[symbol] = found
            elif isinstance(found, pages.Elsewhere):
                elsewhere.append(found)
            else:
                elsewhere.append(pages.Elsewhere(symbol, self.state.partition_of(symbol), None,
                                                 "not available yet"))
        return here, elsewhere

    async def index(self) -> Page:
        here, elsewhere = await self.held()
        return 200, pages.index_page(here, elsewhere, self.worker)

    async def alerts_page(self) -> Page:
        here, elsewhere = await self.held()
        return 200, pages.alerts_page(self.alerts.alerts(), sorted(here), elsewhere,
                                      dropped=self.alerts.dropped_count())


def certificate_page(engine: Engine, symbol: str, notice: str) -> str:
    record = notice_view(engine, symbol, notice)
    holder = warrant_view(engine, symbol, str(record["warrant"]))["holder"] \
        if record.get("warrant") else None
    return render_certificate(record, issuer=engine.symbols[symbol].terms.issuer,
                              holder=holder)


def register(app: Any, state: WarrantState) -> None:
    """Add the console's pages, and the reader of published alerts, to the Faust app."""
    alerts = PublishedAlerts(state.settings)

    async def follow_alerts() -> None:
        while True:
            try:
                await alerts.follow(lambda: state.assigned)
            except asyncio.CancelledError:
                raise
            except Exception:  # the alerts page must not take the worker down
                log.exception("reading the alert topics failed; again in 2 s")
                await asyncio.sleep(2)

    app.task(follow_alerts)
    console = Console(state, lambda p: owner_in_assignment(app, state.topic, p), alerts,
                      f"{app.conf.id} at {app.conf.web_host}:{app.conf.web_port}")

    def route(path: str, answer: Callable[..., Any]) -> None:
        async def get(view: Any, request: Any, **match: str) -> Any:
            try:
                status, body = await answer(request, **match)
            except Exception as exc:  # no traceback page: one line in the log instead
                log.exception("console page %s failed", request.path)
                status, body = 500, pages.error_page("Internal error", type(exc).__name__)
            return view.html(body, status=status, headers=dict(HEADERS))

        get.__name__ = f"console_{answer.__name__}"
        app.page(path, name=get.__name__)(get)

    async def index(request: Any) -> Page:
        return await console.index()

    async def alerts_view(request: Any) -> Page:
        return await console.alerts_page()

    def on_symbol(name: str, render: Callable[[Engine, str, Any], str]) -> None:
        async def answer(request: Any, symbol: str) -> Page:
            path = str(request.path_qs) if hasattr(request, "path_qs") else str(request.path)
            return await console.symbol_page(symbol, path,
                                             lambda e: render(e, symbol, request.query))

        answer.__name__ = name
        route(f"/console/{{symbol}}/{name}", answer)

    route("/console/", index)
    route("/console/alerts", alerts_view)
    on_symbol("warrant", lambda e, s, q: pages.warrant_page(e, s, q.get("id", "")))
    on_symbol("certificate", lambda e, s, q: certificate_page(e, s, q.get("notice", "")))
    on_symbol("holders", lambda e, s, q: pages.holders_page(e, s))
    on_symbol("exercises", lambda e, s, q: pages.exercises_page(e, s))
    on_symbol("market-values", lambda e, s, q: pages.market_values_page(e, s))
