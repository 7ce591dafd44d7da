"""Golden answers and inputs for the adapter tests: files under tests/resources/adapters/.

Each CSV names its source in its header comments; none was produced by the code under test.
The real data they are read off lives in the repository's data/ (data/PROVENANCE.md).
Lines starting with '#' are comments.
"""

from __future__ import annotations

import csv
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "adapters"
DATA = Path(__file__).resolve().parents[2] / "data"  # real public data, data/PROVENANCE.md
YAHOO_DATA = DATA / "yahoo"
GLOW_DATA = DATA / "glow"
FORM4_DATA = DATA / "form4"
AAPL_JAN = YAHOO_DATA / "chart-AAPL-2020-01-01-to-2020-01-03.json"
AAPL_SPLIT = YAHOO_DATA / "chart-AAPL-2020-08-31-to-2020-11-07.json"
WWTEST = RESOURCES / "yahoo" / "chart-WWTEST-two-splits.json"
# the bundled W-F-05 terms file, for tests that change one of its keys
BUNDLED_TERMS = (Path(__file__).resolve().parents[2] / "shared" / "terms_data"
                 / "glowpoint-w-f-05.toml")


def rows(name: str) -> list[dict[str, str]]:
    with (RESOURCES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))
