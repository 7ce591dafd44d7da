"""Section 7 view after a rescinded stock dividend (4(g)(iv)): nothing of it is left.

The scenario "4(g)(iv) a dividend rescinded before payment leaves nothing in Section 7" of
tests/resources/engine/contract_fidelity.toml, up to the abandonment and a tick after the
payment date; its working: Fund A owns 4,000 of 100,000, so the cap view says so, not the
5,000 of 125,000 the paid dividend would have made; headroom
floor((0.04999 x 100,000 - 4,000) / 0.95001) = floor(999 / 0.95001) = floor(1,051.567...) = 1,051
(0.95001 x 1,051 = 998.46051 <= 999; x 1,052 = 999.41052 > 999).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from engine_golden import _load, run_records

from shared.engine import Engine
from shared.engine.queries import headroom_view
from shared.terms import load_terms

NAME = "4(g)(iv) a dividend rescinded before payment leaves nothing in Section 7"


def test_the_cap_view_after_a_rescinded_dividend_counts_no_dividend_shares() -> None:
    scenario = next(s for s in _load("contract_fidelity.toml")["scenario"] if s["name"] == NAME)
    records = [r for r in scenario["input"] if r["topic"] != "exercises"
               and r["id"] != "t2"]
    records.append({"topic": "clock", "type": "tick", "id": "t9",
                    "at": "2006-06-20T09:00:00-04:00"})
    engine = Engine([load_terms()])
    run_records(records, engine)
    at = datetime(2006, 6, 20, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    view = headroom_view(engine, "GLOW", "Fund A", at)
    assert (Decimal(view["owned"]), Decimal(view["outstanding"])) == (Decimal(4000),
                                                                      Decimal(100000))
    assert Decimal(view["max_additional_shares"]) == Decimal(1051)
