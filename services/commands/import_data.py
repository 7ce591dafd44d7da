"""`warrantwatch import SOURCE ...`: outside data files to replay lines (docs/adapters.md).

- `import yahoo-chart FILE.json [FILE.json ...] [--symbol S]`: saved Yahoo v8 chart
  responses -> `daily_bar` (as traded), `stock_split`, `distribution` (cash).
- `import csv FILE --symbol S --format daily|ticks`: daily OHLC -> `daily_bar`; intraday
  trade-and-quote -> `quote`.
- `import form4 FILE [--symbol S] [--id ID] [--holdings] [--terms FILE]`: an EDGAR Form 4
  (XML or the submission text) -> the `form4` record, or with `--holdings` the `holding`
  records, as of the terms' close of business (services/adapters/form4.py).

Lines go to `--out` (default: standard output). A line or bar that cannot be used becomes a
`dead_letter` line and is reported on standard error with its place; the import goes on and
exits 1. A file that cannot be read at all exits 2 with the reason.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from services.adapters.csv_files import CsvFormat, import_csv
from services.adapters.form4 import form4_record
from services.adapters.replay_lines import DEAD_LETTERS, Routed, routed, write_lines
from services.adapters.yahoo import history_records, load_chart_file, merge_histories
from services.input_files import read_text
from shared.errors import RecordError
from shared.events.inputs import InputRecord
from shared.events.outputs import DeadLetter
from shared.ownership_input import holdings_from_form4
from shared.terms import load_terms

SHOWN_PROBLEMS = 20


def _finish(items: Sequence[Routed], out: str | None, what: str) -> int:
    count, dead = write_lines(items, out)
    problems = [r for t, r in items if t == DEAD_LETTERS and isinstance(r, DeadLetter)]
    for letter in problems[:SHOWN_PROBLEMS]:
        print(f"warrantwatch: {what}: {letter.reason}", file=sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"warrantwatch: {what}: ... and {len(problems) - SHOWN_PROBLEMS} more",
              file=sys.stderr)
    where = "" if out in (None, "-") else f" to {out}"
    print(f"{what}: wrote {count} records{where} ({dead} dead letters)", file=sys.stderr)
    return 1 if dead else 0


def run_yahoo_chart(args: argparse.Namespace) -> int:
    history = merge_histories([load_chart_file(f, args.symbol) for f in args.files])
    items = history_records(history, out_of_earnings=not args.not_out_of_earnings)
    return _finish(items, args.out, ", ".join(args.files))


def run_csv(args: argparse.Namespace) -> int:
    items = import_csv(args.file, args.symbol, CsvFormat(args.format), args.id_prefix)
    return _finish(items, args.out, args.file)


def run_form4(args: argparse.Namespace) -> int:
    terms = load_terms(args.terms)  # its close of business and zone date the holdings
    path = Path(args.file)
    try:
        text = read_text(path)
    except OSError as exc:
        raise RecordError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        record = form4_record(text, args.symbol, args.id)
        report = holdings_from_form4(record, zone=terms.zone,
                                     close_of_business=terms.close_of_business)
    except RecordError as exc:
        raise RecordError(f"{path}: {exc}") from None
    for holding in report.holdings:
        print(f"{path}: holder {holding.holder} owns {holding.shares} {holding.symbol} common "
              f"as of {holding.as_of.isoformat()}", file=sys.stderr)
    for line in report.derivatives:
        print(f"{path}: derivative (not counted): {line.title} {line.underlying_shares} "
              f"{line.underlying_title} at {line.exercise_price}, expires {line.expires}",
              file=sys.stderr)
    for note in report.notes:
        print(f"{path}: note: {note}", file=sys.stderr)
    records: list[InputRecord] = list(report.holdings) if args.holdings else [record]
    return _finish([routed(r) for r in records], args.out, str(path))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="turn data files (Yahoo, CSV, Form 4) into replay lines")
    kinds = p.add_subparsers(dest="source", required=True, metavar="SOURCE")

    y = kinds.add_parser("yahoo-chart", help="saved Yahoo v8 chart responses (JSON)")
    y.add_argument("files", nargs="+", metavar="FILE.json",
                   help="recorded exchange or bare chart body; several are merged")
    y.add_argument("--symbol", help="symbol of the records (default: the response's)")
    y.add_argument("--not-out-of-earnings", action="store_true",
                   help="mark cash dividends as not paid out of earnings (Section 4(c))")
    y.add_argument("--out", help="output JSONL (default: standard output)")
    y.set_defaults(func=run_yahoo_chart)

    c = kinds.add_parser("csv", help="daily OHLC or intraday trade-and-quote CSV")
    c.add_argument("file", metavar="FILE")
    c.add_argument("--symbol", required=True)
    c.add_argument("--format", required=True, choices=[f.value for f in CsvFormat])
    c.add_argument("--id-prefix", help="record id prefix (default: csv:<file stem>)")
    c.add_argument("--out", help="output JSONL (default: standard output)")
    c.set_defaults(func=run_csv)

    f = kinds.add_parser("form4", help="an EDGAR Form 4 (ownershipDocument XML or submission)")
    f.add_argument("file", metavar="FILE")
    f.add_argument("--symbol", help="symbol (default: issuerTradingSymbol)")
    f.add_argument("--id", help="record id (default: form4:<accession number or digest>)")
    f.add_argument("--holdings", action="store_true",
                   help="write the holding records instead of the form4 record")
    f.add_argument("--terms", metavar="FILE",
                   help="terms file whose close of business and zone date the holdings "
                        "(default: the bundled W-F-05 terms)")
    f.add_argument("--out", help="output JSONL (default: standard output)")
    f.set_defaults(func=run_form4)
