"""`warrantwatch clock [--every SECONDS] [--start INSTANT --rate R]`: tick a live service.

Publishes broadcast `tick`s (symbol `*`) on the `clock` topic as the wall clock passes each
venue close, each pending 2(d) deadline it reads from `exercise-settlements`, each warrant's
expiry, and every `--every` seconds (services/live/clock.py). The only place the wall clock
enters the service; the engine's results depend on the ticks' instants alone. Run one clock
per cluster (docs/operations.md), here or inside a worker (`worker --clock`).

`--start INSTANT --rate R` runs a clock from a chosen instant, R times faster than real time
(a rehearsal of a past period, or a test); without them, the wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from datetime import datetime

from services.live.client_settings import add_broker_flags, client_settings, stderr
from services.live.clock import run_clock
from services.live.terms_flags import add_terms_flags, terms_from_args
from services.live.time_source import ScaledTime, SystemTime, TimeSource
from shared.errors import BrokerError


def time_source(start: str | None, rate: float | None) -> TimeSource:
    """The wall clock, or a clock from `start` at `rate` (--start / --rate)."""
    if start is None:
        if rate not in (None, 1.0):
            raise BrokerError("--rate needs --start: the wall clock runs at its own rate")
        return SystemTime()
    try:
        at = datetime.fromisoformat(start)
        return ScaledTime(at, 1.0 if rate is None else rate)
    except ValueError as exc:
        raise BrokerError(f"--start {start!r}: {exc}") from None


def add_clock_flags(p: argparse.ArgumentParser, prefix: str = "") -> None:
    p.add_argument(f"--{prefix}every", type=float, metavar="SECONDS",
                   help="also tick every SECONDS (on instants k x SECONDS after the epoch)")
    p.add_argument(f"--{prefix}start", metavar="INSTANT",
                   help="run from this instant (ISO 8601 with offset) instead of the wall clock")
    p.add_argument(f"--{prefix}rate", type=float,
                   help="with --start: seconds of clock time per real second (default 1)")


def run(args: argparse.Namespace) -> int:
    settings = client_settings(args, "clock")
    terms = terms_from_args(args)
    source = time_source(args.start, args.rate)
    if args.every is not None and args.every <= 0:
        raise BrokerError(f"--every must be above 0 seconds, got {args.every}")
    stderr(f"clock on {settings.broker} ({settings.topic('clock')}): {source.describe()}")
    log = stderr if not args.quiet else None

    async def ticking() -> int:
        stop = asyncio.Event()  # SIGTERM and SIGINT stop it between two ticks
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await run_clock(settings, terms, source, every=args.every,
                               should_stop=stop.is_set, ticks=args.ticks, log=log)

    with contextlib.suppress(KeyboardInterrupt):
        count = asyncio.run(ticking())
        stderr(f"published {count} ticks")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("clock", help="publish ticks from the wall clock (closes, deadlines, "
                                     "every N seconds) to a live worker")
    add_broker_flags(p)
    add_terms_flags(p)
    add_clock_flags(p)
    p.add_argument("--ticks", type=int, help="stop after this many ticks")
    p.add_argument("--quiet", action="store_true", help="do not log each tick on stderr")
    p.set_defaults(func=run)
