"""What an agent had in hand when it crashed, kept for its restart: at-least-once across an
agent crash (docs/operations.md, Health: what a crash costs).

Faust acknowledges the events of a `take_events` batch when the batch's generator is closed,
whether the agent handled them or crashed on them, and commits acknowledged offsets; the
consumer's position has moved past them too, so the agent Faust restarts on the same stream
never sees them again: a message in hand at a crash would be lost for good. So the warrant
state agent (services/streams/warrant_state.py; intake is not a Faust agent: a failed batch
of services/streams/batch_intake.py is read again from the committed offsets):

- takes its batches inside `contextlib.aclosing`, so the generator is closed (its events
  acknowledged, its buffering processor detached, the stream's `enable_acks` restored) in the
  agent's own frame, before the crash reaches Faust, and not whenever the abandoned
  generator happens to be finalized, which left the stream's next event behind a future no
  one would resolve and could race the restarted agent's generator;
- on a crash, `hold`s the events it had not finished (from the one it crashed on): each
  message's reference count is raised by one first, so the generator's acknowledgement does
  not make it safe to commit, and Faust's commit, which takes only the consecutive
  acknowledged offsets, stops before it;
- when Faust restarts it, handles the held events first, in their order, then `release`s them
  (the acknowledgement that lets their offsets be committed: after their outputs were handed
  to the producer, which Faust flushes before it commits), then takes new batches.

A held event redone is a message handled twice at most up to the crash point: the fold drops
an envelope it has seen (by origin), a sequenced message at or below the last folded offset
makes the warrant state rebuild the partition up to it, and outputs keep their ids.

An event fetched in an earlier consumer generation (a rebalance since) is not redone: its
offset was never committed, so the partition's owner now reads it again from the committed
offset. It is released unhandled, as Faust itself skips such events.

A crash that repeats on the same events repeats the restart: readiness stays 503 while it
does (services/streams/health.py); nothing is dropped to get past it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Held:
    """The events one agent has not finished, across its restarts."""

    def __init__(self) -> None:
        self._events: list[Any] = []
        self._messages: set[int] = set()  # id() of each message whose count is raised
        self.crashes = 0  # how many times the agent crashed with events in hand

    def __bool__(self) -> bool:
        return bool(self._events)

    def hold(self, events: Sequence[Any]) -> None:
        """Keep `events` (the unfinished ones of the batch in hand, in log order) for the
        restart; call before the batch's generator is closed."""
        for event in events:
            message = event.message
            if id(message) not in self._messages:
                message.incref()
                self._messages.add(id(message))
        self._events = list(events)
        if events:
            self.crashes += 1

    def take(self, generation: int | None) -> tuple[list[Any], list[Any]]:
        """The held events to handle again, and those of an earlier consumer `generation`
        (not to handle: the partition's owner reads them again). Both still held."""
        redo = [e for e in self._events
                if generation is None or e.message.generation_id in (None, generation)]
        kept = {id(e) for e in redo}
        stale = [e for e in self._events if id(e) not in kept]
        return redo, stale

    async def release(self, stream: Any, events: Sequence[Any]) -> None:
        """Acknowledge held `events` (handled, or not to handle) and forget them."""
        for event in events:
            if id(event.message) in self._messages:
                self._messages.discard(id(event.message))
                await stream.ack(event)
        done = {id(e) for e in events}
        self._events = [e for e in self._events if id(e) not in done]


def generation_of(app: Any) -> int | None:
    """The Faust consumer generation in force (None when Faust does not say)."""
    found = getattr(app, "consumer_generation_id", None)
    return found if isinstance(found, int) else None
