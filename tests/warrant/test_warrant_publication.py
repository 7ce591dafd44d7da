"""What the published records say, read as a holder reads them (Sections 4(a), 5, 10).

A rescission (`adjustment_rescinded`) withdraws a Section 5 notice published earlier for the
same warrant and cause; refusals and rejections are compliance alerts, not adjustments, and
are never "rescinded" as if they had changed the terms. Reading the records in order, the
last `adjustment` or `adjustment_rescinded` of a warrant states the terms in force.
"""

from __future__ import annotations

from decimal import Decimal

from warrant_driver import (
    WARRANT,
    Produced,
    feed,
    new_engine,
    scenario_file,
    state_of,
    watched,
)

from shared.engine.replay import replay_lines
from shared.events.codec import encode

STANDARD = list(scenario_file("scenarios.toml")["prelude"]["standard"]["input"])


def unmatched_rescissions(produced: list[Produced]) -> list[str]:
    """Rescissions that withdraw nothing a holder was sent as a notice."""
    live: dict[tuple[str, str], int] = {}
    wrong: list[str] = []
    for p in produced:
        if p.type in ("adjustment", "adjustment_deferred"):
            key = (p.field("warrant"), p.field("cause_id"))
            live[key] = live.get(key, 0) + 1
        elif p.type == "adjustment_rescinded":
            key = (p.field("warrant"), p.field("cause_id"))
            if live.get(key, 0) <= 0:
                wrong.append(f"{p.record.id} (by {p.by})")
            else:
                live[key] -= 1
    return wrong


def terms_from_records(produced: list[Produced]) -> dict[str, tuple[Decimal, Decimal]]:
    """Per warrant, the terms stated by its last adjustment or rescission record."""
    terms: dict[str, tuple[Decimal, Decimal]] = {}
    for p in produced:
        if p.type in ("adjustment", "adjustment_rescinded"):
            terms[p.field("warrant")] = (p.field("price_after"), p.field("shares_after"))
    return terms


def test_refused_amendment_is_not_rescinded_as_an_adjustment() -> None:
    # m1 raises the price without H1's consent: refused. A late 4(d) issuance dated before
    # it changes the price it would raise (2.25 instead of 2.40); the amendment is still
    # refused and nothing a holder was sent as an adjustment is withdrawn.
    engine = new_engine()
    produced = watched(feed(engine, [*STANDARD,
        'corporate-actions {"type": "amendment", "id": "m1", "symbol": "GLOW", "effective": '
        '"2006-06-05", "changes": {"warrant_price": "3.00"}, "majority_holders_consent": true}',
        'clock {"type": "tick", "id": "t1", "symbol": "GLOW", "at": "2006-06-06T09:00:00-04:00"}',
        'corporate-actions {"type": "issuance", "id": "i1", "symbol": "GLOW", "date": '
        '"2006-06-01", "shares": "2000000", "consideration": "3000000", "outstanding_before": '
        '"10000000"}',
    ]))
    assert [p.type for p in produced if p.by == "t1"] == ["amendment_refused"]
    assert unmatched_rescissions(produced) == []
    assert all(p.field("warrant") for p in produced if p.type == "adjustment_rescinded")
    late = [p for p in produced if p.by == "i1" and p.type == "adjustment"]
    assert [(p.field("cause_id"), p.field("price_after")) for p in late] == [
        ("i1", Decimal("2.25"))]
    assert state_of(engine).price == Decimal("2.25")


def test_rejection_that_becomes_valid_is_not_rescinded_as_an_adjustment() -> None:
    # d1 gives 1.50 a share; the only price before its record date is 1.00 (0.95/1.05 on
    # 2006-05-01), so 1.50 >= PSMV: rejected. A late 1-for-2 combination dated 2006-05-15
    # makes that price 1.00 x 2 = 2.00 in post-combination shares (Section 8), and then
    # 4(c) applies: factor 2.00 / (2.00 - 1.50) = 4. Terms: combination 500,000.00 at 4.80,
    # then 500,000.00 x 4 = 2,000,000.00 at 4.80 x 500,000 / 2,000,000 = 1.20.
    engine = new_engine()
    produced = watched(feed(engine, [*STANDARD,
        'quotes {"type": "quote", "id": "q1", "symbol": "GLOW", "at": '
        '"2006-05-01T15:59:00-04:00", "bid": "0.95", "ask": "1.05"}',
        'corporate-actions {"type": "distribution", "id": "d1", "symbol": "GLOW", '
        '"record_date": "2006-06-01", "kind": "cash", "value_per_share": "1.50"}',
        'clock {"type": "tick", "id": "t1", "symbol": "GLOW", "at": "2006-06-06T09:00:00-04:00"}',
        'corporate-actions {"type": "stock_split", "id": "c0", "symbol": "GLOW", "effective": '
        '"2006-05-15", "new": "1", "old": "2"}',
    ]))
    assert [p.type for p in produced if p.by == "t1"] == ["adjustment_rejected"]
    assert unmatched_rescissions(produced) == []
    assert all(p.field("warrant") for p in produced if p.type == "adjustment_rescinded")
    state = state_of(engine)
    assert (state.price, state.shares) == (Decimal("1.20"), Decimal("2000000.00"))


