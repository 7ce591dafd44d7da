"""The read-only HTTP views of the workers, over real HTTP, after a replay through Tansu.

Two workers share two partitions (GLOW on one, GLOWD on the other). The answers expected are
worked by hand in tests/resources/kafka/query_views.toml; each is also checked against the
pure view (shared.engine.queries) of an in-process engine fed the same inputs, so the HTTP
edge adds and loses nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from kafka_scenario import scenario_terms

from services.kafka.embedded import EmbeddedBroker
from services.kafka.replay_plan import plan_lines
from services.kafka.replay_run import ReplayRun, WorkerProcess
from services.kafka.settings import KafkaSettings
from services.streams.views import parse_instant
from shared.engine import Engine
from shared.engine.queries import (
    headroom_view,
    market_value_view,
    open_exercises_view,
    warrant_view,
)
from shared.engine.replay import replay_lines

pytestmark = pytest.mark.kafka

CASES = tomllib.loads((Path(__file__).parent.parent / "resources" / "kafka" /
                       "query_views.toml").read_text())
# no proxy from the environment between the test and 127.0.0.1
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def scenario() -> list[str]:
    return [json.dumps({"topic": r.pop("topic"), "value": r}) for r in
            (dict(item) for item in CASES["input"])]


def get(url: str) -> tuple[int, Any]:
    try:
        with HTTP.open(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def in_process_view(engine: Engine, path: str) -> Any:
    """The pure view the HTTP path names, on the in-process engine."""
    route, _, query = path.partition("?")
    kind, symbol, *rest = [unquote(p) for p in route.strip("/").split("/")]
    if kind == "market-values":
        return market_value_view(engine, symbol, date.fromisoformat(rest[0]))
    if kind == "warrants":
        return warrant_view(engine, symbol, rest[0])
    if kind == "cap":
        at: datetime | None = None
        if query:
            at = parse_instant(unquote(query.removeprefix("at=")))
        return headroom_view(engine, symbol, rest[0], at)
    return open_exercises_view(engine, symbol)


@dataclass
class Served:
    owner: dict[str, str]  # symbol -> web address of the worker holding it
    other: dict[str, str]  # symbol -> web address of the worker that does not
    engine: Engine  # the in-process reference


@pytest.fixture(scope="module")
def served(broker: EmbeddedBroker) -> Iterator[Served]:
    settings = KafkaSettings(broker=broker.url, profile="embedded", partitions=2)
    lines = scenario()
    loop = asyncio.new_event_loop()
    run = ReplayRun(settings, scenario_terms())
    loop.run_until_complete(run.__aenter__())
    try:
        workers = [run.start_worker(), run.start_worker()]
        loop.run_until_complete(run.wait_ready())
        loop.run_until_complete(run.publish(plan_lines(lines).submissions))
        collected = loop.run_until_complete(run.collect())
        assert collected.records, "the replay produced nothing"
        urls = [w.web_url() for w in workers]
        assert all(urls), [w.log_tail() for w in workers]
        holder = {symbol: owner_of(symbol, workers, collected.records.values())
                  for symbol in ("GLOW", "GLOWD")}
        engine = Engine(scenario_terms())
        replay_lines(engine, lines)
        yield Served(owner={s: url(w) for s, w in holder.items()},
                     other={s: url(next(x for x in workers if x is not w))
                            for s, w in holder.items()},
                     engine=engine)
    finally:
        loop.run_until_complete(run.__aexit__(None, None, None))
        loop.close()


def url(worker: WorkerProcess) -> str:
    found = worker.web_url()
    assert found is not None
    return found


def owner_of(symbol: str, workers: list[WorkerProcess], outputs: Any) -> WorkerProcess:
    """The worker that published the symbol's market value (it folds its partition)."""
    names = {o.worker for o in outputs if o.topic == "market-values" and f'"{symbol}"' in o.text}
    assert len(names) == 1, names
    [name] = names
    return next(w for w in workers if name.endswith(f":{w.pid}"))


@pytest.mark.parametrize("case", CASES["expect"], ids=lambda c: c["path"])
def test_the_holding_worker_answers_the_hand_worked_values(served: Served,
                                                          case: dict[str, Any]) -> None:
    symbol = case["path"].split("/")[2]
    status, body = get(served.owner[symbol] + case["path"])
    assert status == 200, body
    if "only" in case:
        [item] = body
        assert {k: item[k] for k in case["only"]} == case["only"]
    else:
        assert {k: body[k] for k in case["fields"]} == case["fields"]
    assert body == in_process_view(served.engine, case["path"])


@pytest.mark.parametrize("case", CASES["refuse"], ids=lambda c: c["path"])
def test_bad_parameters_and_unknown_things_are_refused_with_a_reason(
        served: Served, case: dict[str, Any]) -> None:
    symbol = case["path"].split("/")[2]
    base = served.owner.get(symbol, served.owner["GLOW"])
    status, body = get(base + case["path"])
    assert status == case["status"], body
    assert case["reason"] in body["error"]


@pytest.mark.parametrize("symbol", ["GLOW", "GLOWD"])
def test_a_worker_that_does_not_hold_the_symbol_names_the_one_that_does(
        served: Served, symbol: str) -> None:
    assert served.owner[symbol] != served.other[symbol]
    status, body = get(f"{served.other[symbol]}/market-values/{symbol}/2005-09-20")
    assert status == 421, body
    assert symbol in body["error"]
    assert body["owner"].rstrip("/") == served.owner[symbol]
    # and the owner it names answers
    status, _ = get(f"{body['owner'].rstrip('/')}/market-values/{symbol}/2005-09-20")
    assert status == 200


def poll(until: Callable[[], tuple[int, Any]], timeout: float = 60.0) -> tuple[int, Any]:
    """Call `until` until it answers 200 (a rebalance answers 421 or 503 meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = until()
        if status == 200 or time.monotonic() > deadline:
            return status, body
        time.sleep(0.2)


async def test_a_restarted_worker_loads_the_state_a_query_asks_for(
        settings: KafkaSettings) -> None:
    lines = scenario()
    engine = Engine(scenario_terms())
    replay_lines(engine, lines)
    path = "/exercises/GLOW/open"
    async with ReplayRun(settings, scenario_terms()) as run:
        first = run.start_worker()
        await run.publish(plan_lines(lines).submissions)
        await run.collect()
        assert first.stop() == 0  # a clean stop: its offsets are committed
        second = run.start_worker()
        await run.wait_ready()
        # no input arrives after the restart: only the query makes it fold the log
        status, body = await asyncio.to_thread(poll, lambda: get(url(second) + path))
        log = second.log.read_text()
    assert status == 200, body
    assert body == open_exercises_view(engine, "GLOW")
    assert body[0]["exercise_id"] == "e1"
    assert "records in" in log and "s for a query" in log
