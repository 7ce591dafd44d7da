"""Several envelopes in one message of the sequenced topic: a pack.

Faust spends more on each event it delivers than the engine spends on a record, so intake
writes the envelopes of a batch that go to one partition as one message, and the warrant
state gets one event for the lot (services/streams/batching.py). The sequenced topic is
internal (docs/operations.md): the input and output topics keep one record per message.

A pack carries the header `ww-pack: 1`; its value is, in network byte order:

    version (1 byte, 1), count (4 bytes), then per envelope:
    key length (4) key, value length (4) value, header count (2),
    per header: name length (2) name, value length (4) value

with each envelope's headers as `Envelope.headers()` writes them. A message without
`ww-pack` is one envelope in headers (as written before packs, and by the tests).
The envelopes of a pack are in log order: folded one after the other, as if they had been
messages of their own at the pack's offset.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping

from services.streams.envelope import Envelope, Headers
from shared.errors import RecordError

PACK = "ww-pack"
PACK_HEADERS: Headers = [(PACK, b"1")]
VERSION = 1
# Well under the producer's largest request (Faust: 1,000,000 bytes) and Kafka's largest
# message (1 MiB by default), so a pack always fits; a larger envelope travels alone.
PACK_MAX_BYTES = 512 * 1024

_HEAD = struct.Struct("!BI")
_LEN4 = struct.Struct("!I")
_LEN2 = struct.Struct("!H")


def _frame(env: Envelope) -> bytes:
    parts = [_LEN4.pack(len(env.key)), env.key, _LEN4.pack(len(env.value)), env.value]
    headers = env.headers()
    parts.append(_LEN2.pack(len(headers)))
    for name, value in headers:
        raw = name.encode()
        parts += [_LEN2.pack(len(raw)), raw, _LEN4.pack(len(value)), value]
    return b"".join(parts)


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


def unpack(raw: bytes) -> list[Envelope]:
    """The envelopes of a pack, in order; RecordError if it is not one."""
    try:
        version, count = _HEAD.unpack_from(raw, 0)
        if version != VERSION:
            raise RecordError(f"sequenced pack of version {version}, this worker reads "
                              f"{VERSION}")
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
    except (struct.error, UnicodeDecodeError) as exc:
        raise RecordError(f"malformed sequenced pack: {exc}") from None
    if at != len(raw):
        raise RecordError(f"malformed sequenced pack: {len(raw) - at} bytes after the "
                          f"last of its {count} envelopes")
    return out


def envelopes_of(key: bytes | None, value: bytes | None,
                 headers: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[Envelope]:
    """The envelopes one sequenced message holds: a pack's, or the message itself."""
    h = dict(headers)
    if h.get(PACK) == b"1":
        return unpack(value or b"")
    return [Envelope.from_message(key, value, h)]
