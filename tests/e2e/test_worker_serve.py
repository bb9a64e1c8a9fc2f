"""``lrs serve`` runs the projection worker in-process (a child of gunicorn's master): statements posted over real
HTTP show in transcripts within the lag target, and the worker goes away with the server."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import basic_auth
from tests.e2e.test_cli_audit import lrs_env, lrs_executable
from tests.pd_builders import activity, person, statement

KEY, SECRET = "serve-key", "serve-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
def test_serve_runs_the_worker_and_transcripts_follow_within_a_second(db_url: str, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([lrs_executable(), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", "2", "--threads", "4"],
                                env=lrs_env(db_url, LRS_API_KEY=KEY, LRS_API_SECRET=SECRET),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": basic_auth(KEY, SECRET)}
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if requests.get(base + "/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert len(_children_running_worker(proc.pid)) == 1

        lags = []
        session = requests.Session()
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
                assert time.monotonic() - t0 < 10, f"statement {i} not in the transcript after 10 s"
                time.sleep(0.01)
            lags.append(time.monotonic() - t0)
        lags.sort()
        p95 = lags[int(0.95 * (len(lags) - 1))]
        print(f"POST-to-transcript lag: p50 {lags[len(lags) // 2]:.3f} s, p95 {p95:.3f} s")
        assert p95 < 1.0, lags
        status = session.get(base + "/api/v1/status", headers=auth, timeout=10).json()
        assert all(p["lag"] == 0 for p in status["projections"]) or status["head"] > 0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    deadline = time.monotonic() + 10
    while _children_running_worker(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children_running_worker(proc.pid) == [], "the background worker outlived the server"
