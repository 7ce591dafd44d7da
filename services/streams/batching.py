"""How the agents take their streams: in batches, the one lever Faust leaves on its
per-event path (docs/broker.md: Faust's per-event path, not the broker, is the first limit).

Each agent takes up to `BATCH_MAX` events, or what has come within `BATCH_WITHIN` seconds,
handles them in log order and hands every message it produces to the producer without
waiting for each to be written: the producer packs them into one request per partition.
Faust acknowledges a batch after it is handled and flushes the producer before it commits
offsets, so a worker killed redoes at most the uncommitted batches, as it did record by
record; an agent that crashes redoes the unfinished events of the batch in hand (held.py).

`BATCH_WITHIN` is also the most a lone input waits at each agent before it is handled, so
it bounds the added latency (two agents: twice this) when inputs trickle in.
"""

from __future__ import annotations

BATCH_MAX = 200
BATCH_WITHIN = 0.02
