"""The headers the services put on Kafka messages, and one message of the sequenced topic.

Input messages carry the record as the value and the symbol as the key (docs/events.md);
everything else the services need travels in `ww-` headers so the values stay the public
records. Replay runs (services/kafka/replay.py) add their own headers:

- `ww-seq` on an input: `P:S/T[,P:S/T...]`: for each partition P of the sequenced topic the
  record goes to, its place S among the T records of that partition, in file order.
- `ww-index`: the input's index in the replay file; carried to every output it causes.
- `ww-source`: the replay line as written, the `raw` of a dead letter the engine makes for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from shared.errors import RecordError

TOPIC = "ww-topic"  # logical input topic of a sequenced record
ORIGIN = "ww-origin"  # KAFKA_TOPIC:PARTITION:OFFSET of the input message
SEQ = "ww-seq"
INDEX = "ww-index"
SOURCE = "ww-source"
REJECT = "ww-reject"  # why intake refused the input (it becomes a dead letter in sequence)
BROADCAST = "ww-broadcast"  # "1": a record for every symbol (a `tick` for symbol "*")
LETTER = "ww-letter"  # "1": the value is the dead letter intake made of an input it refused
POSITION = "ww-position"  # on outputs: place in the engine's output list for its input
WORKER = "ww-worker"  # on outputs: host:pid of the worker that produced it
CONTROL = "ww-control"  # "end": a replay end marker, not a record
END = b"end"
# the numbers of a sequenced envelope are 64-bit in its pack frame (services/streams/pack.py):
# a `ww-index` of more digits is no index, a `ww-seq` number out of range is malformed
MAX_INDEX_DIGITS = 18
_NUMBER_LIMIT = 2 ** 63

Headers = list[tuple[str, bytes]]


class Origin(NamedTuple):
    """Where an input message was read: its Kafka topic, partition and offset."""

    topic: str
    partition: int
    offset: int

    def text(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    @classmethod
    def parse(cls, text: str) -> Origin:
        topic, partition, offset = text.rsplit(":", 2)
        return cls(topic, int(partition), int(offset))


class Place(NamedTuple):
    """A record's place in its partition's file order: `seq` of `total` (from 1)."""

    seq: int
    total: int


class Envelope(NamedTuple):
    """One input as intake forwarded it to the sequenced topic.

    A named tuple, not a frozen dataclass: one is built per input on intake's side and one
    per input read back on the warrant state's (services/streams/pack.py), and a tuple costs
    a fraction of a frozen dataclass to build; it is as immutable."""

    key: bytes
    topic: str
    value: bytes
    origin: Origin | None = None
    place: Place | None = None
    index: int | None = None  # type: ignore[assignment]  # shadows tuple.index
    source: str | None = None
    reject: str | None = None
    broadcast: bool = False
    letter: bool = False

    def headers(self) -> Headers:
        out: Headers = [(TOPIC, self.topic.encode())]
        if self.origin is not None:
            out.append((ORIGIN, self.origin.text().encode()))
        if self.place is not None:
            out.append((SEQ, f"{self.place.seq}/{self.place.total}".encode()))
        if self.index is not None:
            out.append((INDEX, str(self.index).encode()))
        if self.source is not None:
            out.append((SOURCE, self.source.encode("utf-8", errors="surrogatepass")))
        if self.reject is not None:
            out.append((REJECT, self.reject.encode()))
        if self.broadcast:
            out.append((BROADCAST, b"1"))
        if self.letter:
            out.append((LETTER, b"1"))
        return out

    @classmethod
    def from_message(cls, key: bytes | None, value: bytes | None,
                     headers: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> Envelope:
        """Read a sequenced message back; RecordError if its headers are not ours."""
        h = dict(headers)
        try:
            topic = h[TOPIC].decode()
            place = None
            if SEQ in h:
                seq, total = h[SEQ].decode().split("/")
                place = Place(int(seq), int(total))
            return cls(
                key=key or b"",
                topic=topic,
                value=value or b"",
                origin=Origin.parse(h[ORIGIN].decode()) if ORIGIN in h else None,
                place=place,
                index=int(h[INDEX]) if INDEX in h else None,
                source=(h[SOURCE].decode("utf-8", errors="surrogatepass") if SOURCE in h
                        else None),
                reject=h[REJECT].decode() if REJECT in h else None,
                broadcast=h.get(BROADCAST) == b"1",
                letter=h.get(LETTER) == b"1",
            )
        except (KeyError, ValueError, UnicodeDecodeError) as exc:
            raise RecordError(f"sequenced message with bad headers: {exc!r}") from None


def format_input_sequences(places: Mapping[int, Place]) -> bytes:
    """The `ww-seq` header of an input: its place in each partition it goes to."""
    return ",".join(f"{p}:{s.seq}/{s.total}" for p, s in sorted(places.items())).encode()


# one place in plain digits, as the replay publisher writes it (the usual case: read at once)
_ONE_PLACE = re.compile(rb"([0-9]{1,18}):([0-9]{1,18})/([0-9]{1,18})")


def parse_input_sequences(raw: bytes) -> dict[int, Place]:
    """Inverse of `format_input_sequences`; RecordError if malformed."""
    one = _ONE_PLACE.fullmatch(raw)
    if one is not None:
        partition, seq, total = one.groups()
        return {int(partition): Place(int(seq), int(total))}
    out: dict[int, Place] = {}
    try:
        for part in raw.decode().split(","):
            partition, place = part.split(":")
            seq, total = place.split("/")
            s, t = int(seq), int(total)
            if not (-_NUMBER_LIMIT <= s < _NUMBER_LIMIT and -_NUMBER_LIMIT <= t < _NUMBER_LIMIT):
                raise ValueError("out of range")
            out[int(partition)] = Place(s, t)
    except (ValueError, UnicodeDecodeError):
        raise RecordError(f"malformed {SEQ} header {raw!r}") from None
    return out
