"""Input files of the `warrantwatch` commands: a path, or `-` for standard input.

Every command that takes an input file (replay, import, demo --scenario) reads it through
`read_text` or `read_bytes`, so `-` means standard input everywhere. Text is UTF-8; a file
that cannot be read raises OSError or UnicodeDecodeError as `Path.read_text` does, for the
caller to word.
"""

from __future__ import annotations

import sys
from pathlib import Path

STDIN = "-"


def read_text(name: str | Path) -> str:
    """The UTF-8 text of the file `name`, or of standard input when `name` is `-`."""
    if str(name) == STDIN:
        return sys.stdin.buffer.read().decode("utf-8")
    return Path(name).read_text("utf-8")


def read_bytes(name: str | Path) -> bytes:
    """The bytes of the file `name`, or of standard input when `name` is `-`."""
    if str(name) == STDIN:
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def stem(name: str | Path) -> str:
    """A short name of the input for ids and messages: the file stem, or `stdin`."""
    return "stdin" if str(name) == STDIN else Path(name).stem
