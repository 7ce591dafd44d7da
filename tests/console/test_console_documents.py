"""`report --format csv|html|text` and `certificate`: in process, no browser, no broker.

Figures are the demo's hand-worked ones (tests/resources/demo/wf05_hand_checked.toml).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from console_support import BUNDLED_TERMS, RESOURCES

from services.cli import main
from services.console.documents import cell, render_csv
from shared.engine import Engine
from shared.engine.replay import output_line, replay_lines
from shared.terms import load_terms

NOTICE_4C = "adjustment:W-F-05-001:illustrative-distribution-2007-03-15:4(c)"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "out.jsonl"
    assert main(["demo", "--broker", "inprocess", "--quiet", "--out", str(out)]) == 0
    return out


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_csv_has_one_row_per_record_and_every_field(demo_out: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert main(["report", str(demo_out), "--format", "csv", "--out", str(target)]) == 0
    raw = target.read_bytes().decode("utf-8")
    lines = demo_out.read_text("utf-8").splitlines()
    rows = read_csv(raw)
    assert len(rows) == len(lines)
    header = raw[1:].split("\r\n", 1)[0].split(",")
    assert header[:3] == ["type", "id", "symbol"] and header[-1] == "output_topic"
    fields = {k for x in lines for k in json.loads(x)["value"]}
    assert fields <= set(header)
    by_id = {r["id"]: r for r in rows}
    # hand-worked: the cashless settlement of 2005-09-20 and the cap refusal
    cashless = by_id["settlement:illustrative-exercise-2005-09-20-cashless"]
    assert (cashless["shares_issued"], cashless["cash_in_lieu"]) == ("40547", "2.76")
    assert by_id["exercise_refused:illustrative-exercise-2005-09-29-over-cap"][
        "max_shares"] == "223152.99"
    assert by_id["market_value:GLOW:2005-03-14"]["output_topic"] == "market-values"
    # RFC 4180: CRLF records; a calculation with commas survives a round trip intact
    assert raw.count("\r\n") >= len(lines) + 1
    adjustment = next(json.loads(x)["value"] for x in lines
                      if json.loads(x)["value"]["id"] == NOTICE_4C)
    assert by_id[NOTICE_4C]["calculation"] == adjustment["calculation"]


def test_csv_guards_formulas_from_untrusted_text_but_keeps_numbers() -> None:
    assert cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert cell("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("-2+3") == "'-2+3"
    assert cell("\tx") == "'\tx"
    assert cell("-10860.00") == "-10860.00"  # a negative amount stays a number
    assert cell(None) == "" and cell(True) == "true"
    text = render_csv([("dead-letters", {"type": "dead_letter", "id": "=1+1", "symbol": "",
                                         "topic": "quotes", "raw": 'a,"b"\nc',
                                         "reason": "@x"})])
    row = read_csv(text)[0]
    assert row["id"] == "'=1+1" and row["reason"] == "'@x" and row["raw"] == 'a,"b"\nc'
    assert row["topic"] == "quotes" and row["output_topic"] == "dead-letters"


def test_html_report_escapes_and_counts(tmp_path: Path) -> None:
    lines = (RESOURCES / "two-symbols.jsonl").read_text("utf-8").splitlines()
    engine = Engine([load_terms(BUNDLED_TERMS), load_terms(RESOURCES / "acme-w-a-06.toml")])
    out = tmp_path / "two.jsonl"
    out.write_text("".join(output_line(t, r) + "\n" for t, r in replay_lines(engine, lines)))
    page = tmp_path / "two.html"
    assert main(["report", str(out), "--format", "html", "--out", str(page)]) == 0
    html = page.read_text("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Fund &lt;b&gt;B&lt;/b&gt; &amp; &quot;Co&quot;" in html
    assert ">settlement (1)<" in html and ">market_value (3)<" in html  # 1.82, 1.05, 1.25


def test_text_report_is_the_demo_account(demo_out: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(demo_out)]) == 0
    text = capsys.readouterr().out
    assert "ADJUSTMENT NOTICES (Sections 4 and 5)" in text and "223,152.99" in text


def test_certificate_of_the_2007_4c_adjustment(demo_out: Path, tmp_path: Path) -> None:
    page = tmp_path / "cert.html"
    assert main(["certificate", str(demo_out), "--notice", NOTICE_4C, "--out", str(page)]) == 0
    html = page.read_text("utf-8")
    # the four parts of Section 5 and the signature block
    for part in ("The event requiring the adjustment", "The amount of the adjustment",
                 "The method of calculation", "After giving effect to the adjustment",
                 "By: Chief Financial Officer", "Glowpoint, Inc.", "@page"):
        assert part in html, part
    # hand-worked: 845,283.02 -> 905,660.38 (+60,377.36), price 1,629,600 / 905,660.38
    assert "845,283.02" in html and "905,660.38" in html and "+60,377.36" in html
    assert "1.7993" in html and "0009990005" in html


def test_certificate_refuses_what_is_not_an_adjustment(
        demo_out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deferred = "adjustment_deferred:W-F-05-001:illustrative-distribution-2006-08-15:4(c)"
    assert main(["certificate", str(demo_out), "--notice", deferred]) == 2
    assert "not an adjustment" in capsys.readouterr().err
    assert main(["certificate", str(demo_out), "--notice", "nope"]) == 2
    assert NOTICE_4C in capsys.readouterr().err  # the error lists the file's adjustments
