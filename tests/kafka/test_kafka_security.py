"""SASL/TLS settings: refused when unsafe or inconsistent, the same for every client, and a
password that never shows in a repr (services/kafka/settings.py, services/kafka/client.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from services.kafka.client import (
    PRODUCER_MAX_REQUEST_BYTES,
    connection_kwargs,
    faust_credentials,
    producer_kwargs,
    reader_kwargs,
    security_kwargs,
)
from services.kafka.settings import ENVIRONMENT, KafkaSettings
from services.streams.app import build_streams
from shared.errors import SettingsError
from shared.terms import load_terms

BROKER = {"WARRANTWATCH_BROKER": "kafka://k1:9093"}
SASL_SSL = {**BROKER, "WARRANTWATCH_SECURITY_PROTOCOL": "SASL_SSL",
            "WARRANTWATCH_SASL_MECHANISM": "SCRAM-SHA-512",
            "WARRANTWATCH_SASL_USERNAME": "ww", "WARRANTWATCH_SASL_PASSWORD": "s3cret-pw"}


@pytest.mark.parametrize(("env", "message"), [
    # the case of the review: a mechanism with the default protocol
    ({"WARRANTWATCH_SASL_MECHANISM": "PLAIN", "WARRANTWATCH_SASL_USERNAME": "u",
      "WARRANTWATCH_SASL_PASSWORD": "p"}, "SASL needs WARRANTWATCH_SECURITY_PROTOCOL=SASL_SSL"),
    ({"WARRANTWATCH_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "WARRANTWATCH_SASL_MECHANISM": "PLAIN",
      "WARRANTWATCH_SASL_USERNAME": "u", "WARRANTWATCH_SASL_PASSWORD": "p"},
     "sends the SASL password in clear"),
    ({"WARRANTWATCH_SECURITY_PROTOCOL": "sasl-ssl"}, "WARRANTWATCH_SECURITY_PROTOCOL 'sasl-ssl'"),
    ({"WARRANTWATCH_SECURITY_PROTOCOL": "TLS"}, "one of PLAINTEXT, SSL, SASL_PLAINTEXT"),
    ({"WARRANTWATCH_SECURITY_PROTOCOL": "SASL_SSL"}, "needs WARRANTWATCH_SASL_MECHANISM"),
    ({"WARRANTWATCH_SECURITY_PROTOCOL": "SASL_SSL", "WARRANTWATCH_SASL_MECHANISM": "GSSAPI"},
     "WARRANTWATCH_SASL_MECHANISM 'GSSAPI'"),
    ({"WARRANTWATCH_SECURITY_PROTOCOL": "SASL_SSL", "WARRANTWATCH_SASL_MECHANISM": "PLAIN"},
     "SASL needs WARRANTWATCH_SASL_USERNAME and WARRANTWATCH_SASL_PASSWORD"),
    ({"WARRANTWATCH_SSL_CAFILE": "ca.pem"}, "uses no TLS"),
    ({"WARRANTWATCH_ALLOW_PLAINTEXT_SASL": "perhaps"}, "neither true nor false"),
])
def test_unsafe_or_inconsistent_security_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        KafkaSettings.from_env({**BROKER, **env})
    assert caught.value.setting in ENVIRONMENT.values()
    assert caught.value.setting in message or caught.value.setting in env


def test_plaintext_sasl_only_when_the_operator_says_so() -> None:
    env = {**SASL_SSL, "WARRANTWATCH_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
           "WARRANTWATCH_ALLOW_PLAINTEXT_SASL": "true"}
    s = KafkaSettings.from_env(env)
    assert s.allow_plaintext_sasl is True
    assert security_kwargs(s)["security_protocol"] == "SASL_PLAINTEXT"
    assert KafkaSettings.from_env(s.environment()) == s


def _same_security(kwargs: dict[str, Any], other: dict[str, Any]) -> None:
    """The same protocol and credentials; a TLS context on both or neither."""
    plain = {k: v for k, v in kwargs.items() if k != "ssl_context"}
    assert plain == {k: v for k, v in other.items() if k != "ssl_context" and v is not None}
    assert (kwargs.get("ssl_context") is None) == (other.get("ssl_context") is None)


@pytest.mark.parametrize("env", [
    BROKER,
    {**BROKER, "WARRANTWATCH_SECURITY_PROTOCOL": "SSL"},
    SASL_SSL,
    {**SASL_SSL, "WARRANTWATCH_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
     "WARRANTWATCH_ALLOW_PLAINTEXT_SASL": "yes"},
], ids=["plaintext", "ssl", "sasl_ssl", "sasl_plaintext_allowed"])
def test_every_client_uses_the_same_security(env: dict[str, str], tmp_path: Path) -> None:
    s = KafkaSettings.from_env(env)
    wanted = security_kwargs(s)
    assert wanted["security_protocol"] == s.security_protocol
    for kwargs in (connection_kwargs(s), producer_kwargs(s), reader_kwargs(s)):
        _same_security({k: kwargs[k] for k in wanted}, wanted)
    # the Faust app: what its transport hands aiokafka from the app's credentials
    streams = build_streams(s, [load_terms()], data_dir=tmp_path)
    faust_auth = dict(credentials_to_aiokafka_auth(streams.app.conf.broker_credentials))
    _same_security(wanted, faust_auth)
    assert dict(credentials_to_aiokafka_auth(faust_credentials(s))).keys() == faust_auth.keys()


def test_the_password_never_shows_in_a_repr() -> None:
    s = KafkaSettings.from_env(SASL_SSL)
    assert "s3cret-pw" not in repr(s) and "s3cret-pw" not in str(s)
    assert "sasl_password='***'" in repr(s) and "sasl_username='ww'" in repr(s)
    assert "sasl_password=None" in repr(KafkaSettings())


def test_producers_and_faust_share_one_request_limit(tmp_path: Path) -> None:
    s = KafkaSettings.from_env(BROKER)
    assert producer_kwargs(s)["max_request_size"] == PRODUCER_MAX_REQUEST_BYTES
    streams = build_streams(s, [load_terms()], data_dir=tmp_path)
    assert streams.app.conf.producer_max_request_size == PRODUCER_MAX_REQUEST_BYTES
