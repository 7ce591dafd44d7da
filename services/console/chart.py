"""A small inline SVG chart of Per Share Market Values (Section 8): no script, no library.

Points are evenly spaced by published date (a gap of months is one step, as on a table),
coloured by tier; each point's `<title>` gives the date, value and tier on hover. Only
layout uses floats: the values shown are the records' decimal text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from services.console.html import esc, price

WIDTH, HEIGHT, PAD = 640, 200, 36
TIER_COLOURS = {"a": "#1f6fb2", "b": "#c46a00", "c": "#7a3fb0", "d": "#2b8a3e"}


def market_value_chart(values: Sequence[Mapping[str, Any]]) -> str:
    """An SVG line of `values` (oldest first: `date`, `value`, `tier`), or a note if empty."""
    if not values:
        return '<p class="muted">No market value to chart yet.</p>'
    figures = [Decimal(str(v["value"])) for v in values]
    low, high = min(figures), max(figures)
    span = high - low or Decimal(1)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def y(value: Decimal) -> float:
        return float(HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD))

    points = [(PAD + i * step, y(f)) for i, f in enumerate(figures)]
    line = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    dots = "".join(
        f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" '
        f'fill="{TIER_COLOURS.get(str(v["tier"]), "#555")}"><title>{esc(v["date"])}: '
        f'{esc(price(v["value"]))} (tier {esc(v["tier"])})</title></circle>'
        for (px, py), v in zip(points, values, strict=True))
    labels = (
        f'<text x="4" y="{y(high) + 4:.1f}" font-size="11">{esc(price(high))}</text>'
        f'<text x="4" y="{y(low) + 4:.1f}" font-size="11">{esc(price(low))}</text>'
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11">{esc(values[0]["date"])}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" text-anchor="end">'
        f'{esc(values[-1]["date"])}</text>')
    legend = "".join(
        f'<tspan fill="{colour}"> tier {tier}</tspan>' for tier, colour in TIER_COLOURS.items())
    return (f'<svg role="img" aria-label="Per Share Market Value, {len(values)} dates" '
            f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'style="background:#fff;border:1px solid #d0d5dc">'
            f'<polyline points="{line}" fill="none" stroke="#8a96a3" stroke-width="1.5"/>'
            f'{dots}{labels}<text x="{WIDTH - PAD}" y="14" font-size="11" '
            f'text-anchor="end">{legend}</text></svg>')
