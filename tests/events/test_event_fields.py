"""Field rules of docs/events.md "Conventions" on the accepting side: what a valid record reads as.

Decimals come from strings and from JSON numbers without passing through float; timestamps
keep their offset; encoding gives the decimal back as a plain string with every digit.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from shared.errors import RecordError
from shared.events.codec import decode, decode_value, encode, to_dict
from shared.events.inputs import (
    DailyBar,
    Distribution,
    Exercise,
    Listing,
    NoticeDelivery,
    Quote,
    QuoteRules,
    StockDividend,
    Tick,
)
from shared.events.outputs import MarketValue
from shared.venues import Venue

# The binary double nearest 0.1 is 0.1000000000000000055511151231257827021181583404541015625;
# read through float, the 34 digits below would come back as 0.1. Every digit must survive.
LONG = "0.1000000000000000055511151231257827"


def _quote(**fields: Any) -> dict[str, Any]:
    return {"type": "quote", "id": "q1", "symbol": "GLOW",
            "at": "2008-11-18T15:00:00-05:00", **fields}


def _decode_quote(raw: str) -> Quote:
    record = decode("quotes", raw)
    assert isinstance(record, Quote)
    return record


def test_json_number_keeps_every_digit() -> None:
    raw = '{"type": "quote", "id": "q1", "symbol": "GLOW", "at": "2008-11-18T15:00:00-05:00", ' \
          f'"bid": {LONG}, "ask": {LONG}}}'
    quote = _decode_quote(raw)
    assert quote.bid == Decimal(LONG)
    assert str(quote.bid) == LONG
    # Through float the value would have come back as 0.1: the digits prove it did not.
    assert Decimal(repr(float(LONG))) == Decimal("0.1")
    assert quote.bid != Decimal("0.1")


def test_decimal_string_keeps_every_digit() -> None:
    quote = _decode_quote(json.dumps(_quote(bid=LONG)))
    assert str(quote.bid) == LONG


def test_encode_gives_every_digit_back_as_a_string() -> None:
    quote = _decode_quote(json.dumps(_quote(bid=LONG, ask="2.40")))
    data = json.loads(encode(quote))
    assert data["bid"] == LONG
    assert data["ask"] == "2.40"  # trailing zero kept: money shows its places


def test_json_number_with_trailing_zero_reads_as_that_decimal() -> None:
    raw = '{"type": "quote", "id": "q1", "symbol": "GLOW", "at": "2008-11-18T15:00:00-05:00", ' \
          '"bid": 2.40, "ask": 3}'
    quote = _decode_quote(raw)
    assert quote.bid == Decimal("2.40")
    assert quote.bid is not None and quote.bid.as_tuple().exponent == -2
    assert quote.ask == Decimal(3)
    assert isinstance(quote.ask, Decimal)
    assert to_dict(quote)["bid"] == "2.40"
    assert to_dict(quote)["ask"] == "3"


def test_decimal_with_small_exponent_is_plain_on_the_wire() -> None:
    quote = _decode_quote(json.dumps(_quote(bid="2.4E+1")))
    assert quote.bid == Decimal(24)
    assert "E" not in to_dict(quote)["bid"].upper()


@pytest.mark.parametrize("field", ["bid", "ask", "last", "volume"])
def test_python_float_is_refused_naming_the_field(field: str) -> None:
    """A float can only arrive from Python callers (JSON numbers are read as Decimal)."""
    value: dict[str, Any] = {"bid": "1.00"} if field == "volume" else {}
    value[field] = 0.1
    with pytest.raises(RecordError) as raised:
        decode_value("quotes", _quote(**value))
    message = str(raised.value)
    assert f"{field}: " in message
    assert "float" in message


def test_python_float_is_refused_by_the_model_itself() -> None:
    with pytest.raises(ValidationError) as raised:
        QuoteRules.model_validate(_quote(bid=1.1))
    assert raised.value.errors()[0]["loc"] == ("bid",)


def test_decimal_instance_is_accepted_from_python() -> None:
    quote = QuoteRules.model_validate(_quote(bid=Decimal("1.10"))).record()
    assert quote.bid == Decimal("1.10")


def test_records_are_frozen() -> None:
    quote = _decode_quote(json.dumps(_quote(bid="1.10")))  # the engine's quote, a Struct
    with pytest.raises(AttributeError):
        quote.bid = Decimal("9.99")  # type: ignore[misc]
    tick = decode("clock", '{"type": "tick", "id": "t1", "symbol": "GLOW", '
                           '"at": "2008-11-18T15:00:00-05:00"}')
    with pytest.raises(ValidationError):
        tick.at = datetime(2008, 11, 19, tzinfo=UTC)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        # 16:00 EST on Tuesday 2008-11-18 (DST ended 2008-11-02) is 21:00 UTC.
        ("2008-11-18T16:00:00-05:00", datetime(2008, 11, 18, 21, 0, tzinfo=UTC)),
        ("2008-11-18T21:00:00Z", datetime(2008, 11, 18, 21, 0, tzinfo=UTC)),
        ("2008-11-18T21:00:00+00:00", datetime(2008, 11, 18, 21, 0, tzinfo=UTC)),
        # 16:00 EDT on Wednesday 2005-10-05 is 20:00 UTC.
        ("2005-10-05T16:00:00-04:00", datetime(2005, 10, 5, 20, 0, tzinfo=UTC)),
        ("2005-10-05T16:00:00.250000-04:00", datetime(2005, 10, 5, 20, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_timestamp_with_offset_is_the_same_instant(text: str, utc: datetime) -> None:
    record = decode("clock", json.dumps({"type": "tick", "id": "t", "symbol": "GLOW", "at": text}))
    assert isinstance(record, Tick)
    assert record.at == utc
    assert record.at.utcoffset() is not None


def test_timestamp_offset_is_kept_on_the_wire() -> None:
    record = decode("clock", json.dumps({"type": "tick", "id": "t", "symbol": "GLOW",
                                         "at": "2008-11-18T16:00:00-05:00"}))
    assert isinstance(record, Tick)
    assert record.at.utcoffset() == timedelta(hours=-5)
    assert to_dict(record)["at"] == "2008-11-18T16:00:00-05:00"
    assert record.at.tzinfo == timezone(timedelta(hours=-5))


def test_date_reads_as_a_date() -> None:
    bar = decode("quotes", json.dumps({"type": "daily_bar", "id": "b", "symbol": "GLOW",
                                       "date": "2008-11-18", "close": "1.17"}))
    assert isinstance(bar, DailyBar)
    assert bar.date == date(2008, 11, 18)
    assert to_dict(bar)["date"] == "2008-11-18"


@pytest.mark.parametrize("venue", [v.value for v in Venue])
def test_every_venue_of_the_contract_is_accepted(venue: str) -> None:
    record = decode("corporate-actions", json.dumps({
        "type": "listing", "id": "l", "symbol": "GLOW", "effective": "2005-10-05", "venue": venue,
    }))
    assert isinstance(record, Listing)
    assert record.venue.value == venue


def test_venues_are_exactly_those_of_events_md() -> None:
    assert {v.value for v in Venue} == {
        "NASDAQ", "NYSE", "AMEX", "OTCBB", "PINK", "PINK_UNREPORTED", "NONE",
    }


@pytest.mark.parametrize("delivery", ["fax", "courier", "hand"])
def test_every_delivery_method_is_accepted(delivery: str) -> None:
    record = decode("exercises", json.dumps({
        "type": "exercise", "id": "e", "symbol": "GLOW", "warrant": "W-F-05", "holder": "H1",
        "submitted_at": "2008-11-18T16:59:00-05:00", "delivery": delivery, "cashless_shares": "10",
    }))
    assert isinstance(record, Exercise)
    assert record.delivery is NoticeDelivery(delivery)
    assert record.cash_shares == 0
    assert record.cashless_shares == Decimal(10)


def test_payment_on_the_record_date_is_allowed() -> None:
    record = decode("corporate-actions", json.dumps({
        "type": "stock_dividend", "id": "d", "symbol": "GLOW", "record_date": "2008-12-10",
        "payment_date": "2008-12-10", "rate": "0.25",
    }))
    assert isinstance(record, StockDividend)
    assert record.payment_date == record.record_date


def test_bid_equal_to_ask_is_allowed() -> None:
    quote = _decode_quote(json.dumps(_quote(bid="1.15", ask="1.15")))
    assert quote.bid == quote.ask


def test_json_boolean_reads_as_boolean() -> None:
    record = decode("corporate-actions", json.dumps({
        "type": "distribution", "id": "x", "symbol": "GLOW", "record_date": "2008-11-18",
        "kind": "cash", "value_per_share": "0.10", "out_of_earnings": True,
    }))
    assert isinstance(record, Distribution)
    assert record.out_of_earnings is True


def test_output_decimal_is_a_plain_string() -> None:
    record = MarketValue(id="m", symbol="GLOW", date=date(2008, 11, 18), value=Decimal("1.155"),
                         tier="a", source_date=date(2008, 11, 18), approximate=False, basis="b",
                         venue="NASDAQ")
    data = json.loads(encode(record))
    assert data["value"] == "1.155"
    assert list(data)[:3] == ["type", "id", "symbol"]
    assert data["type"] == "market_value"


def test_same_record_same_bytes() -> None:
    # the same record written three ways (key order, spacing, a JSON number for a decimal
    # string) encodes to one canonical text, written out here by hand
    ways = [
        json.dumps(_quote(bid="1.10", ask="1.20")),
        '{ "ask" : "1.20", "bid": "1.10", "at": "2008-11-18T15:00:00-05:00",'
        ' "symbol": "GLOW", "id": "q1", "type": "quote" }',
        '{"type":"quote","id":"q1","symbol":"GLOW","at":"2008-11-18T15:00:00-05:00",'
        '"bid":1.10,"ask":"1.20"}',
    ]
    canonical = ('{"type": "quote", "id": "q1", "symbol": "GLOW", '
                 '"at": "2008-11-18T15:00:00-05:00", "bid": "1.10", "ask": "1.20", '
                 '"last": null, "volume": null}')
    assert [encode(_decode_quote(raw)) for raw in ways] == [canonical] * 3
