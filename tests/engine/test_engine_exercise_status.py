"""An exercise's life as one status with its moves in one table (shared/engine/exercises.py).

Sections 2(d), 6, 12: effective -> refused, or settled once the PSMV is known; settled ->
delivered by the deadline, or Exercise Default; Exercise Default -> rights restored by an
Exercise Default Notice. Nothing else.
"""

from __future__ import annotations

import pytest

from shared.engine.exercises import TRANSITIONS, ExerciseStatus
from shared.errors import EngineFault

S = ExerciseStatus


def test_the_table_is_the_life_of_docs_contract() -> None:
    assert {
        S.AWAITING_VALUE: {S.REFUSED, S.AWAITING_DELIVERY},
        S.AWAITING_DELIVERY: {S.DELIVERED, S.IN_DEFAULT},
        S.IN_DEFAULT: {S.RESTORED},
        S.REFUSED: set(), S.DELIVERED: set(), S.RESTORED: set(),
    } == TRANSITIONS


def test_every_status_is_reached_from_the_start() -> None:
    seen, todo = {S.AWAITING_VALUE}, [S.AWAITING_VALUE]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(S)


def test_a_move_the_table_does_not_allow_is_an_engine_fault() -> None:
    from datetime import date, datetime, timedelta, timezone

    from shared.delivery import DeliverySchedule
    from shared.engine.exercises import OpenExercise
    from shared.events.inputs import Exercise

    at = datetime(2008, 6, 2, 11, tzinfo=timezone(timedelta(hours=-4)))
    record = Exercise.model_construct(id="x1", symbol="GLOW")
    schedule = DeliverySchedule.__new__(DeliverySchedule)
    item = OpenExercise(record, at, "", date(2008, 6, 2), at, schedule)
    with pytest.raises(EngineFault, match="awaiting_value to restored"):
        item.move(S.RESTORED)
    item.move(S.REFUSED)
    with pytest.raises(EngineFault):
        item.move(S.AWAITING_DELIVERY)
