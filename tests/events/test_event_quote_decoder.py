"""The fast quote decoder against the rules models (docs/events.md "Decoding a quote").

shared/events/quote.py decodes a quote with msgspec and a few checks; whatever it does not
accept outright goes to the pydantic rules models (`codec.decode_with_rules`), whose answer
is the reference. The property: for every message, `decode`, `decode_value` and `admit`
give exactly what the rules models give (the same record, field for field and digit for
digit, or the same reason), so the fast path may be stricter but never laxer. Messages are
generated valid and mutated: numbers as strings or JSON numbers, exponents, spaces, lower
case `t`/`z`, naive times, offsets, dates at and beyond the tables' ends, huge and tiny
magnitudes, NaN and infinity, booleans, floats' spelling, unknown and duplicate keys,
control characters, digits of other scripts, bid above ask, raw bytes inserted or removed.
The hand-written cases below name each rule and the reason the rules give.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shared.errors import RecordError
from shared.events.boundary import admit
from shared.events.codec import decode, decode_value, decode_with_rules, parse_json, to_dict
from shared.events.inputs import QuoteRules
from shared.events.outputs import DeadLetter
from shared.events.quote import Quote, fast_quote, fast_quote_of

VALID = {"type": "quote", "id": "q-1", "symbol": "GLOW", "at": "2011-01-03T10:00:00-05:00",
         "bid": "0.55", "ask": "0.60"}


def _outcome(call: Any, *args: Any) -> str:
    """What a decode gives, comparable digit for digit: the record's repr (Decimals with
    their exponent, the datetime with its offset) or the reason."""
    try:
        record = call(*args)
    except RecordError as exc:
        return f"refused: {exc}"
    assert isinstance(record, Quote) or type(record).__name__ == "DailyBar", record
    return repr(record)


def _same_everywhere(raw: str | bytes) -> tuple[str, Quote | None]:
    """The differential property for one message; returns the reference and the fast
    path's own answer."""
    reference = _outcome(decode_with_rules, "quotes", raw)
    fast = fast_quote(raw)
    if fast is not None:  # stricter, never laxer: the rules accept it, with equal fields
        assert reference == repr(fast), (raw, reference, fast)
        # and it is written as the pydantic model writes it (replay lines, dead letters' raw)
        assert to_dict(fast) == to_dict(QuoteRules.model_validate(parse_json(raw)))
    assert _outcome(decode, "quotes", raw) == reference
    try:
        value = parse_json(raw)
    except RecordError:
        value = None
    else:
        if isinstance(value, dict):
            quick = fast_quote_of(value)
            if quick is not None:
                assert reference == repr(quick), (raw, reference, quick)
        assert _outcome(decode_value, "quotes", value) == reference
    admitted = admit("quotes", raw)
    with patch("shared.events.boundary.fast_quote", _never), \
            patch("shared.events.codec.fast_quote_of", _never):
        by_rules = admit("quotes", raw)  # the dead letter of today, or the same record
    assert repr(admitted) == repr(by_rules)
    assert isinstance(admitted, DeadLetter) == reference.startswith("refused: ")
    return reference, fast


def _never(raw: object) -> None:
    return None


# --- generated messages ---------------------------------------------------------------------

_DIGITS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=4)


@st.composite
def _decimal_text(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(["", "", "-", "+"]))
    whole = draw(st.one_of(_DIGITS, st.just("")))
    frac = draw(st.one_of(st.just(""), _DIGITS.map(lambda d: "." + d), st.just(".")))
    if not whole and frac in ("", "."):
        whole = "1"
    exp = draw(st.one_of(st.just(""), st.just(""), st.builds(
        lambda e, s, d: e + s + d, st.sampled_from("eE"), st.sampled_from(["", "+", "-"]),
        st.sampled_from(["0", "5", "12", "13", "15", "16", "400", "99999999999999999999"]))))
    return sign + whole + frac + exp


_ODD_NUMBERS = ["NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN", "1_000", "\u0661.5",
                "\uff11", " 1.5", "1.5 ", "\t1.5", "1.5\n", "0", "-0", "0.0", "1e-13",
                "1e-12", "1e15", "1e16", "9" * 16, "9" * 17, "0" * 70 + "1", "", " ", "1.5e",
                ".", "+", "0x10", "1,5", "²"]


