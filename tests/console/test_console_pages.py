"""The console's pages rendered in process from the two-symbol scenario: escaping, links, 421.

Figures from tests/resources/console/pages_hand_checked.toml (worked by hand there).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from console_support import BUNDLED_TERMS, RESOURCES

from services.console import pages
from services.console.html import href
from shared.engine import Engine
from shared.engine.queries import QueryError, holders_view, open_exercises_view
from shared.engine.replay import replay_lines
from shared.events.codec import to_dict
from shared.terms import load_terms

HOLDER = 'Fund <b>B</b> & "Co"'


@pytest.fixture(scope="module")
def replayed() -> tuple[Engine, list[dict[str, object]]]:
    engine = Engine([load_terms(BUNDLED_TERMS), load_terms(RESOURCES / "acme-w-a-06.toml")])
    lines = (RESOURCES / "two-symbols.jsonl").read_text("utf-8").splitlines()
    return engine, [to_dict(r) for _, r in replay_lines(engine, lines)]


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def parsed(html: str) -> Elements:
    found = Elements()
    found.feed(html)
    return found


def test_hostile_text_is_escaped_on_every_page(replayed: tuple[Engine, list[dict[str, object]]]
                                               ) -> None:
    engine, outputs = replayed
    rendered = [pages.index_page({"ACME": engine, "GLOW": engine}, [], "w<1>"),
                pages.warrant_page(engine, "ACME", "A/1"), pages.holders_page(engine, "ACME"),
                pages.exercises_page(engine, "ACME"), pages.market_values_page(engine, "ACME"),
                pages.alerts_page(outputs, ["ACME", "GLOW"], [])]
    for html in rendered:
        elements = parsed(html)
        assert "script" not in elements.tags and "i" not in elements.tags
        assert HOLDER not in html and "<Widgets>" not in html
    for shown in (rendered[0], rendered[2], rendered[3]):  # index, holders, open exercises
        assert "Fund &lt;b&gt;B&lt;/b&gt; &amp; &quot;Co&quot;" in shown
    assert "Acme &lt;Widgets&gt; &amp; Co." in rendered[0]
    assert "&lt;script&gt;alert" in rendered[-1]


def test_links_keep_a_slash_inside_its_part() -> None:
    assert href("ACME", "warrant", id="A/1") == "/console/ACME/warrant?id=A%2F1"
    assert href("A/B", "holders") == "/console/A%2FB/holders"


def test_hand_worked_figures_reach_the_pages(replayed: tuple[Engine, list[dict[str, object]]]
                                             ) -> None:
    engine, _ = replayed
    acme = holders_view(engine, "ACME")[0]
    assert acme["holder"] == HOLDER
    assert acme["headroom"]["max_additional_shares"] == "426099"
    assert acme["warrants"][0]["largest_cash"] == "426099.99"
    assert acme["warrants"][0]["largest_cashless"] == "900000"
    assert acme["warrants"][0]["waivers"][0]["in_force_from"] == "2006-03-07T00:00:00-05:00"
    glow = holders_view(engine, "GLOW")[0]
    assert glow["headroom"]["max_additional_shares"] == "2420542"
    assert glow["warrants"][0]["largest_cash"] == "0"  # not yet exercisable (Section 2(a))
    (open_one,) = open_exercises_view(engine, "ACME")
    assert (open_one["delivery_due"], open_one["trading_days_left"]) == ("2006-01-12", 2)
    text = re.sub(r"<[^>]+>", " ", pages.holders_page(engine, "ACME"))
    assert "426,099.99" in text and "2006-03-07 00:00" in text


def test_unknown_warrant_is_a_query_error(replayed: tuple[Engine, list[dict[str, object]]]
                                          ) -> None:
    engine, _ = replayed
    with pytest.raises(QueryError):
        pages.warrant_page(engine, "ACME", "<nope>")


def test_a_symbol_held_elsewhere_links_to_its_owner() -> None:
    there = pages.Elsewhere("ACME", 3, "http://10.0.0.7:6066/", "ACME is on partition 3")
    html = pages.misdirected_page(there, "/console/ACME/holders")
    assert "http://10.0.0.7:6066/console/ACME/holders" in parsed(html).hrefs
    index = pages.index_page({}, [there, pages.Elsewhere("X", 1, None, "rebalancing")], "w")
    assert "http://10.0.0.7:6066/console/" in parsed(index).hrefs and "rebalancing" in index
    unknown = pages.misdirected_page(pages.Elsewhere("X", 1, None, "moving"), "/console/X/")
    assert "not known yet" in unknown
