"""The terms of one warrant of the W-F-05 family, loaded from a TOML terms file.

Every place where docs/contract.md settles a reading, or offers a "switch", is a key here,
so a user with another warrant of the family edits the terms file, not the code. The format
is documented in docs/terms-format.md; a bad file fails at start with `TermsError` naming
the field and the problem.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import TermsError
from shared.venues import Venue

T = TypeVar("T")

DEFAULT_TERMS = "glowpoint-w-f-05.toml"


@dataclass(frozen=True, slots=True)
class Terms:
    """One warrant family's terms, every value typed and validated."""

    family: str
    issuer: str
    symbol: str
    original_issue_date: date
    initial_warrant_price: Decimal
    term_starts: date
    exercisable_from: datetime
    expires_at: datetime
    zone: ZoneInfo
    initial_venue: Venue
    original_issue_market_value: Decimal | None
    ownership_cap: Decimal
    waiver_notice_days: int
    no_cap_days_before_expiry: int
    delivery_trading_days: int
    close_of_business: time
    cashless_allowed: bool
    share_rounding: Decimal
    deferral_threshold: Decimal
    defer_small_adjustments: bool
    issuance_adjusts_share_number: bool
    floor_at_original_issue_value: bool
    count_only_observed_trading: bool
    pink_sheets_under_proviso: bool
    extra_closures: tuple[date, ...]
    conversion_period_trading_days: int
    last_sale_stands_in: bool
    stale_after_trading_days: int
    section9_notice_days: int
    majority_holders_fraction: Decimal
    # the warrant series these terms govern (docs/terms-format.md "Several series"): several
    # terms files may share a symbol when each names its own series; default: `family`
    series: str = ""

    def __post_init__(self) -> None:
        if not self.series:
            object.__setattr__(self, "series", self.family)


# --- field readers: each raises TermsError naming the field -------------------------------


