"""Operating a live service from the command line: publish inputs, watch outputs, the clock.

The edges of docs/operations.md ("Operating it live"): `warrantwatch publish`, `watch` and
`clock` talk to the same topics, with the same settings, as the workers.
"""
