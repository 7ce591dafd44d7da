"""The Section 5 certificate of one adjustment, as printable HTML (one Letter or A4 page).

Section 5 (seeds/002): "Whenever the Warrant Price or Warrant Share Number shall be adjusted
pursuant to Section 4 ... the Issuer shall cause its Chief Financial Officer to prepare and
execute a certificate setting forth, in reasonable detail, the event requiring the
adjustment, the amount of the adjustment, the method by which such adjustment was
calculated, and the Warrant Price and Warrant Share Number after giving effect to such
adjustment". Each of those is a part of the page, filled from the `adjustment` record the
engine published (docs/events.md); the signature block is left blank for the CFO.
Only an `adjustment` has one: a carried-forward one (4(g)(ii)) is not made yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from services.console.html import esc, instant, price, shares
from shared.errors import RecordError

# what each Section 4 paragraph is about, as the warrant text heads it
SECTION_EVENTS = {
    "4(a)": "a reorganization, reclassification, consolidation, merger or sale of assets",
    "4(b)": "a subdivision or combination of the Common Stock, or a dividend payable in "
            "Common Stock",
    "4(c)": "a distribution to holders of Common Stock of evidences of indebtedness, "
            "assets, rights or securities",
    "4(d)": "an issuance of Common Stock for a consideration per share below the Warrant "
            "Price",
    "4(e)": "an issuance of options, rights or convertible securities (a deemed issuance "
            "of Common Stock)",
    "4(f)": "the expiry or change of options, rights or convertible securities",
}

PRINT_STYLE = """
@page{size:letter;margin:0.7in}
body{font:11pt/1.35 Georgia,"Times New Roman",serif;color:#000;margin:0 auto;max-width:7.1in}
h1{font-size:15pt;text-align:center;margin:0 0 .2em}
.sub{text-align:center;margin:0 0 1em}
h2{font-size:11.5pt;margin:1em 0 .3em;text-transform:uppercase;letter-spacing:.03em}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #777;padding:.25em .5em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.calc{font-size:9.5pt;white-space:pre-wrap;word-break:break-word}
.sign{margin-top:1.6em;display:grid;grid-template-columns:1fr 1fr;gap:1.6em}
.line{border-bottom:1px solid #000;height:2em}
.small{font-size:8.5pt;color:#333}
@media screen{body{margin:2em auto;padding:0 1em}}
@media print{a{color:#000;text-decoration:none}}
"""


def _change(before: Any, after: Any, show: Callable[[Any], str]) -> str:
    """The amount of the adjustment: after - before, shown as the figures are, and in %."""
    b, a = Decimal(str(before)), Decimal(str(after))
    sign = "+" if a >= b else "-"
    amount = f"{sign}{show(abs(a - b))}"
    if b == 0:
        return amount
    pct = (a - b) / b * 100
    return f"{amount} ({pct.quantize(Decimal('0.01')):+}%)"


def render_certificate(record: Mapping[str, Any], *, issuer: str | None = None,
                       holder: str | None = None) -> str:
    """The certificate page of an `adjustment` record (RecordError for any other kind)."""
    if record.get("type") != "adjustment":
        raise RecordError(f"{record.get('id')!r} is a {record.get('type')!r}, not an "
                          "adjustment: only an adjustment made has a Section 5 certificate")
    section = str(record.get("section"))
    who = esc(issuer) if issuer else "the Issuer"
    warrant = esc(record.get("warrant"))
    event = SECTION_EVENTS.get(section, "an event under Section 4")
    amounts = (
        "<table><thead><tr><th></th><th>Before</th><th>After</th><th>Change</th></tr></thead>"
        f'<tbody><tr><th>Warrant Price</th><td class="n">{esc(price(record["price_before"]))}'
        f'</td><td class="n">{esc(price(record["price_after"]))}</td><td class="n">'
        f'{esc(_change(record["price_before"], record["price_after"], price))}</td></tr>'
        f'<tr><th>Warrant Share Number</th><td class="n">'
        f'{esc(shares(record["shares_before"]))}</td><td class="n">'
        f'{esc(shares(record["shares_after"]))}</td><td class="n">'
        f'{esc(_change(record["shares_before"], record["shares_after"], shares))}</td></tr>'
        "</tbody></table>")
    after = (
        "<table><tbody>"
        f'<tr><th>Warrant Price</th><td class="n">{esc(price(record["price_after"]))}</td>'
        f'<td class="small">exact: {esc(record["price_after"])}</td></tr>'
        f'<tr><th>Warrant Share Number</th><td class="n">{esc(shares(record["shares_after"]))}'
        "</td><td></td></tr></tbody></table>")
    to = f"to {esc(holder)}, the Holder" if holder else "to the Holder"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Section 5 certificate: {warrant} {esc(section)}</title>"
        f"<style>{PRINT_STYLE}</style></head><body>"
        f"<h1>Certificate of Adjustment</h1>"
        f'<p class="sub">{who}: Warrant No. {warrant} to Purchase Shares of Common Stock'
        f"<br>Section 5, Notice of Adjustments</p>"
        f"<p>The undersigned, Chief Financial Officer of {who}, certifies {to} of Warrant "
        f"No. {warrant}, that the Warrant Price and the Warrant Share Number have been "
        f"adjusted pursuant to Section {esc(section)} as set forth below.</p>"
        f"<h2>1. The event requiring the adjustment</h2>"
        f"<p>Section {esc(section)}: {esc(event)}; event <b>{esc(record.get('cause_id'))}</b>, "
        f"effective {esc(instant(record.get('effective_at')))} "
        f"({esc(record.get('effective_at'))}).</p>"
        f"<h2>2. The amount of the adjustment</h2>{amounts}"
        f"<h2>3. The method of calculation</h2>"
        f'<p class="calc">{esc(record.get("calculation"))}</p>'
        f"<h2>4. After giving effect to the adjustment</h2>{after}"
        f'<div class="sign"><div><div class="line"></div>By: Chief Financial Officer<br>'
        f"{who}</div><div><div class=\"line\"></div>Name and date</div></div>"
        f'<p class="small">Notice {esc(record.get("id"))}. Copies to be delivered to the '
        f"Holder promptly after the adjustment (Section 5). Prepared by warrantwatch from "
        f"the published adjustment record; the Warrant Price is shown to 4 places, the "
        f"exact figure beside it.</p></body></html>\n")
