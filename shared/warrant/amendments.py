"""Section 10: when an amendment binds.

An amendment needs the Issuer and the Majority Holders (Holders of Warrants exercisable for at
least 51% of the Warrant Stock issuable under the Warrants outstanding, Section 8). One that
reduces the Warrant Share Number, increases the Warrant Price or shortens the period of
exercise also needs the consent of each Holder whose Warrant it changes so.
"""

from __future__ import annotations

from shared.events.inputs import Amendment
from shared.numbers import show, show_price
from shared.terms import Terms
from shared.warrant.state import Book


def section10_problem(amendment: Amendment, book: Book, terms: Terms) -> str | None:
    """Why `amendment` cannot bind the warrants of `book`, or None when it binds."""
    changes = amendment.changes
    if changes.warrant_price is None and changes.share_number is None \
            and changes.expires_at is None:
        return "Section 10: the amendment changes nothing"
    if not amendment.majority_holders_consent:
        return (f"Section 10: an amendment needs the written consent of the Majority Holders "
                f"(Holders of at least {show(terms.majority_holders_fraction * 100)}% of the "
                f"warrant shares outstanding); it was not given")
    targets = amendment.warrants if amendment.warrants is not None else tuple(book.warrants)
    unknown = [w for w in targets if w not in book.warrants]
    if unknown:
        return f"Section 10: unknown warrants {', '.join(sorted(unknown))}"
    consenting = set(amendment.consenting_holders)
    expiry = book.expires_at or terms.expires_at
    missing: list[str] = []
    for wid in sorted(targets):
        w = book.warrants[wid]
        harms = []
        if changes.share_number is not None and changes.share_number < w.shares:
            harms.append(f"reduces the Warrant Share Number from {show(w.shares)} to "
                         f"{show(changes.share_number)}")
        if changes.warrant_price is not None and changes.warrant_price > w.price:
            harms.append(f"increases the Warrant Price from {show_price(w.price)} to "
                         f"{show_price(changes.warrant_price)}")
        if changes.expires_at is not None and changes.expires_at < expiry:
            harms.append(f"shortens the exercise period from {expiry.isoformat()} to "
                         f"{changes.expires_at.isoformat()}")
        if harms and w.holder not in consenting:
            missing.append(f"{wid} (holder {w.holder}): {'; '.join(harms)}")
    if missing:
        return ("Section 10: without the consent of each Holder it affects, an amendment may "
                "not " + " | ".join(missing))
    return None