@st.composite
def _number_json(draw: st.DrawFn) -> str:
    """A price or volume as JSON text: a string, a number, or something else."""
    plain = st.builds(lambda w, f: f"{w}.{f}", st.integers(0, 999), _DIGITS)
    text = draw(st.one_of(plain, plain, _decimal_text(), st.sampled_from(_ODD_NUMBERS)))
    how = draw(st.sampled_from(["string"] * 4 + ["number"] * 3 + ["other"]))
    if how == "string":
        return json.dumps(text)
    if how == "number":
        return text  # possibly not valid JSON: then both must refuse the message
    return draw(st.sampled_from(["true", "false", "null", "NaN", "Infinity", "-Infinity",
                                 "1e400", "-1e400", "[1]", '{"a": 1}', '"1.5"', "1.10",
                                 "0.1000000000000000055511151231257827",
                                 "123456789012345678901234567890123", "18446744073709551616",
                                 "-0.0", "1E5", "5e-13"]))


_DAYS = ["1994-12-31", "1995-01-01", "1995-01-02", "2011-01-03", "2011-02-30", "2012-02-29",
         "2013-02-29", "2035-12-30", "2035-12-31", "2036-01-01", "0001-01-01", "9999-12-31",
         "2011-1-03", "20110103", "2011-W01-1", "2011-13-01", "\u0662011-01-03"]
_TIMES = ["10:00:00", "00:00:00", "23:59:59", "24:00:00", "10:00", "10:00:60", "1000:00",
          "10:00:00.5", "10:00:00.123456", "10:00:00.1234567", "10:00:00,5", "10:00:00."]
_ZONES = ["Z", "-05:00", "+05:30", "+14:00", "-14:00", "+14:01", "-13:59", "+05:60", "+0500",
          "+05", "", "z", "+00:00", "-00:00", "+05:00:00", "UTC", " -05:00"]


@st.composite
def _instant_json(draw: st.DrawFn) -> str:
    day = draw(st.sampled_from(_DAYS))
    sep = draw(st.sampled_from(["T", "T", "T", "t", " ", "_", ""]))
    when = draw(st.sampled_from(_TIMES))
    zone = draw(st.sampled_from(_ZONES))
    text = day + sep + when + zone
    return draw(st.sampled_from([json.dumps(text), json.dumps(text), json.dumps(text),
                                 "12345", "null", "true", json.dumps(text.lower())]))


_TEXTS = st.one_of(
    st.sampled_from(["GLOW", "q-1", "x" * 256, "x" * 257, "", " ", "\t", "\u3000", "a\x00b",
                     "a\x7fb", "a\x85b", "a\u00a0b", "a\u2028b", "\u00e9t\u00e9", "\U0001f600",
                     "NaN", "quote"]),
    st.text(max_size=12),
)


@st.composite
def _text_json(draw: st.DrawFn) -> str:
    text = draw(_TEXTS)
    how = draw(st.sampled_from(["ascii", "raw", "raw", "other"]))
    if how == "other":
        return draw(st.sampled_from(["1", "null", "true", "NaN", "[]", '"\\ud800"',
                                     '"a\\u0000"', '"\\u0047LOW"']))
    return json.dumps(text, ensure_ascii=how == "ascii")


_USUAL_AT = ['"2011-01-03T10:00:00Z"', '"2011-01-03T10:00:00-05:00"',
             '"2005-03-14T15:59:00.125-05:00"', '"2035-12-30T23:59:59+14:00"',
             '"1995-01-02T00:00:00-14:00"', '"2020-02-29T12:00:00+05:30"']
_usual_decimal = st.one_of(
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
    st.integers(1, 10**9).map(Decimal),
)


def _odd(draw: st.DrawFn) -> bool:
    return draw(st.integers(0, 5)) == 0


