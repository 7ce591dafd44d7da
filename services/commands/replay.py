"""`warrantwatch replay IN.jsonl --out OUT.jsonl [--terms FILE ...] [--terms-dir DIR]
[--broker B] [--fail-on-dead-letter]`.

Reads the replay format of docs/events.md (`-` for standard input), runs the contract engine,
and writes every output record as a replay line (`--out -`, the default: standard output).
`--broker inprocess` (the default) runs the pure engine in this process; `embedded` or
`kafka://HOST:PORT` runs the same lines through Kafka and the Faust services. The same input
gives byte-identical output.

It ends with one summary line on standard error, never mixed into the output, counting the
outputs by type, dead letters included:
`replayed 55 input lines -> 55 output records in out.jsonl (adjustment 5, ..., dead_letter 2)`.
With `--fail-on-dead-letter` it exits 1 when there was any dead letter (0 otherwise).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from services.input_files import read_bytes
from services.live.terms_flags import add_terms_flags, terms_from_args
from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines, split_replay_lines
from shared.terms import Terms

DEAD_LETTER = "dead_letter"


def replay_in_process(lines: Sequence[str | bytes], terms: Sequence[Terms]) -> list[str]:
    engine = Engine(terms)
    return [output_line(topic, record) for topic, record in replay_lines(engine, lines)]


def output_counts(lines: Sequence[str]) -> Counter[str]:
    """Output lines by record type: the types that occurred, and `dead_letter` always."""
    counts: Counter[str] = Counter({DEAD_LETTER: 0})
    counts.update(json.loads(line)["value"]["type"] for line in lines)
    return counts


def summary(inputs: int, lines: Sequence[str], out: str) -> str:
    """The closing line: inputs, outputs, each type's count (dead letters last), where."""
    counts = output_counts(lines)
    kinds = [*sorted(k for k in counts if k != DEAD_LETTER), DEAD_LETTER]
    where = "" if out == "-" else f" in {out}"
    by_type = ", ".join(f"{kind} {counts[kind]}" for kind in kinds)
    return f"replayed {inputs} input lines -> {len(lines)} output records{where} ({by_type})"


def run(args: argparse.Namespace) -> int:
    source = "standard input" if args.input == "-" else args.input
    try:
        # bytes, split on "\n" only: a bad line (not UTF-8, say) is one dead letter
        # (shared.engine.replay), and U+2028 inside a JSON string is no line end
        lines = split_replay_lines(read_bytes(args.input))
    except OSError as exc:
        print(f"warrantwatch: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    terms = terms_from_args(args)
    broker = args.broker
    if broker == "inprocess":
        out = replay_in_process(lines, terms)
    else:
        from services.kafka.replay import replay_lines_through_kafka

        # the same bytes as in process: a line that is not UTF-8 is the same dead letter
        out = replay_lines_through_kafka(lines, terms, broker=broker)
    text = "".join(f"{line}\n" for line in out)
    if args.out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    print(summary(sum(1 for x in lines if x.strip()), out, args.out), file=sys.stderr)
    if args.fail_on_dead_letter and output_counts(out)[DEAD_LETTER]:
        return 1
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("replay", help="run a JSONL replay file through the contract engine")
    p.add_argument("input", metavar="IN.jsonl", help="replay file (- for standard input)")
    p.add_argument("--out", default="-", metavar="OUT.jsonl", help="output file (- for stdout)")
    add_terms_flags(p)
    p.add_argument("--broker", default="inprocess",
                   help="inprocess (default), embedded, or kafka://HOST:PORT")
    p.add_argument("--fail-on-dead-letter", action="store_true",
                   help="exit 1 if any input became a dead letter")
    p.set_defaults(func=run)
