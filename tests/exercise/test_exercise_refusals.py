"""Every refusal code has one plain sentence, with this warrant's own figures."""

from __future__ import annotations

import pytest
from exercise_golden import terms

from shared.events.outputs import RefusalReason
from shared.exercise.refusals import SENTENCES, refusal_sentence


def test_every_code_has_a_sentence() -> None:
    assert set(SENTENCES) == set(RefusalReason)


@pytest.mark.parametrize("reason", list(RefusalReason))
def test_sentence_is_plain_and_filled(reason: RefusalReason) -> None:
    sentence = refusal_sentence(reason, terms())
    assert sentence.endswith(".")
    assert "{" not in sentence and "}" not in sentence
    assert refusal_sentence(reason.value, terms()) == sentence


def test_sentences_carry_the_terms_figures() -> None:
    assert "4.999%" in refusal_sentence(RefusalReason.CAP, terms())
    assert "September 15, 2005" in refusal_sentence(RefusalReason.NOT_YET_EXERCISABLE, terms())
    assert "5:00 p.m. eastern time on March 14, 2010" in refusal_sentence(
        RefusalReason.EXPIRED, terms()
    )


def test_unknown_code_is_an_error() -> None:
    with pytest.raises(ValueError):
        refusal_sentence("no_such_code", terms())
