"""``lrs demo`` loads a district that the workers and the reporting API turn into transcripts."""
from __future__ import annotations

import re
import subprocess

from tests.conftest import basic_auth, key_file_for
from tests.e2e.live import lrs_executable


def _run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LRS_")}
    env["LRS_DATABASE_URL"] = db_url
    return subprocess.run([lrs_executable(), *args], env=env, capture_output=True, text=True, timeout=180)


def test_demo_seeds_once_and_transcripts_follow(db_url: str) -> None:
    r = _run(db_url, "demo", "--no-serve", "--statements", "300")
    assert r.returncode == 0, r.stderr
    assert "loaded 324 demo statements for 24 staff" in r.stderr
    # And the program-evaluation demo beside it (projections/evaluation/demo.py).
    evaluation = re.search(r"loaded the program evaluation demo: 4 programs, (\d+) statements for 400 more staff",
                           r.stderr)
    assert evaluation, r.stderr
    again = _run(db_url, "demo", "--no-serve", "--statements", "300")
    assert again.returncode == 0 and "loaded" not in again.stderr
    assert _run(db_url, "worker", "--once").returncode == 0
    assert _run(db_url, "audit", "verify").returncode == 0

    from lrs.app import create_app

    app = create_app({"DATABASE_URL": db_url})
    try:
        c = app.test_client()
        h = {"Authorization": basic_auth("demo", "demo-secret"), "X-Experience-API-Version": "1.0.3"}
        page = c.get("/xapi/statements", query_string={"limit": 500}, headers=h).json
        count = len(page["statements"])
        while page.get("more"):
            page = c.get(page["more"], headers=h).json
            count += len(page["statements"])
        assert count == 324 + int(evaluation.group(1))
        t = c.get("/api/v1/people/E1000/transcript", headers={"Authorization": basic_auth("demo", "demo-secret")})
        assert t.status_code == 200, t.data
        body = t.json
        assert body["person"]["id"] == "E1000"
        assert body["entries"] and body["totals"]["hours"] > 0
    finally:
        app.extensions["lrs"].engine.dispose()
