"""Attendance import benchmark, the whole import: ``lrs import attendance`` into a real database (not a test).

    python bench/import_db_bench.py                          # SQLite and PostgreSQL
    python bench/import_db_bench.py --db sqlite --json       # one backend, as JSON

For each backend and file, a fresh database gets a roster of ``--people`` (2,000) people, then a child process
(one per measurement, so that its peak RSS is the import's) runs:

1. parse only: ``read_attendance`` of the file (decode, sniff, parse, aggregate), timed;
2. the CLI path in-process: ``lrs import attendance FILE --format F [--mapping M]`` through click's ``main`` —
   services, the roster from the log, earlier imports, planning, ``prepare_batch`` for every statement and the
   one append — timed, with ``ru_maxrss`` afterwards;
3. the same command again (an idempotent re-import: planning only, nothing written), timed.

Files (as in bench/import_bench.py): a Zoom report whose 2,000 attendees leave and rejoin (10,000 and 100,000
rows, 2,000 statements either way), and a generic CSV of 2,000 people x 5 sessions (10,000 rows, 10,000
statements: the worst case, one statement per row; the 100,000-row file repeats each person's session rows, so it
still makes 10,000 statements). Memory should be flat with rows: the 100,000-row file's peak RSS about the
10,000-row file's. ``--trace`` also takes tracemalloc peaks of the import (a slower run, in a child of its own).
Each 10,000-row measurement is the best of ``--repeat`` runs (the machine is shared).

PostgreSQL: databases are created on the server of ``LRS_BENCH_PG_URL`` (default the local server as postgres)
and dropped afterwards.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_bench import GENERIC_MAPPING, _email, write_generic, write_zoom  # noqa: E402

PG_ADMIN = os.environ.get("LRS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def roster_csv(people: int) -> str:
    head = "employee_id,name,email,roles,building,supervisor_id,hire_date,status,account_homepage,account_name\n"
    return head + "".join(f"E{i:06d},Person {i},{_email(i)},teacher,B{i % 12},,2020-08-01,active,"
                          f"https://idp.district.example,E{i:06d}\n" for i in range(people))


@contextlib.contextmanager
def database(backend: str, tmp: Path, people: int) -> Any:
    """A fresh database with the roster; yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from lrs import bootstrap
    from lrs.roster.importer import import_roster

    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp / ('bench-' + uuid.uuid4().hex[:8] + '.db')}"
    else:
        name = f"lrs_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    svc = bootstrap.build({"DATABASE_URL": url})
    assert import_roster(svc.store, roster_csv(people), effective_date="2024-07-01").ok
    svc.close()
    try:
        yield url
    finally:
        if drop is not None:
            drop()


def child(url: str, fmt: str, file: str, mapping: str | None, trace: bool) -> dict[str, Any]:
    """One measurement, in this (child) process: parse only, the CLI import, the re-import (see the docstring)."""
    from adapters.options import load_mapping, options_from_mapping
    from adapters.registry import read_attendance
    from lrs.cli import main
    from lrs.config import load_settings
    from lrs.imports.attendance import district_options

    import lrs.bootstrap  # noqa: F401  (module imports are a per-process constant, not the import's cost)
    import lrs.cli.imports  # noqa: F401

    os.environ["LRS_DATABASE_URL"] = url
    args = ["import", "attendance", file, "--format", fmt] + (["--mapping", mapping] if mapping else [])
    opts = options_from_mapping(load_mapping(Path(mapping)) if mapping else {},
                                base=district_options(load_settings(os.environ)))

    def run_cli() -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                main(args, standalone_mode=False)
            except SystemExit as exc:
                if exc.code:
                    raise RuntimeError(f"the import failed: {out.getvalue()[-500:]}") from None
        return out.getvalue().strip().splitlines()[-1]

    t0 = time.perf_counter()
    parsed = read_attendance(file, fmt, opts)
    parse_s = time.perf_counter() - t0
    rows = parsed.rows
    del parsed
    if trace:
        tracemalloc.start()
        verdict = run_cli()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"tracemalloc_peak_mib": round(peak / (1 << 20), 1), "verdict": verdict}
    t1, c1 = time.perf_counter(), time.process_time()
    verdict = run_cli()
    import_s, cpu_s = time.perf_counter() - t1, time.process_time() - c1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t2 = time.perf_counter()
    again = run_cli()
    reimport_s = time.perf_counter() - t2
    return {"rows": rows, "parse_s": parse_s, "import_s": import_s, "cpu_s": cpu_s, "reimport_s": reimport_s,
            "peak_rss_mib": round(rss, 1), "verdict": verdict, "reimport": again}


