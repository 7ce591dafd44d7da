"""Any replay output file as CSV for a spreadsheet, or as one HTML page (`warrantwatch report`).

CSV (docs/console.md): one row per output record, the fields as columns, RFC 4180 (CRLF,
quotes doubled, a field with a comma, quote or line break quoted), UTF-8 with a byte-order
mark so that Excel reads it as UTF-8. Columns: `type`, `id`, `symbol`, then the union of the
other fields in the order the output records declare them (shared/events/outputs.py), any
field no model declares after those in name order, and `output_topic` (where it was
published) last. A nested value (a
basket) is its JSON text. Text from the feeds that starts with = + - @, a tab or a carriage
return is prefixed with `'` so that no spreadsheet runs it as a formula (CSV injection); a
number keeps its sign.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from services.console.html import STYLE, esc
from services.report import OUTPUT_TYPES, Output
from shared.events.outputs import OUTPUT_TOPICS

FIRST = ("type", "id", "symbol")
LAST = "output_topic"  # the topic it was published on (a dead letter has its own `topic`)
NUMBER = re.compile(r"-?\d+(\.\d+)?")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def declared_fields() -> list[str]:
    """Every output field in declaration order, over the output types of docs/events.md."""
    order: list[str] = []
    for models in OUTPUT_TOPICS.values():
        for model in models:
            for name in model.model_fields:
                if name not in order:
                    order.append(name)
    return order


def columns(outputs: Sequence[Output]) -> list[str]:
    present = {key for _, r in outputs for key in r}
    known = [f for f in declared_fields() if f in present and f not in FIRST]
    extra = sorted(present - set(known) - set(FIRST) - {LAST})
    return [*FIRST, *known, *extra, LAST]


def as_text(value: Any) -> str:
    """A field as text: numbers and flags as JSON writes them, a nested value as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def cell(value: Any) -> str:
    """A CSV cell: `as_text`, guarded against formulas unless it is a number."""
    text = as_text(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def render_csv(outputs: Sequence[Output]) -> str:
    names = columns(outputs)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for topic, record in outputs:
        row = {**record, LAST: topic}
        writer.writerow([cell(row.get(name)) for name in names])
    return BOM + buffer.getvalue()


def render_html(outputs: Sequence[Output], title: str = "warrantwatch output") -> str:
    """One page: the count of each output type, then a table per type, every field."""
    counts = Counter(str(r.get("type")) for _, r in outputs)
    kinds = [k for k in (*OUTPUT_TYPES, *sorted(set(counts) - set(OUTPUT_TYPES)))
             if counts.get(k)]
    summary = "".join(f'<tr><td><a href="#{esc(k)}">{esc(k)}</a></td>'
                      f'<td class="n">{counts[k]}</td></tr>' for k in kinds)
    sections = []
    for kind in kinds:
        records = [(t, r) for t, r in outputs if r.get("type") == kind]
        names = [n for n in columns(records) if n != "type"]
        head = "".join(f"<th>{esc(n)}</th>" for n in names)
        rows = "".join(
            "<tr>" + "".join(f'<td class="calc">{esc(as_text({**r, LAST: t}.get(n)))}</td>'
                             for n in names) + "</tr>" for t, r in records)
        sections.append(f'<h2 id="{esc(kind)}">{esc(kind)} ({len(records)})</h2>'
                        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title><style>{STYLE}</style></head><body><main>"
            f"<h1>{esc(title)}</h1><table><thead><tr><th>Output type</th><th>Records</th>"
            f"</tr></thead><tbody>{summary}<tr><td>total</td><td class=\"n\">{len(outputs)}"
            f"</td></tr></tbody></table>{''.join(sections)}</main></body></html>\n")
