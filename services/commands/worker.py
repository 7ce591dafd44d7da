"""`warrantwatch worker [--broker kafka://HOST:PORT | embedded]`: run the Faust services.

The production entry point (deploy/): creates any missing topic, then runs the intake and
warrant state agents until SIGTERM or Ctrl-C. Workers started with the same `--app-id` form
one consumer group and share the partitions. With `--broker embedded` it first starts a Tansu
broker on 127.0.0.1 and stops it on exit, printing its address (`embedded broker at
kafka://127.0.0.1:PORT`) for `publish`, `watch` and `clock`. With `--clock` the worker also
runs the clock (services/live/clock.py) in a thread of its own: one clock per cluster, so
give `--clock` to one worker only. Every flag also reads its environment variable
(services/kafka/settings.py); terms come from `--terms`, `--terms-dir` or
`WARRANTWATCH_TERMS_DIR` (services/streams/terms_files.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from services.kafka.admin import ensure_topics
from services.kafka.embedded import EmbeddedBroker
from services.kafka.settings import ENVIRONMENT, PROCESSING_GUARANTEES, PROFILES, KafkaSettings
from services.live.terms_flags import add_terms_flags, terms_from_args
from shared.errors import BrokerError
from shared.terms import Terms


def settings_from_args(args: argparse.Namespace) -> KafkaSettings:
    """The Kafka settings of the flags and the environment; a bad one is a `SettingsError`
    (a `BrokerError` naming the variable), which stops the command at start."""
    return KafkaSettings.from_env(
        broker=args.broker, profile=args.profile, topic_prefix=args.topic_prefix,
        partitions=args.partitions, replication_factor=args.replication_factor,
        processing_guarantee=args.processing_guarantee, app_id=args.app_id,
        web_bind=args.web_bind, web_port=args.web_port,
        snapshot_every=args.snapshot_every,
        sequenced_retention_ms=args.sequenced_retention_ms)


@contextlib.contextmanager
def clock_thread(settings: KafkaSettings, terms: list[Terms], args: argparse.Namespace | None
                 ) -> Iterator[None]:
    """The clock in a thread of its own while the block runs (`worker --clock`)."""
    if args is None or not args.clock:
        yield
        return
    from services.commands.clock import time_source
    from services.live.clock import run_clock

    source = time_source(args.clock_start, args.clock_rate)
    stop = threading.Event()

    def log(line: str) -> None:
        print(f"clock: {line}", file=sys.stderr, flush=True)

    def body() -> None:
        try:
            asyncio.run(run_clock(settings, terms, source, every=args.clock_every,
                                  should_stop=stop.is_set, log=log))
        except Exception as exc:  # the worker goes on; the log says why the ticks stopped
            log(f"stopped: {exc}")

    thread = threading.Thread(target=body, name="warrantwatch-clock", daemon=True)
    thread.start()
    print(f"clock: {source.describe()}", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10.0)


def run_worker(settings: KafkaSettings, terms: list[Terms], log_level: str,
               args: argparse.Namespace | None = None) -> int:
    """Run the services against `settings.broker` (a kafka:// address) until stopped."""
    import faust  # the CLI imports every command: keep Faust out of the others' start-up

    from services.streams.app import build_streams

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    created = loop.run_until_complete(ensure_topics(settings))
    if created:
        print(f"created {len(created)} topics", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="warrantwatch-worker-") as data_dir:
        streams = build_streams(settings, terms, data_dir=Path(data_dir), loop=loop)
        print(f"worker {settings.app_id} on {settings.broker}, web "
              f"http://{settings.web_bind}:{streams.web_port}/", file=sys.stderr, flush=True)
        worker = faust.Worker(streams.app, loop=loop, loglevel=log_level, quiet=True,
                              redirect_stdouts=False)
        if not worker.stdout.isatty():  # its spinner writes cursor codes even to a file
            worker.spinner = None
        try:
            with clock_thread(settings, terms, args):
                worker.execute_from_commandline()
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 1
    return 0  # pragma: no cover - execute_from_commandline always raises SystemExit


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    terms = terms_from_args(args)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    if settings.broker == "inprocess":
        raise BrokerError("a worker needs a broker: --broker embedded or kafka://HOST:PORT")
    if settings.broker != "embedded":
        return run_worker(settings, terms, args.log_level, args)
    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(EmbeddedBroker())
        print(f"embedded broker at {broker.url} (pid {broker.pid})", file=sys.stderr, flush=True)
        return run_worker(replace(settings, broker=broker.url, profile="embedded"), terms,
                          args.log_level, args)
    return 0  # pragma: no cover


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("worker", help="run the Kafka services (intake, warrant state, outputs)")
    env = ENVIRONMENT
    p.add_argument("--broker", help=f"kafka://HOST:PORT[,HOST:PORT] or embedded "
                                    f"(${env['broker']}; default embedded)")
    p.add_argument("--profile", choices=PROFILES,
                   help=f"client settings for this kind of broker (${env['profile']})")
    p.add_argument("--topic-prefix", help=f"${env['topic_prefix']} (default warrantwatch.)")
    p.add_argument("--partitions", type=int, help=f"${env['partitions']} (default 4)")
    p.add_argument("--replication-factor", type=int,
                   help=f"${env['replication_factor']} (default 1)")
    p.add_argument("--processing-guarantee", choices=PROCESSING_GUARANTEES,
                   help=f"${env['processing_guarantee']} (default at_least_once, the proven "
                        "guarantee). WARNING: exactly_once is not verified: Tansu has no "
                        "transactions and Faust 0.15.3 names an output's transaction after a "
                        "topic it does not consume, so the first output may fail "
                        "(docs/operations.md, exactly-once gap)")
    p.add_argument("--app-id", help=f"consumer group (${env['app_id']}; default warrantwatch)")
    p.add_argument("--web-bind", help=f"${env['web_bind']} (default 127.0.0.1)")
    p.add_argument("--web-port", type=int,
                   help=f"${env['web_port']} (default 6066; 0 picks a free port)")
    p.add_argument("--snapshot-every", type=int, metavar="RECORDS",
                   help=f"a snapshot of each partition's state after this many records "
                        f"(${env['snapshot_every']}; default 10000; 0: none)")
    p.add_argument("--sequenced-retention-ms", type=int, metavar="MS",
                   help=f"retention of the sequenced log when created "
                        f"(${env['sequenced_retention_ms']}; default -1: for ever)")
    add_terms_flags(p)
    p.add_argument("--clock", action="store_true",
                   help="also run the clock (ticks at closes, deadlines, --clock-every); "
                        "one clock per cluster")
    from services.commands.clock import add_clock_flags

    add_clock_flags(p, prefix="clock-")
    p.add_argument("--log-level", default="warning",
                   choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=run)
