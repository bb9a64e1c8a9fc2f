"""Slow clients cannot hold the server's threads: each request must arrive within LRS_REQUEST_READ_TIMEOUT, so
connections that dribble their headers or body are dropped while honest clients keep being answered."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from tests.e2e.live import start_server

pytestmark = pytest.mark.slow


def _slowloris(base: str, body: bool, stop: threading.Event, closed: list[bool]) -> None:
    host, port = base.removeprefix("http://").split(":")
    s = socket.create_connection((host, int(port)), timeout=30)
    try:
        if body:  # the headers at once, then a body that never finishes
            s.sendall(b"POST /xapi/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"X-Experience-API-Version: 1.0.3\r\nContent-Length: 100000\r\n\r\n")
        else:
            s.sendall(b"GET /xapi/about HTTP/1.1\r\n")
        while not stop.is_set():
            s.sendall(b"[" if body else b"X-Slow: 1\r\n")
            s.settimeout(0.5)
            try:
                if s.recv(4096) == b"":
                    closed.append(True)
                    return
                closed.append(True)  # an answer (408) and then the close
                return
            except socket.timeout:
                pass
            except OSError:
                closed.append(True)
                return
    except OSError:
        closed.append(True)
    finally:
        s.close()


def test_slow_clients_are_dropped_and_honest_ones_answered(db_url: str) -> None:
    srv = start_server(db_url, "--no-worker", workers=1, threads=4, env={"LRS_REQUEST_READ_TIMEOUT": "2"})
    stop = threading.Event()
    closed: list[bool] = []
    slow = [threading.Thread(target=_slowloris, args=(srv.base, i % 2 == 0, stop, closed)) for i in range(8)]
    try:
        for t in slow:
            t.start()
        time.sleep(0.5)  # every thread of the server is now busy with a slow client
        statuses = [requests.get(srv.base + "/xapi/about", timeout=30).status_code for _ in range(10)]
        assert statuses == [200] * 10
        deadline = time.monotonic() + 30
        while len(closed) < len(slow) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(closed) == len(slow), "the server kept waiting for slow clients"
    finally:
        stop.set()
        for t in slow:
            t.join(10)
        srv.stop()
    assert "Traceback" not in srv.output()
