"""The LRS benchmark suite: ingest, its limits, queries on a large store, projections, memory.

    /work/venv/bin/python bench/run.py --db sqlite,postgres --quick      # a few minutes, small sizes
    /work/venv/bin/python bench/run.py --db postgres                     # full: 1,000,000-statement store

Prints a table per database and writes ``bench/results/<timestamp>-<db>.json`` and ``bench/results/latest.json``
(+ ``latest.md``). Everything runs on loopback through the real server stack (``lrs serve``: gunicorn, gthread,
the workers/threads given here, which default to ``lrs serve``'s own defaults). See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))


import common  # noqa: E402
import datagen  # noqa: E402
import loadgen  # noqa: E402
import spyprof as spy  # noqa: E402
import raw_insert  # noqa: E402
from common import (BENCH_DIR, CpuMeter, Database, MemorySampler, ServerOpts, create_database,  # noqa: E402
                    log, start_empty, start_lrs)

RESULTS = BENCH_DIR / "results"
PARTS = ("ingest", "baselines", "queries", "projections")


@dataclass
class Sizes:
    """How much each phase may do; every phase is bounded by a count AND a time."""

    seconds: float  # per ingest / baseline phase
    single: int  # single-statement POSTs per phase
    batch100: int  # batches of 100 per phase
    batch1000: int  # batches of 1000 per phase
    empty: int  # requests per empty-endpoint phase
    raw_statements: int  # statements per raw-insert phase (batch size 1: a tenth)
    store: int  # statements in the query store
    events: int  # single-statement events in the replay fixture
    queries: int  # requests per query kind (latency, concurrency 1)
    query_seconds: float
    lag_seconds: float
    lag_store: int  # statements preloaded (and projected) before the lag measurement
    catch_up_seconds: float  # time limit of `lrs worker --once` over the query store

    @classmethod
    def quick(cls) -> "Sizes":
        return cls(seconds=5, single=3000, batch100=150, batch1000=25, empty=20000, raw_statements=20000,
                   store=20000, events=20000, queries=60, query_seconds=5, lag_seconds=15,
                   lag_store=10000, catch_up_seconds=120)

    @classmethod
    def full(cls) -> "Sizes":
        return cls(seconds=20, single=20000, batch100=800, batch1000=150, empty=60000, raw_statements=150000,
                   store=1_000_000, events=1_000_000, queries=300, query_seconds=15, lag_seconds=60,
                   lag_store=50000, catch_up_seconds=300)


# (label, statements per request, concurrency)
INGEST = [("POST 1 statement", 1, 1), ("POST 1 statement", 1, 8), ("POST batch of 100", 100, 1),
          ("POST batch of 100", 100, 4), ("POST batch of 1000", 1000, 1), ("POST batch of 1000", 1000, 4)]


class Bench:
    def __init__(self, args: argparse.Namespace, sizes: Sizes, wd: str, sampler: MemorySampler) -> None:
        self.args = args
        self.sizes = sizes
        self.wd = wd
        self.sampler = sampler
        self.cpu = CpuMeter(sampler)
        self.opts = ServerOpts(args.workers, args.threads)
        self._bodies: dict[int, list[bytes]] = {}
        # Stand in for autovacuum's ANALYZE (the test server may run with autovacuum off): before each ingest
        # phase, at each tenth of a bulk load, and after it.
        self.analyze = not args.no_analyze
        self.stamp = time.strftime("%Y%m%dT%H%M%S")

    # -- helpers -------------------------------------------------------------------------------------------

    def bodies(self, i: int) -> list[bytes]:
        """Bodies of ingest phase i (own seed, so no phase re-sends another's statement ids); cached per run."""
        if i not in self._bodies:
            label, size, conc = INGEST[i]
            s = self.sizes
            n = {1: s.single, 100: s.batch100, 1000: s.batch1000}[size] + 2 * conc  # + warm-up requests
            t0 = time.perf_counter()
            self._bodies[i] = (datagen.single_bodies(n, seed=100 + i) if size == 1
                               else datagen.batch_bodies(n, size, seed=100 + i))
            log(f"generated {n} bodies for {label} c={conc} in {time.perf_counter() - t0:.1f}s")
        return self._bodies[i]

    def profile_dir(self) -> Path:
        """Where py-spy's stacks go: bench/results/profiles, or the temp dir with --no-write."""
        return Path(self.wd) / "profiles" if self.args.no_write else RESULTS / "profiles"

    def drop(self, db: Database) -> None:
        """Drop a database once its part is done (unless --keep: then it is left for debugging)."""
        if self.args.keep:
            log(f"keeping database {db.url}")
        else:
            db.drop()

    def max_requests(self, size: int) -> int:
        return {1: self.sizes.single, 100: self.sizes.batch100, 1000: self.sizes.batch1000}[size]

    def profiled(self, name: str, pid: int, seconds: float, fn: Callable[[], Any]) -> tuple[Any, dict[str, Any] | None]:
        """Run ``fn`` with py-spy sampling ``pid``'s tree if --profile; returns (result, profile summary)."""
        if not self.args.profile or not spy.available():
            return fn(), None
        slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
        out = self.profile_dir() / f"{self.stamp}-{self.kind}-{slug}.txt"
        p = spy.start(pid, out, seconds + 2)
        time.sleep(1.0)  # py-spy attaches to every process first
        try:
            res = fn()
        finally:
            err = spy.stop(p, timeout=seconds + 30)
        summary = spy.summarize(out) if out.exists() else {"error": err}
        summary["file"] = _rel(spy.compress(out)) if out.exists() else None
        return res, summary

    def cli(self, args: list[str], db: Database, name: str, timeout: float) -> dict[str, Any]:
        """An ``lrs`` command run to completion, with peak RSS, CPU, and a py-spy profile if --profile."""
        spy_proc: list[Any] = []
        slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
        out = self.profile_dir() / f"{self.stamp}-{self.kind}-{slug}.txt"

        def attach(pid: int) -> None:
            if self.args.profile and spy.available():
                spy_proc.append(spy.start(pid, out, timeout))

        self.cpu.begin()
        r = common.run_cli(args, db, self.wd, self.sampler, name, timeout, on_start=attach)
        r["cpu"] = self.cpu.end()
        if spy_proc:
            spy.stop(spy_proc[0], timeout=30)
            if out.exists():
                self.profiles[f"lrs {' '.join(args)}"] = {**spy.summarize(out),
                                                          "file": _rel(spy.compress(out))}
        return r

    def measured(self, name: str, pid: int | None, seconds: float,
                 fn: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
        """Run one phase: fn's result, plus peak RSS, CPU by process and the py-spy profile (if --profile)."""
        self.sampler.reset()
        self.cpu.begin()
        if pid is not None:
            res, prof = self.profiled(name, pid, seconds, fn)
        else:
            res, prof = fn(), None
        extra: dict[str, Any] = {"cpu": self.cpu.end()}
        mem = self.sampler.snapshot()
        if "server" in mem:
            extra["peak_rss"] = mem["server"]
        if prof:
            extra["profile"] = prof
        return res, extra

    def row(self, group: str, name: str, conc: int | None, summary: dict[str, Any], **extra: Any) -> dict[str, Any]:
        r = {"group": group, "name": name, "concurrency": conc, **summary, **extra}
        cpu, n = r.get("cpu"), r.get("requests") or r.get("batches")
        if cpu and n:
            by = cpu["seconds_by_process"]
            r["cpu_ms_per_request"] = {k: round(1000 * v / n, 3) for k, v in by.items() if v}
        prof = r.pop("profile", None)
        if prof:
            self.profiles[f"{group}: {name} c={conc}"] = prof
        self.rows.append(r)
        return r

    # -- phases --------------------------------------------------------------------------------------------

    def run_db(self, kind: str) -> dict[str, Any]:
        self.kind = kind
        self.rows: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.profiles: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        parts = self.args.parts
        if "ingest" in parts:
            self.ingest()
        if "baselines" in parts:
            self.baselines()
        self.ratios()
        if "queries" in parts or "projections" in parts:
            extra["store"] = self.queries_and_projections("queries" in parts, "projections" in parts)
        return {"db": kind, "rows": self.rows, "notes": self.notes, "profiles": self.profiles, **extra}

    def ingest(self) -> None:
        db = create_database(self.kind, "ingest", self.wd)
        server, port = start_lrs(db, self.opts, self.wd, f"{self.kind}-ingest")
        self.sampler.watch("server", server.pid)
        try:
            for i, (label, size, conc) in enumerate(INGEST):
                reqs = [loadgen.post_json("/xapi/statements", b) for b in self.bodies(i)]
                if self.analyze:
                    common.analyze(db)
                log(f"{self.kind}: {label} c={conc}")
                res, extra = self.measured(
                    f"ingest-{size}-c{conc}", server.pid, self.sizes.seconds,
                    lambda: loadgen.run(port, reqs, concurrency=conc, max_requests=self.max_requests(size),
                                        max_seconds=self.sizes.seconds, warmup=2))
                self.row("ingest", label, conc, res.summary(size), batch_size=size, **extra)
        finally:
            self.sampler.unwatch("server")
            server.stop()
        self.notes.append(f"ingest database after the ingest phases: {_mib(db.size_bytes())} MiB")
        self.drop(db)

    def baselines(self) -> None:
        s = self.sizes
        for flavour in ("wsgi", "flask"):
            server, port = start_empty(self.opts, self.wd, flavour)
            self.sampler.watch("server", server.pid)
            try:
                for i, (label, size, conc) in enumerate(INGEST):
                    if flavour == "flask" and (size, conc) != (1, 8):
                        continue  # the framework's share, once
                    reqs = [loadgen.post_json("/xapi/statements", b) for b in self.bodies(i)]
                    log(f"empty endpoint ({flavour}): {label} c={conc}")
                    res, extra = self.measured(
                        f"empty-{flavour}-{size}-c{conc}", server.pid if (size, conc) == (1, 8) else None,
                        min(s.seconds, 10),
                        lambda: loadgen.run(port, reqs, concurrency=conc,
                                            max_requests=s.empty if size == 1 else self.max_requests(size),
                                            max_seconds=min(s.seconds, 10), warmup=2))
                    self.row(f"empty endpoint ({flavour})", label, conc, res.summary(size), batch_size=size, **extra)
            finally:
                self.sampler.unwatch("server")
                server.stop()
        for size in (1, 100, 1000):
            db = create_database(self.kind, f"raw{size}", self.wd)
            log(f"raw insert: batches of {size}")
            n = s.raw_statements // 10 if size == 1 else s.raw_statements
            prepared = raw_insert.prepare(db, size, max_statements=n, seed=900 + size)
            res, extra = self.measured(f"raw-{size}", None, 0,
                                       lambda: raw_insert.run(db, prepared, max_seconds=min(s.seconds, 10)))
            prepared["engine"].dispose()
            self.row("raw insert (SQLAlchemy Core)", f"insert batch of {size}" if size > 1 else "insert 1 statement",
                     1, res, batch_size=size, **extra)
            self.drop(db)

    def ratios(self) -> None:
        """Ingest as a fraction of the empty endpoint (same bodies, same concurrency) and of the raw insert."""
        def find(group: str, size: int, conc: int | None) -> dict[str, Any] | None:
            for r in self.rows:
                if r["group"] == group and r.get("batch_size") == size and (conc is None or r["concurrency"] == conc):
                    return r
            return None

        for r in self.rows:
            if r["group"] != "ingest":
                continue
            e = find("empty endpoint (wsgi)", r["batch_size"], r["concurrency"])
            if e and e.get("requests_per_s"):
                r["vs_empty"] = round(r["requests_per_s"] / e["requests_per_s"], 3)
            raw = find("raw insert (SQLAlchemy Core)", r["batch_size"], None)
            if raw and raw.get("items_per_s"):
                r["vs_raw_insert"] = round(r["items_per_s"] / raw["items_per_s"], 3)

    # -- the large store -----------------------------------------------------------------------------------

    def queries_and_projections(self, do_queries: bool, do_projections: bool) -> dict[str, Any]:
        import projections_bench
        import queries

        n = self.sizes.store
        db = create_database(self.kind, "store", self.wd)
        info: dict[str, Any] = {"statements": n}
        server: common.Proc | None = None
        try:
            if self.args.load == "store":
                info["load"] = queries.load_via_store(db, n, self.args.load_batch, analyze_during=self.analyze)
                server, port = start_lrs(db, self.opts, self.wd, f"{self.kind}-store")
                self.sampler.watch("server", server.pid)
            else:
                server, port = start_lrs(db, self.opts, self.wd, f"{self.kind}-store")
                self.sampler.watch("server", server.pid)
                self.sampler.reset()
                info["load"] = queries.load_via_api(port, n, self.args.load_batch, self.args.load_concurrency,
                                                    db=db if self.analyze else None)
                info["load"]["peak_rss"] = self.sampler.snapshot()["server"]
            info["vacuum_analyze"] = (queries.after_load(db) if self.analyze
                                      else "no ANALYZE during or after the load (--no-analyze)")
            info["database_mib"] = _mib(db.size_bytes())
            if do_queries:
                info["plans"] = queries.run_all(self, db, port, server.pid)
            if do_projections:
                info["projections"] = projections_bench.run_all(self, db, port, server.pid)
        finally:
            if server is not None:
                self.sampler.unwatch("server")
                server.stop()
        self.drop(db)
        return info


def _rel(p: Path) -> str:
    try:
        return str(p.relative_to(BENCH_DIR.parent))
    except ValueError:
        return str(p)


def _mib(b: int | None) -> float | None:
    return round(b / 1024 / 1024, 1) if b is not None else None


# -- targets and output ----------------------------------------------------------------------------------------

def evaluate_targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, checked against this database's numbers (they are stated for PostgreSQL)."""
    rows = res["rows"]

    def get(group: str, name: str, conc: int | None = None) -> dict[str, Any] | None:
        for r in rows:
            if r["group"] == group and r["name"] == name and (conc is None or r["concurrency"] == conc):
                return r
        return None

    out: list[dict[str, Any]] = []

    def check(target: str, value: Any, ok: bool | None) -> None:
        out.append({"target": target, "measured": value, "met": ok})

    r = get("ingest", "POST 1 statement", 8)
    if r:
        check("single-statement POSTs at c=8 >= 500/s", r.get("requests_per_s"), (r.get("requests_per_s") or 0) >= 500)
        if "vs_empty" in r:
            check("single-statement POSTs at c=8 >= 40% of the empty endpoint", r["vs_empty"], r["vs_empty"] >= 0.4)
    r = get("ingest", "POST batch of 1000", 1)
    if r:
        check("batches of 1000 (c=1) >= 10,000 statements/s", r.get("items_per_s"), (r.get("items_per_s") or 0) >= 10000)
        if "vs_raw_insert" in r:
            check("batches of 1000 (c=1) >= 50% of the raw insert", r["vs_raw_insert"], r["vs_raw_insert"] >= 0.5)
    store = res.get("store") or {}
    for name in ("agent", "verb", "activity"):
        r = get("query", name, 1)
        if r:
            check(f"GET /statements by {name} over {store.get('statements'):,} statements: p95 < 20 ms",
                  r.get("p95_ms"), (r.get("p95_ms") or 1e9) < 20)
    pj = store.get("projections") or {}
    rb = pj.get("rebuild") or {}
    if rb.get("available"):
        check("rebuild of all read models >= 20,000 events/s", rb.get("events_per_s"),
              (rb.get("events_per_s") or 0) >= 20000)
        if rb.get("rss_growth") is not None:
            check("worker peak RSS flat as events replayed grow (10x events: < 1.25x RSS)", rb["rss_growth"],
                  rb["rss_growth"] < 1.25)
    else:
        check("rebuild of all read models >= 20,000 events/s", "not available", None)
    lag = pj.get("lag") or {}
    if lag.get("available"):
        check("transcript lag p95 < 1 s under load", lag.get("p95_ms"), (lag.get("p95_ms") or 1e9) < 1000)
    else:
        check("transcript lag p95 < 1 s under load", "not available", None)
    return out


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(res: dict[str, Any], markdown: bool = False) -> str:
    head = ["group", "phase", "c", "req/s", "statements/s", "p50 ms", "p95 ms", "vs empty", "vs raw",
            "server RSS MiB (sum / largest)", "CPU ms/req (app / PG)", "others' CPU", "errors"]
    lines = []
    for r in res["rows"]:
        rss = r.get("peak_rss") or {}
        mem = f"{_fmt(rss.get('total_mib'))} / {_fmt(rss.get('largest_process_mib'))}" if rss else "-"
        items = r.get("items_per_s") if r["group"] != "query" else None
        per = r.get("cpu_ms_per_request") or {}
        app = per.get("server", per.get("client"))
        cpu = f"{_fmt(app, 2)} / {_fmt(per.get('postgres'), 2)}" if per else "-"
        other = f"{r['cpu']['other_pct']:.0f}%" if r.get("cpu") else "-"
        lines.append([r["group"], r["name"], _fmt(r.get("concurrency")), _fmt(r.get("requests_per_s")), _fmt(items),
                      _fmt(r.get("p50_ms"), 2), _fmt(r.get("p95_ms"), 2),
                      f"{r['vs_empty']:.0%}" if "vs_empty" in r else "",
                      f"{r['vs_raw_insert']:.0%}" if "vs_raw_insert" in r else "", mem, cpu, other,
                      _fmt(r.get("errors"))])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(x.replace("|", "\\|") for x in line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:{'<' if i < 2 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths))] + [fmt.format(*line) for line in lines])


