"""A `form4` record's ownershipDocument (SEC Form 4, EDGAR XML) to `holding` records, for the
Section 7 cap.

docs/contract.md, "Ownership input": Table I (non-derivative) lines whose security title
names common stock set the reporting owner's holding. For each ownership line take the
latest "shares owned following" and add the lines up. Derivative lines (Table II) are kept
and reported but do not count toward the cap.

Readings where the rule and the EDGAR format leave room (docs/adapters.md repeats them):
- An ownership line is a class of security (its title) held one way: the direct line, or
  one indirect line per nature of ownership and the footnotes on it (two trusts told apart
  only by their footnotes are two lines). A direct line is one line whatever its footnotes.
- "Latest" is the row with the latest transaction date, the later row in the document on a
  tie; a holdings row (`nonDerivativeHolding`, no date) is dated as of the report. When the
  latest row of a line gives its share count only as a footnote (`<footnoteId>` instead of
  `<value>`) the line cannot be counted: an earlier row's figure is stale. It is named in
  `notes`; if no common-stock line can be counted the record is refused (`RecordError`).
- A filing with no common-stock line in Table I reports no holding (empty `holdings`, a
  note); a derivatives-only Form 4 says nothing about the common shares owned.
- Holder: the reporting owner's CIK, ten digits with leading zeros. A joint filing (several
  reporting owners) gives each of them the whole total: each is a beneficial owner of it.
- `as_of`: close of business of the latest transaction date among the counted lines, or of
  `periodOfReport` when they are all holdings rows, in the warrant's zone: the caller gives
  the terms' `exercise.close_of_business` and `warrant.zone` (17:00 America/New_York for
  W-F-05).
- Symbol: `issuerTradingSymbol`, else the record's; ids `<form4 id>:holding:<n>`.
- Input: the ownershipDocument itself, or an EDGAR submission text that wraps it in
  `<XML>...</XML>`. A DOCTYPE or ENTITY declaration is refused before parsing (EDGAR never
  sends one; refusing it rules out entity expansion). Malformed XML gives `RecordError`
  with the line and column in the text as given.

Why this reading is in the domain core and not in `services/adapters`: the engine's `form4`
input record carries the XML (docs/events.md), so reading it is how the engine takes that
input, as `shared.events.codec` reads JSON; what only the importer needs (the `form4` record
built from an EDGAR submission, its accession number) is `services.adapters.form4`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from xml.parsers.expat import errors as expat_errors
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from shared.errors import RecordError
from shared.events.inputs import Form4, Holding

OWNERSHIP_FORMS = frozenset({"3", "3/A", "4", "4/A", "5", "5/A"})
_COMMON = re.compile(r"\bcommon\b[\s,]*(\w+\s+)?(stock|shares?)\b", re.IGNORECASE)
# words that, before "common stock", make it the underlying of another security
_INSTRUMENT = re.compile(r"\b(warrants?|options?|rights?|units?|notes?|debentures?|preferred|"
                         r"convertible|exchangeable|purchase|acquire)\b", re.IGNORECASE)
_XML_BLOCK = re.compile(r"<XML>(.*?)</XML>", re.IGNORECASE | re.DOTALL)
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)\b")
_NO_SYMBOL = frozenset({"", "NONE", "N/A", "NA"})


@dataclass(frozen=True, slots=True)
class DerivativeLine:
    """A Table II line (options, warrants, convertibles): reported, never counted."""

    title: str | None
    exercise_price: Decimal | None
    transaction_date: date | None
    exercisable: date | None
    expires: date | None
    underlying_title: str | None
    underlying_shares: Decimal | None
    owned_following: Decimal | None
    ownership: str | None
    nature: str | None


@dataclass(frozen=True, slots=True)
class OwnershipLine:
    """One Table I ownership line and its latest balance (None: given only in a footnote)."""

    title: str
    ownership: str
    nature: str | None
    footnotes: tuple[str, ...]
    shares: Decimal | None
    as_of: date
    row: int


@dataclass(frozen=True, slots=True)
class Form4Report:
    """What a Form 4 says about the reporting owners' holdings of common stock."""

    holdings: tuple[Holding, ...]
    derivatives: tuple[DerivativeLine, ...]
    notes: tuple[str, ...]
    lines: tuple[OwnershipLine, ...] = ()
    owners: tuple[str, ...] = ()  # the reporting owners' CIKs, ten digits


