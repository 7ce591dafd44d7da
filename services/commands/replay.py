"""`warrantwatch replay IN.jsonl --out OUT.jsonl [--terms FILE ...] [--terms-dir DIR]
[--broker B]`.

Reads the replay format of docs/events.md, runs the contract engine, and writes every output
record as a replay line. `--broker inprocess` (the default) runs the pure engine in this
process; `embedded` or `kafka://HOST:PORT` runs the same lines through Kafka and the Faust
services. The same input gives byte-identical output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from services.live.terms_flags import add_terms_flags, terms_from_args
from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines
from shared.terms import Terms


def replay_in_process(lines: Sequence[str], terms: Sequence[Terms]) -> list[str]:
    engine = Engine(terms)
    return [output_line(topic, record) for topic, record in replay_lines(engine, lines)]


def run(args: argparse.Namespace) -> int:
    source = Path(args.input)
    try:
        lines = source.read_text("utf-8").splitlines()
    except OSError as exc:
        print(f"warrantwatch: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    terms = terms_from_args(args)
    broker = args.broker
    if broker == "inprocess":
        out = replay_in_process(lines, terms)
    else:
        from services.kafka.replay import replay_lines_through_kafka

        out = replay_lines_through_kafka(lines, terms, broker=broker)
    text = "".join(f"{line}\n" for line in out)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"replayed {sum(1 for x in lines if x.strip())} input lines -> "
              f"{len(out)} output records in {args.out}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("replay", help="run a JSONL replay file through the contract engine")
    p.add_argument("input", metavar="IN.jsonl")
    p.add_argument("--out", default="-", metavar="OUT.jsonl", help="output file (- for stdout)")
    add_terms_flags(p)
    p.add_argument("--broker", default="inprocess",
                   help="inprocess (default), embedded, or kafka://HOST:PORT")
    p.set_defaults(func=run)
