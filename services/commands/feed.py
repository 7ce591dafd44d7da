"""`warrantwatch feed yahoo SYMBOL [--broker kafka://H:P] [--interval S] [--once]`.

Polls Yahoo (through yfinance) for the quote of SYMBOL and publishes each new bid and ask
as a `quote` record on the quotes topic (`KafkaSettings.topic("quotes")`), key = symbol; a
quote that fails validation (a bid above the ask) goes to the dead-letters topic. With
`--stdout` the records are printed as replay lines instead. `--recorded PATH` answers Yahoo
from recorded responses (a file or a directory of them), for a demo or a test offline.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from services.adapters.replay_lines import replay_line, routed
from services.adapters.yahoo_quotes import QuotePoller, yahoo_quote_source
from services.kafka.settings import KafkaSettings
from shared.errors import BrokerError
from shared.events.codec import encode
from shared.events.inputs import Quote
from shared.events.outputs import DeadLetter


def _now() -> datetime:
    return datetime.now(UTC)


def build_poller(args: argparse.Namespace) -> QuotePoller:
    session = None
    if args.recorded:
        from services.adapters.recorded_http import RecordedSession

        session = RecordedSession.from_paths(args.recorded)
    return QuotePoller(args.symbol, yahoo_quote_source(args.symbol, session), clock=_now,
                       sleep=asyncio.sleep, interval=args.interval,
                       max_backoff=max(args.max_backoff, args.interval))


async def print_quotes(poller: QuotePoller, polls: int | None) -> int:
    async def emit(record: Quote | DeadLetter) -> None:
        sys.stdout.write(replay_line(*routed(record)) + "\n")
        sys.stdout.flush()

    return await poller.run(emit, polls)


async def publish_quotes(poller: QuotePoller, settings: KafkaSettings, polls: int | None) -> int:
    """Run the poller, publishing each record to Kafka (key = symbol); returns the count."""
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import KafkaError

    from services.kafka.admin import ensure_topics
    from services.kafka.client import producer_kwargs

    await ensure_topics(settings)  # the one place topics are made (partition counts agree)
    try:
        producer = AIOKafkaProducer(**producer_kwargs(settings))
        await producer.start()
    except KafkaError as exc:
        raise BrokerError(f"cannot connect to {settings.broker}: {exc}") from None
    key = poller.symbol.encode("utf-8")

    async def emit(record: Quote | DeadLetter) -> None:
        topic, value = routed(record)
        await producer.send_and_wait(settings.topic(topic), encode(value).encode("utf-8"),
                                     key=key)

    try:
        return await poller.run(emit, polls)
    except KafkaError as exc:
        raise BrokerError(f"cannot publish to {settings.broker}: {exc}") from None
    finally:
        await producer.stop()


def run_yahoo(args: argparse.Namespace) -> int:
    if args.interval < 1:
        print("warrantwatch: --interval must be at least 1 second", file=sys.stderr)
        return 2
    poller = build_poller(args)
    polls = 1 if args.once else None
    if args.stdout:
        asyncio.run(print_quotes(poller, polls))
    else:
        settings = KafkaSettings.from_env(broker=args.broker)
        if not settings.broker.startswith("kafka://"):
            print(f"warrantwatch: feed needs --broker kafka://HOST:PORT (got "
                  f"{settings.broker!r}) or --stdout", file=sys.stderr)
            return 2
        count = asyncio.run(publish_quotes(poller, settings, polls))
        print(f"published {count} records to {settings.topic('quotes')}", file=sys.stderr)
    if poller.last_error is not None:
        print(f"warrantwatch: {poller.last_error}", file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("feed", help="publish live market data to Kafka")
    sources = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    y = sources.add_parser("yahoo", help="poll Yahoo Finance quotes (bid and ask)")
    y.add_argument("symbol", metavar="SYMBOL")
    y.add_argument("--broker", help="kafka://HOST:PORT (default: WARRANTWATCH_BROKER)")
    y.add_argument("--interval", type=float, default=60.0,
                   help="seconds between polls (default 60)")
    y.add_argument("--max-backoff", type=float, default=900.0,
                   help="longest wait after errors or HTTP 429, seconds (default 900)")
    y.add_argument("--once", action="store_true", help="poll once and exit")
    y.add_argument("--stdout", action="store_true",
                   help="print replay lines instead of publishing to Kafka")
    y.add_argument("--recorded", metavar="PATH",
                   help="answer Yahoo from recorded responses (file or directory), offline")
    y.set_defaults(func=run_yahoo)