def _decimal(field: str, raw: Any, *, positive: bool = True, below_one: bool = False) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise TermsError(field, f"must be a decimal string such as \"2.40\", got {raw!r}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise TermsError(field, f"not a decimal number: {raw!r}") from None
    if not value.is_finite():
        raise TermsError(field, f"must be finite, got {raw!r}")
    if positive and value <= 0:
        raise TermsError(field, f"must be greater than zero, got {raw!r}")
    if below_one and value >= 1:
        raise TermsError(field, f"must be a fraction below 1, got {raw!r}")
    return value


def _int(field: str, raw: Any, *, minimum: int = 0) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TermsError(field, f"must be a whole number, got {raw!r}")
    if raw < minimum:
        raise TermsError(field, f"must be at least {minimum}, got {raw}")
    return raw


def _bool(field: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TermsError(field, f"must be true or false, got {raw!r}")
    return raw


def _str(field: str, raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise TermsError(field, f"must be a non-empty string, got {raw!r}")
    return raw


def _date(field: str, raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise TermsError(field, f"must be a date YYYY-MM-DD, got {raw!r}")


def _local_datetime(field: str, raw: Any, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the terms' zone (no offset allowed: the zone decides DST)."""
    value: datetime | None = None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            value = None
    if value is None:
        raise TermsError(field, f"must be a local date-time YYYY-MM-DDTHH:MM:SS, got {raw!r}")
    if value.tzinfo is not None:
        raise TermsError(field, "must be wall-clock time without an offset; `zone` gives DST")
    return value.replace(tzinfo=zone)


def _clock(field: str, raw: Any) -> time:
    if isinstance(raw, str):
        try:
            return time.fromisoformat(raw)
        except ValueError:
            pass
    raise TermsError(field, f"must be a time of day HH:MM, got {raw!r}")


def _zone(field: str, raw: Any) -> ZoneInfo:
    name = _str(field, raw)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TermsError(field, f"unknown time zone {name!r}") from None


def _venue(field: str, raw: Any) -> Venue:
    name = _str(field, raw)
    try:
        return Venue(name)
    except ValueError:
        known = ", ".join(v.value for v in Venue)
        raise TermsError(field, f"unknown venue {name!r}; one of {known}") from None


def _dates(field: str, raw: Any) -> tuple[date, ...]:
    if not isinstance(raw, list):
        raise TermsError(field, f"must be a list of dates, got {raw!r}")
    return tuple(_date(f"{field}[{i}]", item) for i, item in enumerate(raw))


SECTIONS: dict[str, frozenset[str]] = {
    "warrant": frozenset({
        "family", "series", "issuer", "symbol", "original_issue_date", "initial_warrant_price",
        "term_starts", "exercisable_from", "expires_at", "zone", "initial_venue",
        "original_issue_market_value",
    }),
    "cap": frozenset({"ownership_cap", "waiver_notice_days", "no_cap_days_before_expiry"}),
    "exercise": frozenset({"delivery_trading_days", "close_of_business", "cashless_allowed"}),
    "adjustments": frozenset({
        "share_rounding", "deferral_threshold", "defer_small_adjustments",
        "issuance_adjusts_share_number", "floor_at_original_issue_value",
    }),
    "trading_days": frozenset({
        "count_only_observed_trading", "pink_sheets_under_proviso", "extra_closures",
    }),
    "market_value": frozenset({"conversion_period_trading_days", "last_sale_stands_in",
                               "stale_after_trading_days"}),
    "notices": frozenset({"section9_notice_days", "majority_holders_fraction"}),
}
_OPTIONAL = frozenset({"warrant.original_issue_market_value", "warrant.series",
                       "market_value.stale_after_trading_days"})
# A PSMV whose price is older than this many Trading Days carries a warning (decisions.md).
DEFAULT_STALE_AFTER_TRADING_DAYS = 5


def _check_shape(doc: Mapping[str, Any]) -> None:
    for section in doc:
        if section not in SECTIONS:
            raise TermsError(section, f"unknown section; one of {', '.join(sorted(SECTIONS))}")
    for section, keys in SECTIONS.items():
        table = doc.get(section)
        if not isinstance(table, dict):
            raise TermsError(section, "missing section")
        for key in table:
            if key not in keys:
                raise TermsError(f"{section}.{key}", "unknown key")
        for key in sorted(keys):
            if key not in table and f"{section}.{key}" not in _OPTIONAL:
                raise TermsError(f"{section}.{key}", "missing")


def terms_from_mapping(doc: Mapping[str, Any]) -> Terms:
    """Build and validate `Terms` from a parsed TOML document."""
    _check_shape(doc)
    w, c, e, a = doc["warrant"], doc["cap"], doc["exercise"], doc["adjustments"]
    t, m, n = doc["trading_days"], doc["market_value"], doc["notices"]

    def get(section: str, table: Mapping[str, Any], key: str, read: Callable[[str, Any], T]) -> T:
        return read(f"{section}.{key}", table[key])

    zone = get("warrant", w, "zone", _zone)
    oimv = w.get("original_issue_market_value")
    terms = Terms(
        family=get("warrant", w, "family", _str),
        series=_str("warrant.series", w["series"]) if "series" in w else "",
        issuer=get("warrant", w, "issuer", _str),
        symbol=get("warrant", w, "symbol", _str),
        original_issue_date=get("warrant", w, "original_issue_date", _date),
        initial_warrant_price=get("warrant", w, "initial_warrant_price", _decimal),
        term_starts=get("warrant", w, "term_starts", _date),
        exercisable_from=_local_datetime("warrant.exercisable_from", w["exercisable_from"], zone),
        expires_at=_local_datetime("warrant.expires_at", w["expires_at"], zone),
        zone=zone,
        initial_venue=get("warrant", w, "initial_venue", _venue),
        original_issue_market_value=(
            None if oimv is None else _decimal("warrant.original_issue_market_value", oimv)
        ),
        ownership_cap=_decimal("cap.ownership_cap", c["ownership_cap"], below_one=True),
        waiver_notice_days=get("cap", c, "waiver_notice_days", _int),
        no_cap_days_before_expiry=get("cap", c, "no_cap_days_before_expiry", _int),
        delivery_trading_days=_int("exercise.delivery_trading_days",
                                   e["delivery_trading_days"], minimum=1),
        close_of_business=get("exercise", e, "close_of_business", _clock),
        cashless_allowed=get("exercise", e, "cashless_allowed", _bool),
        share_rounding=_decimal("adjustments.share_rounding", a["share_rounding"],
                                below_one=True),
        deferral_threshold=_decimal("adjustments.deferral_threshold", a["deferral_threshold"],
                                    below_one=True),
        defer_small_adjustments=get("adjustments", a, "defer_small_adjustments", _bool),
        issuance_adjusts_share_number=get("adjustments", a, "issuance_adjusts_share_number",
                                          _bool),
        floor_at_original_issue_value=get("adjustments", a, "floor_at_original_issue_value",
                                          _bool),
        count_only_observed_trading=get("trading_days", t, "count_only_observed_trading", _bool),
        pink_sheets_under_proviso=get("trading_days", t, "pink_sheets_under_proviso", _bool),
        extra_closures=get("trading_days", t, "extra_closures", _dates),
        conversion_period_trading_days=_int("market_value.conversion_period_trading_days",
                                            m["conversion_period_trading_days"], minimum=1),
        last_sale_stands_in=get("market_value", m, "last_sale_stands_in", _bool),
        stale_after_trading_days=_int("market_value.stale_after_trading_days",
                                      m.get("stale_after_trading_days",
                                            DEFAULT_STALE_AFTER_TRADING_DAYS)),
        section9_notice_days=get("notices", n, "section9_notice_days", _int),
        majority_holders_fraction=_decimal("notices.majority_holders_fraction",
                                           n["majority_holders_fraction"]),
    )
    if terms.majority_holders_fraction > 1:
        raise TermsError("notices.majority_holders_fraction", "must be at most 1")
    if terms.expires_at.date() <= terms.term_starts:
        raise TermsError("warrant.expires_at", "must be after warrant.term_starts")
    if not terms.term_starts <= terms.exercisable_from.date() < terms.expires_at.date():
        raise TermsError("warrant.exercisable_from", "must fall within the Term")
    if "." in terms.symbol or not terms.symbol.isupper():
        raise TermsError("warrant.symbol", f"must be an upper-case ticker, got {terms.symbol!r}")
    return terms


# What the series of one symbol share (one stock: one market, one calendar, one event time;
# docs/terms-format.md "Several series"): a terms file of another series that differs in one
# of these is refused at start.
SYMBOL_WIDE: tuple[str, ...] = (
    "warrant.symbol", "warrant.issuer", "warrant.zone", "warrant.initial_venue",
    "exercise.close_of_business", "trading_days.count_only_observed_trading",
    "trading_days.pink_sheets_under_proviso", "trading_days.extra_closures",
    "market_value.conversion_period_trading_days", "market_value.last_sale_stands_in",
    "market_value.stale_after_trading_days", "notices.section9_notice_days",
)


def symbol_wide_mismatch(a: Terms, b: Terms) -> str | None:
    """The first key of `SYMBOL_WIDE` in which two series' terms differ, or None."""
    for key in SYMBOL_WIDE:
        name = key.partition(".")[2]
        if getattr(a, name) != getattr(b, name):
            return key
    return None


def by_symbol(named: Iterable[tuple[str, Terms]]) -> dict[str, tuple[Terms, ...]]:
    """Terms grouped by symbol, each group's series in the order given (`named` pairs each
    terms with where it came from, a file name).

    Several series of one symbol are accepted when each names its own series and they agree
    on every `SYMBOL_WIDE` key; otherwise a `TermsError` names the key and both sources."""
    groups: dict[str, list[tuple[str, Terms]]] = {}
    for where, terms in named:
        group = groups.setdefault(terms.symbol, [])
        for first, other in group:
            if other.series == terms.series:
                raise TermsError("warrant.series", f"two terms files for symbol "
                                 f"{terms.symbol} and series {terms.series}: {first} and "
                                 f"{where}; give each series once")
            key = symbol_wide_mismatch(other, terms)
            if key is not None:
                raise TermsError(key, f"series {other.series} ({first}) and series "
                                 f"{terms.series} ({where}) of symbol {terms.symbol} differ: "
                                 "the series of one symbol share it")
        group.append((where, terms))
    return {symbol: tuple(t for _, t in group) for symbol, group in groups.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()  # wall clock in the terms' zone
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def terms_to_mapping(terms: Terms) -> dict[str, dict[str, Any]]:
    """The terms document `terms_from_mapping` reads back into equal `Terms`."""
    doc: dict[str, dict[str, Any]] = {}
    for section, keys in SECTIONS.items():
        table = doc.setdefault(section, {})
        for key in sorted(keys):
            value = getattr(terms, key)
            if value is not None:
                table[key] = _plain(value)
    return doc


def load_terms(path: str | Path | None = None) -> Terms:
    """Read a terms file; with no path, the bundled Glowpoint W-F-05 terms."""
    if path is None:
        text = resources.files("shared.terms_data").joinpath(DEFAULT_TERMS).read_text("utf-8")
        where = DEFAULT_TERMS
    else:
        where = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise TermsError("file", f"cannot read {where}: {exc.strerror}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TermsError("file", f"{where} is not valid TOML: {exc}") from None
    return terms_from_mapping(doc)
