"""Shared pieces of the benchmark suite: databases, server processes, memory sampling, machine facts.

Everything here talks to the product only from the outside (its CLI and HTTP), except where a docstring says
otherwise. Processes are started in their own session so that stopping one stops its children (gunicorn
workers) and nothing else.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
LRS = str(VENV_BIN / "lrs")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
HOST = "127.0.0.1"  # loopback only: the load generator never leaves the machine
API_KEY, API_SECRET = "benchkey", "benchsecret"


def log(msg: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# -- databases -------------------------------------------------------------------------------------------------

@dataclass
class Database:
    """One throw-away database: an SQLite file in a temp dir, or a PostgreSQL database dropped at the end."""

    kind: str  # sqlite | postgres
    url: str
    name: str
    path: str | None = None

    def drop(self) -> None:
        """Remove the database (PG: terminate sessions and DROP; SQLite: delete the file and its WAL)."""
        if self.kind == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.path:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path + suffix)

    def size_bytes(self) -> int | None:
        """On-disk size (PG: pg_database_size; SQLite: file + WAL)."""
        if self.kind == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as c:
                return int(c.execute("SELECT pg_database_size(%s)", (self.name,)).fetchone()[0])  # type: ignore[index]
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(FileNotFoundError):
                total += os.path.getsize(str(self.path) + suffix)
        return total


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as c:
        c.execute(sql)  # type: ignore[arg-type]


_created: list[Database] = []


def analyze(db: Database) -> float:
    """PostgreSQL: ANALYZE the database (what autovacuum does on a live server; the test server may run with
    autovacuum off, and a table that was never analyzed gets seq-scan plans). SQLite: nothing. Returns seconds."""
    if db.kind != "postgres":
        return 0.0
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(db.url, autocommit=True) as c:
        c.execute("ANALYZE")
    return time.perf_counter() - t0


def create_database(kind: str, tag: str, tmpdir: str) -> Database:
    """A fresh, empty database for one part of the run (dropped by :func:`drop_all` at exit)."""
    name = f"bench_{os.getpid()}_{tag}"
    if kind == "postgres":
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
        db = Database(kind, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, name)
    elif kind == "sqlite":
        path = os.path.join(tmpdir, name + ".db")
        db = Database(kind, "sqlite:///" + path, name, path)
    else:
        raise ValueError(f"unknown database kind {kind!r}")
    _created.append(db)
    return db


def drop_all(keep: bool = False) -> None:
    """Drop every database this run created (unless ``keep``, for debugging)."""
    while _created:
        db = _created.pop()
        if keep:
            log(f"keeping database {db.url}")
            continue
        try:
            db.drop()
        except Exception as e:  # best effort at exit
            log(f"could not drop {db.name}: {e}")


# -- memory ----------------------------------------------------------------------------------------------------

def rss_kb(pid: int) -> int:
    """Resident set size of one process in KiB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc/<pid>/task/*/children)."""
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(FileNotFoundError):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out += [int(x) for x in f.read().split()]
    except FileNotFoundError:
        pass
    return out


def descendants(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += children_of(p)
    return seen


class MemorySampler:
    """Samples the RSS of named process trees every ``interval`` seconds; peaks are kept per phase.

    A tree's figure is the sum over the root and its descendants (gunicorn master + workers), and we also keep
    the largest single process in it (one worker), since the sum of pre-forked processes double-counts pages
    they share copy-on-write.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.roots: dict[str, int] = {}
        self.peaks: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self.roots[name] = pid
            self.peaks.setdefault(name, {"total_kb": 0, "largest_process_kb": 0})

    def unwatch(self, name: str) -> None:
        with self._lock:
            self.roots.pop(name, None)

    def reset(self) -> None:
        """Start a new phase: forget the peaks seen so far."""
        with self._lock:
            self.peaks = {n: {"total_kb": 0, "largest_process_kb": 0} for n in self.roots}

    def snapshot(self) -> dict[str, dict[str, float]]:
        """Peaks of this phase in MiB."""
        self._sample()
        with self._lock:
            return {n: {"total_mib": round(p["total_kb"] / 1024, 1),
                        "largest_process_mib": round(p["largest_process_kb"] / 1024, 1)}
                    for n, p in self.peaks.items()}

    def _sample(self) -> None:
        with self._lock:
            roots = dict(self.roots)
        for name, pid in roots.items():
            sizes = [rss_kb(p) for p in descendants(pid)]
            total, largest = sum(sizes), max(sizes, default=0)
            with self._lock:
                pk = self.peaks.setdefault(name, {"total_kb": 0, "largest_process_kb": 0})
                pk["total_kb"] = max(pk["total_kb"], total)
                pk["largest_process_kb"] = max(pk["largest_process_kb"], largest)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def stop(self) -> None:
        self._stop.set()


# -- processes -------------------------------------------------------------------------------------------------

_procs: list["Proc"] = []


def stop_all() -> None:
    """Stop every process this run started that is still running (at exit, or after an error)."""
    while _procs:
        _procs.pop().stop(timeout=10)


class Proc:
    """A child process in its own session, stopped with SIGTERM then SIGKILL to its process group."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: str, logfile: str) -> None:
        self.args = args
        self.logfile = logfile
        self._log = open(logfile, "wb")
        self.popen = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self.pid = self.popen.pid
        _procs.append(self)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> int | None:
        """Graceful stop of the whole group; returns the exit status."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(5)
        if not self._log.closed:
            self._log.close()
        with contextlib.suppress(ValueError):
            _procs.remove(self)
        return self.popen.returncode

    def tail(self, n: int = 30) -> str:
        with contextlib.suppress(FileNotFoundError):
            return "\n".join(Path(self.logfile).read_text(errors="replace").splitlines()[-n:])
        return ""


def lrs_env(db: Database, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for ``lrs`` commands against ``db`` with the bench credential."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LRS_")}
    env.update({"LRS_DATABASE_URL": db.url, "LRS_API_KEY": API_KEY, "LRS_API_SECRET": API_SECRET,
                "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return env


def wait_http(port: int, path: str = "/health", timeout: float = 60, proc: Proc | None = None) -> None:
    """Wait until ``GET path`` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"server exited early:\n{proc.tail()}")
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=2)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered 200 on {HOST}:{port}{path} within {timeout}s"
                       + (f"\n{proc.tail()}" if proc else ""))


@dataclass
class ServerOpts:
    """The gunicorn shape shared by ``lrs serve`` and the empty-endpoint baseline."""

    workers: int = 2
    threads: int = 8


def start_lrs(db: Database, opts: ServerOpts, workdir: str, tag: str, worker: bool = False) -> tuple[Proc, int]:
    """``lrs serve`` (gunicorn, the stack docker-compose uses) on a free loopback port."""
    port = free_port()
    args = [LRS, "serve", "--host", HOST, "--port", str(port), "--workers", str(opts.workers),
            "--threads", str(opts.threads)]
    if not worker:
        args.append("--no-worker")
    p = Proc(args, lrs_env(db), workdir, os.path.join(workdir, f"serve-{tag}.log"))
    wait_http(port, proc=p)
    return p, port


def start_empty(opts: ServerOpts, workdir: str, flavour: str = "wsgi") -> tuple[Proc, int]:
    """The empty-endpoint baseline (bench/empty_app.py) under the same gunicorn configuration."""
    port = free_port()
    args = [sys.executable, str(BENCH_DIR / "empty_app.py"), "--host", HOST, "--port", str(port),
            "--workers", str(opts.workers), "--threads", str(opts.threads), "--flavour", flavour]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = Proc(args, env, workdir, os.path.join(workdir, f"empty-{flavour}.log"))
    wait_http(port, proc=p)
    return p, port


def run_cli(args: list[str], db: Database, workdir: str, sampler: MemorySampler | None, name: str,
            timeout: float, on_start: Any = None) -> dict[str, Any]:
    """Run an ``lrs`` subcommand to completion; returns exit status, seconds, output tail and peak RSS.

    ``on_start(pid)`` is called once the process exists (to attach a profiler)."""
    p = Proc([LRS, *args], lrs_env(db), workdir, os.path.join(workdir, f"{name}.log"))
    if sampler is not None:
        sampler.watch(name, p.pid)
    if on_start is not None:
        on_start(p.pid)
    t0 = time.perf_counter()
    try:
        rc = p.popen.wait(timeout)
    except subprocess.TimeoutExpired:
        p.stop()
        rc = None
    secs = time.perf_counter() - t0
    mem = sampler.snapshot().get(name) if sampler is not None else None
    if sampler is not None:
        sampler.unwatch(name)
    p.stop()
    return {"exit": rc, "seconds": round(secs, 3), "output_tail": p.tail(15), "peak_rss": mem}


# -- machine ---------------------------------------------------------------------------------------------------

def machine_info() -> dict[str, Any]:
    """What the numbers were measured on (they mean little without it)."""
    cpu = ""
    with contextlib.suppress(FileNotFoundError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(FileNotFoundError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    info: dict[str, Any] = {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(), "python": platform.python_version(),
    }
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as c:
            info["postgresql"] = c.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
            info["postgresql_settings"] = dict(c.execute(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN ('autovacuum', "
                "'shared_buffers', 'max_wal_size', 'synchronous_commit', 'work_mem', 'effective_cache_size', "
                "'fsync', 'max_connections')").fetchall())
    except Exception as e:
        info["postgresql"] = f"unavailable ({e.__class__.__name__})"
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("gunicorn", "Flask", "SQLAlchemy", "psycopg", "orjson"):
        try:
            info[pkg.lower()] = version(pkg)
        except PackageNotFoundError:
            pass
    info["git"] = _git_state()
    return info


def _git_state() -> dict[str, Any]:
    def git(*a: str) -> str:
        # rstrip only: porcelain lines start with a status column that may be a space.
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.rstrip()

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "lrs", "projections").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "product_files_uncommitted": dirty}


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")


@contextlib.contextmanager
def workdir(keep: bool) -> Iterator[str]:
    """A temp dir for SQLite files and process logs."""
    d = tempfile.mkdtemp(prefix="lrs-bench-")
    try:
        yield d
    finally:
        if not keep:
            import shutil

            shutil.rmtree(d, ignore_errors=True)


@dataclass
class PhaseResult:
    """One row of the table."""

    group: str
    name: str
    metrics: dict[str, Any] = field(default_factory=dict)


# -- CPU accounting --------------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return 0


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts[:8]) - idle, sum(parts[:8])


class CpuMeter:
    """Where the machine's CPU went during a phase: our server/worker/CLI trees (by the name the memory sampler
    watches them under), our PostgreSQL backends, the load generator, and everything else (other people's work
    on a shared machine: a noise indicator).

    Processes are polled every ``interval`` seconds so that one that exits during the phase (a CLI command, a
    PostgreSQL backend whose connection closed) still counts with its last-seen CPU time.
    """

    def __init__(self, sampler: MemorySampler, interval: float = 0.5) -> None:
        self.sampler = sampler
        self.interval = interval
        self.db_marker = f"bench_{os.getpid()}_"
        self._lock = threading.Lock()
        self._start: dict[int, int] = {}
        self._last: dict[int, tuple[str, int]] = {}
        self._m0 = 0
        self._t0 = 0.0
        self._active = False
        threading.Thread(target=self._run, daemon=True).start()

    def _classify(self) -> dict[int, str]:
        with self.sampler._lock:
            roots = dict(self.sampler.roots)
        out: dict[int, str] = {}
        for name, pid in roots.items():
            for p in descendants(pid):
                out[p] = name
        out[os.getpid()] = "client"
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in out:
                continue
            cmd = _cmdline(int(entry))
            if self.db_marker in cmd:
                out[int(entry)] = "postgres"
            elif cmd.startswith("postgres: ") and " postgres " not in cmd and "@" not in cmd:
                out[int(entry)] = "postgres_background"  # checkpointer, walwriter, autovacuum …
            elif cmd:
                out[int(entry)] = "other"
            else:
                out[int(entry)] = "kernel"
        return out

    def _poll(self) -> None:
        seen = {p: (cls, _cpu_ticks(p)) for p, cls in self._classify().items()}
        with self._lock:
            for p, (cls, t) in seen.items():
                if t:
                    self._last[p] = (cls, t)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            if self._active:
                with contextlib.suppress(Exception):
                    self._poll()

    def begin(self) -> None:
        cls = self._classify()
        with self._lock:
            self._start = {p: _cpu_ticks(p) for p in cls}
            self._last = {}
            self._m0 = _machine_ticks()[0]
            self._t0 = time.perf_counter()
            self._active = True
        self._poll()

    def end(self) -> dict[str, Any]:
        """CPU seconds per class since :meth:`begin`, and the share of the machine others used."""
        self._poll()
        with self._lock:
            self._active = False
            wall = time.perf_counter() - self._t0
            busy = (_machine_ticks()[0] - self._m0) / _TICK
            last = dict(self._last)
            start = dict(self._start)
        by: dict[str, float] = {"postgres": 0.0, "postgres_background": 0.0, "client": 0.0}
        others = kernel = 0.0
        for p, (cls, t) in last.items():
            d = max(0, t - start.get(p, 0)) / _TICK
            if cls == "other":
                others += d
            elif cls == "kernel":
                kernel += d
            else:
                by[cls] = by.get(cls, 0.0) + d
        cap = wall * (os.cpu_count() or 1)
        # "other" is other people's processes (a shared machine); interrupts and softirqs (loopback TCP for
        # our own traffic) belong to no process and show up only as the unattributed rest.
        return {"seconds_by_process": {k: round(v, 2) for k, v in by.items()},
                "machine_busy_pct": round(100 * busy / cap, 1), "other_pct": round(100 * others / cap, 1),
                "kernel_threads_pct": round(100 * kernel / cap, 1),
                "unattributed_pct": round(max(0.0, 100 * (busy - others - kernel - sum(by.values())) / cap), 1)}
