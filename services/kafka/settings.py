"""Where the Kafka cluster is and what the topics are called, from flags or the environment.

Environment variables (each also a flag of the commands that talk to Kafka):
- WARRANTWATCH_BROKER: `kafka://HOST:PORT[,HOST:PORT]`, `embedded` or `inprocess`.
- WARRANTWATCH_BROKER_PROFILE: `embedded` or `kafka`: the client settings for that kind of
  broker (services/kafka/profiles.py); default: `embedded` for the embedded broker, else `kafka`.
- WARRANTWATCH_TOPIC_PREFIX: prefix of every topic name (default "warrantwatch.").
- WARRANTWATCH_PARTITIONS: partitions of every topic (default 4). All topics have the same
  count: a symbol's partition number is the same on every topic (services/kafka/partitioning.py).
- WARRANTWATCH_REPLICATION_FACTOR: replicas of each topic the service creates (default 1).
- WARRANTWATCH_PROCESSING_GUARANTEE: `at_least_once` (default) or `exactly_once` (needs a
  cluster with transactions; Tansu has none, broker.md pitfall 2).
- WARRANTWATCH_APP_ID: the Faust application id, which is the consumer group (default
  "warrantwatch"). Workers with the same id share the partitions.
- WARRANTWATCH_WEB_BIND, WARRANTWATCH_WEB_PORT: the worker's Faust web server (default
  127.0.0.1:6066; port 0 picks a free port).
- WARRANTWATCH_SECURITY_PROTOCOL, WARRANTWATCH_SASL_MECHANISM, WARRANTWATCH_SASL_USERNAME,
  WARRANTWATCH_SASL_PASSWORD, WARRANTWATCH_SSL_CAFILE: SASL/TLS for a real cluster.
- WARRANTWATCH_ALLOW_PLAINTEXT_SASL: `true` to let SASL run without TLS (`SASL_PLAINTEXT`,
  the password readable on the wire); refused otherwise.
- WARRANTWATCH_SNAPSHOT_EVERY: write a snapshot of a partition's warrant state after this
  many records folded since the last one (default 10,000; 0: never, every takeover folds the
  whole log). Snapshots are also written when a partition is closed (revoked or the worker
  stopped). services/streams/snapshots.py, docs/operations.md "State across restarts".
- WARRANTWATCH_SEQUENCED_RETENTION_MS: retention of the sequenced log when the worker creates
  it (default -1: for ever). Finite only with snapshots, and longer than what docs/operations.md
  "State across restarts" says is safe.

Security rule (docs/operations.md, Settings): the protocol is one of `SECURITY_PROTOCOLS`; a
SASL mechanism goes with a `SASL_*` protocol and a `SASL_*` protocol with a mechanism, a user
name and a password; `SASL_PLAINTEXT` only when the operator allows it explicitly. Every client
of the project (the Faust app, the admin, the rebuild readers, the replay producer) takes its
security arguments from one function, `services.kafka.client.security_kwargs`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from shared.errors import SettingsError

DEFAULT_PREFIX = "warrantwatch."
PROCESSING_GUARANTEES = ("at_least_once", "exactly_once")
PROFILES = ("embedded", "kafka")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
# what aiokafka authenticates with a user name and password (GSSAPI and OAUTHBEARER need
# callbacks or a Kerberos set-up this project does not configure)
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

# Setting name -> environment variable. deploy/ and docker-compose.yml are checked against it.
ENVIRONMENT: dict[str, str] = {
    "broker": "WARRANTWATCH_BROKER",
    "profile": "WARRANTWATCH_BROKER_PROFILE",
    "topic_prefix": "WARRANTWATCH_TOPIC_PREFIX",
    "partitions": "WARRANTWATCH_PARTITIONS",
    "replication_factor": "WARRANTWATCH_REPLICATION_FACTOR",
    "processing_guarantee": "WARRANTWATCH_PROCESSING_GUARANTEE",
    "app_id": "WARRANTWATCH_APP_ID",
    "web_bind": "WARRANTWATCH_WEB_BIND",
    "web_port": "WARRANTWATCH_WEB_PORT",
    "security_protocol": "WARRANTWATCH_SECURITY_PROTOCOL",
    "sasl_mechanism": "WARRANTWATCH_SASL_MECHANISM",
    "sasl_username": "WARRANTWATCH_SASL_USERNAME",
    "sasl_password": "WARRANTWATCH_SASL_PASSWORD",
    "ssl_cafile": "WARRANTWATCH_SSL_CAFILE",
    "allow_plaintext_sasl": "WARRANTWATCH_ALLOW_PLAINTEXT_SASL",
    "snapshot_every": "WARRANTWATCH_SNAPSHOT_EVERY",
    "sequenced_retention_ms": "WARRANTWATCH_SEQUENCED_RETENTION_MS",
}
_INTEGERS = frozenset({"partitions", "replication_factor", "web_port", "snapshot_every",
                       "sequenced_retention_ms"})
# Records folded between two snapshots of a partition: a takeover folds at most this many
# records after loading the latest snapshot (docs/operations.md, State across restarts).
DEFAULT_SNAPSHOT_EVERY = 10_000
_BOOLEANS = frozenset({"allow_plaintext_sasl"})


@dataclass(frozen=True, slots=True)
class KafkaSettings:
    broker: str = "embedded"
    profile: str | None = None
    topic_prefix: str = DEFAULT_PREFIX
    partitions: int = 4
    replication_factor: int = 1
    processing_guarantee: str = "at_least_once"
    app_id: str = "warrantwatch"
    web_bind: str = "127.0.0.1"
    web_port: int = 6066
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None
    allow_plaintext_sasl: bool = False
    snapshot_every: int = DEFAULT_SNAPSHOT_EVERY
    sequenced_retention_ms: int = -1

    def __repr__(self) -> str:
        """Every setting but the password, which shows as set or not (logs, tracebacks)."""
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sasl_password" and value is not None:
                shown.append(f"{f.name}='***'")
            else:
                shown.append(f"{f.name}={value!r}")
        return f"KafkaSettings({', '.join(shown)})"

    def __post_init__(self) -> None:
        var = ENVIRONMENT
        if self.partitions < 1:
            raise SettingsError(var["partitions"],
                                f"partitions must be at least 1, got {self.partitions}")
        if self.replication_factor < 1:
            raise SettingsError(var["replication_factor"], "replication factor must be at "
                                f"least 1, got {self.replication_factor}")
        if self.processing_guarantee not in PROCESSING_GUARANTEES:
            raise SettingsError(var["processing_guarantee"], "processing guarantee "
                                f"{self.processing_guarantee!r}: one of "
                                f"{', '.join(PROCESSING_GUARANTEES)}")
        if self.profile is not None and self.profile not in PROFILES:
            raise SettingsError(var["profile"], f"broker profile {self.profile!r}: one of "
                                f"{', '.join(PROFILES)}")
        if not 0 <= self.web_port <= 65535:
            raise SettingsError(var["web_port"], f"web port {self.web_port} is not a TCP port")
        if self.snapshot_every < 0:
            raise SettingsError(var["snapshot_every"], f"{var['snapshot_every']} must be 0 (no "
                                f"snapshots) or more, got {self.snapshot_every}")
        if self.sequenced_retention_ms == 0 or self.sequenced_retention_ms < -1:
            raise SettingsError(var["sequenced_retention_ms"],
                                f"{var['sequenced_retention_ms']} must be -1 (for ever) or a "
                                f"positive number of milliseconds, got "
                                f"{self.sequenced_retention_ms}")
        if self.sequenced_retention_ms != -1 and self.snapshot_every == 0:
            raise SettingsError(var["sequenced_retention_ms"],
                                f"{var['sequenced_retention_ms']}="
                                f"{self.sequenced_retention_ms} with {var['snapshot_every']}=0: "
                                "without snapshots the warrant state is rebuilt from the whole "
                                "sequenced log, which must then be kept for ever")
        self._check_security()

    def _check_security(self) -> None:
        protocol, mechanism = self.security_protocol, self.sasl_mechanism
        var = ENVIRONMENT
        if protocol not in SECURITY_PROTOCOLS:
            raise SettingsError(var["security_protocol"], f"{var['security_protocol']} "
                                f"{protocol!r}: one of {', '.join(SECURITY_PROTOCOLS)}")
        sasl = protocol.startswith("SASL_")
        if mechanism is not None:
            if mechanism not in SASL_MECHANISMS:
                raise SettingsError(var["sasl_mechanism"], f"{var['sasl_mechanism']} "
                                    f"{mechanism!r}: one of {', '.join(SASL_MECHANISMS)}")
            if not sasl:
                raise SettingsError(
                    var["sasl_mechanism"],
                    f"{var['sasl_mechanism']}={mechanism} with {var['security_protocol']}="
                    f"{protocol}: SASL needs {var['security_protocol']}=SASL_SSL (or "
                    f"SASL_PLAINTEXT with {var['allow_plaintext_sasl']}=true); without it no "
                    f"client would authenticate")
        elif sasl:
            raise SettingsError(var["sasl_mechanism"], f"{var['security_protocol']}={protocol} "
                                f"needs {var['sasl_mechanism']} (one of "
                                f"{', '.join(SASL_MECHANISMS)})")
        if sasl and (not self.sasl_username or self.sasl_password is None):
            missing = "sasl_password" if self.sasl_username else "sasl_username"
            raise SettingsError(var[missing], f"SASL needs {var['sasl_username']} and "
                                f"{var['sasl_password']}")
        if protocol == "SASL_PLAINTEXT" and not self.allow_plaintext_sasl:
            raise SettingsError(
                var["security_protocol"],
                f"{var['security_protocol']}=SASL_PLAINTEXT sends the SASL password in clear; "
                f"use SASL_SSL, or set {var['allow_plaintext_sasl']}=true to allow it")
        if self.ssl_cafile is not None and "SSL" not in protocol:
            raise SettingsError(var["ssl_cafile"], f"{var['ssl_cafile']} is set but "
                                f"{var['security_protocol']}={protocol} uses no TLS")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str | int | None
                 ) -> KafkaSettings:
        """Settings from the environment (or `env`), then non-None `overrides` (flags)."""
        e = os.environ if env is None else env
        values: dict[str, str | int | None] = {}
        for f in fields(cls):
            raw = e.get(ENVIRONMENT[f.name])
            if raw is not None and raw != "":
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in _INTEGERS & values.keys():
            raw_value = values[name]
            try:
                values[name] = int(raw_value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise SettingsError(
                    ENVIRONMENT[name],
                    f"{ENVIRONMENT[name]}: not a whole number: {raw_value!r}") from None
        for name in _BOOLEANS & values.keys():
            raw_value = values[name]
            if isinstance(raw_value, bool):
                continue
            text = str(raw_value).strip().lower()
            if text not in _TRUE + _FALSE:
                raise SettingsError(ENVIRONMENT[name],
                                    f"{ENVIRONMENT[name]}: {raw_value!r} is neither true nor "
                                    "false")
            values[name] = text in _TRUE
        return cls(**values)  # type: ignore[arg-type]

    def topic(self, name: str) -> str:
        """The Kafka topic of a logical topic of events.md ("quotes" -> "warrantwatch.quotes")."""
        return f"{self.topic_prefix}{name}"

    def logical(self, kafka_topic: str) -> str:
        """The logical topic of a Kafka topic name (the inverse of `topic`)."""
        if not kafka_topic.startswith(self.topic_prefix):
            raise ValueError(f"topic {kafka_topic!r} does not start with {self.topic_prefix!r}")
        return kafka_topic.removeprefix(self.topic_prefix)

    @property
    def bootstrap_servers(self) -> str:
        """HOST:PORT list of a `kafka://` broker setting."""
        if not self.broker.startswith("kafka://"):
            raise SettingsError(ENVIRONMENT["broker"],
                                f"broker {self.broker!r} is not a kafka://HOST:PORT address")
        return self.broker.removeprefix("kafka://")

    @property
    def profile_name(self) -> str:
        """The broker profile: as set, else `embedded` for the embedded broker, else `kafka`."""
        if self.profile is not None:
            return self.profile
        return "embedded" if self.broker == "embedded" else "kafka"

    def environment(self) -> dict[str, str]:
        """These settings as the environment variables that `from_env` reads back."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                out[ENVIRONMENT[f.name]] = "true" if value else "false"
            elif value is not None:
                out[ENVIRONMENT[f.name]] = str(value)
        return out
