"""Readiness rules (services/streams/health.py) with a hand-driven clock, and the
`warrantwatch health` command against an address where nothing answers. Over HTTP on a real
worker: tests/kafka/test_hostile_worker.py (ready after the hostile corpus) and
tests/kafka/test_health_worker.py (503 while a crashed agent restarts, then 200)."""

from __future__ import annotations

import pytest

from services.cli import main
from services.commands.health import default_url
from services.kafka.embedded import free_port
from services.streams.faults import FAULT_ENV, InjectedFault, agent_fault
from services.streams.health import CRASH_QUIET_SECONDS, AgentStatus, Health, readiness

AGENTS = [AgentStatus("intake", True), AgentStatus("warrant_state", True)]
TP = ("warrantwatch.sequenced-inputs", 1)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ready(health: Health, highwater: int | None = None, **kw: object) -> tuple[bool, list[str]]:
    options = {"joined": True, "rebalancing": False, "agents": AGENTS, **kw}
    ok, body = readiness(health, highwaters={TP: highwater}, **options)  # type: ignore[arg-type]
    assert body["ready"] is ok and (not ok) == bool(body["reasons"])
    return ok, body["reasons"]


def test_a_crashed_agent_is_not_ready_until_it_has_run_quietly() -> None:
    clock = Clock()
    health = Health(stuck_seconds=10, clock=clock)
    assert ready(health) == (True, [])
    health.crashed("warrant_state", RuntimeError("boom"))
    ok, reasons = ready(health)
    assert not ok and "agent warrant_state crashed 0.0 s ago: RuntimeError: boom" in reasons
    clock.now += CRASH_QUIET_SECONDS - 0.1
    assert not ready(health)[0]
    clock.now += 0.2  # Faust restarted it and it has not crashed again
    assert ready(health) == (True, [])
    # an agent whose actor is down is not ready whatever the time
    _, reasons = ready(health, agents=[AgentStatus("intake", False), AGENTS[1]])
    assert reasons == ["agent intake is not running"]


def test_a_partition_with_records_waiting_and_no_progress_is_stuck() -> None:
    clock = Clock()
    health = Health(stuck_seconds=10, clock=clock)
    health.assigned({TP})
    health.handled(*TP, 41)
    clock.now += 30
    assert ready(health, highwater=42) == (True, [])  # caught up: nothing waits
    # records arrive after a quiet half minute: waiting, not stuck, until they have waited
    assert ready(health, highwater=50) == (True, [])
    clock.now += 9.9
    assert ready(health, highwater=50)[0]
    clock.now += 0.1
    _, reasons = ready(health, highwater=50)  # 8 records wait after 41, seen for 10 s
    assert reasons == ["warrantwatch.sequenced-inputs[1] is stuck: 8 records wait after "
                       "offset 41, none handled for 10 s"]
    health.handled(*TP, 45)  # progress: no longer stuck, though records still wait
    assert ready(health, highwater=50) == (True, [])
    clock.now += 9
    assert ready(health, highwater=50)[0]
    clock.now += 1
    assert not ready(health, highwater=50)[0]
    health.handled(*TP, 49)  # caught up: the wait is over, and a new one is measured afresh
    assert ready(health, highwater=50) == (True, [])
    clock.now += 60
    assert ready(health, highwater=51) == (True, [])


def test_joining_rebalancing_rebuilding_and_a_fatal_error_are_not_ready() -> None:
    health = Health(stuck_seconds=10, clock=Clock())
    assert ready(health, joined=False)[1] == ["the worker has not joined its consumer group yet"]
    assert ready(health, rebalancing=True)[1] == ["the consumer group is rebalancing"]
    with health.rebuilding(3):
        assert ready(health)[1] == ["the warrant state of partition 3 is being rebuilt"]
    assert ready(health)[0]
    health.fatal = "warrantwatch.sequenced-inputs[0] went backwards"
    assert ready(health)[1] == ["warrantwatch.sequenced-inputs[0] went backwards"]


def test_the_health_command_fails_when_nothing_answers() -> None:
    url = f"http://127.0.0.1:{free_port()}/ready"
    assert main(["health", "--url", url, "--timeout", "2"]) == 1
    assert default_url({"WARRANTWATCH_WEB_PORT": "7001", "WARRANTWATCH_WEB_BIND": "0.0.0.0"}) \
        == "http://127.0.0.1:7001/ready"
    assert default_url({}, path="/live") == "http://127.0.0.1:6066/live"


def test_the_test_fault_is_off_unless_named_and_fires_once() -> None:
    assert agent_fault("intake", {}) is None
    assert agent_fault("intake", {FAULT_ENV: "warrant_state-crash-once-on-id:x1"}) is None
    fault = agent_fault("warrant_state", {FAULT_ENV: "warrant_state-crash-once-on-id:x1"})
    assert fault is not None
    fault.check(b'{"id": "x10"}')  # another id: nothing
    with pytest.raises(InjectedFault, match="warrant_state crashes on record x1"):
        fault.check(b'{"type": "quote", "id": "x1"}')
    fault.check(b'{"id": "x1"}')  # once
    with pytest.raises(ValueError, match="cannot read"):
        agent_fault("intake", {FAULT_ENV: "intake-crash-always"})
