"""The hostile corpus (corpus.toml next to this file) as messages: topic, bytes, Kafka key.

Reusable by any test (in process, or through a worker on the embedded broker): put this
folder on `sys.path` and `from hostile import load_corpus`. Each case's bytes are built here
from the data file (large messages from `repeat` pieces), so the data file stays small.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).with_name("corpus.toml")
_LINE = re.compile(r"^line [0-9]+: ")
_SYMBOL_PREFIX = re.compile(r"^[A-Z][A-Z0-9.]*: (?=[a-z])")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*")


@dataclass(frozen=True)
class HostileCase:
    name: str
    topic: str
    raw: bytes
    key: bytes | None
    field: str
    says: str
    kafka_only: bool

    def replay_line(self) -> bytes:
        """The case as one line of the replay format (docs/events.md): the value's bytes as
        they are, inside an envelope; the key as `"key"` unless it is the symbol's own."""
        head = b'{"topic": ' + json.dumps(self.topic).encode() + b', '
        if self.key is not None and self.key != b"GLOW":
            head += b'"key": ' + json.dumps(self.key.decode("utf-8"), ensure_ascii=False
                                            ).encode("utf-8") + b', '
        return head + b'"value": ' + self.raw + b"}"


def _pieces(spec: list[list[Any]]) -> str:
    return "".join(str(text) * int(count) for text, count in spec)


def _case(entry: dict[str, Any]) -> HostileCase:
    if "raw_hex" in entry:
        raw = bytes.fromhex(entry["raw_hex"])
    else:
        text = entry["raw"] + _pieces(entry.get("repeat", [])) + entry.get("tail", "")
        # TOML reads "\ud800" in a literal string as the six characters: a JSON escape
        raw = text.encode(entry.get("encoding", "utf-8"), errors="surrogatepass")
    if entry.get("no_key"):
        key: bytes | None = None
    elif "key_hex" in entry:
        key = bytes.fromhex(entry["key_hex"])
    elif "key_repeat" in entry:
        key = _pieces(entry["key_repeat"]).encode()
    else:
        key = _unescape(entry.get("key", "GLOW")).encode("utf-8")
    return HostileCase(entry["name"], entry["topic"], raw, key, entry["field"], entry["says"],
                       bool(entry.get("kafka_only", False)))


def _unescape(text: str) -> str:
    """A key written with JSON escapes (`GL\\u041eW`) as the text it stands for."""
    decoded: str = json.loads(f'"{text}"')
    return decoded


def load_corpus() -> list[HostileCase]:
    with CORPUS.open("rb") as handle:
        return [_case(entry) for entry in tomllib.load(handle)["case"]]


def reason_field(reason: str) -> str:
    """The field a dead letter's reason names first: `line 3: bid: ...` -> `bid`; a broadcast
    tick's `GLOW: at: ...` -> `at` (the symbol prefix dropped)."""
    text = _SYMBOL_PREFIX.sub("", _LINE.sub("", reason))
    found = _FIELD.match(text)
    return found.group(0) if found else ""
