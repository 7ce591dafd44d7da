"""`warrantwatch watch [--topic T ...] [--from-beginning]`: follow a live service's outputs.

Prints each output record as it arrives (services/live/watcher.py): as a replay output line
(`{"topic": ..., "value": {...}}`, what `replay --out` writes, so the capture can be read by
any command that reads output files), or as one readable line per record (`--format text`,
the default when standard output is a terminal). `--type`, `--count` and `--timeout` make it
usable in a script: `watch --type exercise_default --count 1 --timeout 60` exits 0 when the
first default is seen, 1 if none came in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from services.kafka.settings import KafkaSettings
from services.live.client_settings import add_broker_flags, client_settings
from services.live.text_line import text_line
from services.live.watcher import check_topics, watch
from shared.events.outputs import OUTPUT_TOPICS


async def follow(settings: KafkaSettings, args: argparse.Namespace, text: bool) -> int:
    """Print records until `--count` of them (exit 0) or `--timeout` seconds (exit 1)."""
    seen = 0
    types = set(args.type or ())

    async def printing() -> None:
        nonlocal seen
        async for item in watch(settings, args.topic, from_beginning=args.from_beginning):
            record = item.record()
            if types and record.get("type") not in types:
                continue
            print(text_line(item.topic, record) if text else item.line(), flush=True)
            seen += 1
            if args.count is not None and seen >= args.count:
                return

    try:
        await asyncio.wait_for(printing(), timeout=args.timeout)
    except TimeoutError:
        return 1 if args.count is not None else 0
    return 0


def run(args: argparse.Namespace) -> int:
    settings = client_settings(args, "watch")
    check_topics(args.topic)
    text = args.format == "text" or (args.format is None and sys.stdout.isatty())
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(follow(settings, args, text))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("watch", help="follow a live worker's output topics and print records")
    add_broker_flags(p)
    p.add_argument("--topic", action="append", choices=list(OUTPUT_TOPICS), metavar="TOPIC",
                   help=f"an output topic (repeat; default all: {', '.join(OUTPUT_TOPICS)})")
    p.add_argument("--from-beginning", action="store_true",
                   help="every record on the topics, not only those from now on")
    p.add_argument("--format", choices=["json", "text"],
                   help="json: replay output lines; text: one readable line per record "
                        "(default text on a terminal, else json)")
    p.add_argument("--type", action="append", metavar="TYPE",
                   help="only records of this type (repeat), e.g. exercise_default")
    p.add_argument("--count", type=int, help="exit 0 after this many records")
    p.add_argument("--timeout", type=float,
                   help="stop after this many seconds (exit 1 if --count was not reached)")
    p.set_defaults(func=run)
