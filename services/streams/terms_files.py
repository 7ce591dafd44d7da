"""Terms for worker processes: TOML terms files, a directory of them, or one JSON list.

- `--terms FILE` (repeatable): a TOML terms file (docs/terms-format.md) or a `.json` list of
  terms documents. A replay through Kafka starts workers as separate processes and hands them
  the terms it was given as such a JSON list (the TOML layout, as JSON); each is validated
  again by `terms_from_mapping` on the way in.
- `--terms-dir DIR`, or `WARRANTWATCH_TERMS_DIR` when no terms flag is given: every `*.toml`
  and `*.json` file directly in DIR, in name order (how deploy/ mounts a fund's own warrants:
  a ConfigMap in Kubernetes, a volume in docker-compose.yml). Files whose names start with
  a dot are skipped (Kubernetes mounts a ConfigMap through `..data` links).
- Nothing given: the bundled W-F-05 terms. Two terms for one symbol are refused: the
  services key everything by symbol.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from shared.errors import TermsError
from shared.terms import Terms, by_symbol, load_terms, terms_from_mapping, terms_to_mapping

TERMS_DIR = "WARRANTWATCH_TERMS_DIR"
_SUFFIXES = (".toml", ".json")


def write_terms_json(terms: Sequence[Terms], path: Path) -> None:
    path.write_text(json.dumps([terms_to_mapping(t) for t in terms], indent=1), "utf-8")


def terms_dir_files(directory: str | Path) -> list[str]:
    """The terms files of a directory, in name order; TermsError if there are none."""
    folder = Path(directory)
    if not folder.is_dir():
        raise TermsError("directory", f"{folder} is not a directory")
    found = sorted(str(p) for p in folder.iterdir()
                   if p.suffix in _SUFFIXES and not p.name.startswith(".") and p.is_file())
    if not found:
        raise TermsError("directory", f"{folder} holds no terms file (*.toml or *.json)")
    return found


def terms_dir_of(flag: str | None, env: Mapping[str, str] | None = None,
                 files: Sequence[str] | None = None) -> str | None:
    """The terms directory asked for: the flag, else the environment unless files were given."""
    if flag:
        return flag
    if files:
        return None
    return (os.environ if env is None else env).get(TERMS_DIR) or None


def _load_file(path: str) -> list[tuple[str, Terms]]:
    """The terms of one file, each with where it came from (`FILE`, or `FILE[i]` in a list)."""
    if not path.endswith(".json"):
        return [(path, load_terms(path))]
    try:
        docs = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise TermsError("file", f"cannot read {path}: {exc}") from None
    if not isinstance(docs, list):
        raise TermsError("file", f"{path} must hold a JSON list of terms documents")
    return [(f"{path}[{i}]", terms_from_mapping(doc, f"{path}[{i}]")) for i, doc in enumerate(docs)]


def load_terms_files(paths: Sequence[str] | None, terms_dir: str | Path | None = None
                     ) -> list[Terms]:
    """Terms from TOML files, JSON lists and a directory; with none, the bundled W-F-05.

    Several series of one symbol (docs/terms-format.md "Several series"): two files for one
    symbol and series, or series that disagree on a key they share, stop the start-up with a
    `TermsError` naming both files, never a traceback.
    """
    files = list(paths or ())
    if terms_dir is not None:
        files += terms_dir_files(terms_dir)
    if not files:
        return [load_terms()]
    named = [(where, terms) for path in files for where, terms in _load_file(path)]
    by_symbol(named)  # two files of one symbol and series, or disagreeing series: an error
    return [terms for _, terms in named]
