"""Real processes for end-to-end tests: the ``lrs`` CLI as a subprocess, and a real ``lrs serve`` (gunicorn) on a
free loopback port. The one helper every e2e and browser test uses."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def lrs_env(db_url: str, **extra: str) -> dict[str, str]:
    """The environment with every ``LRS_*`` variable replaced: only the test database, the tests' cheap scrypt,
    and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LRS_")}
    env["LRS_DATABASE_URL"] = db_url
    env["LRS_SCRYPT_N"] = os.environ.get("LRS_SCRYPT_N", "16384")
    env.update(extra)
    return env


def lrs(db_url: str, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``lrs ARGS`` on ``db_url`` and capture its output."""
    return subprocess.run([lrs_executable(), *args], env=lrs_env(db_url, **env), capture_output=True, text=True,
                          timeout=timeout)


@dataclass
class LiveServer:
    """A running ``lrs serve`` process, its base URL and its log."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (gunicorn's graceful shutdown), then the exit status; SIGKILL to its group if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group of the server this test started
            return self.proc.wait()


def start_server(db_url: str, *extra_args: str, env: dict[str, str] | None = None, workers: int = 1,
                 threads: int = 4, log: Path | None = None) -> LiveServer:
    """Start ``lrs serve`` on a free port with credential ``live-key``/``live-secret``; return once /health answers.

    The server runs in a session of its own, so that if it must be killed its gunicorn workers go with it.
    """
    port = free_port()
    log = log or Path(tempfile.mkdtemp(prefix="lrs-serve-")) / "serve.log"
    e = lrs_env(db_url, **{"LRS_API_KEY": KEY, "LRS_API_SECRET": SECRET, **(env or {})})
    with open(log, "wb") as out:
        proc = subprocess.Popen([lrs_executable(), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers), "--threads", str(threads), *extra_args], env=e,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    srv = LiveServer(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(srv.base + "/health", timeout=2).read()
            return srv
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                srv.stop()
                raise RuntimeError(f"lrs serve did not start:\n{srv.output()[-3000:]}") from None
            time.sleep(0.1)


@contextmanager
def live_server(db_url: str, *extra_args: str, env: dict[str, str] | None = None,
                workers: int = 1, threads: int = 4) -> Iterator[str]:
    """Run ``lrs serve`` on ``db_url`` for the block; yields the base URL (``http://127.0.0.1:PORT``)."""
    srv = start_server(db_url, *extra_args, env=env, workers=workers, threads=threads)
    try:
        yield srv.base
    finally:
        srv.stop()
