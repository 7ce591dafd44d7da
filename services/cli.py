"""The `warrantwatch` command line: discovers the sub-commands in `services.commands`."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import pkgutil
import sys
from collections.abc import Sequence

from shared.errors import WarrantWatchError


def version() -> str:
    """The installed package's version (pyproject.toml `project.version`)."""
    try:
        return importlib.metadata.version("warrantwatch")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warrantwatch",
        description="Watch a stock purchase warrant (Glowpoint W-F-05 family) to the letter.",
    )
    parser.add_argument("--version", action="version", version=f"warrantwatch {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    import services.commands as commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"services.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except WarrantWatchError as exc:
        print(f"warrantwatch: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
