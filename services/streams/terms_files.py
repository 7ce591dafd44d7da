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
    """Terms from TOML files and JSON lists; with none, the bundled W-F-05 terms.

    One series of terms per symbol (docs/terms-format.md): two files for one symbol stop the
    start-up with a `TermsError` naming both, never a traceback.
    """
    if not paths:
        return [load_terms()]
    out: list[Terms] = []
    source: dict[str, str] = {}
    for path in paths:
        if not path.endswith(".json"):
            found = [(path, load_terms(path))]
        else:
            try:
                docs = json.loads(Path(path).read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise TermsError("file", f"cannot read {path}: {exc}") from None
            if not isinstance(docs, list):
                raise TermsError("file", f"{path} must hold a JSON list of terms documents")
            found = [(f"{path}[{i}]", terms_from_mapping(doc)) for i, doc in enumerate(docs)]
        for where, terms in found:
            first = source.setdefault(terms.symbol, where)
            if first != where:
                raise TermsError("warrant.symbol", f"two terms files for symbol "
                                 f"{terms.symbol}: {first} and {where}; one series of "
                                 "terms per symbol is supported, give only one of them")
            out.append(terms)
    return out