def test_assumed_reorganization_delivers_the_basket() -> None:
    # 4(a)(ii): the successor assumed the warrant in writing before consummation, so no
    # Triggering Event is deemed to have occurred, but what it assumes is "the obligation to
    # deliver ... such shares of securities, cash or property as ... such Holder shall be
    # entitled to receive" under 4(a): each warrant share delivers the basket (0.5 ACME
    # common), at the Warrant Price in effect immediately prior, 2.40; 1,000,000 shares.
    engine = new_engine()
    produced = watched(feed(engine, [*STANDARD,
        'corporate-actions {"type": "reorganization", "id": "r1", "symbol": "GLOW", '
        '"effective": "2006-06-05", "basket": [{"asset": "ACME common", "per_share": "0.5"}], '
        '"assumed": true}',
        'clock {"type": "tick", "id": "t1", "symbol": "GLOW", "at": "2006-06-06T09:00:00-04:00"}',
    ]))
    assert [(p.type, p.by, p.record.id) for p in produced] == [
        ("adjustment", "t1", "adjustment:W-F-05:r1:4(a)")]
    [notice] = produced
    assert notice.field("price_after") == notice.field("price_before") == Decimal("2.40")
    assert notice.field("shares_after") == notice.field("shares_before") == Decimal("1000000")
    assert "4(a)(ii)" in notice.field("calculation")
    assert "0.5 ACME common" in notice.field("calculation")
    state = state_of(engine)
    assert state.basket is not None
    assert [(item.asset, item.per_share) for item in state.basket] == [
        ("ACME common", Decimal("0.5"))]
    assert (state.price, state.shares) == (Decimal("2.40"), Decimal("1000000"))
    # ... the same as when it was not assumed: the warrant is now a right to the basket, so
    # a later split of the Issuer's Common Stock does not adjust it (4(b) is about Common Stock)
    after = watched(feed(engine, [
        'corporate-actions {"type": "stock_split", "id": "s1", "symbol": "GLOW", "effective": '
        '"2006-07-05", "new": "2", "old": "1"}',
        'clock {"type": "tick", "id": "t2", "symbol": "GLOW", "at": "2006-07-06T09:00:00-04:00"}',
    ]))
    assert after == []
    assert (state_of(engine).price, state_of(engine).shares) == (Decimal("2.40"),
                                                                  Decimal("1000000"))


def test_replay_file_gives_the_same_records_as_the_topics() -> None:
    """`warrantwatch replay` lines and `Engine.handle` on each topic agree record for record."""
    scenario = next(s for s in scenario_file("scenarios.toml")["scenario"]
                    if s["name"] == "late_action_is_folded_in_its_place")
    lines = [*STANDARD, *scenario["input"]]
    by_topic = [encode(p.record) for p in feed(new_engine(), lines)]
    envelopes = []
    for line in lines:
        topic, _, raw = line.partition(" ")
        envelopes.append(f'{{"topic": "{topic}", "value": {raw}}}')
    by_replay = [encode(record) for _, record in replay_lines(new_engine(), envelopes)]
    assert by_replay == by_topic


def test_terms_stated_by_the_last_records_are_the_terms_in_force() -> None:
    # The late-action scenario: split, then a 4(d) issuance folded in before it. The last
    # record for W-F-05 is the reissued split notice: 1.125 and 2,000,000.00 (hand-worked in
    # scenarios.toml), which is what the engine holds.
    scenario = next(s for s in scenario_file("scenarios.toml")["scenario"]
                    if s["name"] == "late_action_is_folded_in_its_place")
    engine = new_engine()
    produced = watched(feed(engine, [*STANDARD, *scenario["input"]]))
    stated = terms_from_records(produced)
    assert stated == {WARRANT: (Decimal("1.125"), Decimal("2000000.00"))}
    state = state_of(engine)
    assert stated[WARRANT] == (state.price, state.shares)
    assert unmatched_rescissions(produced) == []
