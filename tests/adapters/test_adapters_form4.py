"""Form 4 to holdings (docs/contract.md "Ownership input"): golden answers read off each filing.

`shared.ownership_input` reads a `form4` record; `services.adapters.form4` builds the record
from an EDGAR submission. The holdings are dated at the terms' close of business in their zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from adapters_golden import BUNDLED_TERMS, FORM4_DATA, RESOURCES, rows

from services.adapters.form4 import accession_number, extract_ownership_document, form4_record
from shared.engine import Engine
from shared.errors import RecordError
from shared.events.inputs import Form4
from shared.events.outputs import DerivedHolding
from shared.ownership_input import (
    Form4Report,
    holdings_from_form4,
    issuer_symbol,
    names_common_stock,
)
from shared.terms import Terms, load_terms

WF05 = load_terms()


def _record(text: str, symbol: str = "GLOW", record_id: str = "form4:test") -> Form4:
    return Form4(type="form4", id=record_id, symbol=symbol, xml=text)


def _holdings(record: Form4, terms: Terms = WF05) -> Form4Report:
    return holdings_from_form4(record, zone=terms.zone, close_of_business=terms.close_of_business)


def _path(row: dict[str, str]) -> Path:
    return (FORM4_DATA if row["dir"] == "shared" else RESOURCES / "form4") / row["file"]


@pytest.mark.parametrize("row", rows("form4-golden.csv"), ids=lambda r: r["file"])
def test_holdings_read_off_each_filing(row: dict[str, str]) -> None:
    report = _holdings(_record(_path(row).read_text("utf-8")))
    holders = row["holders"].split(";") if row["holders"] else []
    assert [h.holder for h in report.holdings] == holders
    assert [h.id for h in report.holdings] == [
        f"form4:test:holding:{n}" for n in range(1, len(holders) + 1)]
    for holding in report.holdings:
        assert holding.shares == Decimal(row["shares"])
        assert holding.as_of == datetime.fromisoformat(row["as_of"])
        assert holding.symbol == row["symbol"]
    assert len(report.derivatives) == int(row["derivatives"])
    if row["note_contains"]:
        assert any(row["note_contains"] in note for note in report.notes), report.notes


@pytest.mark.parametrize("row", rows("form4-errors.csv"), ids=lambda r: r["file"])
def test_refused_inputs_name_the_place_and_reason(row: dict[str, str]) -> None:
    text = (RESOURCES / "form4" / row["file"]).read_text("utf-8")
    with pytest.raises(RecordError) as info:
        _holdings(_record(text))
    assert row["error_contains"] in str(info.value)


def test_multi_line_keeps_the_counted_lines() -> None:
    report = _holdings(_record((RESOURCES / "form4" / "multi-line.xml").read_text()))
    # by hand: direct 12000, trust [F1] 4500, trust [F2] 3000, spouse 700 (multi-line.xml)
    assert sorted((line.ownership, line.footnotes, line.shares) for line in report.lines) == [
        ("D", (), Decimal("12000")), ("I", (), Decimal("700")),
        ("I", ("F1",), Decimal("4500")), ("I", ("F2",), Decimal("3000"))]


def test_derivative_lines_are_reported_not_counted() -> None:
    seed = (RESOURCES / "form4" / "glowpoint-rust-2008-11-18.xml").read_text()
    report = _holdings(_record(seed))
    [option] = report.derivatives
    # the seed: 1,000 options at $0.23 granted 2008-11-18, expiring 2018-11-18
    assert (option.exercise_price, option.underlying_shares, option.transaction_date,
            option.expires) == (Decimal("0.23"), Decimal("1000"), date(2008, 11, 18),
                                date(2018, 11, 18))
    assert report.holdings == ()


def test_real_option_grant_derivative() -> None:
    report = _holdings(_record((FORM4_DATA / "374water-option-grant.xml").read_text()))
    [option] = report.derivatives
    # 374water-option-grant.xml: exercise price 0.33, expires 2035-04-29, 757576 underlying
    assert (option.exercise_price, option.expires, option.underlying_shares) == (
        Decimal("0.33"), date(2035, 4, 29), Decimal("757576"))
    assert option.exercisable is None  # given only as footnote F1


def test_submission_text_is_unwrapped() -> None:
    text = (RESOURCES / "form4" / "0001562180-25-000280.nc").read_text()
    assert accession_number(text) == "0001562180-25-000280"
    assert issuer_symbol(text) == "TSVT"
    xml = extract_ownership_document(text)
    assert xml.startswith('<?xml version="1.0"?>') and xml.endswith("</ownershipDocument>")
    assert xml.strip() == (FORM4_DATA / "2seventybio-0001562180-25-000280.xml").read_text().strip()


@pytest.mark.parametrize(("title", "common"), [
    ("Common Stock", True), ("Class A Common Stock", True), ("common shares", True),
    ("Common Stock, par value $0.01", True), ("Restricted Stock Units", False),
    ("Stock Option (right to buy)", False), ("Series B Preferred Stock", False),
    ("Warrants to purchase Common Stock", False),
    ("Series A Preferred Stock convertible into Common Stock", False),
    ("Common Stock (restricted stock units)", True),
])
def test_which_titles_name_common_stock(title: str, common: bool) -> None:
    assert names_common_stock(title) is common


@pytest.mark.parametrize(("change", "message"), [
    (("<documentType>4</documentType>", "<documentType>13D</documentType>"),
     "documentType '13D' is not an ownership report"),
    (("<rptOwnerCik>1234567</rptOwnerCik>", "<rptOwnerCik>12AB</rptOwnerCik>"),
     "rptOwnerCik is not a CIK: '12AB'"),
    (("<value>12000</value>", "<value>12,0x0</value>"),
     r"Table I row 1 \(transaction\) sharesOwnedFollowingTransaction: not a number"),
    (("<value>2011-01-20</value>", "<value>2011-02-30</value>"),
     r"Table I row 1 \(transaction\) transactionDate: not a date"),
    (("<ownershipDocument>", "<edgarSubmission>"), "no <ownershipDocument>"),
])
def test_bad_filings_are_refused(change: tuple[str, str], message: str) -> None:
    text = (RESOURCES / "form4" / "multi-line.xml").read_text().replace(*change, 1)
    with pytest.raises(RecordError, match=message):
        _holdings(_record(text))


def test_symbol_falls_back_to_the_record() -> None:
    text = (RESOURCES / "form4" / "joint-filing.xml").read_text().replace(
        "<issuerTradingSymbol>glow</issuerTradingSymbol>",
        "<issuerTradingSymbol>NONE</issuerTradingSymbol>")
    report = _holdings(_record(text, symbol="GLOWD"))
    assert {h.symbol for h in report.holdings} == {"GLOWD"}


def test_namespaced_document_is_read() -> None:
    text = (RESOURCES / "form4" / "joint-filing.xml").read_text().replace(
        "<ownershipDocument>", '<ownershipDocument xmlns="http://www.sec.gov/edgar/ownership">')
    report = _holdings(_record(text))
    assert [h.shares for h in report.holdings] == [Decimal("5000")] * 2


def _terms_with(tmp_path: Path, **changes: str) -> Terms:
    """The bundled W-F-05 terms file with some `key = "value"` lines changed."""
    text = BUNDLED_TERMS.read_text("utf-8")
    for key, value in changes.items():
        text, n = re.subn(rf'(?m)^{key} = "[^"]*"', f'{key} = "{value}"', text)
        assert n == 1, key
    path = tmp_path / "terms.toml"
    path.write_text(text, "utf-8")
    return load_terms(path)


def test_holdings_are_dated_at_the_terms_close_of_business(tmp_path: Path) -> None:
    # 2seventybio's latest counted row is dated 2025-01-06, in winter (EST, UTC-5; Chicago UTC-6):
    #   W-F-05, 17:00 New York        -> 2025-01-06 17:00-05:00 = 22:00 UTC
    #   close of business 16:30       -> 2025-01-06 16:30-05:00 = 21:30 UTC
    #   16:30 in zone America/Chicago -> 2025-01-06 16:30-06:00 = 22:30 UTC
    record = form4_record((FORM4_DATA / "2seventybio-0001562180-25-000280.xml").read_text())
    utc = "2025-01-06T{}:00+00:00"
    earlier = _terms_with(tmp_path, close_of_business="16:30")
    assert earlier.close_of_business == time(16, 30)
    chicago = _terms_with(tmp_path, close_of_business="16:30", zone="America/Chicago")
    for terms, expected in ((WF05, utc.format("22:00")), (earlier, utc.format("21:30")),
                            (chicago, utc.format("22:30"))):
        [holding] = _holdings(record, terms).holdings
        assert holding.as_of == datetime.fromisoformat(expected)
        assert holding.as_of.tzinfo is terms.zone  # in the warrant's zone, not UTC


def test_the_engine_dates_a_form4_holding_at_its_terms_close_of_business(tmp_path: Path) -> None:
    # joint-filing.xml: as of 2011-01-18 (form4-golden.csv). A terms file closing business at
    # 16:30 puts it at 2011-01-18 16:30-05:00 = 21:30 UTC (17:00 for W-F-05: 22:00 UTC)
    record = _record((RESOURCES / "form4" / "joint-filing.xml").read_text())
    for terms, utc in ((WF05, "22:00"), (_terms_with(tmp_path, close_of_business="16:30"),
                                         "21:30")):
        derived = [o for o in Engine([terms]).process("holdings", record)
                   if isinstance(o, DerivedHolding)]
        assert len(derived) == 2  # one per reporting owner
        assert {o.as_of for o in derived} == {datetime.fromisoformat(f"2011-01-18T{utc}Z")}
