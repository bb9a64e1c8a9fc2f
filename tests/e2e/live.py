"""A real ``lrs serve`` (gunicorn) on a free loopback port, for tests that talk HTTP like real clients do."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KEY, SECRET = "live-key", "live-secret"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lrs_executable() -> str:
    """The ``lrs`` console script of the running interpreter's environment."""
    beside = Path(sys.executable).parent / "lrs"
    found = str(beside) if beside.exists() else shutil.which("lrs")
    assert found, "the lrs console script is not installed (pip install -e .)"
    return found


@contextmanager
def live_server(db_url: str, *extra_args: str, env: dict[str, str] | None = None,
                workers: int = 1) -> Iterator[str]:
    """Run ``lrs serve`` on ``db_url``; yields the base URL (``http://127.0.0.1:PORT``) once /health answers."""
    port = free_port()
    e = {k: v for k, v in os.environ.items() if not k.startswith("LRS_")}
    e.update({"LRS_DATABASE_URL": db_url, "LRS_API_KEY": KEY, "LRS_API_SECRET": SECRET,
              "LRS_SCRYPT_N": os.environ.get("LRS_SCRYPT_N", "16384")})
    e.update(env or {})
    proc = subprocess.Popen([lrs_executable(), "serve", "--port", str(port), "--workers", str(workers),
                             "--threads", "4", *extra_args], env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("lrs serve did not start: " + (proc.stderr.read() or b"").decode()[-2000:])
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
