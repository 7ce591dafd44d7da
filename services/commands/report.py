"""`warrantwatch report OUT.jsonl|- [--format text|csv|html] [--out FILE]`: render any output file.

Reads replay output lines (docs/events.md, what `replay` and `demo` write) and renders them:
`text` is the demo's readable account (services/report.py), `csv` one row per output record
for a spreadsheet, `html` one page with a table per output type (services/console/documents.py;
docs/console.md). A malformed line is an error naming its line: a document is not printed
from half a file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.console.documents import render_csv, render_html
from services.report import Output, parse_output_lines, render_report
from shared.errors import ScenarioError

FORMATS = ("text", "csv", "html")


def read_outputs(source: str) -> list[Output]:
    """The output records of a replay output file, or of standard input for `-`."""
    if source == "-":
        return parse_output_lines(sys.stdin.read().splitlines())
    try:
        text = Path(source).read_text("utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{source} is not UTF-8 text: {exc.reason}") from None
    return parse_output_lines(text.splitlines())


def write_document(text: str, out: str | None) -> None:
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ScenarioError(f"cannot write {out}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    outputs = read_outputs(args.input)
    if args.format == "csv":
        text = render_csv(outputs)
    elif args.format == "html":
        text = render_html(outputs, title=f"warrantwatch output: {Path(args.input).name}")
    else:
        text = render_report(outputs)
    write_document(text, args.out)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="render an output file as text, CSV or HTML")
    p.add_argument("input", metavar="OUT.jsonl", help="a replay output file, or - for stdin")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (the demo's account, default), csv or html")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    p.set_defaults(func=run)
