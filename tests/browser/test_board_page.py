"""The Board's efficacy report in a real browser on the demo district: every chart is drawn, nothing errors in the
console, and a screenshot is kept."""
from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
import requests

from tests.chromium import Browser
from tests.e2e.live import live_server
from tests.e2e.test_cli_audit import lrs_env, lrs_executable

pytestmark = pytest.mark.slow
PERIOD = "2026-27-S1"


@pytest.fixture
def demo_server(db_url: str) -> Iterator[str]:
    """``lrs demo`` behind a real ``lrs serve`` with its worker, caught up (the evaluation has its programs)."""
    loaded = subprocess.run([lrs_executable(), "demo", "--no-serve", "--statements", "200"], env=lrs_env(db_url),
                            capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    with live_server(db_url) as base:
        deadline = time.monotonic() + 180
        while True:
            r = requests.get(base + "/api/v1/status", auth=("demo", "demo-secret"), timeout=10)
            body = r.json() if r.status_code == 200 else {}
            if body and all(p["lag"] == 0 for p in body["projections"]):
                break
            assert time.monotonic() < deadline, r.text[:300]
            time.sleep(0.5)
        yield base


def test_board_report_renders_every_chart(browser: Browser, demo_server: str) -> None:
    browser.sign_in("demo", "demo-secret")
    browser.open(f"{demo_server}/reports/board?period={PERIOD}")
    assert browser.driver.title == f"Professional learning efficacy report — {PERIOD}"
    figures = browser.js("return Array.from(document.querySelectorAll('figure.chart')).map(f => f.id)")
    # The cover chart and, for each of the demo's four programs, participation, hours and the levels over time.
    assert "chart-summary" in figures and len(figures) >= 13, figures
    for fid in figures:
        drawn = browser.js("""
            const svg = document.querySelector('#' + CSS.escape(arguments[0]) + ' svg');
            if (!svg) return null;
            const box = svg.getBoundingClientRect();
            return {w: box.width, h: box.height, label: svg.getAttribute('aria-label'),
                    marks: svg.querySelectorAll('path, line, rect, circle').length};""", fid)
        assert drawn is not None, f"{fid} has no SVG"
        assert drawn["w"] > 100 and drawn["h"] > 50 and drawn["marks"] > 5 and drawn["label"], (fid, drawn)
    # Each program's paragraph is there, with figures, and no name.
    text = browser.js("return document.body.innerText")
    assert "Early literacy initiative (2026-27-S1): " in text and "eligible staff" in text
    assert "Required safety training" in text and "Methods" in text
    assert browser.console_errors() == []
    shot = browser.screenshot("board-report-" + PERIOD)
    assert shot.stat().st_size > 50_000
