"""One plain sentence per exercise refusal code, as the holder reads it in a refusal notice.

The codes are `shared.events.outputs.RefusalReason`; the record's `detail` carries the
figures, this sentence the rule, with the warrant's own cap and dates from its terms file.
Every code has exactly one sentence (tested).
"""

from __future__ import annotations

from types import MappingProxyType

from shared.events.outputs import RefusalReason
from shared.terms import Terms

SENTENCES: MappingProxyType[RefusalReason, str] = MappingProxyType({
    RefusalReason.CAP: (
        "After this exercise you would own more than {cap} of the company's outstanding "
        "common stock, which Section 7 of the warrant does not allow; the notice states the "
        "largest exercise that stays within the limit."
    ),
    RefusalReason.NOT_YET_EXERCISABLE: (
        "The warrant cannot be exercised yet: Section 2(a) allows exercise only from "
        "{exercisable_from}."
    ),
    RefusalReason.EXPIRED: (
        "The warrant has expired: under Section 1 it could be exercised only until "
        "{expires_at}."
    ),
    RefusalReason.EXCEEDS_WARRANT: (
        "You asked to exercise more shares than the warrant still covers; the notice states "
        "how many remain."
    ),
    RefusalReason.CASHLESS_OUT_OF_MONEY: (
        "A cashless exercise gives shares only when the market value of a share on the "
        "exercise date is above the Warrant Price (Section 2(c)); it was not, so no shares "
        "would be issued."
    ),
    RefusalReason.CASHLESS_NOT_ALLOWED: (
        "The terms of this warrant do not allow cashless exercise; you may exercise by "
        "paying the Warrant Price in cash."
    ),
    RefusalReason.UNKNOWN_WARRANT: (
        "We have no record of the warrant number given on the exercise form."
    ),
    RefusalReason.WRONG_HOLDER: (
        "The exercise form was not given by the registered holder of this warrant."
    ),
    RefusalReason.UNKNOWN_HOLDER: (
        "We have no record of the holder named on the exercise form: no warrant, holding or "
        "Form 4 names it."
    ),
    RefusalReason.DUPLICATE: (
        "This exercise form was already received and acted on; it is not counted twice."
    ),
    RefusalReason.NO_MARKET_VALUE: (
        "The market value of a share for the exercise date, which this exercise needs "
        "(Sections 2(c) and 6), could not be determined."
    ),
    RefusalReason.NO_SHARES_OUTSTANDING: (
        "The number of the company's shares outstanding is not known, so the {cap} "
        "ownership limit of Section 7 cannot be checked."
    ),
    RefusalReason.WARRANT_EXHAUSTED: (
        "The warrant has already been exercised in full; no shares remain to be exercised."
    ),
})


def refusal_sentence(reason: RefusalReason | str, terms: Terms) -> str:
    """The holder's sentence for a refusal code, with this warrant's dates and cap filled in."""
    cap = f"{(terms.ownership_cap * 100).normalize():f}%"
    starts = terms.exercisable_from.astimezone(terms.zone)
    expires = terms.expires_at.astimezone(terms.zone)
    return SENTENCES[RefusalReason(reason)].format(
        cap=cap,
        exercisable_from=f"{starts:%B} {starts.day}, {starts.year}",
        expires_at=(
            f"{expires.hour % 12 or 12}:{expires:%M} {'a.m.' if expires.hour < 12 else 'p.m.'} "
            f"eastern time on {expires:%B} {expires.day}, {expires.year}"
        ),
    )