def measure(backend: str, tmp: Path, people: int, fmt: str, file: Path, mapping: Path | None, *,
            repeat: int, trace: bool) -> dict[str, Any]:
    runs = []
    for _ in range(repeat):
        with database(backend, tmp, people) as url:
            cmd = [sys.executable, __file__, "--child", url, fmt, str(file)] + ([str(mapping)] if mapping else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["import_s"])
    result = {
        "backend": backend, "file": file.name, "rows": best["rows"], "verdict": best["verdict"],
        "parse_s": round(best["parse_s"], 3), "import_s": round(best["import_s"], 3),
        "import_s_all": [round(r["import_s"], 3) for r in runs],
        # This process's CPU time: on a shared machine, wall time counts the other jobs' turns as well (SQLite does
        # all its work in-process; PostgreSQL's server time is not in it).
        "import_cpu_s": round(best["cpu_s"], 3), "rows_per_cpu_s": round(best["rows"] / best["cpu_s"]),
        "rows_per_s": round(best["rows"] / best["import_s"]), "parse_rows_per_s": round(best["rows"] / best["parse_s"]),
        "import_vs_parse": round(best["import_s"] / best["parse_s"], 2), "reimport_s": round(best["reimport_s"], 3),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
    }
    if trace:
        with database(backend, tmp, people) as url:
            cmd = [sys.executable, __file__, "--child", url, fmt, str(file)] + ([str(mapping)] if mapping else [])
            out = subprocess.run(cmd + ["--trace"], capture_output=True, text=True, check=True)
            result["tracemalloc_peak_mib"] = json.loads(out.stdout)["tracemalloc_peak_mib"]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    ap.add_argument("--people", type=int, default=2_000)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--large", type=int, default=100_000, help="rows of the file compared for memory (0: none)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--trace", action="store_true", help="also tracemalloc peaks (slower)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        url, fmt, file, *more = args.child
        print(json.dumps(child(url, fmt, file, more[0] if more else None, args.trace)))
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files: list[tuple[str, Path, Path | None, int]] = []
        sizes = [(args.rows, "small")] + ([(args.large, "large")] if args.large else [])
        for n, label in sizes:
            write_zoom(tmp / f"zoom-{n}.csv", n, args.people)
            write_generic(tmp / f"generic-{n}.csv", n, args.people)
            files.append(("zoom", tmp / f"zoom-{n}.csv", None, args.repeat if label == "small" else 1))
            files.append(("generic", tmp / f"generic-{n}.csv", tmp / "generic.yaml",
                          args.repeat if label == "small" else 1))
        (tmp / "generic.yaml").write_text(GENERIC_MAPPING, encoding="utf-8")
        for backend in args.db.split(","):
            for fmt, file, mapping, repeat in sorted(files, key=lambda f: (f[0], f[1].stat().st_size)):
                results.append(measure(backend, tmp, args.people, fmt, file, mapping, repeat=repeat,
                                       trace=args.trace))
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"people": args.people, "loadavg": load, "results": results}, indent=2))
        return
    print(f"people {args.people}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 shared cores)")
    print(f"{'db':9} {'file':20} {'rows':>7} {'parse s':>8} {'import s':>9} {'rows/s':>7} {'x parse':>8} "
          f"{'cpu s':>6} {'rows/cpu s':>10} {'reimport s':>10} {'peak RSS MiB':>12}"
          + ("  tracemalloc MiB" if args.trace else ""))
    for r in results:
        print(f"{r['backend']:9} {r['file']:20} {r['rows']:>7} {r['parse_s']:>8} {r['import_s']:>9} "
              f"{r['rows_per_s']:>7} {r['import_vs_parse']:>8} {r['import_cpu_s']:>6} {r['rows_per_cpu_s']:>10} "
              f"{r['reimport_s']:>10} {r['peak_rss_mib']:>12}"
              + (f"  {r.get('tracemalloc_peak_mib')}" if args.trace else ""))
    for r in results:
        print(f"  {r['backend']} {r['file']}: {r['verdict']} (runs: {r['import_s_all']} s)")


if __name__ == "__main__":
    main()
