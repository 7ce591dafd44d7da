"""Where the Kafka cluster is and what the topics are called, from flags or the environment.

Environment variables (each also a flag of the commands that talk to Kafka):
- WARRANTWATCH_BROKER: `kafka://HOST:PORT[,HOST:PORT]`, `embedded` or `inprocess`.
- WARRANTWATCH_TOPIC_PREFIX: prefix of every topic name (default "warrantwatch.").
- WARRANTWATCH_PARTITIONS: partitions of each topic the service creates (default 4).
- WARRANTWATCH_SECURITY_PROTOCOL, WARRANTWATCH_SASL_MECHANISM, WARRANTWATCH_SASL_USERNAME,
  WARRANTWATCH_SASL_PASSWORD, WARRANTWATCH_SSL_CAFILE: SASL/TLS for a real cluster.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_PREFIX = "warrantwatch."


@dataclass(frozen=True, slots=True)
class KafkaSettings:
    broker: str = "embedded"
    topic_prefix: str = DEFAULT_PREFIX
    partitions: int = 4
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str | None) -> KafkaSettings:
        e = os.environ if env is None else env
        values: dict[str, str | int | None] = {
            "broker": e.get("WARRANTWATCH_BROKER", "embedded"),
            "topic_prefix": e.get("WARRANTWATCH_TOPIC_PREFIX", DEFAULT_PREFIX),
            "partitions": int(e.get("WARRANTWATCH_PARTITIONS", "4")),
            "security_protocol": e.get("WARRANTWATCH_SECURITY_PROTOCOL", "PLAINTEXT"),
            "sasl_mechanism": e.get("WARRANTWATCH_SASL_MECHANISM"),
            "sasl_username": e.get("WARRANTWATCH_SASL_USERNAME"),
            "sasl_password": e.get("WARRANTWATCH_SASL_PASSWORD"),
            "ssl_cafile": e.get("WARRANTWATCH_SSL_CAFILE"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def topic(self, name: str) -> str:
        """The Kafka topic of a logical topic of docs/events.md ("quotes" -> "warrantwatch.quotes")."""
        return f"{self.topic_prefix}{name}"

    @property
    def bootstrap_servers(self) -> str:
        """HOST:PORT list of a `kafka://` broker setting."""
        if not self.broker.startswith("kafka://"):
            raise ValueError(f"broker {self.broker!r} is not a kafka://HOST:PORT address")
        return self.broker.removeprefix("kafka://")
