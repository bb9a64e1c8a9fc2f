"""``lrs serve`` runs the projection worker in-process (a child of gunicorn's master): statements posted over real
HTTP show in transcripts within the lag target, and the worker goes away with the server."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from tests.conftest import basic_auth
from tests.e2e.live import start_server
from tests.pd_builders import activity, person, statement

KEY, SECRET = "serve-key", "serve-secret"


def _children_running_worker(parent: int) -> list[int]:
    """Processes whose command line is the background worker started by ``parent``."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--exit-with-parent" in cmd and str(parent).encode() in cmd:
            out.append(int(d.name))
    return out


@pytest.mark.slow
def test_serve_runs_the_worker_and_transcripts_follow(db_url: str) -> None:
    srv = start_server(db_url, env={"LRS_API_KEY": KEY, "LRS_API_SECRET": SECRET}, workers=2, threads=4)
    base = srv.base
    auth = {"Authorization": basic_auth(KEY, SECRET)}
    try:
        assert len(_children_running_worker(srv.proc.pid)) == 1
        session = requests.Session()
        # Each statement posted over HTTP appears in its person's transcript (the lag itself is the bench's
        # figure, bench/projections_bench.py, not an assertion here).
        for i in range(15):
            s = statement(person(f"lag{i % 3}@district.org", "Lag Probe"), "completed",
                          activity(f"https://district.org/pd/lag/{i}", "Probe"), "2024-09-10T14:00:00Z",
                          result={"duration": "PT10M"})
            t0 = time.monotonic()
            r = session.post(base + "/xapi/statements", json=s,
                             headers={**auth, "X-Experience-API-Version": "1.0.3"}, timeout=10)
            assert r.status_code == 200, r.text
            url = f"{base}/api/v1/people/mbox:mailto:lag{i % 3}@district.org/transcript"
            while True:
                body = session.get(url, headers=auth, timeout=10).json()
                if any(s["id"] in e["statement_ids"] for e in body.get("entries", [])):
                    break
                assert time.monotonic() - t0 < 30, f"statement {i} not in the transcript after 30 s"
                time.sleep(0.01)
        # Caught up: every projection at the head.
        deadline = time.monotonic() + 30
        while True:
            status = session.get(base + "/api/v1/status", headers=auth, timeout=10).json()
            if status["head"] > 0 and all(p["lag"] == 0 for p in status["projections"]):
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
    finally:
        srv.stop()
    deadline = time.monotonic() + 10
    while _children_running_worker(srv.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children_running_worker(srv.proc.pid) == [], "the background worker outlived the server"
