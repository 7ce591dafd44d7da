"""Test-only fault injection: an agent of a running worker crashes on a chosen record, so the
end-to-end readiness test (tests/kafka/test_health_worker.py; docs/operations.md, Health)
watches a real crash, Faust's real restart of the agent and the real `GET /ready`.

**For tests only.** Off unless the environment variable `WARRANTWATCH_TEST_FAULT` names a
fault when the worker builds its agents; a deployment never sets it (deploy/ does not, and
the worker's settings do not read it). With it unset, `agent_fault` returns None and the
agents do not call anything of this module.

Format: `AGENT-crash-once-on-id:ID`, several separated by commas, AGENT `intake` or
`warrant_state`: that agent raises `InjectedFault` on the first message whose value holds the
JSON string `"ID"` (a record's `id`, as the record is written; a pack of the sequenced log
holds its records unchanged), once per process. The fault is raised in the agent's loop,
outside the boundary that turns a bad record into a dead letter, where an unforeseen failure
of the agent itself (not of a record) would be raised.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

FAULT_ENV = "WARRANTWATCH_TEST_FAULT"
AGENTS = ("intake", "warrant_state")
_FAULT = re.compile(r"(?P<agent>[a-z_]+)-crash-once-on-id:(?P<id>[^,]+)")


class InjectedFault(RuntimeError):
    """The crash a test asked for with WARRANTWATCH_TEST_FAULT."""


@dataclass(slots=True)
class CrashOnce:
    agent: str
    record_id: str
    fired: bool = False

    def check(self, value: bytes | None) -> None:
        """Raise InjectedFault the first time `value` holds the record id as a JSON string."""
        if not self.fired and value and f'"{self.record_id}"'.encode() in value:
            self.fired = True
            raise InjectedFault(f"test fault: {self.agent} crashes on record {self.record_id}")


@dataclass(slots=True)
class AgentFaults:
    """The faults of one agent; `check` each message value."""

    faults: tuple[CrashOnce, ...]

    def check(self, value: bytes | None) -> None:
        for fault in self.faults:
            fault.check(value)


def agent_fault(agent: str, env: Mapping[str, str] | None = None) -> AgentFaults | None:
    """The faults `WARRANTWATCH_TEST_FAULT` names for `agent`; None (the normal case) if none.
    ValueError on a value it cannot read, so a misspelt fault fails the test that set it."""
    text = (os.environ if env is None else env).get(FAULT_ENV, "")
    if not text:
        return None
    faults = []
    for part in text.split(","):
        found = _FAULT.fullmatch(part.strip())
        if found is None or found["agent"] not in AGENTS:
            raise ValueError(f"{FAULT_ENV}: cannot read {part!r} (expected "
                             f"AGENT-crash-once-on-id:ID, AGENT one of {', '.join(AGENTS)})")
        if found["agent"] == agent:
            faults.append(CrashOnce(agent, found["id"]))
    return AgentFaults(tuple(faults)) if faults else None
