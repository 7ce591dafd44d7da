"""Client settings per kind of broker: the embedded Tansu broker, or a real Kafka cluster.

Work-arounds for Tansu (docs/broker.md) live in the `embedded` profile only, so that the
production path against real Kafka runs with ordinary settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.kafka.settings import KafkaSettings


@dataclass(frozen=True, slots=True)
class BrokerProfile:
    """Timeouts in seconds; `producer_max_batch_size` in bytes (None: the client's default)."""

    name: str
    session_timeout: float
    heartbeat_interval: float
    rebalance_timeout: float
    request_timeout: float
    commit_interval: float
    producer_linger_ms: int
    producer_max_batch_size: int | None
    fetch_max_wait_ms: int | None  # None: the client's own (Faust's worker: 1,500 ms)
    # readiness (services/streams/health.py): a partition with records waiting and none
    # handled for this long is stuck
    stuck_seconds: float = 60.0


# Tansu, started by this process on 127.0.0.1 for tests, the demo and `--broker embedded`.
EMBEDDED = BrokerProfile(
    name="embedded",
    # A new consumer group waits half the session timeout before its first assignment and a
    # restarted member about 1.8 times it (broker.md pitfall 3). One loopback broker and
    # workers on the same machine never miss a 100 ms heartbeat, so 1.5 s is safe and keeps
    # a worker start or a kill-and-restart within a few seconds.
    session_timeout=1.5,
    heartbeat_interval=0.15,
    # How long the coordinator waits for members to re-join after a member left or died.
    rebalance_timeout=3.0,
    # Loopback round trips take microseconds; a request hanging this long means a dead broker.
    request_timeout=10.0,
    # Offsets are committed every 0.5 s so a killed worker re-does at most half a second of
    # input (its outputs come again with the same ids).
    commit_interval=0.5,
    producer_linger_ms=1,
    # broker.md pitfall 1: Tansu reports wrong end offsets for multi-record batches. The
    # services never read end offsets (state is rebuilt by reading the sequenced log up to the
    # offset in hand, replay waits for end markers), so the one-record-per-batch work-around is
    # not needed; the field stays here so that a feature relying on end offsets (a Faust Table)
    # sets it to 1 in this profile only.
    producer_max_batch_size=None,
    # Tansu answers a fetch that found nothing only when its wait runs out, even if records
    # arrive meanwhile (seen here: a record produced 130 ms into a 1,500 ms wait is delivered
    # 620 ms after it was produced). Faust's worker waits 1,500 ms, so each time the warrant
    # state caught up with intake, the next pack could sit up to 1.5 s on the broker. Kafka
    # answers as soon as a record arrives, so the wait matters only here.
    fetch_max_wait_ms=100,
    # a loopback broker delivers within milliseconds: 10 s without progress is a stall
    stuck_seconds=10.0,
)

# A real Kafka cluster (docker-compose.yml, deploy/k8s): Faust's defaults, which suit a
# networked cluster where brief pauses must not trigger a rebalance.
KAFKA = BrokerProfile(
    name="kafka",
    session_timeout=30.0,
    heartbeat_interval=3.0,
    rebalance_timeout=60.0,
    request_timeout=90.0,
    commit_interval=2.8,
    producer_linger_ms=5,
    producer_max_batch_size=None,
    fetch_max_wait_ms=None,
    # Faust's defaults allow pauses of tens of seconds (a rebalance, a slow broker)
    stuck_seconds=60.0,
)

PROFILES: dict[str, BrokerProfile] = {p.name: p for p in (EMBEDDED, KAFKA)}


def profile_for(settings: KafkaSettings) -> BrokerProfile:
    """The profile the settings name, or the one their broker implies."""
    return PROFILES[settings.profile_name]
