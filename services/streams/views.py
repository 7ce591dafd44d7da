"""Read-only HTTP views of the warrant state, served by each worker's Faust web server.

    GET /warrants/{symbol}/{warrant}          terms in force and their notices (Section 5)
    GET /market-values/{symbol}/{date}        Per Share Market Value of a date (Section 8)
    GET /cap/{symbol}/{holder}[?at=ISO]       headroom under the ownership cap (Section 7)
    GET /exercises/{symbol}/open              open exercises and their deadlines (2(d))

The answers are `shared.engine.queries`, read from the fold of the sequenced partition that
holds the symbol (services/streams/warrant_state.py). A worker holds only the partitions the
group assigned to it, so:

- 200: the view, as JSON.
- 400: a malformed date or time (`{"error": reason}`), read by the rules of the record
  fields (shared/events/fields.py): dates YYYY-MM-DD only, instants with a UTC offset.
- 404: a symbol with no terms, or something the engine does not know (`QueryError`), e.g. a
  holder no warrant, holding or Form 4 names ("unknown holder": it has no headroom to report).
- 421 Misdirected Request: another worker holds the symbol's partition; `owner` is its web
  address as Faust's partition assignor records it (null while the group rebalances). Ask
  there; nothing is forwarded, so a view never waits on another worker.
- 503: this worker has not joined its group yet, or cannot read the log to load the state.

The web server listens on `WARRANTWATCH_WEB_BIND` (127.0.0.1 unless told otherwise).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.streams.warrant_state import WarrantState
from shared.engine import Engine
from shared.engine.queries import (
    headroom_view,
    market_value_view,
    open_exercises_view,
    warrant_view,
)
from shared.errors import BrokerError, QueryError
from shared.events.fields import Day, Instant

log = logging.getLogger(__name__)

Answer = tuple[int, Any]  # HTTP status, JSON body
OwnerOf = Callable[[int], str | None]  # sequenced partition -> web address of its holder


class BadParameter(ValueError):
    """A path or query parameter that does not parse (HTTP 400)."""


# The record fields' own rules (shared/events/fields.py, docs/events.md): a parameter is read
# exactly as the same value in a record would be.
_DAY: TypeAdapter[date] = TypeAdapter(Day)
_INSTANT: TypeAdapter[datetime] = TypeAdapter(Instant)


def _first_error(error: ValidationError, limit: int = 160) -> str:
    """The field rule's reason, escaped and bounded (it may quote the parameter)."""
    reason = ascii(str(error.errors(include_url=False)[0]["msg"])
                   .removeprefix("Value error, "))[1:-1]
    return reason if len(reason) <= limit else f"{reason[:limit]}..."


def parse_day(text: str) -> date:
    """A date as a record's date field reads it: YYYY-MM-DD only (no basic format
    `20050915`, no week date `2005-W37-4`)."""
    try:
        return _DAY.validate_python(text)
    except ValidationError as exc:
        raise BadParameter(f"date {_quoted(text)} is not an ISO date (YYYY-MM-DD): "
                           f"{_first_error(exc)}") from None


def parse_instant(text: str) -> datetime:
    """An ISO 8601 time with its UTC offset, as a record's instant field reads it. A `+`
    sent unencoded in a query string arrives as a space; a space before the offset is read
    back as `+`. An instant that has no UTC equivalent in the calendar (year 9999 west of
    Greenwich, year 1 east of it) is refused too."""
    candidates = [text]
    head, space, offset = text.rpartition(" ")
    if space and offset[:2].isdigit():
        candidates.append(f"{head}+{offset}")
    reason = ""
    for candidate in candidates:
        try:
            at = _INSTANT.validate_python(candidate)
        except ValidationError as exc:
            reason = reason or _first_error(exc)
            continue
        try:
            at.astimezone(UTC)
        except OverflowError:
            raise BadParameter(f"time {_quoted(text)} is outside the calendar once in UTC "
                               f"(years 1 to 9999)") from None
        return at
    if _naive(text):
        raise BadParameter(f"time {_quoted(text)} has no UTC offset (e.g. -05:00 or Z): the "
                           f"contract's times are instants")
    raise BadParameter(f"time {_quoted(text)} is not an ISO 8601 date and time "
                       f"(YYYY-MM-DDTHH:MM:SS with an offset; send + as %2B): {reason}")


def _naive(text: str) -> bool:
    """A date and time that would be an instant but for its missing UTC offset."""
    try:
        return datetime.fromisoformat(text).tzinfo is None
    except ValueError:
        return False


