"""`publish` reads replay lines and bare records; a bad line names its number and reason."""

from __future__ import annotations

from pathlib import Path

from services.cli import main
from services.live.input_lines import TOPIC_OF_TYPE, input_lines
from shared.events.inputs import INPUT_TOPICS

SESSION = Path(__file__).resolve().parents[1] / "resources" / "live" / "session.jsonl"


def test_bare_records_find_their_topic_from_their_type() -> None:
    # docs/events.md, Inputs: each type travels on one topic
    assert TOPIC_OF_TYPE["tick"] == "clock"
    assert TOPIC_OF_TYPE["form4"] == "holdings" and TOPIC_OF_TYPE["holding"] == "holdings"
    assert TOPIC_OF_TYPE["exercise"] == "exercises"
    assert TOPIC_OF_TYPE["stock_split"] == "corporate-actions"
    assert len(TOPIC_OF_TYPE) == sum(len(models) for models in INPUT_TOPICS.values())


def test_session_file_lines_checked_with_line_numbers() -> None:
    lines = list(input_lines(SESSION.read_text().splitlines()))
    assert [(x.number, x.topic) for x in lines] == [
        (1, "corporate-actions"), (2, "registry"), (3, "corporate-actions"), (4, "holdings"),
        (5, "quotes"), (6, "exercises")]
    bad = [x for x in lines if x.record is None]
    assert [(x.number, x.reason) for x in bad] == [(5, "bid 2.80 is above ask 2.70")]
    assert lines[5].record is not None and lines[5].record.id == "live-exercise-2005-09-15"


def test_bad_lines_of_every_kind_are_reasons_not_records() -> None:
    text = [
        "",  # blank lines are skipped but counted
        "not json",
        '[1, 2]',
        '{"type": "nope", "id": "x", "symbol": "GLOW"}',
        '{"topic": "quotes", "value": {"type": "tick", "id": "t", "symbol": "*", '
        '"at": "2009-01-01T00:00:00Z"}}',
        '{"type": "tick", "id": "t", "symbol": "*", "at": "2009-01-01T00:00:00"}',
        '{"type": "tick", "id": "t", "symbol": "*", "at": "2009-01-01T00:00:00Z"}',
    ]
    lines = list(input_lines(text))
    assert [x.number for x in lines] == [2, 3, 4, 5, 6, 7]
    reasons = [x.reason or "" for x in lines]
    assert reasons[0].startswith("record: malformed JSON")
    assert reasons[1].startswith("record: a line must be a JSON object")
    assert reasons[2].startswith("type: 'nope' is not an input record type")
    assert "it belongs on 'clock'" in reasons[3]
    assert reasons[4].startswith("at:")  # an instant without a UTC offset
    assert lines[5].record is not None and lines[5].topic == "clock"


def test_publish_check_reports_bad_lines_on_stderr_and_exits_1(capsys: object) -> None:
    code = main(["publish", "--check", str(SESSION)])
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert code == 1
    assert "line 5: bid 2.80 is above ask 2.70" in err
    assert "5 records valid, 1 bad lines" in err


def test_publish_needs_a_running_broker(capsys: object) -> None:
    assert main(["publish", str(SESSION), "--broker", "embedded"]) == 2
    assert "publish needs a running broker" in capsys.readouterr().err  # type: ignore[attr-defined]
