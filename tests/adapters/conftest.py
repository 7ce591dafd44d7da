"""yfinance keeps a time-zone and cookie cache on disk: point it at a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _yfinance_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    import yfinance as yf

    yf.set_tz_cache_location(str(tmp_path_factory.mktemp("yfinance-cache")))
    yield