@st.composite
def _message(draw: st.DrawFn) -> str | bytes:
    pairs: list[tuple[str, str]] = [
        ("type", draw(st.sampled_from(['"Quote"', '"daily_bar"', "1", '"tick"', "null"]))
         if _odd(draw) else '"quote"'),
        ("id", draw(_text_json()) if _odd(draw) else '"q-1"'),
        ("symbol", draw(_text_json()) if _odd(draw) else '"GLOW"'),
        ("at", draw(_instant_json()) if _odd(draw) else draw(st.sampled_from(_USUAL_AT))),
    ]
    usual = sorted(draw(st.lists(_usual_decimal, min_size=4, max_size=4)))
    if draw(st.integers(0, 3)) == 0:
        usual.reverse()  # bid above ask, now and then
    for name, number in zip(("bid", "ask", "last", "volume"), usual, strict=True):
        if draw(st.integers(0, 2)) > 0:
            pairs.append((name, draw(_number_json()) if _odd(draw)
                          else draw(st.sampled_from([json.dumps(str(number)), str(number)]))))
    if draw(st.integers(0, 9)) == 0:
        pairs.append((draw(st.sampled_from(["extra", "Bid", "date", "close", "bid"])),
                      draw(_number_json())))
    if draw(st.integers(0, 9)) == 0:  # a duplicate key: json.loads and msgspec keep the last
        pairs.append(draw(st.sampled_from(pairs)))
    if draw(st.integers(0, 12)) == 0:
        pairs.remove(draw(st.sampled_from(pairs)))
    order = draw(st.permutations(pairs)) if draw(st.booleans()) else pairs
    spacer = draw(st.sampled_from([", ", ",", " ,\n ", ",\t"]))
    text = "{" + spacer.join(f'"{k}": {v}' for k, v in order) + "}"
    if draw(st.integers(0, 7)) == 0:  # a character put in or taken out anywhere
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(
                ["\x00", "\x01", " ", "\u00a0", "\ufeff", "x", '"', ",", "}", "\\"])) + text[at:]
        else:
            text = text[:at] + text[at + 1:]
    if draw(st.booleans()):
        return text.encode("utf-8", errors="surrogatepass")
    return text


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_message())
def test_the_fast_path_gives_what_the_rules_give(raw: str | bytes) -> None:
    reference, fast = _same_everywhere(raw)
    if fast is not None:
        event("accepted by the fast path")
    elif reference.startswith("refused"):
        event("refused (by the rules, after the fast path declined)")
    else:
        event("accepted by the rules only (the fast path was stricter)")


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_what_the_rules_give(raw: bytes) -> None:
    _same_everywhere(raw)


# --- hand-written: what the fast path takes, and each rule it must not relax ---------------

def _text(**fields: Any) -> str:
    return json.dumps({k: v for k, v in {**VALID, **fields}.items() if v is not _DROP})


_DROP = object()


@pytest.mark.parametrize("raw", [
    _text(),
    _text(bid="1.80", ask="1.84", last="1.82", volume="0"),
    '{"type": "quote", "id": "q", "symbol": "GLOW", "at": "2011-01-03T10:00:00Z", "bid": 1.10, '
    '"ask": 2, "volume": 1000}',
    _text(at="2011-01-03T10:00:00.250000+05:30"),
    _text(at="2011-01-03T10:00:00.5-14:00"),
    _text(at="1995-01-02T00:00:00+14:00", bid="1E-12"),
    _text(bid=_DROP, ask=_DROP, last="999999999999999"),
    _text(id="x" * 256, symbol="BRK.B"),
    _text(bid="-0.5e1", ask=_DROP) .replace('"-0.5e1"', '"0.5e1"'),
])
def test_the_fast_path_takes_the_usual_quotes(raw: str) -> None:
    quote = fast_quote(raw)
    assert quote is not None
    assert repr(quote) == repr(decode_with_rules("quotes", raw))
    assert fast_quote(raw.encode()) == quote


