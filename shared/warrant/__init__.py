"""The terms in force for each warrant as a pure fold of its ordered events (Sections 2, 4, 10).

`state` holds the frozen state, `timeline` the ordering of events by the instant they take
effect, `fold` the one-step transition for each kind of event.
"""
