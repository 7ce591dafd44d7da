"""The terms of one warrant of the W-F-05 family, loaded from a TOML terms file.

Every place where docs/contract.md settles a reading, or offers a "switch", is a key here,
so a user with another warrant of the family edits the terms file, not the code. The format
is documented in docs/terms-format.md; a bad file fails at start with `TermsError` naming
the file, the `section.key` and the problem.

The schema is written once: each field of `Terms` names, in its metadata (`_key`), the
section it lives in, its reader, its default (optional keys only) and whether the series of
one symbol share it. `SECTIONS`, `OPTIONAL`, `SYMBOL_WIDE`, the reader (`terms_from_mapping`)
and the writer (`terms_to_mapping`) are all derived from those fields, so adding a key is
one line here (and, when it has a default, no edit of any terms file).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import TermsError
from shared.venues import Venue

DEFAULT_TERMS = "glowpoint-w-f-05.toml"
# A PSMV whose price is older than this many Trading Days carries a warning (decisions.md).
DEFAULT_STALE_AFTER_TRADING_DAYS = 5

Reader = Callable[[str, Any], Any]


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


def _fraction(field: str, raw: Any) -> Decimal:
    """A decimal above 0 and below 1 (a cap, a rounding unit, a threshold)."""
    return _decimal(field, raw, below_one=True)


def _share_of_holders(field: str, raw: Any) -> Decimal:
    """A decimal above 0 and at most 1 (Section 8 "Majority Holders")."""
    value = _decimal(field, raw)
    if value > 1:
        raise TermsError(field, "must be at most 1")
    return value


def _int(field: str, raw: Any, *, minimum: int = 0) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TermsError(field, f"must be a whole number, got {raw!r}")
    if raw < minimum:
        raise TermsError(field, f"must be at least {minimum}, got {raw}")
    return raw


def _count(field: str, raw: Any) -> int:
    """A whole number of at least 1 (days that must pass, a period's length)."""
    return _int(field, raw, minimum=1)


def _bool(field: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TermsError(field, f"must be true or false, got {raw!r}")
    return raw


def _str(field: str, raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise TermsError(field, f"must be a non-empty string, got {raw!r}")
    return raw


def _ticker(field: str, raw: Any) -> str:
    symbol = _str(field, raw)
    if "." in symbol or not symbol.isupper():
        raise TermsError(field, f"must be an upper-case ticker, got {symbol!r}")
    return symbol


def _date(field: str, raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise TermsError(field, f"must be a date YYYY-MM-DD, got {raw!r}")


def _wall_clock(field: str, raw: Any) -> datetime:
    """A wall-clock date-time (no offset allowed: `warrant.zone` decides DST); the reader
    puts it in the zone (`Key.in_zone`)."""
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
    return value


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


# --- the schema ----------------------------------------------------------------------------


class _Required(Enum):
    REQUIRED = "required"


REQUIRED = _Required.REQUIRED


@dataclass(frozen=True, slots=True)
class Key:
    """Where one field of `Terms` lives in a terms file and how it is read.

    `default` is what a file without the key gets (`REQUIRED`: the key must be given);
    `in_zone`: a wall-clock date-time put in `warrant.zone`; `symbol_wide`: the series of one
    symbol must agree on it (docs/terms-format.md "Several series")."""

    section: str
    read: Reader
    default: Any = REQUIRED
    in_zone: bool = False
    symbol_wide: bool = False

    @property
    def optional(self) -> bool:
        return self.default is not REQUIRED


def _key(section: str, read: Reader, *, in_zone: bool = False,
         symbol_wide: bool = False) -> dict[str, Key]:
    """The metadata of a `Terms` field: its place in the terms file (the one schema). Its
    default, for an optional key, is the field's own default."""
    return {"terms": Key(section, read, in_zone=in_zone, symbol_wide=symbol_wide)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Terms:
    """One warrant family's terms, every value typed and validated.

    Optional keys (docs/terms-format.md says why each has its default): the series, the
    Original Issue Date's PSMV, and the switches where docs/decisions.md reads the text one
    way and offers the other (the default is the reading it settles on), the extra closures
    (none) and the staleness warning. The contract's own figures, dates and clauses are
    required."""

    family: str = field(metadata=_key("warrant", _str))
    issuer: str = field(metadata=_key("warrant", _str, symbol_wide=True))
    symbol: str = field(metadata=_key("warrant", _ticker, symbol_wide=True))
    original_issue_date: date = field(metadata=_key("warrant", _date))
    initial_warrant_price: Decimal = field(metadata=_key("warrant", _decimal))
    term_starts: date = field(metadata=_key("warrant", _date))
    exercisable_from: datetime = field(metadata=_key("warrant", _wall_clock, in_zone=True))
    expires_at: datetime = field(metadata=_key("warrant", _wall_clock, in_zone=True))
    zone: ZoneInfo = field(metadata=_key("warrant", _zone, symbol_wide=True))
    initial_venue: Venue = field(metadata=_key("warrant", _venue, symbol_wide=True))
    # the PSMV on the Original Issue Date; None: taken from the market-value feed
    original_issue_market_value: Decimal | None = field(
        default=None, metadata=_key("warrant", _decimal))
    ownership_cap: Decimal = field(metadata=_key("cap", _fraction))
    waiver_notice_days: int = field(metadata=_key("cap", _int))
    no_cap_days_before_expiry: int = field(metadata=_key("cap", _int))
    delivery_trading_days: int = field(metadata=_key("exercise", _count))
    close_of_business: time = field(metadata=_key("exercise", _clock, symbol_wide=True))
    cashless_allowed: bool = field(metadata=_key("exercise", _bool))
    share_rounding: Decimal = field(metadata=_key("adjustments", _fraction))
    deferral_threshold: Decimal = field(metadata=_key("adjustments", _fraction))
    defer_small_adjustments: bool = field(default=True, metadata=_key("adjustments", _bool))
    issuance_adjusts_share_number: bool = field(
        default=False, metadata=_key("adjustments", _bool))
    floor_at_original_issue_value: bool = field(metadata=_key("adjustments", _bool))
    count_only_observed_trading: bool = field(
        default=False, metadata=_key("trading_days", _bool, symbol_wide=True))
    pink_sheets_under_proviso: bool = field(
        default=False, metadata=_key("trading_days", _bool, symbol_wide=True))
    extra_closures: tuple[date, ...] = field(
        default=(), metadata=_key("trading_days", _dates, symbol_wide=True))
    conversion_period_trading_days: int = field(
        metadata=_key("market_value", _count, symbol_wide=True))
    last_sale_stands_in: bool = field(
        default=True, metadata=_key("market_value", _bool, symbol_wide=True))
    stale_after_trading_days: int = field(
        default=DEFAULT_STALE_AFTER_TRADING_DAYS,
        metadata=_key("market_value", _int, symbol_wide=True))
    section9_notice_days: int = field(metadata=_key("notices", _int, symbol_wide=True))
    majority_holders_fraction: Decimal = field(metadata=_key("notices", _share_of_holders))
    # the warrant series these terms govern (docs/terms-format.md "Several series"): several
    # terms files may share a symbol when each names its own series; default: `family`
    series: str = field(default="", metadata=_key("warrant", _str))

    def __post_init__(self) -> None:
        if not self.series:
            object.__setattr__(self, "series", self.family)


# --- derived from the schema ---------------------------------------------------------------

KEYS: dict[str, Key] = {
    f.name: dataclasses.replace(
        f.metadata["terms"],
        default=REQUIRED if f.default is dataclasses.MISSING else f.default)
    for f in dataclasses.fields(Terms)}
"""Each field of `Terms` with its `Key`, in the dataclass's order."""


def _sections() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    for name, key in KEYS.items():
        sections.setdefault(key.section, set()).add(name)
    return {section: frozenset(names) for section, names in sections.items()}


SECTIONS: dict[str, frozenset[str]] = _sections()
"""The keys allowed in each section of a terms file."""

OPTIONAL: frozenset[str] = frozenset(f"{k.section}.{name}" for name, k in KEYS.items()
                                     if k.optional)
"""The `section.key`s a terms file may leave out (each then gets its `Key.default`)."""


def _where(name: str) -> str:
    return f"{KEYS[name].section}.{name}"


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
            if key not in table and f"{section}.{key}" not in OPTIONAL:
                raise TermsError(f"{section}.{key}", "missing")


def _check_dates(terms: Terms) -> None:
    if terms.expires_at.date() <= terms.term_starts:
        raise TermsError("warrant.expires_at", "must be after warrant.term_starts")
    if not terms.term_starts <= terms.exercisable_from.date() < terms.expires_at.date():
        raise TermsError("warrant.exercisable_from", "must fall within the Term")


def terms_from_mapping(doc: Mapping[str, Any], source: str | None = None) -> Terms:
    """Build and validate `Terms` from a parsed TOML document (or its JSON copy); every key
    read by its `Key`. `source` (a file name) is named in every `TermsError`."""
    try:
        if not isinstance(doc, Mapping):
            raise TermsError("file", f"a terms document is a table of sections, got "
                             f"{type(doc).__name__}")
        _check_shape(doc)
        values: dict[str, Any] = {}
        for name, key in KEYS.items():
            table = doc[key.section]
            values[name] = key.read(_where(name), table[name]) if name in table else key.default
        for name, key in KEYS.items():
            if key.in_zone:
                values[name] = values[name].replace(tzinfo=values["zone"])
        terms = Terms(**values)
        _check_dates(terms)
    except TermsError as exc:
        raise exc.at(source) from None
    return terms


# What the series of one symbol share (one stock: one market, one calendar, one event time;
# docs/terms-format.md "Several series"): a terms file of another series that differs in one
# of these is refused at start.
SYMBOL_WIDE: tuple[str, ...] = tuple(_where(name) for name, key in KEYS.items()
                                     if key.symbol_wide)


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
    doc: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
    for name, key in KEYS.items():
        value = getattr(terms, name)
        if value is not None:
            doc[key.section][name] = _plain(value)
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
    return terms_from_mapping(doc, where)
