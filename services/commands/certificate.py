"""`warrantwatch certificate OUT.jsonl --notice ID [--out FILE] [--terms FILE ...]`.

Renders the Section 5 certificate of the adjustment record `ID` of an output file as one
printable HTML page (services/console/certificate.py); print it to PDF from a browser. The
Issuer's name comes from the terms of the record's symbol (the bundled W-F-05 unless
`--terms` says otherwise); the Holder from the file's settlements of that warrant when they
name one holder only.
"""

from __future__ import annotations

import argparse

from services.commands.report import read_outputs, write_document
from services.console.certificate import render_certificate
from services.report import Output
from services.streams.terms_files import load_terms_files
from shared.errors import RecordError

LISTED = 10


def find_notice(outputs: list[Output], notice: str) -> dict[str, object]:
    for _, record in outputs:
        if record.get("id") == notice:
            return record
    ids = [str(r.get("id")) for _, r in outputs if r.get("type") == "adjustment"]
    shown = ", ".join(ids[:LISTED]) + (f" and {len(ids) - LISTED} more" if len(ids) > LISTED
                                       else "")
    raise RecordError(f"no record {notice!r} in the file; its adjustments: {shown or 'none'}")


def holder_of(outputs: list[Output], warrant: object) -> str | None:
    holders = {str(r.get("holder")) for _, r in outputs
               if r.get("type") == "settlement" and r.get("warrant") == warrant}
    return holders.pop() if len(holders) == 1 else None


def run(args: argparse.Namespace) -> int:
    outputs = read_outputs(args.input)
    record = find_notice(outputs, args.notice)
    issuers = {t.symbol: t.issuer for t in load_terms_files(args.terms)}
    page = render_certificate(record, issuer=issuers.get(str(record.get("symbol"))),
                              holder=holder_of(outputs, record.get("warrant")))
    write_document(page, args.out)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("certificate",
                       help="the Section 5 certificate of one adjustment, as printable HTML")
    p.add_argument("input", metavar="OUT.jsonl", help="a replay output file, or - for stdin")
    p.add_argument("--notice", required=True, metavar="ID", help="the adjustment record's id")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--terms", action="append", metavar="FILE",
                   help="terms files naming the Issuer; default: bundled W-F-05")
    p.set_defaults(func=run)
