"""`warrantwatch import SOURCE ...`: outside data files to replay lines (docs/adapters.md).

- `import yahoo-chart FILE.json [FILE.json ...] [--symbol S]`: saved Yahoo v8 chart
  responses -> `daily_bar` (as traded), `stock_split`, `distribution` (cash).
- `import csv FILE --symbol S --format daily|ticks`: daily OHLC -> `daily_bar`; intraday
  trade-and-quote -> `quote`.
- `import form4 FILE [--symbol S] [--id ID] [--holdings]`: an EDGAR Form 4 (XML or the
  submission text) -> the `form4` record, or with `--holdings` the `holding` records.

Lines go to `--out` (default: standard output). A line or bar that cannot be used becomes a
`dead_letter` line and is reported on standard error with its place; the import goes on and
exits 1. A file that cannot be read at all exits 2 with the reason.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from services.adapters.csv_files import CsvFormat, import_csv
from services.adapters.replay_lines import DEAD_LETTERS, Routed, routed, write_lines
from services.adapters.yahoo import history_records, load_chart_file, merge_histories
from services.input_files import read_text
from shared.errors import RecordError
from shared.events.codec import explain
from shared.events.inputs import Form4, InputRecord
from shared.events.outputs import DeadLetter
from shared.form4 import (
    accession_number,
    extract_ownership_document,
    holdings_from_form4,
    issuer_symbol,
)

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


def form4_record(text: str, symbol: str | None = None, record_id: str | None = None) -> Form4:
    """The `form4` record of a Form 4 text: its ownershipDocument, the symbol (given, else
    issuerTradingSymbol) and an id (given, else `form4:<accession number>`, else
    `form4:<sha256 of the XML, 16 hex digits>`)."""
    xml = extract_ownership_document(text)
    name = symbol or issuer_symbol(text)
    if not name:
        raise RecordError("the Form 4 names no issuerTradingSymbol: give --symbol")
    accession = accession_number(text)
    ident = record_id or (f"form4:{accession}" if accession else
                          f"form4:{hashlib.sha256(xml.encode('utf-8')).hexdigest()[:16]}")
    try:
        return Form4(type="form4", id=ident, symbol=name.upper(), xml=xml)
    except ValidationError as exc:
        raise RecordError(f"form4 record: {explain(exc)}") from None


def run_form4(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = read_text(path)
    except OSError as exc:
        raise RecordError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        record = form4_record(text, args.symbol, args.id)
        report = holdings_from_form4(record)
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
    f.add_argument("--out", help="output JSONL (default: standard output)")
    f.set_defaults(func=run_form4)
