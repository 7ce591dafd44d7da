"""Properties of the warrant fold that hold for any corporate actions (hypothesis).

- 4(b): a split followed by the inverse combination gives back the Warrant Share Number
  within the 1/100-share rounding of 4(g)(iii), and the aggregate exercise price throughout;
- results depend on the events and event time only: the same records twice give the same
  records out, byte for byte, and the same actions arriving in any order before event time
  reaches them give the same notices and terms;
- a late action is folded in its place (4(g)(ii) order): whatever the arrival order and the
  ticks in between, the terms end as in the in-order run and every rescission withdraws a
  notice that was published.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_warrant_publication import unmatched_rescissions
from warrant_driver import (
    SYMBOL,
    WARRANT,
    encoded,
    feed,
    new_engine,
    scenario_file,
    state_of,
    watched,
)

STANDARD = list(scenario_file("scenarios.toml")["prelude"]["standard"]["input"])
# A closing quote before every action: the 4(c) PSMV is (1.95 + 2.05) / 2 = 2.00, adjusted
# by any split or stock dividend between it and the record date (Section 8).
MARKET = ['quotes {"type": "quote", "id": "q-base", "symbol": "GLOW", '
          '"at": "2006-01-31T15:59:00-05:00", "bid": "1.95", "ask": "2.05"}']
FIRST_DAY = date(2006, 2, 1)
LAST_TICK = "2010-03-01T12:00:00-05:00"   # after every action, before expiry (2010-03-14)
# Relative slack of the 28-digit context: each step rounds a product and a quotient once.
CONTEXT_SLACK = Decimal("1e-26")

Action = dict[str, Any]


def line(topic: str, record: Action) -> str:
    return f"{topic} {json.dumps({**record, 'symbol': SYMBOL})}"


def tick(name: str, at: str) -> str:
    return line("clock", {"type": "tick", "id": name, "at": at})


def day(offset: int) -> str:
    return (FIRST_DAY + timedelta(days=offset)).isoformat()


def scaled(low: int, high: int, places: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: str(Decimal(n).scaleb(-places)))


offsets = st.integers(0, 1400)
share_counts = st.integers(1, 5_000_000).map(str)
amounts = st.integers(0, 12_000).map(lambda n: str(n * 1000))


@st.composite
def split_ratio(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(st.integers(1, 4))
    old = draw(st.integers(1, 4).filter(lambda o: o != new))
    return new, old


@st.composite
def action(draw: st.DrawFn, n: int) -> Action:
    """One corporate action with id `a{n}` (any clause of 4(b)-(e), or a Section 10 one)."""
    name = f"a{n:02d}"
    kind = draw(st.sampled_from(["split", "dividend", "distribution", "issuance",
                                 "equivalents", "amendment"]))
    when = draw(offsets)
    if kind == "split":
        new, old = draw(split_ratio())
        return {"type": "stock_split", "id": name, "effective": day(when),
                "new": str(new), "old": str(old)}
    if kind == "dividend":
        return {"type": "stock_dividend", "id": name, "record_date": day(when),
                "payment_date": day(when + draw(st.integers(0, 20))),
                "rate": draw(st.sampled_from(["0.01", "0.05", "0.1", "0.25"]))}
    if kind == "distribution":
        return {"type": "distribution", "id": name, "record_date": day(when),
                "kind": draw(st.sampled_from(["cash", "debt", "property"])),
                "value_per_share": draw(scaled(1, 60, 2)),
                "out_of_earnings": draw(st.booleans())}
    if kind == "issuance":
        return {"type": "issuance", "id": name, "date": day(when),
                "shares": draw(share_counts), "consideration": draw(amounts),
                "outstanding_before": "10000000"}
    if kind == "equivalents":
        return {"type": "equivalents_issued", "id": name, "date": day(when),
                "equivalents_id": f"EQ-{name}", "max_shares": draw(share_counts),
                "consideration": draw(amounts), "outstanding_before": "10000000"}
    return {"type": "amendment", "id": name, "effective": day(when),
            "changes": {"warrant_price": draw(scaled(100, 400, 2))},
            "majority_holders_consent": draw(st.booleans()),
            "consenting_holders": draw(st.sampled_from([[], ["H1"]]))}


@st.composite
def actions(draw: st.DrawFn) -> list[Action]:
    count = draw(st.integers(1, 8))
    return [draw(action(n)) for n in range(count)]


def in_one_go(batch: list[Action]) -> list[str]:
    """Every action arrives before event time reaches any of them, then one tick."""
    return [*STANDARD, *MARKET, *(line("corporate-actions", a) for a in batch),
            tick("t-end", LAST_TICK)]


def final_terms(lines: list[str]) -> tuple[Decimal, Decimal]:
    engine = new_engine()
    feed(engine, lines)
    state = state_of(engine)
    return state.price, state.shares


# --- 4(b): split and inverse combination --------------------------------------------------


@st.composite
def split_then_inverse(draw: st.DrawFn) -> tuple[str, int, int]:
    shares = draw(scaled(100, 10_000_000_000, 2))   # 1.00 .. 100,000,000.00
    old = draw(st.integers(1, 50))
    new = draw(st.integers(old + 1, 100))
    return shares, new, old


def _split_pair(shares: str, first: tuple[int, int], second: tuple[int, int]) -> list[str]:
    issued = line("registry", {"type": "warrant_issued", "id": "w1", "warrant": WARRANT,
                               "holder": "H1", "shares": shares})
    return [
        issued,
        line("corporate-actions", {"type": "stock_split", "id": "s1", "effective": "2006-06-05",
                                   "new": str(first[0]), "old": str(first[1])}),
        line("corporate-actions", {"type": "stock_split", "id": "s2", "effective": "2006-07-05",
                                   "new": str(second[0]), "old": str(second[1])}),
        tick("t1", "2006-07-06T09:00:00-04:00"),
    ]


@given(split_then_inverse())
@settings(max_examples=60, deadline=None)
def test_split_then_inverse_combination_restores_the_terms(case: tuple[str, int, int]) -> None:
    shares, new, old = case
    engine = new_engine()
    produced = watched(feed(engine, _split_pair(shares, (new, old), (old, new))))
    assert [p.field("cause_id") for p in produced] == ["s1", "s2"]
    state = state_of(engine)
    # The split's rounding error is at most 0.005 share; the combination shrinks it by
    # old/new < 1, so the share number rounds back to the very same hundredth.
    assert state.shares == Decimal(shares)
    price = Decimal("2.40")
    assert abs(state.price - price) <= price * CONTEXT_SLACK


@given(split_then_inverse())
@settings(max_examples=60, deadline=None)
def test_combination_then_inverse_split_stays_within_the_rounding(
    case: tuple[str, int, int],
) -> None:
    shares, new, old = case
    engine = new_engine()
    feed(engine, _split_pair(shares, (old, new), (new, old)))
    state = state_of(engine)
    # A combination old -> new rounds by at most 0.005 share; the inverse split multiplies
    # that error by new/old and rounds once more: |error| <= 0.005 x new/old + 0.005.
    bound = Decimal("0.005") * new / old + Decimal("0.005")
    assert abs(state.shares - Decimal(shares)) <= bound
    # 4(b)(2) keeps the aggregate exercise price at every step.
    aggregate = Decimal("2.40") * Decimal(shares)
    assert abs(state.price * state.shares - aggregate) <= aggregate * CONTEXT_SLACK


# --- determinism and arrival order ----------------------------------------------------------


@given(actions())
@settings(max_examples=60, deadline=None)
def test_the_same_records_twice_give_the_same_output(batch: list[Action]) -> None:
    lines = in_one_go(batch)
    assert encoded(feed(new_engine(), lines)) == encoded(feed(new_engine(), lines))


@given(actions(), st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_arrival_order_before_event_time_does_not_matter(batch: list[Action],
                                                         rng: Any) -> None:
    shuffled = list(batch)
    rng.shuffle(shuffled)
    first, second = new_engine(), new_engine()
    out_first = watched(feed(first, in_one_go(batch)))
    out_second = watched(feed(second, in_one_go(shuffled)))
    assert encoded(out_first) == encoded(out_second)
    a, b = state_of(first), state_of(second)
    assert (a.price, a.shares, a.carried) == (b.price, b.shares, b.carried)


@st.composite
def late_arrivals(draw: st.DrawFn) -> tuple[list[Action], list[str]]:
    """The actions in some arrival order, with ticks at random instants in between."""
    batch = draw(actions())
    order = draw(st.permutations(batch))
    tick_days = sorted(draw(st.lists(offsets, min_size=len(order), max_size=len(order))))
    lines = [*STANDARD, *MARKET]
    for i, (each, when) in enumerate(zip(order, tick_days, strict=True)):
        if draw(st.booleans()):
            lines.append(tick(f"t{i}", f"{day(when)}T12:00:00-05:00"))
        lines.append(line("corporate-actions", each))
    lines.append(tick("t-end", LAST_TICK))
    return batch, lines


@given(late_arrivals())
@settings(max_examples=80, deadline=None)
def test_late_actions_are_folded_in_their_place(case: tuple[list[Action], list[str]]) -> None:
    batch, lines = case
    engine = new_engine()
    produced = watched(feed(engine, lines))
    state = state_of(engine)
    assert (state.price, state.shares) == final_terms(in_one_go(batch))
    assert [p for p in produced if p.type == "dead_letter"] == []
    assert unmatched_rescissions(produced) == []
