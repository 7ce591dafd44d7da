"""`GET /ready` and `GET /live` on the worker's web server (services/streams/health.py says what
each means; docs/operations.md, Health). `warrantwatch health` reads `/ready`."""

from __future__ import annotations

from typing import Any

from services.streams.health import faust_readiness
from services.streams.warrant_state import WarrantState

READY_PATH = "/ready"
LIVE_PATH = "/live"


def register(app: Any, state: WarrantState) -> None:
    health = state.health

    async def ready(web: Any, request: Any) -> Any:
        ok, body = faust_readiness(app, health, joined=state.assigned is not None)
        return web.json(body, status=200 if ok else 503)

    async def live(web: Any, request: Any) -> Any:
        # answering at all is the proof: the handler runs on the worker's event loop
        return web.json({"live": True, "uptime_s": round(health.clock() - health.started, 1)})

    app.page(READY_PATH)(ready)
    app.page(LIVE_PATH)(live)
