"""Readiness and liveness of a worker: what `GET /ready`, `GET /live` and `warrantwatch health`
report (docs/operations.md, Health).

A worker is **ready** when all of these hold, else `/ready` answers 503 with the reasons:

- it has joined its consumer group (it holds an assignment, possibly empty) and the group is
  not rebalancing;
- no agent has crashed in the last `CRASH_QUIET_SECONDS` (Faust restarts a crashed agent at
  once, so "crashed lately" is what tells a crash loop from a healthy agent), and every
  agent's actors are running;
- no partition's warrant state is being rebuilt from the sequenced log;
- no assigned partition is **stuck**: records wait on it (the highwater Kafka last reported is
  past the next offset to handle), they have been seen waiting for the profile's
  `stuck_seconds` (services/kafka/profiles.py), and the agent has handled none of them since.
  Waiting is measured from the first readiness check that saw it (or the last record handled,
  if later), not from the last record handled: a record arriving after a quiet hour is not
  "stuck" the moment it arrives;
- the worker has not found a log that went backwards (it is stopping).

**Live** (`GET /live`) means the process answers on its event loop: a worker that is not
ready is still live; Kubernetes restarts it only if it stops answering.

`Health` is fed by the agents (`handled`, `crashed`, `rebuilding`) and read with what Faust
knows (agents, assignment, highwaters) by `readiness`; nothing in it touches Kafka, so the
rules are tested without a broker, and over HTTP on a real worker.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

CRASH_QUIET_SECONDS = 5.0

TopicPartition = tuple[str, int]


@dataclass(slots=True)
class Progress:
    offset: int | None  # the last offset handled; None: none since it was assigned
    since: float  # when it last moved (or when it was assigned)
    waiting_since: float | None = None  # when a check first saw records wait after `offset`


@dataclass(slots=True)
class Health:
    """What the agents report; `clock` is monotonic seconds."""

    stuck_seconds: float
    clock: Callable[[], float] = time.monotonic
    crashes: dict[str, tuple[float, str]] = field(default_factory=dict)  # agent -> (when, why)
    progress: dict[TopicPartition, Progress] = field(default_factory=dict)
    rebuilds: dict[int, int] = field(default_factory=dict)  # sequenced partition -> running
    fatal: str | None = None
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def handled(self, topic: str, partition: int, offset: int) -> None:
        """An agent has handled the message at `offset` of `topic[partition]`."""
        now = self.clock()
        found = self.progress.get((topic, partition))
        if found is None:
            self.progress[(topic, partition)] = Progress(offset, now)
        elif found.offset != offset:
            found.offset, found.since, found.waiting_since = offset, now, None

    def assigned(self, partitions: set[TopicPartition], topics: set[str] | None = None
                 ) -> None:
        """A new assignment: progress is measured afresh from now. With `topics`, the
        assignment of those topics only (intake and the warrant state are two groups)."""
        now = self.clock()
        kept = {} if topics is None else {tp: p for tp, p in self.progress.items()
                                          if tp[0] not in topics}
        self.progress = kept | {tp: self.progress.get(tp) or Progress(None, now)
                                for tp in partitions}
        for tp in partitions:
            self.progress[tp].since, self.progress[tp].waiting_since = now, None

    def crashed(self, agent: str, exc: BaseException) -> None:
        self.crashes[agent] = (self.clock(), f"{type(exc).__name__}: {str(exc)[:200]}")

    @contextlib.contextmanager
    def rebuilding(self, partition: int) -> Iterator[None]:
        self.rebuilds[partition] = self.rebuilds.get(partition, 0) + 1
        try:
            yield
        finally:
            self.rebuilds[partition] -= 1
            if not self.rebuilds[partition]:
                del self.rebuilds[partition]

    def stuck(self, highwaters: Mapping[TopicPartition, int | None]) -> list[str]:
        """The assigned partitions whose records have waited stuck_seconds, none handled."""
        now = self.clock()
        out = []
        for (topic, partition), highwater in sorted(highwaters.items()):
            found = self.progress.get((topic, partition))
            if highwater is None or found is None or found.offset is None:
                continue  # nothing known to wait, or nothing handled to measure from
            waiting = highwater - (found.offset + 1)
            if waiting <= 0:
                found.waiting_since = None
                continue
            if found.waiting_since is None:
                found.waiting_since = now
            idle = now - max(found.since, found.waiting_since)
            if idle >= self.stuck_seconds:
                out.append(f"{topic}[{partition}] is stuck: {waiting} records wait after "
                           f"offset {found.offset}, none handled for {idle:.0f} s")
        return out


@dataclass(frozen=True, slots=True)
class AgentStatus:
    name: str
    running: bool  # every actor of the agent is started and not crashed


def readiness(health: Health, *, joined: bool, rebalancing: bool,
              agents: list[AgentStatus], highwaters: Mapping[TopicPartition, int | None]
              ) -> tuple[bool, dict[str, Any]]:
    """(ready, the JSON body of `/ready`)."""
    now = health.clock()
    reasons: list[str] = []
    if health.fatal is not None:
        reasons.append(health.fatal)
    if not joined:
        reasons.append("the worker has not joined its consumer group yet")
    if rebalancing:
        reasons.append("the consumer group is rebalancing")
    for agent in agents:
        crash = health.crashes.get(agent.name)
        if crash is not None and now - crash[0] < CRASH_QUIET_SECONDS:
            reasons.append(f"agent {agent.name} crashed {now - crash[0]:.1f} s ago: {crash[1]}")
        elif not agent.running:
            reasons.append(f"agent {agent.name} is not running")
    for partition in sorted(health.rebuilds):
        reasons.append(f"the warrant state of partition {partition} is being rebuilt")
    reasons.extend(health.stuck(highwaters))
    body: dict[str, Any] = {
        "ready": not reasons,
        "reasons": reasons,
        "agents": {a.name: ("running" if a.running else "not running") for a in agents},
        "partitions": {f"{t}[{p}]": {"highwater": hw,
                                     "handled": (health.progress[(t, p)].offset
                                                 if (t, p) in health.progress else None)}
                       for (t, p), hw in sorted(highwaters.items())},
    }
    return not reasons, body


def faust_readiness(app: Any, health: Health, joined: bool) -> tuple[bool, dict[str, Any]]:
    """`readiness` with what the Faust app knows: its agents' actors, its assignment, the
    highwaters its consumer last fetched; and the same of intake, a service of the app
    (services/streams/batch_intake.py) when it has one."""
    agents = [AgentStatus(name.rsplit(".", 1)[-1], _agent_running(agent))
              for name, agent in sorted(app.agents.items())]
    highwaters: dict[TopicPartition, int | None] = {}
    intake: Any = getattr(app, "intake", False)
    if intake is not False:  # registered: None until the app has started it
        agents.append(AgentStatus("intake", intake is not None and bool(intake.running)))
        joined = joined and intake is not None and intake.assignment is not None
        if intake is not None:
            highwaters.update(intake.highwaters())
    agents.sort(key=lambda a: a.name)
    try:
        assigned = app.assignor.assigned_actives()
    except Exception:
        assigned = set()
    for tp in assigned:
        try:
            highwaters[(tp.topic, tp.partition)] = app.consumer.highwater(tp)
        except Exception:
            highwaters[(tp.topic, tp.partition)] = None
    return readiness(health, joined=joined, rebalancing=bool(app.rebalancing), agents=agents,
                     highwaters=highwaters)


def _agent_running(agent: Any) -> bool:
    """Every actor the agent's supervisor holds now has not crashed and its task runs.

    The supervisor's list, not the agent's set of actors: Faust replaces a crashed actor by a
    new one there, and the crashed one may linger in the set. A replacement is never started
    as a service (its state stays "init") although its task consumes the stream, so the task
    is what tells it runs (tests/kafka/test_health_worker.py)."""
    supervisor = getattr(agent, "supervisor", None)
    actors: list[Any] = list(getattr(supervisor, "_services", None)
                             or getattr(agent, "_actors", None) or ())
    return bool(actors) and all(not a.crashed and _task_runs(a) for a in actors)


def _task_runs(actor: Any) -> bool:
    task = getattr(actor, "actor_task", None)
    return task is not None and not task.done()
