"""Intake: every input topic into the one sequenced topic, keyed by symbol.

Each input message is routed (services/streams/routing.py) and forwarded unchanged, with
headers naming its logical topic and its origin (Kafka topic, partition, offset). A replay's
`ww-seq` header is narrowed to the partition forwarded to. Nothing is dropped here: an input
that is not a valid record travels in sequence and becomes a dead letter in the warrant state,
so a symbol's dead letters keep their place among its other outputs.

A message written by a worker (it carries `ww-worker`) is an output, not an input: `holdings`
is both an input topic and the topic of the holdings the engine derives from Form 4s, which
the engine has already applied. Intake skips those.

Inputs are taken in batches by an aiokafka consumer (services/streams/batch_intake.py); the
envelopes of a batch bound for one partition are written as one message, a pack
(services/streams/pack.py), in the order the inputs were read, without waiting for each write.

An input log that goes backwards (docs/operations.md, A log that goes backwards): an input
topic deleted and re-created under a running worker hands intake offsets it has already
forwarded, with other records; the fold would drop them as seen (by origin offset).
`InputAnchors` keeps, per input partition, the offset and digest of the last message taken;
when the next message handed in is not the one after it, or the highwater the consumer last
fetched is at or below it (checked every `END_CHECK_SECONDS`: a consumer that keeps its
position past the end of a new, shorter log is handed nothing, as on Tansu), the anchor is
read back from the broker (services/streams/rebuild.py, `check_anchor`); if the partition no
longer holds it the worker stops with exit status 3, before anything of the new log is
forwarded.

The boundary (docs/operations.md, Bad input): `envelopes` never raises. A message too large
to forward (services/streams/limits.py) travels as its dead letter, made here from the whole
message (bounded by shared/events); any other failure to read a message is a refusal that
becomes its dead letter in sequence. A message is never dropped, and never stops intake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.streams.envelope import (
    INDEX,
    MAX_INDEX_DIGITS,
    SEQ,
    SOURCE,
    WORKER,
    Envelope,
    Origin,
    parse_input_sequences,
)
from services.streams.limits import MAX_INPUT_MESSAGE_BYTES, MAX_KEY_BYTES, MAX_RECORD_BYTES
from services.streams.rebuild import Anchor, LogWentBackwards, check_anchor
from services.streams.routing import route
from shared.errors import RecordError
from shared.events.boundary import admit
from shared.events.codec import dead_letter, encode
from shared.events.outputs import DeadLetter

log = logging.getLogger(__name__)

END_CHECK_SECONDS = 2.0  # how often the input highwaters are compared with the anchors


class InputAnchors:
    """Per input partition, the last message intake took (offset, digest), checked against the
    broker whenever the next message handed in is not the one after it: a re-read after a
    rebalance or an agent restart (lower), a jump (higher: a transaction marker, or a new log).
    One read-back per such break, not per message: once the anchor is found in place, the
    messages up to it are the same log read again. `stop` is called with the error when the
    partition lost the anchor (the worker exits: services/streams/rebuild.py, `stop_worker`)."""

    def __init__(self, settings: KafkaSettings,
                 stop: Callable[[LogWentBackwards], object]) -> None:
        self.settings = settings
        self.stop = stop
        self._anchors: dict[tuple[str, int], Anchor] = {}
        self._verified: set[tuple[str, int]] = set()  # anchor read back since the break
        self._end_checked: dict[tuple[str, int], int] = {}  # the highwater last checked
        self.checks = 0

    async def take(self, topic: str, partition: int, offset: int, value: bytes | None
                   ) -> None:
        """Call for each input message before it is forwarded, in log order per partition."""
        where = (topic, partition)
        anchor = self._anchors.get(where)
        if anchor is not None and offset != anchor.offset + 1 and where not in self._verified:
            self.checks += 1
            try:
                await check_anchor(self.settings, topic, partition, anchor, offset,
                                   did="forwarded")
            except LogWentBackwards as exc:
                self.stop(exc)
                raise
            self._verified.add(where)
        if anchor is None or offset > anchor.offset:
            self._anchors[where] = Anchor.of(offset, value)
            self._verified.discard(where)
            self._end_checked.pop(where, None)

    async def take_all(self, messages: Iterable[Any]) -> None:
        """`take` for each of `messages` (anything with topic, partition, offset and value, in
        log order per partition): a message right after its partition's anchor only moves
        the anchor on, the others go through `take`."""
        anchors, verified, end_checked = self._anchors, self._verified, self._end_checked
        for m in messages:
            where = (m.topic, m.partition)
            anchor = anchors.get(where)
            if anchor is not None and m.offset == anchor.offset + 1:
                anchors[where] = Anchor.of(m.offset, m.value)
                if verified:
                    verified.discard(where)
                if end_checked:
                    end_checked.pop(where, None)
            else:
                await self.take(m.topic, m.partition, m.offset, m.value)

    async def check_ends(self, highwater: Callable[[str, int], int | None]) -> None:
        """Read back the anchor of every partition whose highwater (`highwater(topic,
        partition)`, None if unknown) says the log ends at or before it: a shorter log, or a
        highwater under-reported (Tansu, broker.md pitfall 1); once per highwater seen."""
        for where, anchor in list(self._anchors.items()):
            try:
                end = highwater(*where)
            except Exception:
                end = None
            if end is None or end > anchor.offset or self._end_checked.get(where) == end:
                continue
            self._end_checked[where] = end
            self.checks += 1
            if self._anchors.get(where) is not anchor:
                continue  # moved on while an earlier partition was checked
            try:
                await check_anchor(self.settings, *where, anchor, None, did="forwarded",
                                   seen=f"the broker says the log ends at offset {end}")
            except LogWentBackwards as exc:
                self.stop(exc)
                raise


_LOGICAL: dict[tuple[str, str], str] = {}  # (topic prefix, Kafka topic) -> logical topic


def _logical(settings: KafkaSettings, kafka_topic: str) -> str:
    where = (settings.topic_prefix, kafka_topic)
    found = _LOGICAL.get(where)
    if found is None:
        try:
            found = settings.logical(kafka_topic)
        except ValueError:
            found = kafka_topic
        if len(_LOGICAL) < 1024:
            _LOGICAL[where] = found
    return found


def envelopes(settings: KafkaSettings, kafka_topic: str, partition: int, offset: int,
              key: bytes | None, value: bytes | None, headers: dict[str, bytes]
              ) -> list[tuple[int, Envelope]]:
    """The sequenced messages (partition, envelope) one input message becomes; never raises."""
    if headers:
        headers = {k: v for k, v in headers.items() if isinstance(v, bytes)}  # Kafka allows null
        if WORKER in headers:
            return []  # an output of the services on a topic that is also an input topic
    origin = Origin(kafka_topic, partition, offset)
    logical = _logical(settings, kafka_topic)
    raw = value or b""
    try:
        return _envelopes(settings, logical, origin, key, raw, headers)
    except Exception as exc:
        log.exception("intake refused %s", origin.text())
        return [_letter(settings, logical, origin, key, raw,
                        f"intake cannot read this message ({type(exc).__name__})")]


def _letter(settings: KafkaSettings, logical: str, origin: Origin, key: bytes | None,
            raw: bytes, reason: str, letter: DeadLetter | None = None) -> tuple[int, Envelope]:
    """The envelope of a message forwarded as its dead letter, to its key's partition."""
    fallback = key or b""
    letter = letter or dead_letter(logical, raw, reason)
    return (partition_of(fallback, settings.partitions),
            Envelope(key=fallback if len(fallback) <= MAX_KEY_BYTES else b"", topic=logical,
                     value=encode(letter).encode("utf-8", errors="backslashreplace"),
                     origin=origin, letter=True))


