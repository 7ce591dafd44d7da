"""The broker flags of the live commands (publish, watch, clock), read as the worker reads them.

Every flag falls back on its environment variable (services/kafka/settings.py), so a shell
that runs a worker runs its clients with the same settings; SASL/TLS come from the
environment only, as for every client.
"""

from __future__ import annotations

import argparse
import sys

from services.kafka.settings import ENVIRONMENT, PROFILES, KafkaSettings
from shared.errors import BrokerError


def add_broker_flags(p: argparse.ArgumentParser) -> None:
    env = ENVIRONMENT
    p.add_argument("--broker", help=f"kafka://HOST:PORT[,HOST:PORT] (${env['broker']}); a "
                                    "worker started with --broker embedded prints its address")
    p.add_argument("--profile", choices=PROFILES,
                   help=f"client timeouts for this kind of broker (${env['profile']}; "
                        "embedded for a worker's embedded broker)")
    p.add_argument("--topic-prefix", help=f"${env['topic_prefix']} (default warrantwatch.)")
    p.add_argument("--partitions", type=int, help=f"${env['partitions']} (default 4)")
    p.add_argument("--app-id", help=f"the workers' consumer group (${env['app_id']}; "
                                    "default warrantwatch)")


def client_settings(args: argparse.Namespace, command: str) -> KafkaSettings:
    """Settings for a client of a running broker: `--broker` must be a kafka:// address."""
    settings = KafkaSettings.from_env(broker=args.broker, profile=args.profile,  # SettingsError
                                      topic_prefix=args.topic_prefix,
                                      partitions=args.partitions, app_id=args.app_id)
    if not settings.broker.startswith("kafka://"):
        raise BrokerError(f"{command} needs a running broker: --broker kafka://HOST:PORT or "
                          f"${ENVIRONMENT['broker']} (got {settings.broker!r}); a worker "
                          "started with --broker embedded prints its address")
    return settings


def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
