"""A real browser for page tests: Debian's Chromium, headless, driven through chromedriver (selenium).

Skips (with the reason) only when Chromium or chromedriver is not installed; `.ci/run` installs both. Pages are
read as a signed-in user would: the Authorization header is set on every request through the DevTools protocol, so
no credential appears in a URL.
"""
from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("LRS_TEST_ARTIFACTS", Path(tempfile.gettempdir()) / "lrs-test-artifacts"))


class Browser:
    """A headless Chromium session with helpers for the checks page tests make."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def sign_in(self, key: str, secret: str) -> None:
        """Send HTTP Basic credentials with every request from now on."""
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})

    def open(self, url: str) -> None:
        self.driver.get_log("browser")  # forget earlier messages
        self.driver.get(url)

    def console_errors(self) -> list[str]:
        """Console messages at level SEVERE since the last :meth:`open` (the page's own errors)."""
        return [e["message"] for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]

    def screenshot(self, name: str) -> Path:
        """Save a full-page PNG under the test artifacts folder; returns its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(800, min(int(height), 8000)))
        self.driver.save_screenshot(str(path))
        return path

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test process."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    # As the machine notes require for root in a closed network: no sandbox, no background connections.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1280,900"):
        opts.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="lrs-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
