"""@xapi/xapi (the JavaScript xAPI client from npm), unchanged, against a real ``lrs serve``.

The client side lives in tests/e2e/js (package.json pins the version, package-lock.json the tree); client.mjs drives
the library's public API through statements, queries with ``more``, voiding, the Activities and Agents resources and
the three document resources, once per xAPI version/adapter pair, and prints a JSON summary.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.e2e.live import KEY, SECRET, live_server

JS_DIR = Path(__file__).parent / "js"
RUNS = [("1.0.3", "axios"), ("1.0.3", "fetch"), ("2.0.0", "axios")]


def _node_modules() -> None:
    """Install the pinned client once (CI's .ci/run already did); a file lock keeps parallel workers apart."""
    marker = JS_DIR / "node_modules" / "@xapi" / "xapi" / "package.json"
    if marker.exists():
        return
    if shutil.which("npm") is None:
        pytest.skip("npm is not on PATH, so the @xapi/xapi client cannot be installed")
    # The lock lives outside the work tree (and outside node_modules, which npm ci deletes and recreates).
    lock_path = Path(tempfile.gettempdir()) / f"lrs-npm-ci-{hashlib.sha1(str(JS_DIR).encode()).hexdigest()[:12]}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, capture_output=True,
                                  text=True, timeout=300)
            assert done.returncode == 0, f"npm ci failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def test_xapi_js_client_full_flow(db_url: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH (CI has it), so the JavaScript client cannot run")
    _node_modules()
    with live_server(db_url, "--no-worker") as base:
        env = {**os.environ, "LRS_ENDPOINT": base + "/xapi/", "LRS_KEY": KEY, "LRS_SECRET": SECRET,
               "XAPI_RUNS": ",".join(f"{v}:{a}" for v, a in RUNS)}
        done = subprocess.run([node, str(JS_DIR / "client.mjs")], env=env, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 0, f"client.mjs failed:\n{done.stderr[-3000:]}\n{done.stdout[-3000:]}"
    summary = json.loads(done.stdout)
    assert summary["ok"] is True
    pinned = json.loads((JS_DIR / "package.json").read_text())["dependencies"]["@xapi/xapi"]
    assert summary["library_version"] == pinned
    assert [(r["version"], r["adapter"]) for r in summary["runs"]] == RUNS
    for run in summary["runs"]:
        # About lists 1.0.3 alone to a 1.0.x client (lrs/api/about.py says why), both versions otherwise.
        assert run["about_versions"] == (["1.0.3"] if run["version"] == "1.0.3" else ["1.0.3", "2.0.0"])
        assert run["query_pages"] == [2, 2]
        # A statement sent without "version" is stamped with the request's major version.
        assert run["statement"]["version"] == ("1.0.0" if run["version"] == "1.0.3" else "2.0.0")
        assert run["statement"]["authority"]["objectType"] in ("Agent", "Group")
        assert run["state"]["etag"].startswith('"')
        if run["adapter"] == "axios":  # the fetch adapter does not expose statuses of refused calls
            assert run["voiding"]["refused_by_statementId"]["status"] == 404
            assert run["state"]["stale_if_match"]["status"] == 412
            # 1.0.3 lets State clients PUT without concurrency headers; 2.0 answers 409 like the profiles do.
            assert run["state"]["blind_put_on_existing"]["status"] == (204 if run["version"] == "1.0.3" else 409)
            assert run["activity_profile"]["if_none_match_on_existing"]["status"] == 412
            assert run["activity_profile"]["after_delete"]["status"] == 404
