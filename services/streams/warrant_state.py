"""The warrant state agent: folds the sequenced topic, one `PartitionFold` per partition.

State across restarts is rebuilt from the input log: when this worker is handed a partition
it has no state for (first start, restart after a crash, a rebalance), it re-folds the
sequenced partition from offset 0 up to the offset in hand without publishing (those outputs
were published before their offsets were committed), then carries on publishing. Outputs of
records after the last commit are published again after a crash, with the same ids:
at-least-once delivery with idempotent outputs (docs/operations.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from services.kafka.settings import KafkaSettings
from services.kafka.topics import sequenced_topic
from services.streams.envelope import Envelope
from services.streams.fold import PartitionFold, Step
from services.streams.outputs import OutputPublisher
from services.streams.rebuild import replay_partition
from shared.engine import Engine
from shared.errors import RecordError
from shared.terms import Terms

log = logging.getLogger(__name__)


class WarrantState:
    """The folds of the sequenced partitions this worker holds, and where each one is."""

    def __init__(self, settings: KafkaSettings, terms: Sequence[Terms]) -> None:
        self.settings = settings
        self.terms = tuple(terms)
        self.topic = sequenced_topic(settings)
        self._folds: dict[int, PartitionFold] = {}
        self._last_offset: dict[int, int] = {}
        self.rebuilt_records = 0
        # The first engine of a process builds the Trading Day tables (seconds of CPU); done
        # here, before the worker joins its group, it cannot stall the heartbeats of the
        # consumer and get this worker thrown out of the group (the session timeout is 1.5 s
        # on the embedded broker).
        Engine(self.terms)

    async def apply(self, partition: int, offset: int, env: Envelope) -> Step:
        fold = self._folds.get(partition)
        if fold is None or offset <= self._last_offset[partition]:
            fold = await self._rebuild(partition, offset)
        step = fold.apply(env)
        self._last_offset[partition] = offset
        return step

    def keep_only(self, partitions: Iterable[int]) -> None:
        """Forget the state of partitions no longer assigned here: if one comes back, another
        worker may have moved it on, so it is rebuilt from the log."""
        kept = set(partitions)
        for partition in list(self._folds):
            if partition not in kept:
                del self._folds[partition]
                del self._last_offset[partition]

    async def _rebuild(self, partition: int, offset: int) -> PartitionFold:
        fold = PartitionFold(partition, self.settings.partitions, self.terms)
        started = time.perf_counter()
        count = await replay_partition(self.settings, self.topic, partition, offset, fold.apply)
        if count:
            log.info("rebuilt %s[%d] from %d records in %.2f s", self.topic, partition, count,
                     time.perf_counter() - started)
        self.rebuilt_records += count
        self._folds[partition] = fold
        self._last_offset[partition] = offset - 1
        return fold


def register(app: Any, source: Any, outputs: OutputPublisher, state: WarrantState) -> Any:
    """Add the agent to the Faust app: `source` is the Faust topic of the sequenced log."""

    async def warrant_state(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            try:
                env = Envelope.from_message(message.key, message.value, event.headers)
            except RecordError as exc:  # not written by intake: nothing to fold
                log.error("%s[%d]@%d skipped: %s", message.topic, message.partition,
                          message.offset, exc)
                continue
            step = await state.apply(message.partition, message.offset, env)
            await outputs.publish(message.partition, step)

    async def on_assigned(sender: object, assigned: set[Any], **kwargs: object) -> None:
        state.keep_only(tp.partition for tp in assigned if tp.topic == state.topic)

    app.on_partitions_assigned.connect(on_assigned)
    return app.agent(source, name="warrant_state")(warrant_state)
