"""Adapters from outside data to the input records of docs/events.md.

Each module turns one source into records (`shared.events.inputs`) or replay lines:
`yahoo` (Yahoo Finance through yfinance, or a saved chart response), `csv_files` (daily
OHLC and intraday trade-and-quote files), `recorded_http` (an HTTP session that answers
from recorded Yahoo responses, so the yfinance path runs offline), `replay_lines` (the
`{"topic": ..., "value": ...}` line format), `form4` (an EDGAR Form 4 to the `form4` record;
the engine reads that record into holdings, `shared.ownership_input`).
"""
