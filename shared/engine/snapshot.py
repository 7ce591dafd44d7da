"""Engine snapshots: the state of some symbols as versioned msgpack bytes, and back.

A snapshot holds, per symbol, exactly the data of its `SymbolEngine` (docs/operations.md
"State across restarts"): event time, the calendar's inputs (listings, halts, observed
trading; the Trading Day tables are rebuilt from the terms on load, never stored), prices per
date and the published values, the warrant timeline (entries, the book after each, the
notices, the scheduled entries), what has been published of it, open exercises, waivers,
ownership and the de-duplication window. The wiring between the parts (which desk asks
which for a market value) is not state: a freshly built engine has it, and loading fills in
the data (`STATE_FIELDS` lists, per part, every attribute that is data; a test checks that
no attribute is left out).

The encoding is explicit, not a pickle: a value is one of the primitive msgpack types, or a
tagged list for a Decimal, date, instant (with its zone kept exactly), tuple, list, dict,
set, enum member, or an instance of one of the registered classes (`_CLASSES`), by its
fields in declaration order. Decoding builds only registered classes, so bytes from anyone
can at worst fail to load. Encoding is the cost of a snapshot that grows with the state, so
the encoding of a deeply immutable instance (a past day's prices, a published value) is kept
from one snapshot to the next as its msgpack bytes (`_Memo`): the bytes written are the same.
msgspec writes and reads the msgpack (docs/decisions.md "Snapshots": a maintained C library
made for typed serialization, several times faster than the json module, no code execution
on load).

`SNAPSHOT_VERSION` names the format; the header also carries a digest of the registered
classes' field names and of `STATE_FIELDS`, so a change to any state class refuses older
snapshots without anyone having to remember to bump the version; and each symbol carries a
digest of its terms.
Anything that does not match, or does not decode, raises `SnapshotError` before any symbol
of the engine is touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import msgspec
from pydantic import BaseModel
from pydantic_core import TzInfo

from shared.calendar import ListingChange, TradingCalendar
from shared.cap import Waiver
from shared.delivery import DeliverySchedule
from shared.engine.exercises import ExerciseStatus, OpenExercise
from shared.engine.ownership import Movement, Series, ShareChangeAt, Snapshot
from shared.engine.symbol import SymbolEngine
from shared.errors import SnapshotError
from shared.events import inputs, outputs
from shared.market_value import AppraisalValue, DayPrices, MarketValueResult, ShareChange
from shared.terms import Terms
from shared.venues import Venue
from shared.warrant.fold import ExerciseFact, Notice, RestoreFact
from shared.warrant.state import BasketItem, Book, CarriedForward, WarrantState
from shared.warrant.timeline import Entry

if TYPE_CHECKING:
    from shared.engine.engine import Engine

# 2: Form 4 reporting owners; 3: quote ids per date; 4: exercise status; 5: several series
SNAPSHOT_VERSION = 5
FORMAT = "warrantwatch-engine-snapshot"

# --- the registered classes ----------------------------------------------------------------

_DATACLASSES: tuple[type, ...] = (
    DayPrices, ShareChange, AppraisalValue, MarketValueResult, ShareChangeAt, Snapshot,
    Movement, Series, Book, WarrantState, CarriedForward, BasketItem, Notice, ExerciseFact,
    RestoreFact, Entry, ListingChange, OpenExercise, DeliverySchedule, Waiver,
)


def _models(module: Any) -> list[type[BaseModel]]:
    return [v for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == module.__name__]


def _enums(module: Any) -> list[type[Enum]]:
    return [v for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, Enum) and v.__module__ == module.__name__]


_MODELS: tuple[type[BaseModel], ...] = (*_models(inputs), *_models(outputs))
_ENUMS: tuple[type[Enum], ...] = (Venue, ExerciseStatus, *_enums(inputs), *_enums(outputs))


def _name(cls: type) -> str:
    return f"{cls.__module__.removeprefix('shared.')}.{cls.__qualname__}"


_CLASSES: dict[str, type] = {_name(c): c for c in (*_DATACLASSES, *_MODELS, *_ENUMS)}
_FIELDS: dict[type, tuple[str, ...]] = {
    **{c: tuple(f.name for f in dataclasses.fields(c)) for c in _DATACLASSES},
    **{c: tuple(c.model_fields) for c in _MODELS},
}


def _schema_digest() -> str:
    parts = [f"{FORMAT}/{SNAPSHOT_VERSION}"]
    parts.extend(f"{part}: {','.join(names)}" for part, names in STATE_FIELDS.items())
    for name in sorted(_CLASSES):
        cls = _CLASSES[name]
        fields = _FIELDS.get(cls) or tuple(m.name for m in cls)  # type: ignore[attr-defined]
        parts.append(f"{name}({','.join(fields)})")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]



# --- values --------------------------------------------------------------------------------

_UTC = UTC


def _zone(z: tzinfo | None) -> Any:
    if z is None:
        return None
    if isinstance(z, ZoneInfo):
        return ["z", z.key]
    offset = z.utcoffset(None)
    if offset is None:
        raise SnapshotError(f"cannot encode the time zone {z!r}")
    seconds = int(offset.total_seconds())
    if isinstance(z, TzInfo):
        return ["p", seconds]
    if isinstance(z, timezone):
        return ["f", seconds]
    raise SnapshotError(f"cannot encode the time zone {z!r}")


def _unzone(v: Any) -> tzinfo | None:
    if v is None:
        return None
    kind, arg = v
    if kind == "z":
        return ZoneInfo(arg)
    if kind == "p":
        return TzInfo(arg)
    if kind == "f":
        return _UTC if arg == 0 else timezone(timedelta(seconds=arg))
    raise ValueError(f"unknown zone kind {kind!r}")


# Which registered classes are frozen (a frozen dataclass, a frozen pydantic model): only
# their instances can have an encoding that stays right while the instance lives.
_FROZEN: frozenset[type] = frozenset(
    [c for c in _DATACLASSES if c.__dataclass_params__.frozen]  # type: ignore[attr-defined]
    + [c for c in _MODELS if c.model_config.get("frozen", False)])

# Memo generations: a live instance's id() is its own until it dies, and each entry keeps
# the instance alive, so an id found here is the instance that was encoded.
_MEMO_LIMIT = 100_000


class _Memo:
    """Encodings of deeply immutable instances, from one snapshot to the next.

    A snapshot is taken every N records of a state that mostly holds what it held at the
    last one (past days' prices and values are never rebuilt), so most instances were
    encoded before. An instance is kept only when it is of a frozen class and nothing it
    holds is mutable (a list, dict, set or mapping view, or an instance that is not kept),
    so its encoding cannot change while it lives; it is kept as its msgpack bytes
    (`msgspec.Raw`, which the encoder writes out verbatim: the same bytes as encoding it in
    place). Two generations bound the memory: when the current one is full it becomes the
    old one, and an entry found in the old one moves to the current one."""

    __slots__ = ("current", "mutable", "old")

    def __init__(self) -> None:
        self.current: dict[int, tuple[Any, msgspec.Raw]] = {}
        self.old: dict[int, tuple[Any, msgspec.Raw]] = {}
        self.mutable = 0  # how many mutable values the encoding so far met

    def get(self, v: Any) -> msgspec.Raw | None:
        key = id(v)
        found = self.current.get(key)
        if found is None:
            found = self.old.pop(key, None)
            if found is None:
                return None
            self.current[key] = found
        return found[1]

    def put(self, v: Any, encoded: Any) -> msgspec.Raw:
        if len(self.current) >= _MEMO_LIMIT:
            self.old, self.current = self.current, {}
        raw = msgspec.Raw(_ENCODER.encode(encoded))
        self.current[id(v)] = (v, raw)
        return raw


_MEMO = _Memo()


def encode_value(v: Any) -> Any:
    """A state value as msgpack primitives (see the module docstring for the tags); the
    encoding of an immutable instance may be its msgpack bytes (`msgspec.Raw`, see _Memo)."""
    if v is None or type(v) in (str, int, bool):
        return v
    t = type(v)
    if t is Decimal:
        return ["d", str(v)]
    if t is datetime:
        return ["t", v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond,
                v.fold, _zone(v.tzinfo)]
    if t is date:
        return ["D", v.toordinal()]
    if t is time:
        return ["h", v.isoformat(), _zone(v.tzinfo)]
    if t is tuple:
        return ["T", [encode_value(x) for x in v]]
    memo = _MEMO
    if t is list:
        memo.mutable += 1
        return ["L", [encode_value(x) for x in v]]
    if t is dict or t is MappingProxyType:
        memo.mutable += 1
        flat: list[Any] = []
        for k, x in v.items():
            flat.append(encode_value(k))
            flat.append(encode_value(x))
        return ["M" if t is dict else "P", flat]
    if t is set or t is frozenset:
        memo.mutable += t is set
        # sorted: the same set gives the same bytes whatever order it was built in
        return ["S" if t is set else "F", sorted(_plain(x) for x in v)]
    if isinstance(v, Enum):
        return ["e", _name(t), v.value]
    fields = _FIELDS.get(t)
    if fields is None:
        raise SnapshotError(f"snapshot: no encoding registered for {_name(t)}")
    frozen = t in _FROZEN
    if frozen:
        raw = memo.get(v)
        if raw is not None:
            return raw
    before = memo.mutable
    if isinstance(v, BaseModel):
        encoded = ["m", _name(t), [encode_value(getattr(v, f)) for f in fields],
                   sorted(v.model_fields_set)]
    else:
        encoded = ["c", _name(t), [encode_value(getattr(v, f)) for f in fields]]
    if not frozen:
        memo.mutable += 1
        return encoded
    if memo.mutable != before:
        return encoded  # it holds something mutable: encoded afresh each time
    return memo.put(v, encoded)


def _plain(v: Any) -> Any:
    """`encode_value` as plain lists, never msgpack bytes: the members of a set are sorted
    by their encodings."""
    encoded = encode_value(v)
    if type(encoded) is msgspec.Raw:
        return _DECODER.decode(encoded)
    if type(encoded) is list:
        return _unraw(encoded)
    return encoded


def _unraw(v: list[Any]) -> list[Any]:
    return [_DECODER.decode(x) if type(x) is msgspec.Raw else
            _unraw(x) if type(x) is list else x for x in v]


def _decode_list(v: Any) -> list[Any]:
    return [decode_value(x) for x in v]


def _pairs(flat: list[Any]) -> dict[Any, Any]:
    it = iter(flat)
    return {decode_value(k): decode_value(x) for k, x in zip(it, it, strict=True)}


def _decode_tagged(v: list[Any]) -> Any:
    tag = v[0]
    if tag == "d":
        return Decimal(v[1])
    if tag == "t":
        return datetime(v[1], v[2], v[3], v[4], v[5], v[6], v[7], fold=v[8],
                        tzinfo=_unzone(v[9]))
    if tag == "D":
        return date.fromordinal(v[1])
    if tag == "h":
        return time.fromisoformat(v[1]).replace(tzinfo=_unzone(v[2]))
    if tag == "T":
        return tuple(_decode_list(v[1]))
    if tag == "L":
        return _decode_list(v[1])
    if tag == "M":
        return _pairs(v[1])
    if tag == "P":
        return MappingProxyType(_pairs(v[1]))
    if tag == "S":
        return set(_decode_list(v[1]))
    if tag == "F":
        return frozenset(_decode_list(v[1]))
    cls = _CLASSES.get(v[1])
    if cls is None:
        raise ValueError(f"unknown class {v[1]!r}")
    if tag == "e":
        return cls(v[2])
    fields = _FIELDS[cls]
    values = _decode_list(v[2])
    if len(values) != len(fields):
        raise ValueError(f"{v[1]}: {len(values)} fields, expected {len(fields)}")
    if tag == "m":
        model: Any = cls
        return model.model_construct(_fields_set=set(v[3]), **dict(zip(fields, values,
                                                                         strict=True)))
    if tag == "c":
        return cls(*values)
    raise ValueError(f"unknown tag {tag!r}")


def decode_value(v: Any) -> Any:
    """The inverse of `encode_value`: only registered classes are ever built."""
    if type(v) is list:
        return _decode_tagged(v)
    return v


# --- the state of one symbol ---------------------------------------------------------------

# Per part of a SymbolEngine, every attribute that is data; the others are wiring (set by
# the constructor) or derived (rebuilt on load). tests/engine/test_engine_snapshot.py checks
# that the two lists cover every attribute.
STATE_FIELDS: dict[str, tuple[str, ...]] = {
    "engine": ("now", "terms_changes", "seen", "recent", "warrant_series"),
    "market": ("pending", "published"),
    "history": ("days", "quoted_dates", "bid_dates", "last_sale_dates", "changes",
                "change_dates", "appraisals"),
    "desk": ("equivalents", "expiries", "repricings", "dividends", "published",
             "superseding"),
    "timeline": ("initial", "entries", "books", "notices", "scheduled"),
    "exercises": ("open", "waivers", "waiver_holders", "waiver_used", "reporting_owners"),
    "ownership": ("holdings", "outstanding", "changes"),
}
WIRING_FIELDS: dict[str, tuple[str, ...]] = {
    "engine": ("terms", "all_terms", "calendar", "market", "desk", "exercises", "desks",
               "exercise_desks", "_handlers",
               # derived, worked out again when needed (shared/engine/symbol.py)
               "_due_known", "_due", "_date_at", "_date", "_swept_on"),
    "market": ("terms", "history"),
    "history": (),
    "desk": ("terms", "_market_value", "_amendment_problem", "timeline", "several"),
    "timeline": ("ctx",),
    "exercises": ("terms", "warrants", "calendar", "market_value", "ownership", "watching",
                  "peers"),
    "ownership": (),
}


SCHEMA_DIGEST = _schema_digest()


# The parts kept once per warrant series of the symbol (docs/terms-format.md "Several
# series"); the others are the symbol's, whatever its series.
SERIES_PARTS = ("desk", "timeline", "exercises")


def parts(engine: SymbolEngine, series: str | None = None) -> dict[str, Any]:
    """The objects a SymbolEngine's state is kept in, by the names of `STATE_FIELDS`; the
    series parts those of `series` (default: the first series)."""
    name = engine.terms.series if series is None else series
    desk, exercises = engine.desks[name], engine.exercise_desks[name]
    return {
        "engine": engine, "market": engine.market, "history": engine.market.history,
        "desk": desk, "timeline": desk.timeline, "exercises": exercises,
        "ownership": exercises.ownership,
    }


def _symbol_parts(engine: SymbolEngine) -> dict[str, Any]:
    return {k: v for k, v in parts(engine).items() if k not in SERIES_PARTS}


def _series_parts(engine: SymbolEngine, series: str) -> dict[str, Any]:
    return {k: v for k, v in parts(engine, series).items() if k in SERIES_PARTS}


def terms_digest(terms: Terms) -> str:
    """A digest of every field of the terms: a snapshot loads only under the same terms."""
    values = [encode_value(getattr(terms, f.name)) if f.name != "zone" else terms.zone.key
              for f in dataclasses.fields(terms)]
    return hashlib.sha256(msgspec.msgpack.encode(values)).hexdigest()[:16]


def dump_symbol(engine: SymbolEngine) -> dict[str, Any]:
    """One symbol's state as msgpack primitives: the symbol's parts, then per series (in the
    order of its terms) the series parts."""
    cal = engine.calendar
    state: dict[str, Any] = {
        "terms": [terms_digest(t) for t in engine.all_terms],
        "calendar": [encode_value(cal.listings), encode_value(cal.halts),
                     encode_value(cal.observed_trading)],
    }
    for part, obj in _symbol_parts(engine).items():
        state[part] = [encode_value(getattr(obj, name)) for name in STATE_FIELDS[part]]
    series: dict[str, Any] = {}
    for name in engine.desks:
        one: dict[str, Any] = {
            # open and watching share their items: watching is stored as the ids it holds
            "watching": list(engine.exercise_desks[name].watching),
        }
        for part, obj in _series_parts(engine, name).items():
            one[part] = [encode_value(getattr(obj, field)) for field in STATE_FIELDS[part]]
        series[name] = one
    state["series"] = series
    return state


def _fill(obj: Any, part: str, values: list[Any]) -> None:
    names = STATE_FIELDS[part]
    if len(values) != len(names):
        raise ValueError(f"{part}: {len(values)} fields, expected {len(names)}")
    for name, value in zip(names, values, strict=True):
        setattr(obj, name, decode_value(value))


def load_symbol(terms: Terms | tuple[Terms, ...], state: dict[str, Any]) -> SymbolEngine:
    """A SymbolEngine built from `terms` (its series' terms) with the state `state`
    (ValueError, KeyError ... on bytes that do not decode; the caller turns any of them into
    SnapshotError)."""
    all_terms = terms if isinstance(terms, tuple) else (terms,)
    if state["terms"] != [terms_digest(t) for t in all_terms]:
        raise SnapshotError(f"snapshot: symbol {all_terms[0].symbol}: taken under other terms "
                            "than the engine's")
    listings, halts, observed = (decode_value(v) for v in state["calendar"])
    engine = SymbolEngine(all_terms, TradingCalendar(all_terms[0], listings, halts, observed))
    for part, obj in _symbol_parts(engine).items():
        _fill(obj, part, state[part])
    if list(state["series"]) != list(engine.desks):
        raise ValueError(f"series: {list(state['series'])}, expected {list(engine.desks)}")
    for name, one in state["series"].items():
        for part, obj in _series_parts(engine, name).items():
            _fill(obj, part, one[part])
        desk = engine.exercise_desks[name]
        desk.watching = {eid: desk.open[eid] for eid in one["watching"]}
    return engine


# --- copies (the engine's way back, shared/engine/engine.py) --------------------------------


def _series(s: Series) -> Series:
    return Series(list(s.snapshots), list(s.movements))


def _item(item: OpenExercise) -> OpenExercise:
    return dataclasses.replace(item, deliveries=list(item.deliveries))


# How each field is copied so that the copy shares no mutable object with the original:
# immutable values are shared, containers of immutable values copied one level, and the
# few mutable values inside (sets of ids, open exercises, ownership series) copied too.
# A copy costs one C-level pass over each container, not a walk of every value.
_COPY: dict[str, Callable[[Any], Any]] = {
    "seen": lambda v: {k: set(ids) for k, ids in v.items()},
    "recent": lambda v: {d: {k: set(ids) for k, ids in t.items()} for d, t in v.items()},
    "open": lambda v: {k: _item(x) for k, x in v.items()},
    "waivers": lambda v: {k: list(x) for k, x in v.items()},
    "holdings": lambda v: {k: _series(x) for k, x in v.items()},
    "outstanding": _series,
}


def _copy_field(name: str, value: Any) -> Any:
    special = _COPY.get(name)
    if special is not None:
        return special(value)
    t = type(value)
    if t is list or t is dict or t is set:
        return t(value)
    return value  # immutable: None, an instant, a frozen Book


def copy_symbol(engine: SymbolEngine) -> SymbolEngine:
    """An independent copy of a symbol's engine: the same state, no mutable part shared."""
    copy = SymbolEngine(engine.all_terms, engine.calendar)  # the calendar is immutable
    pairs = [(_symbol_parts(engine), _symbol_parts(copy))]
    pairs += [(_series_parts(engine, n), _series_parts(copy, n)) for n in engine.desks]
    for source_parts, target_parts in pairs:
        for (part, source), target in zip(source_parts.items(), target_parts.values(),
                                          strict=True):
            for name in STATE_FIELDS[part]:
                setattr(target, name, _copy_field(name, getattr(source, name)))
    for name, desk in copy.exercise_desks.items():
        desk.watching = {eid: desk.open[eid] for eid in engine.exercise_desks[name].watching}
    return copy


# --- the API of the Kafka edge (services/kafka) ----------------------------------------------

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder()


def dump_symbols(engine: Engine, symbols: Iterable[str]) -> bytes:
    """The states of `symbols` of `engine` (each must be one of its symbols), versioned."""
    wanted = list(dict.fromkeys(symbols))
    unknown = [s for s in wanted if s not in engine.symbols]
    if unknown:
        raise SnapshotError(f"snapshot: no such symbol in the engine: {', '.join(unknown)}")
    return _ENCODER.encode({
        "format": FORMAT, "version": SNAPSHOT_VERSION, "schema": SCHEMA_DIGEST,
        "symbols": {s: dump_symbol(engine.symbols[s]) for s in wanted},
    })


def read_symbols(data: bytes, terms_of: Callable[[str], Terms | tuple[Terms, ...] | None]
                 ) -> dict[str, SymbolEngine]:
    """The symbol engines a snapshot holds, each built from `terms_of(symbol)` (the terms of
    its series); SnapshotError
    on another version, unknown symbol or terms, or anything that does not decode."""
    try:
        top = _DECODER.decode(data)
        if not isinstance(top, dict) or top.get("format") != FORMAT:
            raise SnapshotError("snapshot: not an engine snapshot")
        if top.get("version") != SNAPSHOT_VERSION:
            raise SnapshotError(f"snapshot: format version {top.get('version')!r}; this "
                                f"engine reads version {SNAPSHOT_VERSION}")
        if top.get("schema") != SCHEMA_DIGEST:
            raise SnapshotError(f"snapshot: state classes {top.get('schema')!r} differ from "
                                f"this engine's ({SCHEMA_DIGEST})")
        found: dict[str, SymbolEngine] = {}
        for symbol, state in top["symbols"].items():
            terms = terms_of(symbol)
            if terms is None:
                raise SnapshotError(f"snapshot: symbol {symbol!r} has no terms in this engine")
            found[symbol] = load_symbol(terms, state)
        return found
    except SnapshotError:
        raise
    except Exception as exc:  # any decoding problem: the snapshot is not trusted
        raise SnapshotError(f"snapshot: cannot be decoded ({type(exc).__name__}: "
                            f"{str(exc)[:200]})") from exc


def load_symbols(engine: Engine, data: bytes) -> list[str]:
    """Replace the states of the symbols `data` holds in `engine` (built with the same
    terms); the symbols loaded, in snapshot order. SnapshotError, and nothing changed, on
    another version, a terms mismatch or any decoding problem."""
    def terms_of(symbol: str) -> tuple[Terms, ...] | None:
        found = engine.symbols.get(symbol)
        return None if found is None else found.all_terms

    loaded = read_symbols(data, terms_of)
    for symbol, symbol_engine in loaded.items():
        engine.replace_symbol(symbol, symbol_engine)
    return list(loaded)
