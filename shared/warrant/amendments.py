"""Section 10 for the fold: the warrants an amendment touches, judged by `shared.notices`."""

from __future__ import annotations

from shared.events.inputs import Amendment
from shared.notices import WarrantPosition, amendment_verdict
from shared.terms import Terms
from shared.warrant.state import Book


def section10_problem(amendment: Amendment, book: Book, terms: Terms) -> str | None:
    """Why `amendment` cannot bind the warrants of `book`, or None when it binds."""
    changes = amendment.changes
    if changes.warrant_price is None and changes.share_number is None \
            and changes.expires_at is None:
        return "Section 10: the amendment changes nothing"
    targets = amendment.warrants if amendment.warrants is not None else tuple(book.warrants)
    unknown = sorted(w for w in targets if w not in book.warrants)
    if unknown:
        return f"Section 10: unknown warrants {', '.join(unknown)}"
    expiry = book.expires_at or terms.expires_at
    positions = [WarrantPosition(w.warrant, w.holder, w.shares, w.price, expiry)
                 for w in (book.warrants[t] for t in sorted(targets)) if w.shares > 0]
    verdict = amendment_verdict(
        warrant_price=changes.warrant_price, share_number=changes.share_number,
        expires_at=changes.expires_at, positions=positions,
        consenting_holders=amendment.consenting_holders,
        majority_holders_consent=amendment.majority_holders_consent, terms=terms,
    )
    return None if verdict.allowed else verdict.calculation
