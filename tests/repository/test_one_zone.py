"""The exchanges' zone is defined once: `shared.calendar.exchange.EASTERN` (the zone of every
venue's sessions and of the market data about them); the code imports it, never spells it."""

from __future__ import annotations

import re
from pathlib import Path

from shared.calendar.exchange import EASTERN

ROOT = Path(__file__).resolve().parents[2]
SPELLED = re.compile(r"""["']America/New_York["']""")
# the coordinator's bench module has its own line until it imports EASTERN


def test_america_new_york_is_spelled_once_in_the_code() -> None:
    spelled = sorted(
        path.relative_to(ROOT).as_posix()
        for package in ("shared", "services")
        for path in (ROOT / package).rglob("*.py")
        if SPELLED.search(path.read_text(encoding="utf-8"))
    )
    assert spelled == ["shared/calendar/exchange.py"]
    assert EASTERN.key == "America/New_York"
