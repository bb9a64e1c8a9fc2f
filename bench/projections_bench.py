"""Projections: catch-up and rebuild speed, worker memory, and transcript lag under sustained ingest.

Driven through the documented CLI only (docs: ``lrs worker [--once]`` follows the log / catches up and exits,
``lrs replay [--as-of POSITION]`` rebuilds every projection) and the reporting API
(``GET /api/v1/people/{person}/transcript``). If those commands do not exist yet, the results say
"not available" rather than inventing numbers.
"""
from __future__ import annotations

import subprocess
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

import orjson

import loadgen
from common import LRS, Database, Proc, analyze, create_database, log, lrs_env
from datagen import single_bodies, statements
from lrs.demo import DISTRICT, HOMEPAGE, VERBS
from loadgen import percentile

if TYPE_CHECKING:
    from run import Bench


def cli_available(*sub: str) -> bool:
    """True if ``lrs <sub> --help`` exists."""
    r = subprocess.run([LRS, *sub, "--help"], capture_output=True, text=True)
    return r.returncode == 0


def run_all(bench: "Bench", store_db: Database, port: int, server_pid: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    have_worker = cli_available("worker")
    have_replay = cli_available("replay")
    if not have_worker:
        out["catch_up"] = out["lag"] = {"available": False, "reason": "`lrs worker` does not exist yet"}
    else:
        out["catch_up"] = catch_up(bench, store_db, port)
        out["lag"] = lag(bench)
    if not have_replay:
        out["rebuild"] = {"available": False, "reason": "`lrs replay` does not exist yet"}
    else:
        out["rebuild"] = rebuild(bench)
    return out


def _status(port: int) -> dict[str, Any] | None:
    import http.client

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", "/api/v1/status", headers={"Authorization": loadgen.AUTH})
        r = c.getresponse()
        body = r.read()
        return orjson.loads(body) if r.status == 200 else None
    except (OSError, ValueError):
        return None
    finally:
        c.close()


def _positions(status: dict[str, Any] | None) -> dict[str, int]:
    """Projection name -> active position, from GET /api/v1/status (whatever key holds the list)."""
    if not status:
        return {}
    items = next((v for v in status.values() if isinstance(v, list)), [])
    return {i["name"]: int(i.get("position") or 0) for i in items if isinstance(i, dict) and "name" in i}


def catch_up(bench: "Bench", db: Database, port: int) -> dict[str, Any]:
    """``lrs worker --once`` over the whole store (loaded in batches: few events, many statements), bounded by
    ``--catch-up-seconds``; if stopped early, the rate comes from the positions the projections reached."""
    from sqlalchemy import create_engine, text

    from lrs.db.engine import normalize_url

    eng = create_engine(normalize_url(db.url))
    with eng.connect() as c:
        events = int(c.execute(text("SELECT count(*) FROM events")).scalar_one())
        stmt_events = int(c.execute(text("SELECT count(*) FROM events WHERE type = 'statements.stored'")).scalar_one())
    eng.dispose()
    per_event = bench.sizes.store / max(1, stmt_events)
    limit = bench.sizes.catch_up_seconds
    log(f"{bench.kind}: lrs worker --once over {events:,} events / {bench.sizes.store:,} statements "
        f"(at most {limit:.0f} s)")
    r = bench.cli(["worker", "--once"], db, "worker-once", timeout=limit)
    pos = _positions(_status(port))
    res: dict[str, Any] = {"events": events, "statement_events": stmt_events, "statements": bench.sizes.store, **r,
                           "positions": pos}
    if r["exit"] == 0:
        res.update(available=True, finished=True, events_per_s=round(events / r["seconds"], 1),
                   statements_per_s=round(bench.sizes.store / r["seconds"], 1))
    elif r["exit"] is None and pos:
        # Stopped at the time limit: work done = the mean position over projections (each replays every event).
        done = sum(pos.values()) / len(pos)
        res.update(available=True, finished=False, events_per_s=round(done / r["seconds"], 1),
                   statements_per_s=round(done * per_event / r["seconds"], 1),
                   note=f"stopped after {limit:.0f} s; rate from the positions reached")
    else:
        res["available"] = False
    return res


def build_event_log(db: Database, n: int, per_tx: int = 1000) -> dict[str, Any]:
    """A log of ``n`` single-statement ``statements.stored`` events (what n single POSTs append), written
    with the public EventStore API, 1000 events per transaction. Only the log: replay builds the rest."""
    from lrs.app import create_app
    from lrs.eventlog.store import NewEvent
    from lrs.times import format_time
    from lrs.store.statements import STATEMENTS_STREAM, STORED_EVENT
    from lrs.xapi.batch import prepare_batch

    app = create_app({"DATABASE_URL": db.url})
    store = app.extensions["lrs"].store
    authority = {"objectType": "Agent", "name": "default", "account": {"homePage": "http://127.0.0.1",
                                                                      "name": "benchkey"}}
    t0 = time.perf_counter()
    buf: list[dict[str, Any]] = []
    done = 0
    for s in statements(n, seed=777):
        buf.append(orjson.loads(orjson.dumps(s)))
        if len(buf) == per_tx or done + len(buf) == n:
            prepared = prepare_batch(buf, {}, version="1.0.3", authority=authority)
            with store.write() as tx:
                stored = format_time(tx.now)
                evs = []
                for p in prepared:
                    p["stored"] = stored
                    p.setdefault("timestamp", stored)
                    evs.append(NewEvent(STORED_EVENT, STATEMENTS_STREAM, {"statements": [p], "attachments": []}))
                tx.append(evs)
            done += len(buf)
            buf = []
            if done % (n // 10 or 1) < per_tx:
                log(f"event log fixture: {done:,}/{n:,} events")
    app.extensions["lrs"].engine.dispose()
    return {"events": n, "seconds": round(time.perf_counter() - t0, 1),
            "how": "single-statement statements.stored events appended with EventStore.write/tx.append, "
                   f"{per_tx} per transaction; read tables left to the replay"}


def rebuild(bench: "Bench") -> dict[str, Any]:
    """``lrs replay`` of every projection from an N-event log, and at N/10 (``--as-of``) to see memory growth."""
    n = bench.sizes.events
    db = create_database(bench.kind, "replay", bench.wd)
    try:
        fixture = build_event_log(db, n)
        if bench.analyze:
            analyze(db)
        small = max(1, n // 10)
        log(f"{bench.kind}: lrs replay --as-of {small:,}")
        r_small = bench.cli(["replay", "--as-of", str(small)], db, "replay-tenth", timeout=3 * 3600)
        log(f"{bench.kind}: lrs replay ({n:,} events)")
        r_full = bench.cli(["replay"], db, "replay", timeout=3 * 3600)
    finally:
        bench.drop(db)
    ok = r_full["exit"] == 0
    res: dict[str, Any] = {"available": ok, "fixture": fixture, "full": r_full, "tenth": r_small}
    if ok:
        import re

        res["events_per_s"] = round(n / r_full["seconds"], 1)  # wall time of the command, all projections
        res["per_projection"] = [{"projection": m[0], "events": int(m[1]), "seconds": float(m[2])}
                                 for m in re.findall(r"(\S+): rebuilt (\d+) events in ([\d.]+)s",
                                                     r_full["output_tail"])]
        if r_small["exit"] == 0 and r_small["peak_rss"] and r_full["peak_rss"]:
            res["rss_growth"] = round(r_full["peak_rss"]["largest_process_mib"]
                                      / max(1e-9, r_small["peak_rss"]["largest_process_mib"]), 3)
    return res


def _wait_caught_up(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = _status(port)
        items = next((v for v in (st or {}).values() if isinstance(v, list)), [])
        if items and all(isinstance(i, dict) and i.get("lag") == 0 for i in items):
            return True
        time.sleep(0.5)
    return False


def lag(bench: "Bench") -> dict[str, Any]:
    """POST-to-visible-in-transcript latency while single-statement POSTs run at concurrency 4.

    On a database of its own (``sizes.lag_store`` statements, caught up first), so that the measurement is of
    following the log, not of working off a backlog. ``lrs serve --no-worker`` plus a separate ``lrs worker``,
    as docker-compose runs them.
    """
    import queries
    from common import start_lrs

    db = create_database(bench.kind, "lag", bench.wd)
    server, port = start_lrs(db, bench.opts, bench.wd, f"{bench.kind}-lag")
    worker = Proc([LRS, "worker"], lrs_env(db), bench.wd, f"{bench.wd}/worker-{bench.kind}.log")
    try:
        queries.load_via_api(port, bench.sizes.lag_store, 1000, 2, seed=5150, db=db if bench.analyze else None)
        if bench.analyze:
            analyze(db)
        if not _wait_caught_up(port, 600):
            return {"available": False, "reason": "the worker did not catch up with the preloaded store in 600 s",
                    "worker_tail": worker.tail(10)}
        bench.sampler.watch("server", server.pid)
        return _measure_lag(bench, port, worker)
    finally:
        bench.sampler.unwatch("server")
        worker.stop()
        server.stop()
        bench.drop(db)


def _measure_lag(bench: "Bench", port: int, worker: Proc) -> dict[str, Any]:
    bench.sampler.watch("worker", worker.pid)
    bench.sampler.reset()
    bench.cpu.begin()
    seconds = bench.sizes.lag_seconds
    stop = threading.Event()
    lags: list[float] = []
    missed: list[str] = []
    background: dict[str, Any] = {}
    try:
        time.sleep(2)
        if not worker.alive():
            return {"available": False, "reason": f"`lrs worker` exited: {worker.tail(10)}"}
        bodies = [loadgen.post_json("/xapi/statements", b)
                  for b in single_bodies(int(seconds * 1500), seed=31337)]

        def ingest() -> None:
            r = loadgen.run(port, bodies, concurrency=4, max_requests=len(bodies), max_seconds=seconds, warmup=0)
            background.update(r.summary())
            stop.set()

        th = threading.Thread(target=ingest, daemon=True)
        th.start()
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = 0
        while not stop.is_set():
            i += 1
            emp = f"E{1000 + (i * 37) % 5000}"
            stmt = {"actor": {"objectType": "Agent", "name": "Probe", "account": {"homePage": HOMEPAGE, "name": emp}},
                    "verb": {"id": VERBS["completed"], "display": {"en-US": "completed"}},
                    "object": {"objectType": "Activity", "id": f"{DISTRICT}/pd/bloodborne-pathogens",
                               "definition": {"name": {"en-US": "Bloodborne pathogens"},
                                              "type": "https://w3id.org/xapi/cmi5/activitytype/course"}},
                    "result": {"completion": True, "duration": "PT45M"}}
            req = loadgen.post_json("/xapi/statements", orjson.dumps(stmt))
            conn.request(req.method, req.path, body=req.body, headers=req.headers or {})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                missed.append(f"POST {r.status}")
                continue
            t_stored = time.perf_counter()
            sid = orjson.loads(body)[0]
            person = urllib.parse.quote(f"account:{HOMEPAGE}|{emp}", safe="")
            path = f"/api/v1/people/{person}/transcript"
            seen = False
            while time.perf_counter() - t_stored < 15:
                conn.request("GET", path, headers={"Authorization": loadgen.AUTH})
                r = conn.getresponse()
                body = r.read()
                if r.status == 200 and sid.encode() in body:
                    lags.append((time.perf_counter() - t_stored) * 1000)
                    seen = True
                    break
                if r.status not in (200, 404):
                    missed.append(f"GET transcript {r.status}: {body[:200]!r}")
                    break
                time.sleep(0.01)
            if not seen and (not missed or not missed[-1].startswith("GET")):
                missed.append(f"{sid} not visible within 15 s")
            time.sleep(0.2)
        th.join()
        conn.close()
    finally:
        cpu = bench.cpu.end()
        mem = bench.sampler.snapshot()
        bench.sampler.unwatch("worker")
    lags.sort()
    if not lags:
        return {"available": False, "reason": "no probe statement became visible in a transcript",
                "problems": missed[:5], "background_ingest": background, "worker_tail": worker.tail(10)}
    return {"available": True, "probes": len(lags), "not_visible": len(missed), "problems": missed[:5],
            "p50_ms": round(percentile(lags, 50), 1), "p95_ms": round(percentile(lags, 95), 1),
            "max_ms": round(lags[-1], 1), "background_ingest": {k: background.get(k) for k in
                                                                ("requests_per_s", "p50_ms", "p95_ms", "errors")},
            "peak_rss": {"worker": mem.get("worker"), "server": mem.get("server")}, "cpu": cpu}
