"""A bounded, closed-loop HTTP load generator: N threads, each with one keep-alive connection to loopback.

Each thread sends its next request as soon as the previous answer is read (closed loop), so throughput is
what the server sustains at that concurrency. A run stops at ``max_requests`` OR ``max_seconds``, whichever
comes first. Bodies are made before the clock starts so the generator spends its CPU (which it shares with
the server on a small machine) on HTTP, not on building statements.
"""
from __future__ import annotations

import base64
import http.client
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from common import API_KEY, API_SECRET, HOST

AUTH = "Basic " + base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
XAPI_HEADERS = {"Authorization": AUTH, "X-Experience-API-Version": "1.0.3"}


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] | None = None


def post_json(path: str, body: bytes) -> Request:
    return Request("POST", path, body, {**XAPI_HEADERS, "Content-Type": "application/json"})


def get(path: str, headers: dict[str, str] | None = None) -> Request:
    return Request("GET", path, None, dict(headers or XAPI_HEADERS))


def percentile(sorted_vals: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    first_error: str | None
    statuses: dict[int, int]

    def summary(self, items_per_request: int = 1) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        ok = self.requests - self.errors
        return {
            "requests": self.requests, "errors": self.errors, "seconds": round(self.seconds, 3),
            "requests_per_s": round(ok / self.seconds, 1) if self.seconds else None,
            "items_per_s": round(ok * items_per_request / self.seconds, 1) if self.seconds else None,
            "p50_ms": round(percentile(lat, 50), 2), "p95_ms": round(percentile(lat, 95), 2),
            "p99_ms": round(percentile(lat, 99), 2), "max_ms": round(lat[-1], 2) if lat else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            **({"first_error": self.first_error} if self.first_error else {}),
        }


def run(port: int, requests: Callable[[int], Request] | Sequence[Request], *, concurrency: int,
        max_requests: int, max_seconds: float, warmup: int = 0, timeout: float = 120,
        on_response: Callable[[int, int, bytes], None] | None = None) -> LoadResult:
    """Send up to ``max_requests`` requests for at most ``max_seconds`` from ``concurrency`` threads.

    ``requests`` is a list (request i = requests[i]) or a function of i. ``warmup`` requests per thread are
    sent first and not counted (connections opened, worker code paths warm). A 2xx answer is a success.
    """
    pick = requests.__getitem__ if isinstance(requests, Sequence) else requests
    if isinstance(requests, Sequence):
        max_requests = min(max_requests, len(requests) - warmup * concurrency)
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    first_error: list[str] = []
    t_start = [0.0]
    t_end = [0.0]
    deadline = [0.0]

    def go() -> None:  # run once, when every thread has warmed up, before any is released
        t_start[0] = time.perf_counter()
        deadline[0] = t_start[0] + max_seconds

    start_barrier = threading.Barrier(concurrency + 1, action=go)

    def send(conn: http.client.HTTPConnection, req: Request) -> tuple[int, bytes]:
        conn.request(req.method, req.path, body=req.body, headers=req.headers or {})
        r = conn.getresponse()
        return r.status, r.read()

    def worker(tid: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        # Warm-up requests take indexes at the end of a list so the measured ones are never repeats.
        for w in range(warmup):
            idx = max_requests + tid * warmup + w
            try:
                send(conn, pick(idx))
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        local_lat: list[float] = []
        local_status: dict[int, int] = {}
        local_err = 0
        start_barrier.wait()
        while True:
            i = next(counter)
            if i >= max_requests or time.perf_counter() >= deadline[0]:
                break
            req = pick(i)
            t0 = time.perf_counter()
            try:
                status, body = send(conn, req)
            except (OSError, http.client.HTTPException) as e:
                status, body = 0, str(e).encode()
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
            dt = (time.perf_counter() - t0) * 1000
            local_status[status] = local_status.get(status, 0) + 1
            if 200 <= status < 300:
                local_lat.append(dt)
                if on_response is not None:
                    on_response(i, status, body)
            else:
                local_err += 1
                if not first_error:
                    first_error.append(f"{status}: {body[:300]!r}")
        end = time.perf_counter()
        conn.close()
        with lock:
            latencies.extend(local_lat)
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v
            errors += local_err
            t_end[0] = max(t_end[0], end)

    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(concurrency)]
    for t in threads:
        t.start()
    start_barrier.wait()
    for t in threads:
        t.join()
    n = sum(statuses.values())
    return LoadResult(n, errors, max(t_end[0] - t_start[0], 1e-9), latencies,
                      first_error[0] if first_error else None, statuses)
