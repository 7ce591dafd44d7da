"""An EDGAR Form 4 (the ownershipDocument XML, or the submission text that wraps it) to the
`form4` input record (docs/events.md, docs/adapters.md "Form 4").

The record carries the ownershipDocument alone; its symbol is the one given, else the
filing's issuerTradingSymbol; its id the one given, else `form4:<accession number>` from the
submission header, else `form4:<sha256 of the XML, 16 hex digits>`. Reading the document into
holdings (docs/contract.md "Ownership input") is the engine's, `shared.ownership_input`.
"""

from __future__ import annotations

import hashlib
import re

from pydantic import ValidationError

from shared.errors import RecordError
from shared.events.codec import explain
from shared.events.inputs import Form4
from shared.ownership_input import issuer_symbol, ownership_xml

_ACCESSION = re.compile(r"<ACCESSION-NUMBER>\s*([0-9-]+)", re.IGNORECASE)


def extract_ownership_document(text: str) -> str:
    """The ownershipDocument of a record or submission text (for a compact `form4` record)."""
    return ownership_xml(text)[0]


def accession_number(text: str) -> str | None:
    """The EDGAR accession number in a submission's header, if the text has one."""
    match = _ACCESSION.search(text)
    return match.group(1) if match else None


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
