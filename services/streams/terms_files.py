"""Terms for worker processes: TOML terms files, or one JSON file listing several terms.

A replay through Kafka starts workers as separate processes and hands them the terms it was
given as a JSON list of terms documents (the TOML layout, as JSON); each is validated again by
`terms_from_mapping` on the way in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from shared.errors import TermsError
from shared.terms import Terms, load_terms, terms_from_mapping, terms_to_mapping


def write_terms_json(terms: Sequence[Terms], path: Path) -> None:
    path.write_text(json.dumps([terms_to_mapping(t) for t in terms], indent=1), "utf-8")


def load_terms_files(paths: Sequence[str] | None) -> list[Terms]:
    """Terms from TOML files and JSON lists; with none, the bundled W-F-05 terms."""
    if not paths:
        return [load_terms()]
    out: list[Terms] = []
    for path in paths:
        if not path.endswith(".json"):
            out.append(load_terms(path))
            continue
        try:
            docs = json.loads(Path(path).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise TermsError("file", f"cannot read {path}: {exc}") from None
        if not isinstance(docs, list):
            raise TermsError("file", f"{path} must hold a JSON list of terms documents")
        out.extend(terms_from_mapping(doc) for doc in docs)
    return out