def _rss(r: dict[str, Any] | None) -> str:
    return f"{r['largest_process_mib']:,.0f} MiB" if r else "-"


def projection_lines(store: dict[str, Any]) -> list[str]:
    """One sentence per projection measurement."""
    pj = store.get("projections") or {}
    out = []
    c = pj.get("catch_up") or {}
    if c.get("available"):
        done = "" if c.get("finished") else f" (stopped at the {c['seconds']:.0f} s limit; rate from positions reached)"
        out.append(f"Worker catch-up (`lrs worker --once`) over the {store['statements']:,}-statement store "
                   f"({c['events']:,} events, batches of ~{store['statements'] // max(1, c.get('statement_events', 1)):,} "
                   "statements): "
                   f"{_fmt(c.get('statements_per_s'))} statements/s{done}; worker peak RSS {_rss(c.get('peak_rss'))}.")
    elif c:
        out.append(f"Worker catch-up: not available ({c.get('reason', 'failed')}).")
    rb = pj.get("rebuild") or {}
    if rb.get("available"):
        per = ", ".join(f"{p['projection']} {p['seconds']:.1f} s" for p in rb.get("per_projection", []))
        out.append(f"Rebuild (`lrs replay`) of every read model from {rb['fixture']['events']:,} single-statement "
                   f"events: {rb['full']['seconds']:.1f} s = {_fmt(rb.get('events_per_s'))} events/s ({per}); "
                   f"peak RSS {_rss(rb['full'].get('peak_rss'))}, vs {_rss(rb['tenth'].get('peak_rss'))} replaying a "
                   f"tenth (`--as-of`): x{rb.get('rss_growth')}.")
    elif rb:
        out.append(f"Rebuild: not available ({rb.get('reason', 'failed')}).")
    lag = pj.get("lag") or {}
    if lag.get("available"):
        bg = lag.get("background_ingest") or {}
        out.append(f"Transcript lag, POST answered -> visible in GET /api/v1/people/{{person}}/transcript, while "
                   f"single-statement POSTs run at c=4 ({_fmt(bg.get('requests_per_s'))} req/s): p50 "
                   f"{lag['p50_ms']:,.0f} ms, p95 {lag['p95_ms']:,.0f} ms, max {lag['max_ms']:,.0f} ms over "
                   f"{lag['probes']} probes ({lag['not_visible']} not visible within 15 s); worker peak RSS "
                   f"{_rss((lag.get('peak_rss') or {}).get('worker'))}.")
    elif lag:
        out.append(f"Transcript lag: not available ({lag.get('reason', 'failed')}).")
    return out


