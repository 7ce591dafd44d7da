"""One embedded Tansu broker per test module that asks for it, on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.kafka.embedded import EmbeddedBroker
from services.kafka.settings import KafkaSettings


@pytest.fixture(scope="module")
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture
def settings(broker: EmbeddedBroker) -> KafkaSettings:
    """Settings of a test: the module's broker, the embedded profile's short timeouts."""
    return KafkaSettings(broker=broker.url, profile="embedded")
