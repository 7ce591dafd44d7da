"""`--terms FILE` and `--terms-dir DIR` for the commands that load warrants' terms.

The directory is the flag, else `WARRANTWATCH_TERMS_DIR` when no `--terms` file is given;
nothing at all means the bundled W-F-05 terms (services/streams/terms_files.py).
"""

from __future__ import annotations

import argparse

from services.streams.terms_files import TERMS_DIR, load_terms_files, terms_dir_of
from shared.terms import Terms


def add_terms_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--terms", action="append", metavar="FILE",
                   help="terms file (.toml, or a .json list; repeat for several symbols); "
                        "default: bundled W-F-05")
    p.add_argument("--terms-dir", metavar="DIR",
                   help=f"every *.toml and *.json terms file in DIR (${TERMS_DIR} when no "
                        "--terms is given)")


def terms_from_args(args: argparse.Namespace) -> list[Terms]:
    return load_terms_files(args.terms, terms_dir_of(args.terms_dir, files=args.terms))
