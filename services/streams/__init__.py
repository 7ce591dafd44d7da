"""The Faust services: the pure engine brought to Kafka.

    input topics --intake--> sequenced-inputs --warrant_state--> output topics

- `app.py` builds the app and its settings; `intake.py` and `warrant_state.py` are the agents;
  `outputs.py` publishes records; `routing.py`, `envelope.py` and `fold.py` are pure;
  `rebuild.py` re-reads the sequenced log to restore state.
- docs/operations.md explains the ordering and restart guarantees.
"""
