"""Routing, the sequenced envelope and the per-partition fold, without a broker.

The in-process replay (`shared.engine.replay.replay_lines`) is the reference: whatever order
the input topics reach the sequenced log in, the folds must give its outputs.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from kafka_scenario import input_topic_logs, scenario_lines, scenario_terms

from services.kafka.replay_plan import Output, output_line, plan_lines
from services.kafka.settings import KafkaSettings
from services.streams.envelope import Envelope, Origin, Place, parse_input_sequences
from services.streams.fold import PartitionFold
from services.streams.intake import envelopes
from services.streams.routing import route
from shared.engine import Engine
from shared.engine.replay import replay_lines
from shared.errors import RecordError
from shared.events.codec import encode, topic_of

PARTITIONS = 4
SETTINGS = KafkaSettings(broker="kafka://127.0.0.1:9", partitions=PARTITIONS)


def in_process(lines: list[str]) -> list[str]:
    return [output_line(Output(topic, encode(record)))
            for topic, record in replay_lines(Engine(scenario_terms()), lines)]


def fold_all(arrivals: list[tuple[int, Envelope]], lines: list[str]) -> list[str]:
    """Fold each partition's arrivals, merge with the edge's dead letters, in replay order."""
    folds = {p: PartitionFold(p, PARTITIONS, scenario_terms()) for p in range(PARTITIONS)}
    results: dict[tuple[int, int, int], Output] = dict(plan_lines(lines).local)
    for partition, env in arrivals:
        for item in folds[partition].apply(env).emitted:
            assert item.index is not None
            key = (item.index, *item.position)
            assert key not in results
            results[key] = Output(topic_of(item.record), encode(item.record))
    assert all(f.waiting == 0 for f in folds.values())
    return [output_line(out) for _, out in sorted(results.items())]


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return scenario_lines(limit=80)


def test_topic_after_topic_arrival_gives_the_file_order_result(lines: list[str]) -> None:
    logs = input_topic_logs(lines, SETTINGS)
    reference = in_process(lines)
    assert len(reference) > 20
    # the worst interleaving Kafka allows: one input topic entirely before the next
    for order in (sorted(logs), sorted(logs, reverse=True)):
        arrivals = [a for topic in order for a in logs[topic]]
        assert fold_all(arrivals, lines) == reference


def test_random_interleavings_give_the_file_order_result(lines: list[str]) -> None:
    logs = input_topic_logs(lines, SETTINGS)
    reference = in_process(lines)
    rng = random.Random(20050314)
    for _ in range(3):
        queues = {t: list(reversed(log)) for t, log in logs.items()}
        arrivals = []
        while queues:
            topic = rng.choice(sorted(queues))
            arrivals.append(queues[topic].pop())
            if not queues[topic]:
                del queues[topic]
        assert fold_all(arrivals, lines) == reference


def test_forwarded_twice_is_folded_once(lines: list[str]) -> None:
    logs = input_topic_logs(lines, SETTINGS)
    arrivals = [a for topic in sorted(logs) for a in logs[topic]]
    # intake restarted and forwarded the last 30 messages of every topic again
    again = [a for topic in sorted(logs) for a in logs[topic][-30:]]
    folds = {p: PartitionFold(p, PARTITIONS, scenario_terms()) for p in range(PARTITIONS)}
    once = [i for p, env in arrivals for i in folds[p].apply(env).emitted]
    steps = [folds[p].apply(env) for p, env in again]
    assert sum(s.duplicates for s in steps) == len(again)
    assert not any(s.emitted for s in steps)
    assert len(once) == len(in_process(lines)) - len(plan_lines(lines).local)


def test_without_places_the_log_order_is_taken() -> None:
    listing = ('{"type": "listing", "id": "l1", "symbol": "GLOW", "effective": "2010-12-01", '
               '"venue": "OTCBB"}')
    quote = ('{"type": "quote", "id": "q1", "symbol": "GLOW", '
             '"at": "2011-01-04T15:00:00-05:00", "bid": "0.50", "ask": "0.60"}')
    tick = '{"type": "tick", "id": "t1", "symbol": "GLOW", "at": "2011-01-05T17:00:00-05:00"}'

    def fold(order: list[tuple[str, str]]) -> list[tuple[str, str]]:
        f = PartitionFold(3, PARTITIONS, scenario_terms())
        out = []
        for offset, (topic, raw) in enumerate(order):
            env = Envelope(b"GLOW", topic, raw.encode(), origin=Origin(topic, 0, offset))
            out += [(topic_of(i.record), str(getattr(i.record, "value", "")))
                    for i in f.apply(env).emitted]
        return out

    # Section 8(b) on the OTC Bulletin Board: the closing bid of 2011-01-04, 0.50, published
    # when event time (the tick) passes that date's close
    in_time = fold([("corporate-actions", listing), ("quotes", quote), ("clock", tick)])
    assert in_time == [("market-values", "0.50")]
    # the same records with the tick first: the quote is not yet there when time passes
    assert fold([("corporate-actions", listing), ("clock", tick), ("quotes", quote)]) != in_time


def test_a_record_keyed_by_another_symbol_is_a_dead_letter() -> None:
    raw = ('{"type": "quote", "id": "q1", "symbol": "GLOW", '
           '"at": "2011-01-04T15:00:00-05:00", "last": "0.6"}')
    r = route("quotes", raw, b"GLOWD", PARTITIONS)
    assert r.reject is not None and "'GLOWD' is not the record's symbol 'GLOW'" in r.reject
    [(target, env)] = envelopes(SETTINGS, SETTINGS.topic("quotes"), 0, 0, b"GLOWD",
                                raw.encode(), {})
    [item] = PartitionFold(target, PARTITIONS, scenario_terms()).apply(env).emitted
    assert topic_of(item.record) == "dead-letters"
    assert item.record.reason == r.reject  # type: ignore[attr-defined]
    assert item.key == b"GLOWD"


def test_a_tick_for_every_symbol_goes_to_every_partition() -> None:
    raw = '{"type": "tick", "id": "t1", "symbol": "*", "at": "2011-01-05T17:00:00-05:00"}'
    r = route("clock", raw, b"*", PARTITIONS)
    assert r.broadcast and r.partitions == (0, 1, 2, 3)
    # a poison message has no symbol to route by: the key decides
    assert route("quotes", "{not json", None, PARTITIONS).partitions == (1,)  # murmur2(b"")


def test_an_engine_fault_is_a_dead_letter_and_the_fold_goes_on() -> None:
    fold = PartitionFold(3, PARTITIONS, scenario_terms())

    class Exploding:
        def handle(self, topic: str, raw: Any) -> list[Any]:
            raise ZeroDivisionError("boom")

    real, fold.engine = fold.engine, Exploding()  # type: ignore[assignment]
    [item] = fold.apply(Envelope(b"GLOW", "quotes", b"{}", origin=Origin("q", 0, 0))).emitted
    assert topic_of(item.record) == "dead-letters"
    assert "ZeroDivisionError: boom" in item.record.reason  # type: ignore[attr-defined]
    fold.engine = real
    listing = ('{"type": "listing", "id": "l1", "symbol": "GLOW", "effective": "2010-12-01", '
               '"venue": "OTCBB"}')
    step = fold.apply(Envelope(b"GLOW", "corporate-actions", listing.encode(),
                               origin=Origin("c", 0, 0)))
    assert step.emitted == [] and step.duplicates == 0


def test_envelope_headers_round_trip() -> None:
    env = Envelope(b"GLOW", "quotes", b"{}", origin=Origin("warrantwatch.quotes", 2, 41),
                   place=Place(3, 9), index=17, source='{"topic": "quotes"}', reject="why",
                   broadcast=True)
    assert Envelope.from_message(b"GLOW", b"{}", env.headers()) == env
    with pytest.raises(RecordError, match="bad headers"):
        Envelope.from_message(b"GLOW", b"{}", [("ww-seq", b"3/9")])
    with pytest.raises(RecordError, match="malformed ww-seq"):
        parse_input_sequences(b"0:1")
    assert parse_input_sequences(b"0:1/4,3:2/2") == {0: Place(1, 4), 3: Place(2, 2)}


def test_the_places_of_an_input_read_alike_on_the_quick_and_the_general_path() -> None:
    """`parse_input_sequences` reads one place in plain digits at once: what it gives must be
    what the general reading gives (or refuses) for anything near that shape."""
    from hypothesis import given
    from hypothesis import strategies as st

    from services.streams import envelope as env_module

    def general(raw: bytes) -> dict[int, Place] | str:
        saved = env_module._ONE_PLACE
        env_module._ONE_PLACE = re.compile(rb"(?!)")  # never matches: the general path
        try:
            return parse_input_sequences(raw)
        except RecordError as exc:
            return str(exc)
        finally:
            env_module._ONE_PLACE = saved

    def quick(raw: bytes) -> dict[int, Place] | str:
        try:
            return parse_input_sequences(raw)
        except RecordError as exc:
            return str(exc)

    pieces = st.sampled_from(["0", "1", "3", "12", "007", "9" * 18, "9" * 19, "-1", "+2",
                              " 4", "1_0", "\u0663", "", ":", "/", ",", "\n"])

    @given(st.lists(pieces, min_size=1, max_size=8))
    def check(parts: list[str]) -> None:
        raw = "".join(parts).encode()
        assert quick(raw) == general(raw), raw

    check()
    for raw in (b"2:5/9", b"2:5/9\n", b"0:1/1,3:2/2", b"1:9223372036854775808/1"):
        assert quick(raw) == general(raw), raw
