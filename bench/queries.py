"""The large store: loading it, then GET /statements latency (p50/p95) by filter, and list throughput."""
from __future__ import annotations

import json
import queue
import random
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Any, Callable

import orjson
from sqlalchemy import create_engine, text

import loadgen
from common import API_KEY, API_SECRET, Database, analyze, log
from datagen import PEOPLE, RARE_ACTIVITY, statements
from lrs.db.engine import normalize_url
from lrs.demo import ACTIVITIES, DISTRICT, HOMEPAGE, VERBS

if TYPE_CHECKING:
    from run import Bench

STORE_SEED = 4242
RARE_EVERY = 50_000  # one statement in 50,000 is about a rarely used activity (20 in a 1M store)


# -- loading ---------------------------------------------------------------------------------------------------

def load_via_api(port: int, n: int, batch: int, concurrency: int, seed: int = STORE_SEED,
                 db: Database | None = None) -> dict[str, Any]:
    """POST ``n`` statements in batches through the running server; rate per tenth of the store.

    With ``db`` (PostgreSQL), ANALYZE runs beside the load at each tenth, standing in for autovacuum."""
    q: queue.Queue[bytes | None] = queue.Queue(maxsize=4 * concurrency)

    def produce() -> None:
        buf: list[dict[str, Any]] = []
        for s in statements(n, seed=seed, rare_every=RARE_EVERY):
            buf.append(s)
            if len(buf) == batch:
                q.put(orjson.dumps(buf))
                buf = []
        if buf:
            q.put(orjson.dumps(buf))

    threading.Thread(target=produce, daemon=True).start()
    n_req = -(-n // batch)
    done = [0]
    marks: list[float] = []
    lock = threading.Lock()
    t0 = time.perf_counter()

    def next_req(_i: int) -> loadgen.Request:
        body = q.get()
        assert body is not None
        return loadgen.post_json("/xapi/statements", body)

    def on_response(_i: int, _status: int, _body: bytes) -> None:
        with lock:
            done[0] += 1
            stored = min(done[0] * batch, n)
            while len(marks) < 10 and stored >= (len(marks) + 1) * n / 10:
                marks.append(time.perf_counter() - t0)
                log(f"loaded {stored:,}/{n:,} statements ({stored / marks[-1]:,.0f}/s overall)")
                if db is not None and db.kind == "postgres" and len(marks) < 10:
                    threading.Thread(target=analyze, args=(db,), daemon=True).start()

    res = loadgen.run(port, next_req, concurrency=concurrency, max_requests=n_req, max_seconds=6 * 3600,
                      on_response=on_response)
    if res.errors:
        raise RuntimeError(f"loading the store failed: {res.first_error}")
    secs = time.perf_counter() - t0
    deciles = [n / 10 / (b - a) for a, b in zip([0.0] + marks[:-1], marks)] if len(marks) == 10 else []
    return {"via": f"POST /xapi/statements, batches of {batch}, concurrency {concurrency}",
            "seconds": round(secs, 1), "statements_per_s": round(n / secs, 1),
            "p50_ms": res.summary(batch)["p50_ms"], "p95_ms": res.summary(batch)["p95_ms"],
            "rate_by_decile": [round(x) for x in deciles]}


def load_via_store(db: Database, n: int, batch: int, analyze_during: bool = True) -> dict[str, Any]:
    """Fill the store in-process: ``prepare_batch`` + ``StatementStore.save``, the POST path minus HTTP."""
    from lrs.app import create_app
    from lrs.store.statements import StatementStore
    from lrs.xapi.batch import prepare_batch

    app = create_app({"DATABASE_URL": db.url, "API_KEY": API_KEY, "API_SECRET": API_SECRET})
    svc = app.extensions["lrs"]
    st = StatementStore(svc.engine, svc.store)
    authority = {"objectType": "Agent", "name": "default",
                 "account": {"homePage": "http://127.0.0.1", "name": API_KEY}}
    t0 = time.perf_counter()
    marks: list[float] = []
    buf: list[dict[str, Any]] = []
    stored = 0
    for s in statements(n, seed=STORE_SEED, rare_every=RARE_EVERY):
        buf.append(orjson.loads(orjson.dumps(s)))  # a private copy: the pool shares nested objects
        if len(buf) == batch or stored + len(buf) == n:
            st.save(prepare_batch(buf, {}, version="1.0.3", authority=authority), {}, authority_key=API_KEY)
            stored += len(buf)
            buf = []
            while len(marks) < 10 and stored >= (len(marks) + 1) * n / 10:
                marks.append(time.perf_counter() - t0)
                log(f"loaded {stored:,}/{n:,} statements ({stored / marks[-1]:,.0f}/s overall)")
                if analyze_during:
                    analyze(db)
    secs = time.perf_counter() - t0
    svc.engine.dispose()
    deciles = [n / 10 / (b - a) for a, b in zip([0.0] + marks[:-1], marks)] if len(marks) == 10 else []
    return {"via": f"lrs.xapi.batch.prepare_batch + StatementStore.save in-process (no HTTP), batches of {batch}",
            "seconds": round(secs, 1), "statements_per_s": round(n / secs, 1),
            "rate_by_decile": [round(x) for x in deciles]}


def after_load(db: Database) -> str:
    """PostgreSQL: VACUUM ANALYZE, which autovacuum would soon do on a live system after a bulk load (the bench
    server may run with autovacuum off). SQLite: nothing (it gathers no statistics unless the application runs
    ANALYZE / PRAGMA optimize)."""
    if db.kind != "postgres":
        return "no ANALYZE (SQLite keeps no statistics unless the application asks)"
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(db.url, autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
    return f"VACUUM ANALYZE after loading ({time.perf_counter() - t0:.1f} s), as autovacuum would"


# -- queries ---------------------------------------------------------------------------------------------------

def _agent(i: int) -> str:
    return json.dumps({"account": {"homePage": HOMEPAGE, "name": f"E{1000 + i}"}}, separators=(",", ":"))


def _qs(**kw: Any) -> str:
    return "/xapi/statements?" + urllib.parse.urlencode(kw)


COURSES = [f"{DISTRICT}/{a[0]}" for a in ACTIVITIES]
USED_VERBS = sorted({v for a in ACTIVITIES for v in a[3]} | {"mentored"})


def _sample_params(db: Database, n_rows: int, rng: random.Random) -> dict[str, list[Any]]:
    """Registrations and stored-time windows that exist in the store (read directly from its tables; seq
    values need not be dense, so nothing here assumes they are)."""
    eng = create_engine(normalize_url(db.url))
    with eng.connect() as c:
        regs = [r[0] for r in c.execute(text("SELECT registration FROM statements WHERE registration IS NOT NULL "
                                             "ORDER BY random() LIMIT 200"))]
        # A batch shares one stored time: the distinct times, in order, cut the store into batches.
        times = [r[0] for r in c.execute(text("SELECT stored, count(*) FROM statements GROUP BY stored "
                                              "ORDER BY stored"))]
    eng.dispose()
    step = max(2, len(times) // 100)  # about 1% of the store, at least two batches
    windows = []
    for _ in range(100):
        if len(times) <= step:
            break
        i = rng.randrange(0, len(times) - step)
        windows.append((times[i], times[i + step]))
    return {"registrations": regs, "windows": windows}


def query_kinds(params: dict[str, list[Any]]) -> list[tuple[str, Callable[[random.Random], str]]]:
    """(name, rng -> path) for each GET /statements shape measured."""
    regs, windows = params["registrations"], params["windows"]
    years = ["2024", "2025", "2026"]
    return [
        ("unfiltered", lambda r: _qs(limit=10)),
        ("unfiltered, default page (500)", lambda r: "/xapi/statements"),
        ("agent", lambda r: _qs(agent=_agent(r.randrange(PEOPLE)), limit=10)),
        ("agent, most active (the coach: ~1/10 of statements)", lambda r: _qs(agent=_agent(7), limit=10)),
        ("verb", lambda r: _qs(verb=VERBS[r.choice(USED_VERBS)], limit=10)),
        ("activity", lambda r: _qs(activity=r.choice(COURSES), limit=10)),
        ("activity, rare (1 in 50,000 statements)", lambda r: _qs(activity=RARE_ACTIVITY, limit=10)),
        ("verb, absent (voided: none stored)", lambda r: _qs(verb="http://adlnet.gov/expapi/verbs/voided",
                                                             limit=10)),
        ("registration", lambda r: _qs(registration=r.choice(regs), limit=10)),
        ("since/until (1% of the store)", lambda r: _qs(**dict(zip(("since", "until"), r.choice(windows))), limit=10)),
        ("agent + related_agents", lambda r: _qs(agent=_agent(r.randrange(PEOPLE)), related_agents="true",
                                                 limit=10)),
        ("activity + related_activities (program)", lambda r: _qs(
            activity=f"{DISTRICT}/pd/program/{r.choice(years)}", related_activities="true", limit=10)),
        ("agent + verb + activity", lambda r: _qs(agent=_agent(r.randrange(PEOPLE)), verb=VERBS["completed"],
                                                  activity=r.choice(COURSES[:3]), limit=10)),
    ]


def run_all(bench: "Bench", db: Database, port: int, server_pid: int) -> dict[str, Any]:
    """Latency of each query shape at concurrency 1, then list throughput at concurrency 8; returns the
    database's plans for the main shapes."""
    rng = random.Random(99)
    params = _sample_params(db, bench.sizes.store, rng)
    s = bench.sizes
    more_links: list[str] = []
    for name, make in query_kinds(params):
        paths = [make(rng) for _ in range(s.queries + 5)]
        counts: list[int] = []

        def on_response(_i: int, _st: int, body: bytes, name: str = name) -> None:
            doc = orjson.loads(body)
            counts.append(len(doc["statements"]))
            if name == "agent" and doc.get("more"):
                more_links.append(doc["more"])

        log(f"{bench.kind}: query {name}")
        profiled = name in ("unfiltered", "agent", "agent + verb + activity", "since/until (1% of the store)")
        res, extra = bench.measured(
            f"query-{name}", server_pid if profiled else None, s.query_seconds,
            lambda: loadgen.run(port, [loadgen.get(p) for p in paths], concurrency=1, max_requests=s.queries,
                                max_seconds=max(s.query_seconds, 30), warmup=5, on_response=on_response))
        bench.row("query", name, 1, res.summary(), mean_statements=round(sum(counts) / max(1, len(counts)), 1),
                  **extra)
    if more_links:
        res, extra = bench.measured("query-more", None, 0, lambda: loadgen.run(
            port, [loadgen.get(p) for p in more_links], concurrency=1, max_requests=s.queries,
            max_seconds=max(s.query_seconds, 30), warmup=0))
        bench.row("query", "agent, next page (more link)", 1, res.summary(), **extra)
    for name, make in [k for k in query_kinds(params) if k[0] in ("unfiltered", "agent")]:
        paths = [make(rng) for _ in range(20_000)]
        log(f"{bench.kind}: throughput {name} c=8")
        res, extra = bench.measured(f"query-throughput-{name}", None, 0, lambda: loadgen.run(
            port, [loadgen.get(p) for p in paths], concurrency=8, max_requests=20_000,
            max_seconds=s.query_seconds, warmup=2))
        bench.row("query", f"{name} (throughput)", 8, res.summary(), **extra)
    import explain

    agent = f"account:{HOMEPAGE}|E{1000 + rng.randrange(PEOPLE)}"
    since, until = params["windows"][0] if params["windows"] else (None, None)
    log(f"{bench.kind}: query plans")
    return explain.plans(db, {
        "agent": {"agent": agent}, "verb": {"verb": VERBS["completed"]}, "activity": {"activity": COURSES[0]},
        "agent, most active": {"agent": f"account:{HOMEPAGE}|E1007"},
        "activity, rare": {"activity": RARE_ACTIVITY},
        "verb, absent": {"verb": "http://adlnet.gov/expapi/verbs/voided"},
        "registration": {"registration": params["registrations"][0]} if params["registrations"] else {},
        "since/until": {"since": since, "until": until},
        "agent + verb + activity": {"agent": agent, "verb": VERBS["completed"], "activity": COURSES[0]},
        "activity + related_activities": {"activity": f"{DISTRICT}/pd/program/2025", "related_activities": True},
    })
