"""Faust's Kafka consumer with the broker profile's fetch wait.

Faust builds its worker consumer with `fetch_max_wait_ms=1500` and offers no setting for it.
That is right for Kafka, which answers a fetch as soon as a record arrives, but the embedded
Tansu broker answers only when the wait runs out (services/kafka/profiles.py), so the
sequenced hop stalled for up to 1.5 s each time the warrant state had caught up with intake.
This transport is Faust's own, with the consumer's wait set from the profile before the
consumer starts; `app.transport` is Faust's public hook for a transport of one's own. It is
installed for a profile that sets a wait (the embedded one) and never for real Kafka.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka


def transport_with_fetch_wait(app: Any, wait_ms: int) -> Any:
    """A Faust transport for `app` whose worker consumer waits at most `wait_ms` a fetch."""

    class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
        def _create_worker_consumer(self, transport: Any) -> Any:
            consumer = super()._create_worker_consumer(transport)
            # aiokafka hands this to its fetcher when the consumer starts
            consumer._fetch_max_wait_ms = wait_ms
            return consumer

    class Consumer(faust_aiokafka.Consumer):
        def _new_consumer_thread(self) -> Any:
            return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    class Transport(faust_aiokafka.Transport):
        pass

    Transport.Consumer = Consumer
    return Transport(app.conf.broker_consumer, app)
