"""The one place that builds the Faust app and its settings.

Intake (every input topic -> the sequenced topic) is a service of the app with an aiokafka
consumer of its own, in the group `{app_id}-intake` (services/streams/batch_intake.py);
warrant_state (the sequenced topic -> the output topics) is a Faust agent in the group
`app_id`. Workers started with the same `app_id` share the partitions of both.

Timeouts come from the broker profile (services/kafka/profiles.py), where each is explained:
short ones for the embedded broker, Faust's usual ones for a real cluster.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust

from services import console
from services.kafka.client import PRODUCER_MAX_REQUEST_BYTES, faust_credentials
from services.kafka.embedded import free_port
from services.kafka.profiles import profile_for
from services.kafka.settings import KafkaSettings
from services.kafka.topics import sequenced_topic
from services.streams import batch_intake, health_views, views, warrant_state
from services.streams.fetch_wait import transport_with_fetch_wait
from services.streams.outputs import OutputPublisher
from services.streams.warrant_state import WarrantState
from shared.terms import Terms


@dataclass(frozen=True, slots=True)
class Streams:
    app: Any  # faust.App (untyped)
    state: WarrantState
    web_port: int


def _raw_topic(app: Any, *names: str) -> Any:
    """A topic of undecoded bytes: the services decode values themselves (shared.events.codec)."""
    return app.topic(*names, key_type=bytes, value_type=bytes, key_serializer="raw",
                     value_serializer="raw")


def web_host(bind: str) -> str:
    """The host other workers reach this one's web server at: the bound address, or the
    host name when bound to every interface (as in the container images)."""
    return socket.gethostname() if bind in ("", "0.0.0.0", "::") else bind


def build_streams(settings: KafkaSettings, terms: Sequence[Terms], *, data_dir: Path,
                  loop: asyncio.AbstractEventLoop | None = None) -> Streams:
    """The Faust app of the services, its agents registered."""
    profile = profile_for(settings)
    web_port = settings.web_port or free_port(settings.web_bind)
    options: dict[str, Any] = {
        "broker": [f"kafka://{host}" for host in settings.bootstrap_servers.split(",")],
        "broker_credentials": faust_credentials(settings),
        "processing_guarantee": settings.processing_guarantee,
        "datadir": str(data_dir),
        # the web server serves Faust's status pages; never on all interfaces unless told
        "web_bind": settings.web_bind,
        "web_port": web_port,
        # the address other workers' query views name as this worker's (views.py: 421)
        "web_host": web_host(settings.web_bind),
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication_factor,
        # a new group reads every input from the start: nothing is skipped
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": profile.session_timeout,
        "broker_heartbeat_interval": profile.heartbeat_interval,
        "broker_rebalance_timeout": profile.rebalance_timeout,
        "broker_request_timeout": profile.request_timeout,
        "broker_commit_interval": profile.commit_interval,
        "producer_linger_ms": profile.producer_linger_ms,
        "producer_acks": -1,  # all in-sync replicas
        "producer_max_request_size": PRODUCER_MAX_REQUEST_BYTES,
        "worker_redirect_stdouts": False,
    }
    if profile.producer_max_batch_size is not None:
        options["producer_max_batch_size"] = profile.producer_max_batch_size
    if loop is not None:
        options["loop"] = loop
    app = faust.App(settings.app_id, **options)
    if profile.fetch_max_wait_ms is not None:
        app.transport = transport_with_fetch_wait(app, profile.fetch_max_wait_ms)
    sequenced = _raw_topic(app, sequenced_topic(settings))
    state = WarrantState(settings, terms)
    batch_intake.register(app, settings, state.health)
    warrant_state.register(app, sequenced, OutputPublisher(settings), state)
    views.register(app, state)
    health_views.register(app, state)
    console.register(app, state)
    return Streams(app, state, web_port)