def _quoted(text: str, limit: int = 64) -> str:
    """`text` quoted with its control and non-ASCII characters escaped, cut at `limit`."""
    shown = ascii(text[:limit])
    return shown if len(text) <= limit else f"{shown}... ({len(text)} characters)"


async def _engine(state: WarrantState, owner_of: OwnerOf, symbol: str) -> Engine | Answer:
    """The engine that holds `symbol`, or the answer that says why there is none here."""
    if symbol not in state.symbols:
        return 404, {"error": f"unknown symbol {symbol!r}; known: "
                              f"{', '.join(sorted(state.symbols))}"}
    if state.assigned is None:
        return 503, {"error": "this worker has not joined its consumer group yet"}
    partition = state.partition_of(symbol)
    if not state.owns(partition):
        return 421, {"error": f"{symbol} is on partition {partition} of {state.topic}, "
                              f"which another worker holds",
                     "partition": partition, "owner": owner_of(partition)}
    try:
        return (await state.fold_for_query(partition)).engine
    except BrokerError as exc:
        return 503, {"error": str(exc)}


async def _answer(state: WarrantState, owner_of: OwnerOf, symbol: str,
                  view: Callable[[Engine], Any]) -> Answer:
    found = await _engine(state, owner_of, symbol)
    if not isinstance(found, Engine):
        return found
    try:
        return 200, view(found)
    except QueryError as exc:
        return 404, {"error": str(exc)}


async def warrant(state: WarrantState, owner_of: OwnerOf, symbol: str,
                  warrant_id: str) -> Answer:
    return await _answer(state, owner_of, symbol,
                         lambda e: warrant_view(e, symbol, warrant_id))


async def market_value(state: WarrantState, owner_of: OwnerOf, symbol: str,
                       day_text: str) -> Answer:
    try:
        day = parse_day(day_text)
    except BadParameter as exc:
        return 400, {"error": str(exc)}
    return await _answer(state, owner_of, symbol, lambda e: market_value_view(e, symbol, day))


async def cap(state: WarrantState, owner_of: OwnerOf, symbol: str, holder: str,
              at_text: str | None) -> Answer:
    try:
        at = None if at_text is None else parse_instant(at_text)
    except BadParameter as exc:
        return 400, {"error": str(exc)}
    return await _answer(state, owner_of, symbol,
                         lambda e: headroom_view(e, symbol, holder, at))


async def open_exercises(state: WarrantState, owner_of: OwnerOf, symbol: str) -> Answer:
    return await _answer(state, owner_of, symbol, lambda e: open_exercises_view(e, symbol))


def owner_in_assignment(app: Any, topic: str, partition: int) -> str | None:
    """The web address Faust's assignor records for the member holding `topic[partition]`."""
    for url, topics in app.assignor.external_topics_metadata().items():
        if partition in topics.get(topic, ()):
            return str(url)
    return None


def register(app: Any, state: WarrantState) -> None:
    """Add the views to the app's web server."""

    def owner_of(partition: int) -> str | None:
        return owner_in_assignment(app, state.topic, partition)

    def page(path: str, handler: Callable[..., Awaitable[Answer]]) -> None:
        async def get(web: Any, request: Any, **match: str) -> Any:
            try:
                status, body = await handler(web, request, **match)
            except Exception as exc:  # a fault in one query must not leak a traceback page
                log.exception("query %s failed", request.path)
                status, body = 500, {"error": f"{type(exc).__name__}: {exc}"}
            return web.json(body, status=status)

        get.__name__ = handler.__name__
        app.page(path)(get)

    async def warrant_page(web: Any, request: Any, symbol: str, warrant_id: str) -> Answer:
        return await warrant(state, owner_of, symbol, warrant_id)

    async def market_value_page(web: Any, request: Any, symbol: str, day: str) -> Answer:
        return await market_value(state, owner_of, symbol, day)

    async def cap_page(web: Any, request: Any, symbol: str, holder: str) -> Answer:
        return await cap(state, owner_of, symbol, holder, request.query.get("at"))

    async def open_exercises_page(web: Any, request: Any, symbol: str) -> Answer:
        return await open_exercises(state, owner_of, symbol)

    page("/warrants/{symbol}/{warrant_id}", warrant_page)
    page("/market-values/{symbol}/{day}", market_value_page)
    page("/cap/{symbol}/{holder}", cap_page)
    page("/exercises/{symbol}/open", open_exercises_page)