# --- finding and parsing the XML ---------------------------------------------------------


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def ownership_xml(text: str) -> tuple[str, int]:
    """The ownershipDocument XML in `text`, and the index in `text` where it starts."""
    for match in _XML_BLOCK.finditer(text):
        if "<ownershipDocument" in match.group(1):
            body = match.group(1)
            start = match.start(1) + len(body) - len(body.lstrip())
            return body.strip(), start
    begin = text.find("<ownershipDocument")
    if begin < 0:
        raise RecordError("no <ownershipDocument> in the Form 4 record")
    declaration = text.rfind("<?xml", 0, begin)
    if declaration >= 0:  # keep what sits between (comments, a DOCTYPE to be refused)
        begin = declaration
    end = text.find("</ownershipDocument>", begin)
    stop = len(text) if end < 0 else end + len("</ownershipDocument>")
    return text[begin:stop], begin


def issuer_symbol(text: str) -> str | None:
    """The issuerTradingSymbol of a Form 4 text, upper-case, if it names one."""
    symbol = (_text(_parse(text).find("issuer/issuerTradingSymbol")) or "").upper()
    return None if symbol in _NO_SYMBOL else symbol


def _parse(text: str) -> ET.Element:
    xml, start = ownership_xml(text)
    declared = _DECLARATION.search(xml)
    if declared:
        line, col = _line_col(text, start + declared.start())
        raise RecordError(f"Form 4 XML at line {line}, column {col}: a {declared.group(1)} "
                          "declaration is refused (no entity expansion)")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        row, col = exc.position
        base_line, base_col = _line_col(text, start)
        line = base_line + row - 1
        column = col + (base_col if row == 1 else 1)
        reason = expat_errors.messages[exc.code]  # the error by its code, not its text
        raise RecordError(f"Form 4 XML is malformed at line {line}, column {column}: "
                          f"{reason}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    if root.tag != "ownershipDocument":
        raise RecordError(f"the XML root is <{root.tag}>, not <ownershipDocument>")
    return root


# --- reading values ----------------------------------------------------------------------


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    text = " ".join(element.text.split())
    return text or None


def _footnotes(element: ET.Element | None) -> tuple[str, ...]:
    if element is None:
        return ()
    return tuple(sorted({f.get("id", "?") for f in element.iter("footnoteId")}))


def _value(parent: ET.Element, path: str) -> tuple[str | None, tuple[str, ...]]:
    """(the `<value>` text, the footnote ids) of a field; (None, ()) when absent."""
    field = parent.find(path)
    if field is None:
        return None, ()
    value = field.find("value")
    return (_text(value) if value is not None else _text(field)), _footnotes(field)


def _decimal(text: str | None, where: str) -> Decimal | None:
    if text is None:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise RecordError(f"{where}: not a number: {text!r}") from None
    if not number.is_finite():
        raise RecordError(f"{where}: not a finite number: {text!r}")
    return number


def _date(text: str | None, where: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RecordError(f"{where}: not a date YYYY-MM-DD: {text!r}") from None


def names_common_stock(title: str) -> bool:
    """Whether a security title names common stock ("Common Stock", "Class A Common Stock",
    "Common Stock, par value $0.01", "Common Shares"), and not only as the underlying of
    another security ("Warrants to purchase Common Stock", "Preferred convertible into
    Common Stock")."""
    match = _COMMON.search(title)
    return match is not None and not _INSTRUMENT.search(title[:match.start()])


# --- the rule ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    key: tuple[str, ...]
    line: OwnershipLine
    order: tuple[date, int]
    missing: str | None


def _row(element: ET.Element, index: int, report_date: date | None,
         notes: list[str]) -> _Row | None:
    kind = "transaction" if element.tag == "nonDerivativeTransaction" else "holding"
    where = f"Table I row {index} ({kind})"
    title, title_notes = _value(element, "securityTitle")
    if title is None:
        notes.append(f"{where}: security title given only in footnote "
                     f"{', '.join(title_notes) or '(none)'}; not counted")
        return None
    if not names_common_stock(title):
        notes.append(f"{where}: {title!r} does not name common stock; not counted")
        return None
    title_key = " ".join(title.casefold().split())
    if title_key not in {"common stock", "common shares"}:
        notes.append(f"{where}: {title!r} names common stock; counted as such")
    ownership, _ = _value(element, "ownershipNature/directOrIndirectOwnership")
    nature, _ = _value(element, "ownershipNature/natureOfOwnership")
    nature_notes = _footnotes(element.find("ownershipNature"))
    ownership = (ownership or "").upper()[:1] or None
    if ownership not in {"D", "I"}:
        notes.append(f"{where}: {title!r} does not say direct (D) or indirect (I); not counted")
        return None
    day = _date(_value(element, "transactionDate")[0], f"{where} transactionDate") or report_date
    if day is None:
        raise RecordError(f"{where}: no transactionDate and no periodOfReport to date it by")
    shares_text, shares_notes = _value(element,
                                       "postTransactionAmounts/sharesOwnedFollowingTransaction")
    shares = _decimal(shares_text, f"{where} sharesOwnedFollowingTransaction")
    missing = None
    if shares is None:
        missing = (f"given only in footnote {', '.join(shares_notes)}" if shares_notes
                   else "not given")
    elif shares < 0:
        raise RecordError(f"{where} sharesOwnedFollowingTransaction: negative: {shares_text}")
    nature_key = " ".join((nature or "").casefold().split())
    key = (title_key, "D") if ownership == "D" else (title_key, "I", nature_key, *nature_notes)
    line = OwnershipLine(title=title, ownership=ownership, nature=nature,
                         footnotes=nature_notes if ownership == "I" else (), shares=shares,
                         as_of=day, row=index)
    return _Row(key, line, (day, index), missing)


def _describe(line: OwnershipLine) -> str:
    how = "direct" if line.ownership == "D" else f"indirect, {line.nature or 'no nature given'}"
    if line.footnotes:
        how += f" [{', '.join(line.footnotes)}]"
    return f"{line.title!r} ({how})"


def _derivative(element: ET.Element, index: int) -> DerivativeLine:
    where = f"Table II row {index}"
    ownership, _ = _value(element, "ownershipNature/directOrIndirectOwnership")
    return DerivativeLine(
        title=_value(element, "securityTitle")[0],
        exercise_price=_decimal(_value(element, "conversionOrExercisePrice")[0],
                                f"{where} conversionOrExercisePrice"),
        transaction_date=_date(_value(element, "transactionDate")[0],
                               f"{where} transactionDate"),
        exercisable=_date(_value(element, "exerciseDate")[0], f"{where} exerciseDate"),
        expires=_date(_value(element, "expirationDate")[0], f"{where} expirationDate"),
        underlying_title=_value(element, "underlyingSecurity/underlyingSecurityTitle")[0],
        underlying_shares=_decimal(
            _value(element, "underlyingSecurity/underlyingSecurityShares")[0],
            f"{where} underlyingSecurityShares"),
        owned_following=_decimal(
            _value(element, "postTransactionAmounts/sharesOwnedFollowingTransaction")[0],
            f"{where} sharesOwnedFollowingTransaction"),
        ownership=ownership,
        nature=_value(element, "ownershipNature/natureOfOwnership")[0],
    )


def _owners(root: ET.Element) -> list[str]:
    owners = []
    for i, owner in enumerate(root.findall("reportingOwner"), start=1):
        cik = _text(owner.find("reportingOwnerId/rptOwnerCik"))
        if cik is None or not cik.isdigit() or len(cik) > 10:
            raise RecordError(f"reportingOwner {i}: rptOwnerCik is not a CIK: {cik!r}")
        owners.append(cik.zfill(10))
    if not owners:
        raise RecordError("no reportingOwner with a rptOwnerCik")
    return owners


def holdings_from_form4(record: Form4, *, zone: ZoneInfo,
                        close_of_business: time) -> Form4Report:
    """The reporting owners' holdings of common stock in a Form 4 (docs/contract.md,
    "Ownership input"), with its derivative lines and notes on what was not counted; each
    holding is as of `close_of_business` in `zone` (the terms' `exercise.close_of_business`
    and `warrant.zone`) on the date of its latest counted row."""
    root = _parse(record.xml)
    notes: list[str] = []
    kind = _text(root.find("documentType"))
    if kind not in OWNERSHIP_FORMS:
        raise RecordError(f"documentType {kind!r} is not an ownership report (3, 4 or 5)")
    report_date = _date(_text(root.find("periodOfReport")), "periodOfReport")
    owners = _owners(root)
    symbol = (_text(root.find("issuer/issuerTradingSymbol")) or "").upper()
    if symbol in _NO_SYMBOL:
        symbol = record.symbol
    elif symbol != record.symbol.upper():
        notes.append(f"issuerTradingSymbol {symbol} differs from the record's {record.symbol}; "
                     f"holdings carry {symbol}")
    table = root.find("nonDerivativeTable")
    rows = [] if table is None else [
        e for e in table if e.tag in ("nonDerivativeTransaction", "nonDerivativeHolding")]
    latest: dict[tuple[str, ...], _Row] = {}
    for index, element in enumerate(rows, start=1):
        row = _row(element, index, report_date, notes)
        if row is not None and (row.key not in latest or row.order >= latest[row.key].order):
            latest[row.key] = row
    derivatives: tuple[DerivativeLine, ...] = ()
    deriv_table = root.find("derivativeTable")
    if deriv_table is not None:
        derivatives = tuple(_derivative(e, i) for i, e in enumerate(
            (e for e in deriv_table if e.tag in ("derivativeTransaction", "derivativeHolding")),
            start=1))
    if not latest:
        notes.append("no countable Table I line names common stock: no holding reported")
        return Form4Report((), derivatives, tuple(notes), owners=tuple(owners))
    counted = []
    for row in sorted(latest.values(), key=lambda r: r.line.row):
        if row.missing is None:
            counted.append(row.line)
        else:
            notes.append(f"line {_describe(row.line)}: shares owned following its latest row "
                         f"(Table I row {row.line.row}) {row.missing}; it cannot be counted")
    if not counted:
        raise RecordError("no Table I common-stock line can be counted: " + "; ".join(notes))
    shares = sum((line.shares for line in counted if line.shares is not None), Decimal(0))
    as_of = datetime.combine(max(line.as_of for line in counted), close_of_business,
                             tzinfo=zone)
    if len(owners) > 1:
        notes.append(f"joint filing by {len(owners)} reporting owners: each holds the total")
    try:
        holdings = tuple(
            Holding(type="holding", id=f"{record.id}:holding:{n}", symbol=symbol, holder=cik,
                    as_of=as_of, shares=shares)
            for n, cik in enumerate(owners, start=1))
    except ValidationError as exc:
        raise RecordError(f"the holding built from Form 4 {record.id} is invalid: "
                          f"{exc.errors(include_url=False)[0]['msg']}") from None
    return Form4Report(holdings, derivatives, tuple(notes), tuple(counted), tuple(owners))
