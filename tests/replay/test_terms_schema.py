"""The terms schema is written once (shared/terms.py `Terms` fields; docs/terms-format.md).

What is pinned here comes from docs/terms-format.md, not from the code: which keys are
optional and the default each gets ("Optional keys"), and the table of keys. The rest checks
that the allowed keys, the reader, the writer and the documentation cannot drift apart, and
that a file without an optional key still loads (so a new optional key needs no edit of the
terms files of the repository).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.streams.terms_files import load_terms_files, write_terms_json
from shared.errors import TermsError
from shared.terms import (
    KEYS,
    OPTIONAL,
    SECTIONS,
    SYMBOL_WIDE,
    Terms,
    load_terms,
    terms_from_mapping,
    terms_to_mapping,
)

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "shared" / "terms_data" / "glowpoint-w-f-05.toml"
BAD_TERMS = ROOT / "tests" / "resources" / "replay" / "terms"

# docs/terms-format.md "Optional keys": each optional key and what a file without it gets
DOCUMENTED_DEFAULTS: dict[str, Any] = {
    "warrant.series": "W-F-05",  # the family
    "warrant.original_issue_market_value": None,
    "adjustments.defer_small_adjustments": True,
    "adjustments.issuance_adjusts_share_number": False,
    "trading_days.count_only_observed_trading": False,
    "trading_days.pink_sheets_under_proviso": False,
    "trading_days.extra_closures": (),
    "market_value.last_sale_stands_in": True,
    "market_value.stale_after_trading_days": 5,
}


def _terms_files() -> list[Path]:
    """Every good terms file kept in the repository (the bad ones of tests/replay aside)."""
    found = []
    for folder in ("shared", "services", "deploy", "tests/resources"):
        for path in sorted((ROOT / folder).rglob("*.toml")):
            if BAD_TERMS in path.parents:
                continue
            if re.search(r"^\[warrant\]", path.read_text("utf-8"), re.M):
                found.append(path)
    return found


def _bundled_doc() -> dict[str, Any]:
    return tomllib.loads(BUNDLED.read_text("utf-8"))


def test_the_repository_holds_terms_files() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _terms_files()}
    assert "shared/terms_data/glowpoint-w-f-05.toml" in names
    assert "services/scenarios/glow-2011.toml" in names
    assert len(names) >= 6


@pytest.mark.parametrize("path", _terms_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_terms_file_loads_and_travels_to_workers_unchanged(path: Path,
                                                                 tmp_path: Path) -> None:
    terms = load_terms(path)
    assert terms_from_mapping(json.loads(json.dumps(terms_to_mapping(terms)))) == terms
    copy = tmp_path / "terms.json"
    write_terms_json([terms], copy)
    assert load_terms_files([str(copy)]) == [terms]


def test_the_optional_keys_are_the_documented_ones() -> None:
    assert set(OPTIONAL) == set(DOCUMENTED_DEFAULTS)


@pytest.mark.parametrize("where", sorted(DOCUMENTED_DEFAULTS))
def test_a_file_without_an_optional_key_gets_its_default(where: str) -> None:
    section, _, name = where.partition(".")
    doc = _bundled_doc()
    doc[section].pop(name, None)
    terms = terms_from_mapping(doc, "no-key.toml")
    assert getattr(terms, name) == DOCUMENTED_DEFAULTS[where]
    # nothing else changed: the key's default is all that a missing key means
    full = load_terms()
    for other in KEYS:
        if other != name:
            assert getattr(terms, other) == getattr(full, other), other


def test_a_file_with_every_optional_key_left_out_loads() -> None:
    doc = _bundled_doc()
    for where in OPTIONAL:
        section, _, name = where.partition(".")
        doc[section].pop(name, None)
    terms = terms_from_mapping(doc)
    assert terms.series == terms.family == "W-F-05"
    assert terms.stale_after_trading_days == 5 and terms.extra_closures == ()


@pytest.mark.parametrize("where", sorted(f"{k.section}.{n}" for n, k in KEYS.items()
                                         if not k.optional))
def test_a_missing_required_key_names_file_section_and_key(where: str) -> None:
    section, _, name = where.partition(".")
    doc = _bundled_doc()
    del doc[section][name]
    with pytest.raises(TermsError) as caught:
        terms_from_mapping(doc, "mine.toml")
    error = caught.value
    assert (error.source, error.section, error.key, error.field) == ("mine.toml", section,
                                                                     name, where)
    assert error.problem == "missing"
    assert str(error) == f"terms: mine.toml: {where}: missing"


def test_a_bad_file_names_itself_and_the_key() -> None:
    path = BAD_TERMS / "bad_decimal.toml"
    with pytest.raises(TermsError) as caught:
        load_terms(path)
    assert caught.value.source == str(path)
    assert caught.value.field == "warrant.initial_warrant_price"
    assert str(caught.value).startswith(f"terms: {path}: warrant.initial_warrant_price: ")


def test_a_json_list_entry_is_named_by_its_place(tmp_path: Path) -> None:
    doc = terms_to_mapping(load_terms())
    del doc["warrant"]["symbol"]
    path = tmp_path / "terms.json"
    path.write_text(json.dumps([terms_to_mapping(load_terms()), doc]), "utf-8")
    with pytest.raises(TermsError) as caught:
        load_terms_files([str(path)])
    assert caught.value.source == f"{path}[1]"
    assert caught.value.field == "warrant.symbol"


def test_sections_reader_and_writer_come_from_the_fields() -> None:
    fields = [f.name for f in dataclasses.fields(Terms)]
    assert list(KEYS) == fields
    assert all("terms" in f.metadata for f in dataclasses.fields(Terms))
    # every field in exactly one section, every section key a field
    listed = [name for keys in SECTIONS.values() for name in keys]
    assert sorted(listed) == sorted(fields)
    assert {f"{KEYS[n].section}.{n}" for n in fields} >= set(SYMBOL_WIDE) | set(OPTIONAL)
    # the writer emits each key in its section: what the reader reads back
    terms = dataclasses.replace(load_terms(), original_issue_market_value=Decimal("1.25"),
                                extra_closures=(date(2007, 1, 2),))
    doc = terms_to_mapping(terms)
    assert {s: frozenset(t) for s, t in doc.items()} == SECTIONS
    assert terms_from_mapping(json.loads(json.dumps(doc))) == terms


def test_the_documented_table_lists_every_key_once() -> None:
    text = (ROOT / "docs" / "terms-format.md").read_text("utf-8")
    rows = re.findall(r"^\| `([a-z_]+\.[a-z0-9_]+)` \| ([^|]+) \|", text, re.M)
    documented = [key for key, _ in rows]
    assert sorted(documented) == sorted(f"{k.section}.{n}" for n, k in KEYS.items())
    assert {key for key, kind in rows if "optional" in kind} == set(OPTIONAL)


def test_symbol_wide_keys_are_the_documented_ones() -> None:
    # docs/terms-format.md "Several series": the keys that speak of the stock
    assert set(SYMBOL_WIDE) == {
        "warrant.symbol", "warrant.issuer", "warrant.zone", "warrant.initial_venue",
        "exercise.close_of_business", "trading_days.count_only_observed_trading",
        "trading_days.pink_sheets_under_proviso", "trading_days.extra_closures",
        "market_value.conversion_period_trading_days", "market_value.last_sale_stands_in",
        "market_value.stale_after_trading_days", "notices.section9_notice_days",
    }
