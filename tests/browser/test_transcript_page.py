"""The transcript page in a real browser: it renders, its chart is drawn, nothing errors in the console."""
from __future__ import annotations

import subprocess
import time

import pytest
import requests

from tests.chromium import Browser
from tests.e2e.live import live_server
from tests.e2e.live import lrs_env, lrs_executable

pytestmark = pytest.mark.slow


@pytest.fixture
def demo_server(db_url: str) -> str:
    """``lrs demo`` data behind a real ``lrs serve`` with its worker, caught up."""
    loaded = subprocess.run([lrs_executable(), "demo", "--no-serve", "--statements", "200"], env=lrs_env(db_url),
                            capture_output=True, text=True, timeout=180)
    assert loaded.returncode == 0, loaded.stderr
    with live_server(db_url) as base:
        deadline = time.monotonic() + 60
        while True:
            r = requests.get(base + "/api/v1/people/E1000/transcript", auth=("demo", "demo-secret"), timeout=10)
            if r.status_code == 200 and r.json()["entries"]:
                break
            assert time.monotonic() < deadline, r.text[:300]
            time.sleep(0.3)
        yield base


def test_transcript_page_renders_with_its_chart(browser: Browser, demo_server: str) -> None:
    browser.sign_in("demo", "demo-secret")
    browser.open(demo_server + "/people/E1000/transcript")
    assert browser.driver.title.startswith("Transcript — ")
    # The chart is real SVG with one bar per delivery model in the totals, and an accessible name.
    totals = requests.get(demo_server + "/api/v1/people/E1000/transcript", auth=("demo", "demo-secret"),
                          timeout=10).json()["totals"]
    bars = browser.js("return document.querySelectorAll("
                      "'#hours-by-delivery-model svg path[aria-roledescription=\"bar\"]').length")
    label = browser.js("return document.querySelector('#hours-by-delivery-model svg').getAttribute('aria-label')")
    assert label == "Hours by delivery model"
    assert bars == len(totals["by_delivery_model"]) > 0
    # Drawn, not just present: the chart has a size on the page.
    assert browser.js("return document.querySelector('#hours-by-delivery-model svg').getBoundingClientRect().width") \
        > 100
    assert browser.console_errors() == []
    shot = browser.screenshot("transcript-E1000")
    assert shot.stat().st_size > 10_000
