"""The gunicorn settings of ``lrs serve``, shared with the benchmark's baseline server so both run one stack."""
from __future__ import annotations

import os
import socket
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.gthread import ThreadWorker


def gunicorn_settings(host: str, port: int, workers: int, threads: int, access_log: str | None = None
                      ) -> dict[str, Any]:
    """gunicorn configuration: pre-forked processes × threads, bounded request reading.

    ``timeout`` is how long a worker may be silent before the master restarts it; ``keepalive`` how long an idle
    keep-alive connection is held. With threads, the worker class is :class:`DeadlineThreadWorker`: gthread with a
    deadline on reading each request (slow clients).
    """
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "lrs.web.DeadlineThreadWorker" if threads > 1 else "sync",
        "timeout": 120,
        "keepalive": 30,
        "accesslog": access_log,
    }


class _DeadlineSocket:
    """A client socket whose reads stop at a deadline (the rest is the socket itself).

    A thread that reads a request blocks in ``recv`` for as long as the client takes; a client that sends one byte a
    second ("slowloris") would hold the thread for as long as it liked, and a handful of them every thread. Each
    read here waits at most until the request's deadline, then raises ``TimeoutError``.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline: float | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def _arm(self) -> bool:
        if self.deadline is None:
            return False
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise RequestReadTimeout("the request did not arrive in time")
        self._sock.settimeout(remaining)
        return True

    def recv(self, n: int, *flags: Any) -> bytes:
        armed = self._arm()
        try:
            return self._sock.recv(n, *flags)
        except socket.timeout:
            raise RequestReadTimeout("the request did not arrive in time") from None
        finally:
            if armed:
                self._sock.settimeout(None)

    def recv_into(self, buf: Any, *args: Any) -> int:
        armed = self._arm()
        try:
            return self._sock.recv_into(buf, *args)
        except socket.timeout:
            raise RequestReadTimeout("the request did not arrive in time") from None
        finally:
            if armed:
                self._sock.settimeout(None)


class RequestReadTimeout(NoMoreData):
    """A client did not send its request (headers or body) within the read deadline.

    A ``NoMoreData`` to gunicorn, which then closes the connection quietly, as for a client that went away; raised
    while the app reads a body, the app answers 408 (``lrs.api.errors``).
    """

    def __init__(self, message: str) -> None:
        super().__init__(None)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _read_timeout() -> float:
    from lrs.config import load_settings

    return max(1.0, float(load_settings(os.environ)["REQUEST_READ_TIMEOUT"]))


class DeadlineThreadWorker(ThreadWorker):
    """gthread with a deadline on reading each request: a slow client is dropped, not waited for."""

    read_timeout = _read_timeout()

    def handle(self, conn: Any) -> Any:
        if not conn.initialized and not isinstance(conn.sock, _DeadlineSocket):
            conn.sock = _DeadlineSocket(conn.sock)  # before the request parser is made on it
        wrapped = conn.sock if isinstance(conn.sock, _DeadlineSocket) else None
        if wrapped is not None:
            wrapped.deadline = time.monotonic() + self.read_timeout
        try:
            return super().handle(conn)
        finally:
            if wrapped is not None:
                wrapped.deadline = None


def run_gunicorn(app_factory: Any, options: dict[str, Any], on_starting: Any = None) -> None:
    """Run ``app_factory()`` under gunicorn's arbiter with ``options`` (blocks until the server stops)."""

    class App(BaseApplication):
        def load_config(self) -> None:
            for k, v in options.items():
                self.cfg.set(k, v)
            if on_starting is not None:
                self.cfg.set("on_starting", on_starting)

        def load(self) -> Any:
            return app_factory()

    App().run()
