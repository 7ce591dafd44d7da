"""Several envelopes in one message of the sequenced topic: a pack.

Faust spends more on each event it delivers than the engine spends on a record, so intake
writes the envelopes of a batch that go to one partition as one message, and the warrant
state gets one event for the lot (services/streams/batching.py). The sequenced topic is
internal (docs/operations.md): the input and output topics keep one record per message.

A pack carries the header `ww-pack: 1`; its value is, in network byte order, a version byte,
the envelope count (4 bytes), then one frame per envelope. Version 2 (written since issue 11)
is a compact binary frame with integer origin fields, read with one `struct` call per
envelope:

    flags (1: origin, place, index, source, reject, broadcast, letter: bits 0 to 6),
    lengths of topic (2), key (4), value (4), origin topic (2),
    origin partition (4, signed), origin offset (8, signed), place seq (8), place total (8),
    index (8, signed), lengths of source (4) and reject (4),
    then topic, key, value, origin topic, source (UTF-8, surrogates passed), reject (UTF-8)

(a field whose flag is clear is zero and absent). Version 1 (until issue 11) framed each
envelope with its `ww-` headers as text (key, value, then the headers as
`Envelope.headers()` writes them); this module still reads it, so a log written before the
upgrade folds as it did. A pack of any other version is `PackFormatUnknown` (a newer worker
wrote it: a rolled-back upgrade); the warrant state stops on it rather than fold a state
with records left out (docs/operations.md, State across restarts). A message without
`ww-pack` is one envelope in headers (as written before packs, and by the tests).

The envelopes of a pack are in log order: folded one after the other, as if they had been
messages of their own at the pack's offset.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping

from services.streams.envelope import Envelope, Headers, Origin, Place
from shared.errors import RecordError

PACK = "ww-pack"
PACK_HEADERS: Headers = [(PACK, b"1")]
VERSION = 2
READS = (1, 2)  # the versions this worker folds
# Well under the producer's largest request (Faust: 1,000,000 bytes) and Kafka's largest
# message (1 MiB by default), so a pack always fits; a larger envelope travels alone.
PACK_MAX_BYTES = 512 * 1024

_HEAD = struct.Struct("!BI")
_LEN4 = struct.Struct("!I")
_LEN2 = struct.Struct("!H")
_FRAME = struct.Struct("!BHIIHiqqqqII")

_ORIGIN, _PLACE, _INDEX, _SOURCE, _REJECT, _BROADCAST, _LETTER = (1 << i for i in range(7))

# The few topic names of a log, decoded once (bounded: cleared when it grows past this).
_NAMES: dict[bytes, str] = {}
_NAMES_MAX = 4096


class PackFormatUnknown(RecordError):
    """A pack of a version this worker does not read (docs/operations.md)."""


def _frame(env: Envelope) -> bytes:
    """The version-2 frame of one envelope."""
    key, topic, value, origin, place, index, source, reject, broadcast, letter = env
    flags = 0
    topic_b = topic.encode()
    origin_b = b""
    partition = offset = seq = total = number = 0
    source_b = reject_b = b""
    if origin is not None:
        flags |= _ORIGIN
        origin_b = origin.topic.encode()
        partition, offset = origin.partition, origin.offset
    if place is not None:
        flags |= _PLACE
        seq, total = place
    if index is not None:
        flags |= _INDEX
        number = index
    if source is not None:
        flags |= _SOURCE
        source_b = source.encode("utf-8", errors="surrogatepass")
    if reject is not None:
        flags |= _REJECT
        reject_b = reject.encode("utf-8", errors="surrogatepass")
    if broadcast:
        flags |= _BROADCAST
    if letter:
        flags |= _LETTER
    return b"".join((_FRAME.pack(flags, len(topic_b), len(key), len(value), len(origin_b),
                                 partition, offset, seq, total, number, len(source_b),
                                 len(reject_b)),
                     topic_b, key, value, origin_b, source_b, reject_b))


class Packer:
    """Collects the envelopes for one partition into packs of at most PACK_MAX_BYTES (an
    envelope larger than that makes a pack of its own)."""

    def __init__(self) -> None:
        self._frames: list[bytes] = []
        self._size = _HEAD.size
        self.done: list[bytes] = []

    def add(self, env: Envelope) -> None:
        frame = _frame(env)
        if self._frames and self._size + len(frame) > PACK_MAX_BYTES:
            self._close()
        self._frames.append(frame)
        self._size += len(frame)

    def packs(self) -> list[bytes]:
        """Every pack, in order; the packer is empty after."""
        if self._frames:
            self._close()
        out, self.done = self.done, []
        return out

    def _close(self) -> None:
        self.done.append(_HEAD.pack(VERSION, len(self._frames)) + b"".join(self._frames))
        self._frames, self._size = [], _HEAD.size


def pack(envelopes: Iterable[Envelope]) -> list[bytes]:
    packer = Packer()
    for env in envelopes:
        packer.add(env)
    return packer.packs()


def _name(raw: bytes) -> str:
    name = _NAMES.get(raw)
    if name is None:
        if len(_NAMES) >= _NAMES_MAX:
            _NAMES.clear()
        name = _NAMES[raw] = raw.decode()
    return name


def unpack(raw: bytes) -> list[Envelope]:
    """The envelopes of a pack, in order; RecordError if it is not one, PackFormatUnknown if
    it is of a version this worker does not read."""
    try:
        version, count = _HEAD.unpack_from(raw, 0)
        if version == 2:
            out, at = _unpack_v2(raw, count)
        elif version == 1:
            out, at = _unpack_v1(raw, count)
        else:
            raise PackFormatUnknown(f"sequenced pack of version {version}, this worker reads "
                                    f"versions {', '.join(map(str, READS))}")
    except (struct.error, UnicodeDecodeError) as exc:
        raise RecordError(f"malformed sequenced pack: {exc}") from None
    if at != len(raw):
        raise RecordError(f"malformed sequenced pack: {len(raw) - at} bytes after the "
                          f"last of its {count} envelopes")
    return out


def _unpack_v2(raw: bytes, count: int) -> tuple[list[Envelope], int]:
    at = _HEAD.size
    size = len(raw)
    frame = _FRAME.unpack_from
    head = _FRAME.size
    new = tuple.__new__
    out = []
    for _ in range(count):
        (flags, n_topic, n_key, n_value, n_origin, partition, offset, seq, total, number,
         n_source, n_reject) = frame(raw, at)
        at += head
        topic = _name(raw[at:at + n_topic])
        at += n_topic
        key = raw[at:at + n_key]
        at += n_key
        value = raw[at:at + n_value]
        at += n_value
        origin = None
        if flags & _ORIGIN:
            origin = new(Origin, (_name(raw[at:at + n_origin]), partition, offset))
        at += n_origin
        source = None
        if flags & _SOURCE:
            source = raw[at:at + n_source].decode("utf-8", errors="surrogatepass")
        at += n_source
        reject = None
        if flags & _REJECT:
            reject = raw[at:at + n_reject].decode("utf-8", errors="surrogatepass")
        at += n_reject
        if at > size:
            raise struct.error("truncated")
        out.append(new(Envelope, (
            key, topic, value, origin,
            new(Place, (seq, total)) if flags & _PLACE else None,
            number if flags & _INDEX else None, source, reject,
            bool(flags & _BROADCAST), bool(flags & _LETTER))))
    return out, at


def _unpack_v1(raw: bytes, count: int) -> tuple[list[Envelope], int]:
    """A pack written before issue 11: each envelope framed with its headers as text."""
    at = _HEAD.size
    out = []
    for _ in range(count):
        (n,) = _LEN4.unpack_from(raw, at)
        key = raw[at + 4:at + 4 + n]
        at += 4 + n
        (n,) = _LEN4.unpack_from(raw, at)
        value = raw[at + 4:at + 4 + n]
        at += 4 + n
        (h,) = _LEN2.unpack_from(raw, at)
        at += 2
        headers: Headers = []
        for _ in range(h):
            (n,) = _LEN2.unpack_from(raw, at)
            name = raw[at + 2:at + 2 + n].decode()
            at += 2 + n
            (n,) = _LEN4.unpack_from(raw, at)
            headers.append((name, raw[at + 4:at + 4 + n]))
            at += 4 + n
        if at > len(raw):
            raise struct.error("truncated")
        out.append(Envelope.from_message(key, value, headers))
    return out, at


def pack_v1(envelopes: Iterable[Envelope]) -> bytes:
    """One pack of version 1, as workers wrote them before issue 11 (for the tests that a
    log written then still folds)."""
    frames = []
    count = 0
    for env in envelopes:
        parts = [_LEN4.pack(len(env.key)), env.key, _LEN4.pack(len(env.value)), env.value]
        headers = env.headers()
        parts.append(_LEN2.pack(len(headers)))
        for name, value in headers:
            encoded = name.encode()
            parts += [_LEN2.pack(len(encoded)), encoded, _LEN4.pack(len(value)), value]
        frames.append(b"".join(parts))
        count += 1
    return _HEAD.pack(1, count) + b"".join(frames)


def envelopes_of(key: bytes | None, value: bytes | None,
                 headers: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[Envelope]:
    """The envelopes one sequenced message holds: a pack's, or the message itself."""
    h = headers if isinstance(headers, Mapping) else dict(headers)
    if h.get(PACK) == b"1":
        return unpack(value or b"")
    return [Envelope.from_message(key, value, h)]
