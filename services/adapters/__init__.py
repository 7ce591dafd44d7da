"""Adapters from outside data to the input records of docs/events.md.

Each module turns one source into records (`shared.events.inputs`) or replay lines:
`yahoo` (Yahoo Finance through yfinance, or a saved chart response), `csv_files` (daily
OHLC and intraday trade-and-quote files), `recorded_http` (an HTTP session that answers
from recorded Yahoo responses, so the yfinance path runs offline), `replay_lines` (the
`{"topic": ..., "value": ...}` line format). Form 4 parsing is pure and lives in
`shared.form4`.
"""
