"""`warrantwatch publish FILE|-`: check input records and send them to a live service.

Reads replay lines (`{"topic": ..., "value": {...}}`) or bare input records (their topic is
the one that accepts their `type`), one per line (services/live/input_lines.py). A line that
is not a valid input record is reported on standard error as `line N: reason` and not sent;
every other record is sent to its input topic, keyed by symbol, on the partition the services
expect (services/live/publisher.py), in file order unless `--order arrival`.

Exit status: 0 every line sent; 1 some lines were bad (the good ones were still sent, unless
`--check`); 2 the broker could not be reached or did not take the records.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path

from services.kafka.settings import KafkaSettings
from services.live.client_settings import add_broker_flags, client_settings, stderr
from services.live.input_lines import InputLine, input_lines
from services.live.publisher import ORDERS, Publisher
from shared.errors import BrokerError


def read_lines(source: str) -> list[str]:
    if source == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(source).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BrokerError(f"cannot read {source}: {exc}") from None


def report_bad(lines: Iterable[InputLine]) -> tuple[list[InputLine], int]:
    """The good lines; each bad one reported on stderr as `line N: reason`."""
    good: list[InputLine] = []
    bad = 0
    for line in lines:
        if line.record is None:
            bad += 1
            stderr(f"line {line.number}: {line.reason}")
        else:
            good.append(line)
    return good, bad


async def send_lines(settings: KafkaSettings, lines: list[InputLine], *, order: str,
                     wait: float) -> tuple[int, int]:
    """Send the records of `lines`; (records sent, waits for intake to keep file order)."""
    async with Publisher(settings, order=order, wait=wait) as publisher:
        for line in lines:
            assert line.topic is not None and line.record is not None
            await publisher.send(line.topic, line.record)
        await publisher.flush()
        return publisher.sent, publisher.waits


def run(args: argparse.Namespace) -> int:
    good, bad = report_bad(input_lines(read_lines(args.file)))
    if args.check:
        stderr(f"{len(good)} records valid, {bad} bad lines")
        return 1 if bad else 0
    settings = client_settings(args, "publish")
    sent, _ = asyncio.run(send_lines(settings, good, order=args.order, wait=args.wait))
    stderr(f"published {sent} records to {settings.broker} ({settings.topic_prefix}*)"
           + (f"; {bad} bad lines not sent" if bad else ""))
    return 1 if bad else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "publish", help="check input records and send them to a live worker's topics",
        description="Send replay lines or bare input records to the input topics, keyed and "
                    "partitioned as the services expect. Bad lines are reported (line N: "
                    "reason) and not sent. Exit 0: all sent; 1: some lines bad; 2: broker "
                    "error.")
    p.add_argument("file", metavar="FILE", help="JSON lines, or - for standard input")
    add_broker_flags(p)
    p.add_argument("--order", choices=ORDERS, default="file",
                   help="file: keep file order across topics (waits for the workers' intake "
                        "at each change of topic); arrival: send at once (default file)")
    p.add_argument("--wait", type=float, default=60.0,
                   help="longest wait for the workers to take a record, seconds (default 60)")
    p.add_argument("--check", action="store_true",
                   help="only check the lines, send nothing")
    p.set_defaults(func=run)
