"""A live session with the project's commands alone, through a worker's embedded broker.

`worker --broker embedded` prints its broker's address; `publish` sends a file of replay lines
and bare records (one bad line, reported and not sent); `clock` ticks from 2005-09-15 12:00
eastern at 43,200 x real time; `watch` shows the settlement, then the Section 2(d) default of
the exercise that is never delivered, detected by the tick at its deadline.

Figures worked by hand (tests/resources/live/session.jsonl; W-F-05 terms):
- the cash exercise of 100,000 shares at the Warrant Price $2.40 (no adjustment in this
  file): payment due 100,000 x 2.40 = $240,000.00, 100,000 shares issued;
- 2(d): 3 Trading Days after Thursday 2005-09-15 = Fri 16, Mon 19, Tue 20: due 2005-09-20,
  deadline the end of that day, 2005-09-21 00:00 EDT = 04:00 UTC; no delivery: 100,000
  shares undelivered, detected at the clock's tick for that instant.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from live_processes import ROOT, child, embedded_worker, run

pytestmark = pytest.mark.kafka
SESSION = ROOT / "tests" / "resources" / "live" / "session.jsonl"


def values(stdout: str) -> list[dict[str, object]]:
    out = []
    for line in stdout.splitlines():
        obj = json.loads(line)
        assert set(obj) == {"topic", "value"}
        out.append(obj["value"])
    return out


def test_publish_clock_watch_show_the_default_of_an_undelivered_exercise(tmp_path: Path
                                                                          ) -> None:
    started = time.monotonic()
    with embedded_worker(tmp_path, "--partitions", "2") as (worker, broker):
        flags = ["--broker", broker, "--profile", "embedded", "--partitions", "2"]
        published = run(["publish", str(SESSION), *flags])
        assert published.returncode == 1, published.stderr  # one bad line
        assert "line 5: bid 2.80 is above ask 2.70" in published.stderr
        assert "published 5 records" in published.stderr

        with child(["clock", *flags, "--start", "2005-09-15T12:00:00-04:00",
                    "--rate", "43200"], tmp_path / "clock.log") as clock:
            watched = run(["watch", *flags, "--from-beginning", "--format", "json",
                           "--type", "settlement", "--type", "exercise_default",
                           "--count", "2", "--timeout", "90"])
            assert watched.returncode == 0, (watched.stderr, clock.text(), worker.text())
            text = run(["watch", *flags, "--from-beginning", "--format", "text",
                        "--type", "exercise_default", "--count", "1", "--timeout", "30"])
            assert clock.stop() == 0
        assert worker.stop() == 0

    settlement, default = values(watched.stdout)
    assert settlement["type"] == "settlement"
    assert settlement["exercise_id"] == "live-exercise-2005-09-15"
    assert settlement["warrant_price"] == "2.40"
    assert settlement["shares_issued"] == "100000"
    assert settlement["payment_due"] == "240000.00"
    assert settlement["delivery_due"] == "2005-09-20"
    assert default == {
        "type": "exercise_default", "id": "exercise_default:live-exercise-2005-09-15",
        "symbol": "GLOW", "series": "W-F-05", "exercise_id": "live-exercise-2005-09-15",
        "warrant": "W-F-05-001",
        "holder": "0009990005", "delivery_due": "2005-09-20",
        "deadline": "2005-09-21T00:00:00-04:00",
        "detected_at": "2005-09-21T04:00:00+00:00",  # the deadline tick, not a later one
        "shares_undelivered": "100000"}
    # the clock's log: it started at its --start instant and ticked the deadline it read
    log = clock.text()
    assert "tick 2005-09-15T16:00:00+00:00 (start)" in log
    assert "tick 2005-09-21T04:00:00+00:00 (deadline)" in log
    [line] = text.stdout.splitlines()
    assert line.startswith("exercise_default")
    assert "GLOW" in line and "shares_undelivered=100000" in line
    assert time.monotonic() - started < 150


def test_a_published_scenario_gives_the_replay_outputs(tmp_path: Path) -> None:
    """`publish` in file order through a live worker = `replay` in-process, record for
    record, less the dead letters of lines that never reach Kafka (publish reports those)."""
    scenario = ROOT / "services" / "scenarios" / "wf05-life.jsonl"
    replayed = run(["replay", str(scenario)])
    assert replayed.returncode == 0, replayed.stderr
    expected = sorted(line for line in replayed.stdout.splitlines()
                      if not line.startswith('{"topic": "dead-letters"'))
    with embedded_worker(tmp_path) as (worker, broker):
        flags = ["--broker", broker, "--profile", "embedded"]
        published = run(["publish", str(scenario), *flags], timeout=240)
        assert published.returncode == 1  # the scenario has two bad lines on purpose
        assert [x for x in published.stderr.splitlines() if x.startswith("line ")] == [
            "line 32: record: malformed JSON: Unterminated string starting at: line 1 column 149 "
            "(char 148)", "line 45: bid 0.62 is above ask 0.59"]
        watched = run(["watch", *flags, "--from-beginning", "--format", "json",
                       "--count", str(len(expected)), "--timeout", "60"])
        assert watched.returncode == 0, (watched.stderr, worker.text()[-3000:])
        assert worker.stop() == 0
    assert sorted(watched.stdout.splitlines()) == expected
