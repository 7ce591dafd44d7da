"""The sizes the services hold every message to, so that nothing they write can exceed what
the producer sends (docs/operations.md, Bad input).

- An input larger than `MAX_RECORD_BYTES` (the record limit of shared/events, the same in
  process and on Kafka) is not forwarded: intake forwards its dead letter instead, made from
  the whole message (bounded: shared/events), so the sequenced message stays small.
- A replay line travels as the `ww-source` header next to its record; the publisher refuses
  a line whose message would pass `MAX_INPUT_MESSAGE_BYTES` (only a record whose canonical
  form is itself near the record limit can).
- An envelope is then at most `MAX_ENVELOPE_BYTES`; a pack holds envelopes up to 512 KiB
  (services/streams/pack.py), an envelope larger than that travels alone.
- An output record encoded larger than `MAX_OUTPUT_BYTES`, or one that does not encode,
  is replaced by a dead letter (services/streams/fold.py).
- A Kafka key longer than `MAX_KEY_BYTES` is not carried to the outputs (a symbol is at most
  256 characters); the partition is still that of the whole key.

Every bound is below `PRODUCER_MAX_REQUEST_BYTES`, the producers' `max_request_size`
(services/kafka/client.py); tests/kafka/test_limits.py checks the arithmetic.
"""

from __future__ import annotations

from services.kafka.client import PRODUCER_MAX_REQUEST_BYTES
from shared.events.codec import MAX_RECORD_BYTES

MAX_KEY_BYTES = 1024  # 256 characters of UTF-8
MAX_HEADERS_BYTES = 4096  # the ww- headers intake and the publisher write, but ww-source
MAX_INPUT_MESSAGE_BYTES = 960_000  # an input message: value, ww-source and the other headers
MAX_ENVELOPE_BYTES = MAX_INPUT_MESSAGE_BYTES + MAX_KEY_BYTES + MAX_HEADERS_BYTES
MAX_OUTPUT_BYTES = 900_000
# what a request adds around one record (batch and record headers, topic name): generous
REQUEST_OVERHEAD_BYTES = 16_384

__all__ = ["MAX_ENVELOPE_BYTES", "MAX_HEADERS_BYTES", "MAX_INPUT_MESSAGE_BYTES",
           "MAX_KEY_BYTES", "MAX_OUTPUT_BYTES", "MAX_RECORD_BYTES",
           "PRODUCER_MAX_REQUEST_BYTES", "REQUEST_OVERHEAD_BYTES"]