def test_the_fast_path_reads_numbers_digit_for_digit() -> None:
    raw = ('{"type": "quote", "id": "q", "symbol": "GLOW", "at": "2011-01-03T10:00:00-05:00", '
           '"bid": 0.1000000000000000055511151231257827, "ask": "1.10", "volume": 1E3}')
    quote = fast_quote(raw)
    assert quote is not None
    assert str(quote.bid) == "0.1000000000000000055511151231257827"
    assert str(quote.ask) == "1.10"
    assert str(quote.volume) == "1E+3"
    assert quote.at == datetime(2011, 1, 3, 15, 0, tzinfo=UTC)
    assert quote.at.utcoffset() is not None and quote.instant() == quote.at


# each: a message the fast path must not accept, and words of the rules' reason
REFUSED = [
    (_text(bid="NaN"), "bid: not a decimal number of ASCII digits"),
    ('{"type": "quote", "id": "q", "symbol": "GLOW", "at": "2011-01-03T10:00:00Z", '
     '"bid": NaN}', "bid: JSON constant NaN is not a number"),
    ('{"type": "quote", "id": "q", "symbol": "GLOW", "at": "2011-01-03T10:00:00Z", '
     '"bid": 1e400}', "bid: out of range (magnitude 1e-12 to 1e15)"),
    (_text(bid="1e16", ask=_DROP), "bid: out of range"),
    (_text(bid="1e-13"), "bid: out of range"),
    ('{"type": "quote", "id": "q", "symbol": "GLOW", "at": "2011-01-03T10:00:00Z", '
     '"bid": 12345678901234567}', "bid: out of range"),
    (_text(bid="1_000"), "bid: not a decimal number of ASCII digits"),
    (_text(bid="\u0661.5"), "bid: not a decimal number of ASCII digits"),
    (_text(bid="\uff11"), "bid: not a decimal number of ASCII digits"),
    (_text(bid="\t1.5"), "bid: not a decimal number of ASCII digits"),
    (_text(bid="0"), "bid: must be greater than zero"),
    (_text(bid="-1", ask=_DROP), "bid: must be greater than zero"),
    (_text(volume="-1"), "volume: must not be negative"),
    (_text(bid=True), "bid: must be a decimal number, got a boolean"),
    (_text(bid=1.5, ask=_DROP), None),  # json.dumps writes a JSON number: read as Decimal, accepted
    (_text(bid="0.70", ask="0.60"), "bid 0.70 is above ask 0.60"),
    (_text(bid=_DROP, ask=_DROP), "a quote needs at least one of bid, ask, last"),
    (_text(at="2011-01-03 10:00:00-05:00"), "at: not an ISO 8601 instant with an offset"),
    (_text(at="2011-01-03t10:00:00-05:00"), "at: not an ISO 8601 instant with an offset"),
    (_text(at="2011-01-03T10:00:00z"), "at: not an ISO 8601 instant with an offset"),
    (_text(at="2011-01-03T10:00:00"), "at: not an ISO 8601 instant with an offset"),
    (_text(at="2011-01-03T10:00:00+14:01"), "at: UTC offset beyond 14:00"),
    (_text(at="2011-01-03T10:00:00+05:60"), "at: UTC offset beyond 14:00"),
    (_text(at="20110103T100000Z"), "at: not an ISO 8601 instant with an offset"),
    (_text(at="2011-02-30T10:00:00Z"), "at: not a valid date and time"),
    (_text(at="1994-12-31T23:00:00Z"), "at: 1994-12-31 is outside the Trading Day tables"),
    (_text(at="1995-01-01T05:00:00+14:00"), "at: 1994-12-31 is outside the Trading Day tables"),
    (_text(at="2035-12-31T20:00:00-05:00"), "at: 2036-01-01 is outside the Trading Day tables"),
    (_text(at="2036-01-01T00:00:00Z"), "at: 2036-01-01 is outside the Trading Day tables"),
    (_text(id=""), "id: must not be empty"),
    (_text(symbol=" \t"), "symbol: must not be empty"),
    (_text(id="x" * 257), "id: longer than 256 characters (257)"),
    (_text(id="a\x00b"), "id: contains a control character"),
    (_text(symbol="GL\x85OW"), "symbol: contains a control character"),
    ('{"type": "quote", "id": "q\\ud800", "symbol": "GLOW", "at": "2011-01-03T10:00:00Z", '
     '"bid": "1"}', "id: contains a lone surrogate"),
    (_text(symbol=1), "symbol: must be a string, got int"),
    (_text(extra="1"), "extra: unknown field"),
    (_text(at=_DROP), "at: required field missing"),
    (_text(type="Quote"), "type: 'Quote' is not accepted on topic 'quotes'"),
    (json.dumps(VALID).encode("utf-16"), "record: not UTF-8"),
    (json.dumps(VALID).encode("utf-8-sig"), "record: malformed JSON"),
    (json.dumps(VALID)[:-1], "record: malformed JSON"),
    ("[" + json.dumps(VALID) + "]", "value: a record must be a JSON object"),
]


