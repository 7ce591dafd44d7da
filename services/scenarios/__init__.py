"""Bundled replay scenarios (docs/events.md replay format), read as package data.

`wf05-life.jsonl` is the life of the Glowpoint W-F-05 warrant, 2005-03-14 .. 2010-03-15, on
GLOW's real listing timeline with illustrative prices, share counts and holder; what is real
and what is illustrative is listed in `wf05-life.md` beside it and in docs/demo.md.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from services.input_files import read_text
from shared.errors import ScenarioError

WF05_LIFE = "wf05-life.jsonl"


def scenario_text(name: str = WF05_LIFE) -> str:
    """The text of a bundled scenario file."""
    try:
        return resources.files(__name__).joinpath(name).read_text("utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"no bundled scenario {name!r}") from None


def scenario_lines(path: str | Path | None = None) -> list[str]:
    """The lines of a scenario: the bundled W-F-05 life, or the replay file at `path`."""
    if path is None:
        return scenario_text().splitlines()
    try:
        return read_text(path).splitlines()
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"scenario {path} is not UTF-8 text: {exc.reason}") from None