def _envelopes(settings: KafkaSettings, logical: str, origin: Origin, key: bytes | None,
               raw: bytes, headers: dict[str, bytes]) -> list[tuple[int, Envelope]]:
    if len(raw) > MAX_RECORD_BYTES:  # the boundary refuses it unparsed: forward its letter
        letter = admit(logical, raw)
        assert isinstance(letter, DeadLetter)
        return [_letter(settings, logical, origin, key, raw, letter.reason, letter)]
    source_raw = headers.get(SOURCE) if headers else None
    if source_raw is not None and len(raw) + len(source_raw) > MAX_INPUT_MESSAGE_BYTES:
        return [_letter(settings, logical, origin, key, raw,
                        f"{SOURCE}: the header and the record together exceed the "
                        f"{MAX_INPUT_MESSAGE_BYTES}-byte limit")]
    r = route(logical, raw, key, settings.partitions)
    if not headers:  # a live input: no replay headers
        return [(target, Envelope(r.key, logical, raw, origin, None, None, None, r.reject,
                                  r.broadcast)) for target in r.partitions]
    reject = r.reject
    places = {}
    seq = headers.get(SEQ)
    if seq is not None:
        try:
            places = parse_input_sequences(seq)
        except RecordError as exc:
            reject = reject or str(exc)
    index_raw = headers.get(INDEX, b"")
    # a place in a replay file (the pack frame holds 63 bits; more digits: no index)
    index = (int(index_raw) if index_raw.isascii() and index_raw.isdigit()
             and len(index_raw) <= MAX_INDEX_DIGITS else None)
    source = None
    if source_raw is not None:
        try:
            source = source_raw.decode("utf-8", errors="surrogatepass")
        except UnicodeDecodeError:
            reject = reject or f"{SOURCE}: the header is not UTF-8"
    out = []
    for target in r.partitions:
        place = places.get(target)
        why = reject
        if places and place is None and why is None:
            why = f"{SEQ} header names no place in partition {target}"
        out.append((target, Envelope(r.key, logical, raw, origin, place, index, source, why,
                                     r.broadcast)))
    return out
