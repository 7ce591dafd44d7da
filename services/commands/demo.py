"""`warrantwatch demo`: replay the bundled W-F-05 life and print a readable account of it.

    warrantwatch demo [--broker embedded|inprocess|kafka://HOST:PORT] [--out FILE]
                      [--scenario FILE] [--terms FILE ...] [--quiet]
                      [--serve [--web-port PORT]]

Replays `services/scenarios/wf05-life.jsonl` (or `--scenario`) through the contract engine,
prints progress, then the tables of `services.report`, and writes every output record to
`--out` (default `out/demo-output.jsonl`) in the replay output format, byte for byte what
`warrantwatch replay` writes for the same input.

Broker: `embedded` (the default) starts the Tansu broker and the Faust workers of
`services.kafka.replay`. When that module cannot be imported, or the embedded broker cannot
do its job (BrokerError), the demo says so and replays in process instead: the output is
the same either way. An explicit `kafka://HOST:PORT` that fails is an error, not a fallback:
whoever named a cluster wants to know it did not answer.

`--serve` replays through Kafka (embedded unless told otherwise; never in process), prints
the same account, then keeps the worker and its console (services/console/) up, printing
the console's address, until SIGINT or SIGTERM: services/console/serve.py, docs/console.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from services.report import parse_output_lines, render_report
from services.scenarios import WF05_LIFE, scenario_lines
from services.streams.terms_files import load_terms_files
from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines
from shared.errors import BrokerError, ScenarioError
from shared.terms import Terms

DEFAULT_OUT = "out/demo-output.jsonl"
KAFKA_REPLAY_MODULE = "services.kafka.replay"
INPROCESS = "inprocess"
EMBEDDED = "embedded"
DEFAULT_WEB_PORT = 6066  # a worker's (services/kafka/settings.py)

# the keys that carry a record's event time, most telling first (docs/events.md)
_WHEN_KEYS = ("at", "submitted_at", "delivered_at", "as_of", "announced_at", "date",
              "effective", "record_date")


class KafkaReplay(Protocol):
    def __call__(self, lines: Sequence[str], terms: Sequence[Terms], *,
                 broker: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class DemoRun:
    """What a demo replay produced and how: the broker that actually ran, and why not another."""

    input_lines: int
    output_lines: list[str]
    broker: str
    note: str | None
    seconds: float


def kafka_replay() -> KafkaReplay | str:
    """`replay_lines_through_kafka` from the Kafka edge, or the reason it is not available."""
    try:
        module = importlib.import_module(KAFKA_REPLAY_MODULE)
    except Exception as exc:  # an edge that does not import must not stop the demo
        return f"{KAFKA_REPLAY_MODULE} cannot be imported ({type(exc).__name__}: {exc})"
    replay: Any = getattr(module, "replay_lines_through_kafka", None)
    if not callable(replay):
        return f"{KAFKA_REPLAY_MODULE} has no replay_lines_through_kafka"
    found: KafkaReplay = replay
    return found


def progress_line(index: int, total: int, line: str) -> str:
    """One line of progress: which input is being replayed, dated by its event time."""
    head = f"  [{index:>{len(str(total))}}/{total}]"
    try:
        obj = json.loads(line)
        topic, value = obj["topic"], obj["value"]
        kind, ident = value["type"], value["id"]
    except (ValueError, KeyError, TypeError):
        return f"{head} (not a readable record: it will be a dead letter)"
    when = next((str(value[k])[:10] for k in _WHEN_KEYS if isinstance(value.get(k), str)), "")
    return f"{head} {when:<10}  {topic}/{kind}  {ident}"


def _with_progress(lines: Sequence[str], say: Callable[[str], None]) -> Iterator[str]:
    useful = [x for x in lines if x.strip()]
    for index, line in enumerate(useful, start=1):
        say(progress_line(index, len(useful), line))
        yield line


def replay_with_progress(lines: Sequence[str], terms: Sequence[Terms],
                         say: Callable[[str], None]) -> list[str]:
    """The in-process replay, announcing each input as the engine takes it."""
    engine = Engine(terms)
    return [output_line(topic, record)
            for topic, record in replay_lines(engine, _with_progress(lines, say))]


def run_scenario(lines: Sequence[str], terms: Sequence[Terms], broker: str,
                 say: Callable[[str], None],
                 find_kafka: Callable[[], KafkaReplay | str] = kafka_replay) -> DemoRun:
    """Replay `lines` on `broker`, falling back to in process as the module docstring says."""
    started = time.perf_counter()
    inputs = sum(1 for x in lines if x.strip())
    note: str | None = None
    if broker != INPROCESS:
        replay = find_kafka()
        if isinstance(replay, str):
            note = f"{replay}; replaying in process instead (same output)"
        else:
            say(f"replaying {inputs} input lines through Kafka ({broker}) ...")
            try:
                out = replay(lines, terms, broker=broker)
            except BrokerError as exc:
                if broker != EMBEDDED:
                    raise
                note = f"the embedded broker failed ({exc}); replaying in process instead"
            else:
                return DemoRun(inputs, out, broker, None, time.perf_counter() - started)
        say(f"note: {note}")
    out = replay_with_progress(lines, terms, say)
    return DemoRun(inputs, out, INPROCESS, note, time.perf_counter() - started)


def write_output(path: Path, lines: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    def say(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    lines = scenario_lines(args.scenario)
    name = args.scenario or f"bundled {WF05_LIFE}"
    terms = load_terms_files(args.terms)
    say(f"warrantwatch demo: replaying {name} ({sum(1 for x in lines if x.strip())} "
        f"input lines) on broker {args.broker}")
    if args.serve:
        return serve(args, lines, terms, say)
    account(args, run_scenario(lines, terms, args.broker, say))
    return 0


def serve(args: argparse.Namespace, lines: Sequence[str], terms: Sequence[Terms],
          say: Callable[[str], None]) -> int:
    """`--serve`: the account, then the console until interrupted (module docstring)."""
    if args.broker == INPROCESS:
        raise BrokerError("--serve needs a worker: --broker embedded or kafka://HOST:PORT")
    from services.console.serve import serve_scenario_sync

    started = time.perf_counter()
    inputs = sum(1 for x in lines if x.strip())
    say(f"replaying {inputs} input lines through Kafka ({args.broker}) and serving ...")

    def ready(output_lines: list[str], address: str) -> None:
        account(args, DemoRun(inputs, output_lines, args.broker, None,
                              time.perf_counter() - started))
        print(f"\nconsole: {address}  (the worker and the console stay up; Ctrl-C stops "
              f"them)", flush=True)

    return serve_scenario_sync(lines, terms, broker=args.broker, web_port=args.web_port,
                               on_outputs=ready)


def account(args: argparse.Namespace, result: DemoRun) -> None:
    """Write every output record to `--out` and print the readable account."""
    out = Path(args.out)
    try:
        write_output(out, result.output_lines)
    except OSError as exc:
        raise ScenarioError(f"cannot write {out}: {exc.strerror or exc}") from None
    outputs = parse_output_lines(result.output_lines)
    print(f"\n{result.input_lines} input lines -> {len(outputs)} output records "
          f"({result.broker}, {result.seconds:.2f} s); all records written to {out}")
    if result.note:
        print(f"note: {result.note}")
    if args.scenario is None:
        print("Prices, share counts and the holder are illustrative; the listing timeline and "
              "the 2008 price level are real (docs/demo.md).")
    sys.stdout.write(render_report(outputs))
    sys.stdout.flush()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="replay the bundled W-F-05 life and print a readable account")
    p.add_argument("--broker", default=EMBEDDED,
                   help="embedded (default; in process if Kafka is unavailable), inprocess, "
                        "or kafka://HOST:PORT")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="FILE",
                   help=f"where to write every output record (default {DEFAULT_OUT})")
    p.add_argument("--scenario", default=None, metavar="FILE",
                   help="a replay file to use instead of the bundled W-F-05 life")
    p.add_argument("--terms", action="append", metavar="FILE",
                   help="terms file (repeat for several symbols); default: bundled W-F-05")
    p.add_argument("--quiet", action="store_true", help="no progress lines, only the account")
    p.add_argument("--serve", action="store_true",
                   help="keep the worker and its console up after the replay, until Ctrl-C "
                        "or SIGTERM (needs a broker: embedded or kafka://)")
    p.add_argument("--web-port", type=int, default=DEFAULT_WEB_PORT, metavar="PORT",
                   help=f"the console's port with --serve (default {DEFAULT_WEB_PORT}; "
                        "0 picks a free one)")
    p.set_defaults(func=run)
