"""Fixtures of the console tests (helpers in console_support.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from console_support import (
    ARTIFACTS,
    BROWSER_FLAGS,
    BUNDLED_TERMS,
    RESOURCES,
    Served,
    need_browser,
    serve,
)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven through the OS chromedriver, a fresh profile each time."""
    path, driver_path = need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="warrantwatch-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = path
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,1000")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = serve(tmp_path_factory.mktemp("demo"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def served_two(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = serve(tmp_path_factory.mktemp("two"), "--scenario",
                    str(RESOURCES / "two-symbols.jsonl"), "--terms", str(BUNDLED_TERMS),
                    "--terms", str(RESOURCES / "acme-w-a-06.toml"))
    yield running
    running.stop()
