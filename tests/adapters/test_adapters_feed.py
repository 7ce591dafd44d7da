"""`warrantwatch feed yahoo ...`: quotes from recorded Yahoo answers, printed or published."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from adapters_golden import YAHOO_DATA

from services.cli import main
from shared.events.codec import decode, parse_json
from shared.events.inputs import Quote


def test_feed_once_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["feed", "yahoo", "AAPL", "--once", "--stdout", "--recorded", str(YAHOO_DATA)])
    out, _ = capsys.readouterr()
    [line] = [parse_json(x) for x in out.splitlines()]
    assert code == 0 and line["topic"] == "quotes"
    # quote-AAPL.json by hand: bid 244.44, ask 253.37
    assert (line["value"]["bid"], line["value"]["ask"]) == ("244.44", "253.37")


def test_feed_once_failure_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["feed", "yahoo", "NOPE", "--once", "--stdout", "--recorded", str(YAHOO_DATA)])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and "NOPE" in err


def test_feed_needs_a_kafka_broker(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["feed", "yahoo", "AAPL", "--once", "--broker", "embedded", "--recorded",
                 str(YAHOO_DATA)])
    assert code == 2 and "kafka://HOST:PORT" in capsys.readouterr().err


def test_interval_below_a_second_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["feed", "yahoo", "AAPL", "--interval", "0.5", "--stdout"])
    assert code == 2 and "at least 1 second" in capsys.readouterr().err


async def _read_quotes(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=5000, max_records=10)
        return [(m.key, m.value) for records in batches.values() for m in records]
    finally:
        await consumer.stop()


@pytest.mark.kafka
def test_feed_publishes_to_the_quotes_topic_keyed_by_symbol(
        capsys: pytest.CaptureFixture[str]) -> None:
    from services.kafka.embedded import EmbeddedBroker

    with EmbeddedBroker() as broker:
        code = main(["feed", "yahoo", "AAPL", "--once", "--broker", broker.url, "--recorded",
                     str(YAHOO_DATA)])
        assert code == 0, capsys.readouterr().err
        messages = asyncio.run(_read_quotes(broker.bootstrap_servers, "warrantwatch.quotes"))
    [(key, value)] = messages
    assert key == b"AAPL" and value is not None
    record = decode("quotes", value)
    assert isinstance(record, Quote)
    assert (record.bid, record.ask) == (Decimal("244.44"), Decimal("253.37"))