def extra_text(res: dict[str, Any], markdown: bool = False) -> str:
    out = []
    store = res.get("store")
    if store:
        ld = store.get("load") or {}
        out.append(f"Store: {store['statements']:,} statements loaded via {ld.get('via', '')} in "
                   f"{_fmt(ld.get('seconds'))} s ({_fmt(ld.get('statements_per_s'))} statements/s; per tenth of the "
                   f"store: {', '.join(_fmt(x, 0) for x in ld.get('rate_by_decile', []))}); server peak RSS "
                   f"{_rss(ld.get('peak_rss'))} per worker; database {_fmt(store.get('database_mib'))} MiB; "
                   f"{store.get('vacuum_analyze')}.")
        out += projection_lines(store)
    for t in res.get("targets", []):
        mark = {True: "MET", False: "NOT MET", None: "n/a"}[t["met"]]
        out.append(f"Target [{mark}] {t['target']}: {t['measured']}")
    for n in res.get("notes", []):
        out.append(f"Note: {n}")
    sep = "\n" if markdown else "\n"
    return sep.join(("- " + x) if markdown else x for x in out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="LRS benchmarks (see bench/README.md)")
    ap.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    ap.add_argument("--quick", action="store_true", help="small sizes and short phases (a few minutes)")
    ap.add_argument("--statements", type=int, help="statements in the query store (full default 1,000,000)")
    ap.add_argument("--events", type=int, help="events in the replay fixture (full default 1,000,000)")
    ap.add_argument("--catch-up-seconds", type=float, help="time limit of the worker catch-up over the store")
    ap.add_argument("--seconds", type=float, help="time bound of each ingest/baseline phase")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("LRS_WEB_WORKERS", "2")),
                    help="gunicorn workers (lrs serve's default)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("LRS_WEB_THREADS", "8")),
                    help="threads per worker (lrs serve's default)")
    ap.add_argument("--load", choices=["api", "store"], default="api",
                    help="fill the query store through POST /xapi/statements (api) or StatementStore.save (store)")
    ap.add_argument("--load-batch", type=int, default=1000)
    ap.add_argument("--load-concurrency", type=int, default=2)
    ap.add_argument("--profile", action="store_true",
                    help="sample the server, worker and replay with py-spy (perturbs throughput: results go to "
                         "<timestamp>-<db>-profiled.json and leave latest.json alone)")
    ap.add_argument("--no-analyze", action="store_true",
                    help="PostgreSQL: never ANALYZE (by default the bench runs it before each ingest phase and "
                         "during/after bulk loads, standing in for autovacuum when the server has it off)")
    ap.add_argument("--keep", action="store_true", help="keep databases and logs (debugging)")
    ap.add_argument("--no-write", action="store_true", help="print only; write no results files")
    args = ap.parse_args(argv)
    args.parts = [p for p in args.parts.split(",") if p]
    bad = set(args.parts) - set(PARTS)
    if bad:
        ap.error(f"unknown parts: {', '.join(sorted(bad))}")
    sizes = Sizes.quick() if args.quick else Sizes.full()
    if args.statements:
        sizes.store = args.statements
    if args.events:
        sizes.events = args.events
    if args.seconds:
        sizes.seconds = args.seconds
    if args.catch_up_seconds:
        sizes.catch_up_seconds = args.catch_up_seconds
    machine = common.machine_info()
    log(f"machine: {machine['cpu']} x{machine['cores']}, {machine['memory_gib']} GiB; "
        f"git {machine['git']['commit']} (uncommitted product files: {len(machine['git']['product_files_uncommitted'])})")
    config = {"quick": args.quick, "parts": args.parts, "analyze": not args.no_analyze, "workers": args.workers, "threads": args.threads,
              "load": args.load, "load_batch": args.load_batch, "load_concurrency": args.load_concurrency,
              "profile": args.profile, "sizes": sizes.__dict__, "xapi_version": "1.0.3",
              "data": f"lrs.demo.generate_statements, {datagen.PEOPLE} people, pool of {datagen.POOL} reused "
                      "with fresh ids beyond that"}
    sampler = MemorySampler()
    all_results: dict[str, Any] = {}
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with common.workdir(args.keep) as wd:
        bench = Bench(args, sizes, wd, sampler)
        try:
            for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
                t0 = time.perf_counter()
                res = bench.run_db(kind)
                res["targets"] = evaluate_targets(res)
                res["seconds"] = round(time.perf_counter() - t0, 1)
                doc = {"started": started, "command": "python bench/run.py " + " ".join(
                    sys.argv[1:] if argv is None else argv), "machine": machine, "config": config, **res}
                all_results[kind] = doc
                print(f"\n== {kind} ({res['seconds']} s) ==")
                print(table(res))
                print(extra_text(res))
                sys.stdout.flush()
                if not args.no_write:
                    suffix = "-profiled" if args.profile else ""
                    common.write_json(RESULTS / f"{bench.stamp}-{kind}{suffix}.json", doc)
        finally:
            common.stop_all()
            common.drop_all(args.keep)
            sampler.stop()
    if all_results and not args.no_write and not args.profile:
        # latest.json keeps the newest result of each database (a run may cover only some of them); profiled
        # runs are not "latest": sampling perturbs their numbers.
        latest_path = RESULTS / "latest.json"
        merged: dict[str, Any] = {}
        if latest_path.exists():
            try:
                merged = json.loads(latest_path.read_text()).get("results", {})
            except (ValueError, AttributeError):
                merged = {}
        merged.update(all_results)
        common.write_json(latest_path, {"machine": machine, "results": merged})
        command = "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
        md = [f"Machine: {machine['cpu']} ({machine['cores']} cores, {machine['memory_gib']} GiB), Python "
              f"{machine['python']}, PostgreSQL {machine.get('postgresql')}, SQLite {machine['sqlite']}."]
        for kind, doc in merged.items():
            m = doc["machine"]
            md += [f"\n### {kind}\n",
                   f"Run {doc['started']}, `{doc.get('command', command)}`, git {m['git']['commit']}"
                   + (" (with uncommitted product files)" if m["git"]["product_files_uncommitted"] else "")
                   + f", {doc['seconds']} s.\n", table(doc, markdown=True), "", extra_text(doc, markdown=True)]
        (RESULTS / "latest.md").write_text("\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