@pytest.mark.parametrize(("raw", "reason"), REFUSED)
def test_each_rule_holds_on_the_fast_path(raw: str | bytes, reason: str | None) -> None:
    reference, fast = _same_everywhere(raw)
    if reason is None:
        assert not reference.startswith("refused"), reference
        return
    assert fast is None
    assert reference.startswith("refused: ")
    assert reason in reference, reference


def test_a_quote_over_the_size_limit_is_refused_unparsed() -> None:
    raw = _text(id="q", symbol="GLOW") + " " * 524_288
    with pytest.raises(RecordError, match="exceeds the 524288-byte limit"):
        decode("quotes", raw)
    letter = admit("quotes", raw)
    assert isinstance(letter, DeadLetter) and "524288-byte limit" in letter.reason


def test_duplicate_keys_keep_the_last_in_both() -> None:
    raw = _text()[:-1] + ', "bid": "0.58"}'
    quote = fast_quote(raw)
    assert quote is not None and quote.bid == Decimal("0.58")
    _same_everywhere(raw)
    _same_everywhere(_text()[:-1] + ', "bid": "0.70"}')  # then above ask: refused by both


def test_a_daily_bar_on_the_quotes_topic_still_decodes() -> None:
    raw = ('{"type": "daily_bar", "id": "b", "symbol": "GLOW", "date": "2011-01-03", '
           '"close": "0.60"}')
    assert fast_quote(raw) is None
    assert type(decode("quotes", raw)).__name__ == "DailyBar"


@pytest.mark.parametrize(("key", "keyed", "letter"), [
    (b"GLOW", True, None),
    ("GLOW", False, None),
    (None, False, None),
    (b"GLOX", True, "key: 'GLOX' is not the record's symbol 'GLOW'"),
    (None, True, "key: a message needs a key"),
    (b"\xff", True, "key: not UTF-8"),
])
def test_the_key_is_checked_on_the_fast_path(key: bytes | str | None, keyed: bool,
                                             letter: str | None) -> None:
    raw = _text().encode()
    admitted = admit("quotes", raw, key, keyed=keyed)
    with patch("shared.events.boundary.fast_quote", _never), \
            patch("shared.events.codec.fast_quote_of", _never):
        by_rules = admit("quotes", raw, key, keyed=keyed)
    assert repr(admitted) == repr(by_rules)
    if letter is None:
        assert isinstance(admitted, Quote)
    else:
        assert isinstance(admitted, DeadLetter) and letter in admitted.reason


def test_what_the_decoder_remembers_changes_no_answer() -> None:
    """Price texts, symbols, date and clock parts found valid are remembered; a JSON constant
    equal to a remembered text (a str subclass) is still refused, as the rules refuse it."""
    from shared.events.fields import JsonConstant

    first = decode("quotes", _text(symbol="NaN", bid="1.80", ask="1.84"))
    assert isinstance(first, Quote) and first.symbol == "NaN"
    value = {**VALID, "symbol": JsonConstant("NaN")}
    with pytest.raises(RecordError, match="symbol: must be a string, got JsonConstant"):
        decode_value("quotes", value)
    value = {**VALID, "at": JsonConstant("2011-01-03T10:00:00-05:00")}
    with pytest.raises(RecordError, match="at: must be an ISO 8601 timestamp string"):
        decode_value("quotes", value)
    again = decode("quotes", _text(symbol="NaN", bid="1.80", ask="1.84"))
    assert again == first and repr(again) == repr(first)
