"""Packs of envelopes on the sequenced topic (services/streams/pack.py)."""

from __future__ import annotations

import pytest

from services.streams import pack as packing
from services.streams.envelope import Envelope, Origin, Place
from services.streams.pack import (
    PACK_HEADERS,
    Packer,
    PackFormatUnknown,
    envelopes_of,
    pack,
    pack_v1,
    unpack,
)
from shared.errors import RecordError

ENVELOPES = [
    Envelope(b"GLOW", "quotes", b'{"type": "quote"}', origin=Origin("warrantwatch.quotes", 1, 7),
             place=Place(3, 9), index=12, source='{"topic": "quotes"}'),
    Envelope(b"", "quotes", "\u00ff\u0000 binary junk".encode("latin-1"),
             origin=Origin("warrantwatch.quotes", 0, 8), reject="why: \u00e9"),
    Envelope(b"*", "clock", b"{}", broadcast=True),
    Envelope(b"GLOWD", "holdings", b""),
]


def test_a_pack_gives_back_its_envelopes_in_order() -> None:
    [one] = pack(ENVELOPES)
    assert unpack(one) == ENVELOPES
    assert envelopes_of(b"", one, PACK_HEADERS) == ENVELOPES


def test_a_message_without_the_pack_header_is_one_envelope() -> None:
    env = ENVELOPES[0]
    assert envelopes_of(env.key, env.value, env.headers()) == [env]


def test_packs_stay_under_the_size_limit_and_keep_the_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packing, "PACK_MAX_BYTES", 300)
    many = [Envelope(b"GLOW", "quotes", f'{{"n": {n}}}'.encode() * 5,
                     origin=Origin("q", 0, n)) for n in range(40)]
    huge = Envelope(b"GLOW", "quotes", b"x" * 1000, origin=Origin("q", 0, 40))
    packer = Packer()
    for env in [*many, huge]:
        packer.add(env)
    packs = packer.packs()
    assert len(packs) > 5
    assert all(len(p) <= 300 for p in packs[:-1])
    assert unpack(packs[-1]) == [huge]  # too big for any pack: alone
    assert [e for p in packs for e in unpack(p)] == [*many, huge]
    assert packer.packs() == []


@pytest.mark.parametrize("cut", [1, 5, 20, -1])
def test_a_truncated_or_padded_pack_is_refused(cut: int) -> None:
    [one] = pack(ENVELOPES)
    with pytest.raises(RecordError, match="malformed sequenced pack"):
        unpack(one[:cut])
    with pytest.raises(RecordError, match="bytes after the last"):
        unpack(one + b"\x00")


def test_a_pack_of_a_version_this_worker_does_not_read_is_refused_as_such() -> None:
    [one] = pack(ENVELOPES)
    assert one[0] == packing.VERSION == 2
    for version in (0, 3, 255):
        with pytest.raises(PackFormatUnknown, match=f"version {version}, this worker reads "
                                                    f"versions 1, 2"):
            unpack(bytes([version]) + one[1:])


def test_a_pack_written_before_the_binary_frame_still_unpacks() -> None:
    """A log written by workers before issue 11 (version 1: headers as text) folds as it did."""
    old = pack_v1(ENVELOPES)
    assert old[0] == 1
    assert unpack(old) == ENVELOPES
    with pytest.raises(RecordError, match="malformed sequenced pack"):
        unpack(old[:-3])


def test_the_binary_frame_keeps_every_field_exactly() -> None:
    odd = [
        Envelope(b"K" * 1024, "t" * 300, b"\x00" * 70_000,
                 origin=Origin("o\u00e9", 2 ** 31 - 1, 2 ** 63 - 1),
                 place=Place(2 ** 63 - 1, 2 ** 63 - 1), index=0, source="\ud800 lone",
                 reject="", broadcast=True, letter=True),
        Envelope(b"", "", b"", origin=Origin("", -1, -1), place=Place(-5, 0), index=-3,
                 source=""),
    ]
    assert unpack(b"".join(pack(odd))) == odd
    for env in odd:
        assert unpack(pack([env])[0]) == [env]
