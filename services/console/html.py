"""HTML building blocks of the console and the printed documents: every text escaped.

Ids, holders, reasons and raw dead letters come from the input feeds and can hold anything
(`<script>`, quotes, a newline): nothing reaches a page without `esc`, and every link is
built with `href`, which percent-encodes each part (docs/console.md). No JavaScript.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from services.report import cash, instant, price, shares

__all__ = ["Cell", "cash", "esc", "href", "instant", "link", "page", "price", "shares", "table"]

STYLE = """
body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;
background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.6em 1.2em}
header a{color:#fff;margin-right:1.2em;text-decoration:none}
header b{margin-right:1.6em}
main{padding:1em 1.2em;max-width:1200px}
h1{font-size:1.35em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff;margin:.4em 0 1em}
th,td{border:1px solid #d0d5dc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#e8ecf1}td{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}
.calc{font-size:.9em;color:#3b4653;max-width:70em;white-space:pre-wrap !important;
word-break:break-word}
.alert{color:#8a1c1c;font-weight:600}.ok{color:#1d6b35}.muted{color:#66707c}
.box{background:#fff;border:1px solid #d0d5dc;padding:.6em 1em;margin:.6em 0}
nav.sym a{margin-right:1em}
code{word-break:break-all}
"""


def esc(value: Any) -> str:
    """Text for an HTML element or attribute: `-` for None, everything else escaped."""
    return "-" if value is None else html.escape(str(value), quote=True)


def href(*parts: str, **query: str) -> str:
    """A console path: each part percent-encoded (a `/` in an id stays inside its part)."""
    path = "/console/" + "/".join(quote(p, safe="") for p in parts)
    if query:
        path += "?" + urlencode(query)
    return path


def link(url: str, label: Any) -> str:
    return f'<a href="{esc(url)}">{esc(label)}</a>'


def number(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


Cell = str | tuple[str, str]  # HTML, or (HTML, css class)


def table(headers: Sequence[str], rows: Iterable[Sequence[Cell]],
          numeric: Iterable[int] = (), empty: str = "none") -> str:
    """A table of already-escaped cells; columns in `numeric` are right-aligned."""
    right = set(numeric)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            content, css = cell if isinstance(cell, tuple) else (cell, "")
            classes = " ".join(c for c in (css, "n" if i in right else "") if c)
            cells.append(f'<td class="{classes}">{content}</td>' if classes
                         else f"<td>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">{esc(empty)}</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def definition(rows: Mapping[str, str]) -> str:
    """A two-column table of label -> already-escaped value."""
    return "<table>" + "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>"
                               for k, v in rows.items()) + "</table>"


def page(title: str, body: str, *, subtitle: str = "") -> str:
    """A whole console page: header links, the title, the body."""
    nav = (f'<header><b>warrantwatch console</b>{link(href(), "Index")}'
           f'{link(href("alerts"), "Alerts")}</header>')
    sub = f'<p class="muted">{subtitle}</p>' if subtitle else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)} - warrantwatch</title><style>{STYLE}</style></head>"
            f"<body>{nav}<main><h1>{esc(title)}</h1>{sub}{body}</main></body></html>")
