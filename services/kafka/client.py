"""aiokafka client arguments from `KafkaSettings`: address, SASL/TLS and the profile's timeouts.

`security_kwargs` is the one place the security arguments are made: every aiokafka client of
the project (admin, rebuild readers, replay and feed producers, collectors) takes them through
`connection_kwargs`, and the Faust app through `faust_credentials`, which Faust turns back into
the same arguments (tests/kafka/test_kafka_security.py checks it).
"""

from __future__ import annotations

import ssl
from typing import Any

from services.kafka.profiles import BrokerProfile, profile_for
from services.kafka.settings import KafkaSettings


def ssl_context(settings: KafkaSettings) -> ssl.SSLContext | None:
    if "SSL" not in settings.security_protocol:
        return None
    return ssl.create_default_context(cafile=settings.ssl_cafile)


# The largest request the producers send, Faust's default (aiokafka's is 1 MiB); every limit
# on what the services write is below it (services/streams/limits.py).
PRODUCER_MAX_REQUEST_BYTES = 1_000_000


def security_kwargs(settings: KafkaSettings) -> dict[str, Any]:
    """The security arguments of every client: protocol, TLS context, SASL credentials
    (the settings have checked that they go together: services/kafka/settings.py)."""
    kwargs: dict[str, Any] = {"security_protocol": settings.security_protocol}
    context = ssl_context(settings)
    if context is not None:
        kwargs["ssl_context"] = context
    if settings.sasl_mechanism:
        kwargs["sasl_mechanism"] = settings.sasl_mechanism
        kwargs["sasl_plain_username"] = settings.sasl_username
        kwargs["sasl_plain_password"] = settings.sasl_password
    return kwargs


def faust_credentials(settings: KafkaSettings) -> Any:
    """`broker_credentials` of the Faust app: the same security as `security_kwargs`."""
    import faust  # only the worker needs Faust: keep it out of the other commands' start-up

    context = ssl_context(settings)
    if settings.sasl_mechanism:
        return faust.SASLCredentials(username=settings.sasl_username,
                                     password=settings.sasl_password,
                                     mechanism=settings.sasl_mechanism, ssl_context=context)
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def connection_kwargs(settings: KafkaSettings) -> dict[str, Any]:
    """Arguments every aiokafka client (producer, consumer, admin) takes."""
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "request_timeout_ms": int(profile_for(settings).request_timeout * 1000),
    }
    kwargs.update(security_kwargs(settings))
    return kwargs


def producer_kwargs(settings: KafkaSettings) -> dict[str, Any]:
    profile: BrokerProfile = profile_for(settings)
    kwargs = connection_kwargs(settings)
    kwargs["acks"] = "all"  # an input is published once every in-sync replica has it
    kwargs["linger_ms"] = profile.producer_linger_ms
    kwargs["max_request_size"] = PRODUCER_MAX_REQUEST_BYTES
    if profile.producer_max_batch_size is not None:
        kwargs["max_batch_size"] = profile.producer_max_batch_size
    return kwargs


def reader_kwargs(settings: KafkaSettings) -> dict[str, Any]:
    """A consumer without a group that reads partitions it assigns itself."""
    kwargs = connection_kwargs(settings)
    kwargs["group_id"] = None
    kwargs["enable_auto_commit"] = False
    kwargs["auto_offset_reset"] = "earliest"
    wait = profile_for(settings).fetch_max_wait_ms
    if wait is not None:  # the embedded broker's fetches (services/kafka/profiles.py)
        kwargs["fetch_max_wait_ms"] = wait
    # under exactly-once, records of aborted transactions must not be read back
    kwargs["isolation_level"] = ("read_committed"
                                 if settings.processing_guarantee == "exactly_once"
                                 else "read_uncommitted")
    return kwargs
