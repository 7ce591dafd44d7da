"""The console in a real browser: `demo --serve`, then headless Chromium through its pages.

What a person sees is the page's visible text; each page must show the figures worked by
hand in tests/resources/console/pages_hand_checked.toml (from the scenario, not from the
code). Screenshots of every page are saved under artifacts/console/. The run ends with
SIGINT: the demo must stop cleanly and leave no process behind.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from console_support import BROWSER_FLAGS, RESOURCES, Served, alive, need_browser

pytestmark = [pytest.mark.kafka, pytest.mark.browser]

HAND = tomllib.loads((RESOURCES / "pages_hand_checked.toml").read_text("utf-8"))
SETTLE_SECONDS = 20.0  # the alerts page reads the alert topics back: allow it to catch up


def slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "index"


def visible_text(browser: Any, url: str) -> str:
    from selenium.webdriver.common.by import By

    browser.get(url)
    return str(browser.find_element(By.TAG_NAME, "body").text)


def check_page(browser: Any, served: Served, page: dict[str, Any], shot: Path) -> str:
    """Load the page until it shows every expected text (or time runs out), screenshot it."""
    url = served.url + page["path"]
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        text = visible_text(browser, url)
        missing = [s for s in page["shows"] if s not in text]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    browser.save_screenshot(str(shot))
    assert not missing, f"{url} does not show {missing}; it shows:\n{text[:3000]}"
    for absent in page.get("absent", []):
        assert absent not in text
    return text


def test_demo_pages_show_the_hand_worked_figures(browser: Any, served_demo: Served,
                                                 artifacts: Path) -> None:
    for page in HAND["demo"]:
        check_page(browser, served_demo, page, artifacts / f"demo-{slug(page['path'])}.png")


def test_demo_certificate_link_opens_the_section_5_certificate(
        browser: Any, served_demo: Served, artifacts: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served_demo.url + "GLOW/warrant?id=W-F-05-001")
    links = [a for a in browser.find_elements(By.LINK_TEXT, "certificate")
             if "distribution-2007-03-15" in (a.get_attribute("href") or "")]
    assert len(links) == 1
    links[0].click()
    text = browser.find_element(By.TAG_NAME, "body").text
    browser.save_screenshot(str(artifacts / "demo-certificate.png"))
    # 4(c) of 2007-03-15: 845,283.02 -> 905,660.38; price 1,629,600 / 905,660.38 = 1.7993
    for expected in ("Certificate of Adjustment", "Glowpoint, Inc.", "Chief Financial Officer",
                     "845,283.02", "905,660.38", "1.7993", "4(c)",
                     "illustrative-distribution-2007-03-15"):
        assert expected in text, expected


def test_two_symbols_pages_and_hostile_text(browser: Any, served_two: Served,
                                            artifacts: Path) -> None:
    from selenium.webdriver.common.by import By

    for page in HAND["two"]:
        check_page(browser, served_two, page, artifacts / f"two-{slug(page['path'])}.png")
        # the hostile holder and issuer are text: their <b> and <script> made no element
        assert [b.text for b in browser.find_elements(By.TAG_NAME, "b")
                if b.text in ("B", "Widgets")] == []
        assert browser.find_elements(By.TAG_NAME, "script") == []
    exercises = next(p for p in HAND["two"] if p["path"] == "ACME/exercises")
    browser.get(served_two.url + exercises["path"])
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "thead th")]
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "tbody tr:first-child td")]
    assert cells[headers.index("Trading Days left")] == exercises["trading_days_left"]


def test_a_warrant_id_with_a_slash_has_its_page(browser: Any, served_two: Served) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served_two.url)
    browser.find_element(By.LINK_TEXT, "A/1").click()
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Warrant A/1" in text and "900,000" in text and "1.0000" in text


def test_unknown_symbol_and_warrant_answer_404(served_two: Served) -> None:
    need_browser()
    import urllib.error
    import urllib.request

    for path in ("NOPE/holders", "ACME/warrant?id=nope"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(served_two.url + path, timeout=30)
        assert caught.value.code == 404
        assert "script-src" not in caught.value.headers.get("Content-Security-Policy", "") \
            and "default-src 'none'" in caught.value.headers["Content-Security-Policy"]


def test_sigint_stops_the_demo_and_leaves_no_process(served_two: Served) -> None:
    need_browser()
    assert served_two.proc.poll() is None
    code = served_two.stop(signal.SIGINT)
    assert code == 0, served_two.log.read_text(errors="replace")[-2000:]
    assert served_two.children, "the demo had a broker and a worker below it"
    deadline = time.monotonic() + 10
    while any(alive(p) for p in served_two.children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in served_two.children if alive(p)]


def test_certificates_print_on_one_page(served_demo: Served, tmp_path: Path,
                                        artifacts: Path) -> None:
    """Every adjustment of the demo: `certificate` -> HTML -> Chromium --print-to-pdf -> 1 page."""
    browser_path, _ = need_browser()
    import json
    import sys

    from pypdf import PdfReader

    ids = [json.loads(x)["value"]["id"] for x in served_demo.out.read_text("utf-8").splitlines()
           if json.loads(x)["value"]["type"] == "adjustment"]
    assert len(ids) >= 4  # 4(d), 4(b), the carried 4(c) and the 2007 4(c)
    for number, notice in enumerate(ids):
        page = tmp_path / f"certificate-{number}.html"
        subprocess.run([sys.executable, "-m", "services.cli", "certificate",
                        str(served_demo.out), "--notice", notice, "--out", str(page)],
                       check=True, timeout=120)
        pdf = artifacts / f"certificate-{number}.pdf"
        profile = tmp_path / f"profile-{number}"
        subprocess.run([browser_path, *BROWSER_FLAGS, "--no-pdf-header-footer",
                        f"--user-data-dir={profile}",
                        f"--print-to-pdf={pdf}", page.as_uri()],
                       check=True, timeout=120, capture_output=True)
        pages = len(PdfReader(pdf).pages)
        assert pages == 1, f"{notice}: {pages} pages"

