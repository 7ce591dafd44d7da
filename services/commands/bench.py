"""`warrantwatch bench [SUITE ...] [--quick] [--json FILE]`: run benchmark suites.

Prints one line per benchmark with its cost per operation, the baseline's, and the ratio,
both measured in this run (services/bench).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from services.bench import format_table, run_suites, suite_names
from shared.errors import BenchError


def run(args: argparse.Namespace) -> int:
    results = run_suites(args.suites, quick=args.quick)
    print(format_table(results))
    if args.json is not None:
        path = Path(args.json)
        try:
            path.write_text(
                json.dumps([r.as_json() for r in results], indent=2) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            raise BenchError(f"cannot write {path}: {exc.strerror}") from None
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "bench", help="run benchmark suites; ratios against a baseline timed in the same run"
    )
    p.add_argument(
        "suites", nargs="*", metavar="SUITE",
        help=f"suites to run (default: all of {', '.join(suite_names())})",
    )
    p.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke run")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    p.set_defaults(func=run)
