"""The worker: owns projections, catches each up from its checkpoint, then follows the log.

Ownership. Any number of workers, on any number of machines, may run against one database; each projection is
advanced by one of them at a time:

* PostgreSQL: ``pg_try_advisory_lock(key(name))`` held on a dedicated connection (with TCP keepalives, so the
  server notices a dead machine in ~25 s and a dead process at once). The same connection LISTENs on
  ``lrs_events``. A worker that loses that connection stops writing: each batch checks in ``pg_locks`` that the
  lock is still held by the session it believes holds it (a fence).
* SQLite (or ``ownership="lease"``): a lease row per projection (``projection_leases``), renewed while working,
  taken over when expired; taking it increments a fencing token that every batch commit checks.

Either way the checkpoint compare-and-set in ``projections.engine.apply_batch`` is what guarantees exactly-once;
ownership only keeps workers from wasting work on the same projection.

Wake-ups: NOTIFY (sent by the event store in the append transaction) is only a hint to re-read the log; the
worker also polls (every ``poll`` seconds on PostgreSQL, with backoff up to ``poll_max`` on SQLite), so a lost
notification delays nothing by more than the poll interval.
"""
from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from lrs.bootstrap import Services

from lrs.db.engine import is_postgres
from lrs.eventlog.store import NOTIFY_CHANNEL, EventStore
from projections import registry
from projections.engine import (LostOwnership, Processor, Projection, active_generation, ensure_active,
                                get_checkpoint, write_conn)
from projections.engine.tables import projection_leases as leases

log = logging.getLogger("lrs.worker")


def lock_key(name: str) -> int:
    """The 64-bit advisory-lock key of a projection (signed, as PostgreSQL's bigint wants it)."""
    return int.from_bytes(hashlib.sha256(f"lrs-projection:{name}".encode()).digest()[:8], "big", signed=True)


def new_owner_id() -> str:
    """host:pid:random — unique per worker instance, readable in ``projection_leases``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Ownership(Protocol):
    def try_acquire(self, name: str) -> bool: ...

    def fence(self, name: str) -> Any: ...

    def forget(self, name: str) -> None: ...

    def wait(self, timeout: float) -> None: ...

    def close(self) -> None: ...


# ---------------------------------------------------------------------------------------------------------------
# Leases (SQLite, or anywhere)
# ---------------------------------------------------------------------------------------------------------------

class LeaseOwnership:
    """Lease rows with fencing tokens."""

    def __init__(self, engine: Engine, owner: str, ttl: float = 15.0) -> None:
        self.engine, self.owner, self.ttl = engine, owner, ttl
        self.tokens: dict[str, int] = {}
        self.expires: dict[str, float] = {}

    def try_acquire(self, name: str) -> bool:
        now = time.time()
        if name in self.tokens and self.expires[name] - now > self.ttl / 2:
            return True  # renew only when half the lease has run out: one write per projection per ttl/2
        try:
            with write_conn(self.engine) as conn:
                row = conn.execute(select(leases).where(leases.c.name == name)).first()
                if row is None:
                    conn.execute(leases.insert().values(name=name, owner=self.owner, token=1, expires_at=now + self.ttl))
                    token = 1
                elif row.owner == self.owner and int(row.token) == self.tokens.get(name, -1):
                    conn.execute(leases.update().where(leases.c.name == name).values(expires_at=now + self.ttl))
                    token = int(row.token)
                elif row.expires_at < now or row.owner == self.owner:
                    # Expired (its owner died or stalled): take over with a new token, fencing the old owner out.
                    token = int(row.token) + 1
                    conn.execute(leases.update().where(leases.c.name == name, leases.c.token == row.token)
                                 .values(owner=self.owner, token=token, expires_at=now + self.ttl))
                else:
                    self.forget(name)
                    return False
        except IntegrityError:
            return False  # another worker inserted the row first
        if name not in self.tokens or self.tokens[name] != token:
            log.info("worker %s acquired %s (lease token %s)", self.owner, name, token)
        self.tokens[name], self.expires[name] = token, now + self.ttl
        return True

    def fence(self, name: str) -> Any:
        token = self.tokens.get(name)

        def check(conn: Connection) -> None:
            row = conn.execute(select(leases.c.owner, leases.c.token).where(leases.c.name == name)).first()
            if row is None or row.owner != self.owner or int(row.token) != token:
                raise LostOwnership(f"lease of {name} now belongs to {row.owner if row else 'nobody'}")
        return check

    def forget(self, name: str) -> None:
        self.tokens.pop(name, None)
        self.expires.pop(name, None)

    def wait(self, timeout: float) -> None:
        """Sleep until the database files change (a commit by anyone) or ``timeout`` passes.

        SQLite has no NOTIFY; but every commit writes the ``-wal`` file, and ``stat`` every 20 ms costs a system
        call, not a query. The caller re-reads the log either way, so a missed or spurious change only costs a
        poll.
        """
        paths = self._files()
        if not paths:
            time.sleep(timeout)
            return
        before = self._stamp(paths)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.02)
            if self._stamp(paths) != before:
                return

    def _files(self) -> list[str]:
        db = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not db or db == ":memory:":
            return []
        return [db, db + "-wal"]

    @staticmethod
    def _stamp(paths: list[str]) -> tuple[tuple[int, int], ...]:
        out = []
        for p in paths:
            try:
                st = os.stat(p)
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((0, 0))
        return tuple(out)

    def close(self) -> None:
        """Give the leases up so another worker takes over at once rather than after the ttl."""
        if not self.tokens:
            return
        try:
            with write_conn(self.engine) as conn:
                for name, token in self.tokens.items():
                    conn.execute(leases.update().where(leases.c.name == name, leases.c.owner == self.owner,
                                                       leases.c.token == token).values(expires_at=0.0))
        except DBAPIError:
            pass
        self.tokens.clear()


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL advisory locks + LISTEN/NOTIFY
# ---------------------------------------------------------------------------------------------------------------

class AdvisoryLockOwnership:
    """Session advisory locks on a dedicated connection, which also LISTENs for new events."""

    def __init__(self, engine: Engine, owner: str) -> None:
        self.engine, self.owner = engine, owner
        self.conn: Any = None
        self.pid: int | None = None
        self.held: set[str] = set()

    def _connect(self) -> Any:
        if self.conn is not None and not self.conn.closed:
            return self.conn
        import psycopg

        self.held.clear()  # locks die with their session
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(url, autocommit=True, application_name=f"lrs-worker {self.owner}"[:63],
                                    keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
        self.conn.execute("SET tcp_keepalives_idle = 10")
        self.conn.execute("SET tcp_keepalives_interval = 5")
        self.conn.execute("SET tcp_keepalives_count = 3")
        self.conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self.pid = int(self.conn.execute("SELECT pg_backend_pid()").fetchone()[0])
        return self.conn

    def _drop(self) -> None:
        if self.held:
            log.warning("worker %s lost its lock connection; giving up %s", self.owner, sorted(self.held))
        self.held.clear()
        try:
            if self.conn is not None:
                self.conn.close()
        except Exception:  # noqa: BLE001 - already broken
            pass
        self.conn = None

    def try_acquire(self, name: str) -> bool:
        try:
            conn = self._connect()
            if name in self.held:
                return True
            got = bool(conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()[0])
        except Exception as e:  # noqa: BLE001 - any connection failure means we hold nothing
            log.warning("lock connection failed: %s", e)
            self._drop()
            return False
        if got:
            log.info("worker %s acquired %s (advisory lock, pid %s)", self.owner, name, self.pid)
            self.held.add(name)
        return got

    def fence(self, name: str) -> Any:
        key = lock_key(name) & 0xFFFF_FFFF_FFFF_FFFF
        hi, lo, pid = key >> 32, key & 0xFFFF_FFFF, self.pid

        def check(conn: Connection) -> None:
            # A bigint advisory key shows in pg_locks as classid (high half), objid (low half), objsubid 1.
            ok = conn.execute(text("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = :pid "
                                   "AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1"),
                              {"pid": pid, "hi": hi, "lo": lo}).first()
            if ok is None:
                raise LostOwnership(f"advisory lock of {name} is no longer held by backend {pid}")
        return check

    def forget(self, name: str) -> None:
        if name in self.held and self.conn is not None:
            try:
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))
            except Exception:  # noqa: BLE001
                self._drop()
        self.held.discard(name)

    def wait(self, timeout: float) -> None:
        try:
            conn = self._connect()
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                pass
        except Exception as e:  # noqa: BLE001
            log.warning("lock connection failed while waiting: %s", e)
            self._drop()
            time.sleep(min(timeout, 1.0))

    def close(self) -> None:
        self.held.clear()  # a normal exit: the locks go with the session, no warning needed
        self._drop()


# ---------------------------------------------------------------------------------------------------------------
# The worker
# ---------------------------------------------------------------------------------------------------------------

class Worker:
    """Runs projections against one database until stopped (or once, up to the head)."""

    def __init__(self, engine: Engine, *, store: EventStore | None = None,
                 projections: Sequence[Projection] | None = None, settings: Mapping[str, Any] | None = None,
                 ownership: str | None = None, owner: str | None = None, batch_size: int = 500,
                 poll: float = 1.0, poll_max: float = 2.0, lease_ttl: float = 15.0) -> None:
        self.engine = engine
        self.store = store or EventStore(engine)
        self.projections = list(projections) if projections is not None else registry.all_projections(settings)
        self.owner = owner or new_owner_id()
        kind = ownership or ("advisory" if is_postgres(engine) else "lease")
        self.ownership: Ownership = (AdvisoryLockOwnership(engine, self.owner) if kind == "advisory"
                                     else LeaseOwnership(engine, self.owner, lease_ttl))
        self.batch_size, self.poll, self.poll_max = batch_size, poll, poll_max
        self.stop_event = threading.Event()
        self._last_gc = 0.0

    def stop(self) -> None:
        """Ask the loop to finish its current batch and return."""
        self.stop_event.set()

    def step(self) -> int:
        """One pass: acquire what is free, advance every owned projection to the current head."""
        applied = 0
        for proj in self.projections:
            if self.stop_event.is_set():
                break
            if not self.ownership.try_acquire(proj.name):
                continue
            try:
                gen = ensure_active(self.engine, proj.name)
                head = self.store.head()
                proc = Processor(self.engine, self.store, proj, gen, batch_size=self.batch_size,
                                 fence=self.ownership.fence(proj.name))
                # Renewing from the batch callback keeps a lease alive through a long catch-up.
                def renew(_p: int, _n: int, name: str = proj.name) -> None:
                    self.ownership.try_acquire(name)

                applied += proc.run_until(head, should_stop=self.stop_event.is_set, on_batch=renew)
            except LostOwnership as e:
                log.warning("%s", e)
                self.ownership.forget(proj.name)
        self._maintenance()
        return applied

    def _maintenance(self) -> None:
        now = time.monotonic()
        if now - self._last_gc < 60:
            return
        self._last_gc = now
        from projections.replay import drop_old_as_of, drop_retired

        for proj in self.projections:
            if self.ownership.try_acquire(proj.name):
                try:
                    drop_retired(self.engine, proj, stale_building_after=3600)
                    drop_old_as_of(self.engine, proj)
                except DBAPIError as e:
                    log.warning("could not drop old generations of %s: %s", proj.name, e)

    def caught_up(self, position: int) -> bool:
        """True when every projection's active generation has reached ``position``."""
        with self.engine.connect() as conn:
            for proj in self.projections:
                gen = active_generation(conn, proj.name)
                c = get_checkpoint(conn, proj.name, gen) if gen is not None else None
                if c is None or c.position < position:
                    return False
        return True

    def run(self, once: bool = False, exit_with_parent: int | None = None) -> None:
        """Follow the log until :meth:`stop` (or, with ``once``, until caught up with the head at start)."""
        target = self.store.head() if once else None
        delay = self.poll
        try:
            while not self.stop_event.is_set():
                if exit_with_parent is not None and os.getppid() != exit_with_parent:
                    log.info("parent process %s is gone; worker exits", exit_with_parent)
                    return
                try:
                    applied = self.step()
                except DBAPIError as e:  # database restarting, network blip: retry after a pause
                    log.warning("worker pass failed: %s", e)
                    applied = 0
                    time.sleep(min(delay, 1.0))
                if target is not None and self.caught_up(target):
                    return
                if applied:
                    delay = self.poll
                    continue  # more may be waiting; wake-ups that arrived meanwhile stay queued
                self.ownership.wait(delay if not once else min(delay, 0.2))
                if not is_postgres(self.engine):
                    delay = min(delay * 1.5, self.poll_max)
        finally:
            self.ownership.close()


# ---------------------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------------------

def tune_gc() -> None:
    """Collect garbage less often in a worker process.

    A batch allocates a few hundred thousand short-lived dicts and lists (decoded statements, facts, rows); with
    CPython's default threshold (700 allocations) the cyclic collector runs hundreds of times per batch and
    re-traverses everything still alive. A threshold of 10,000 saves ~5% of a rebuild's CPU and keeps memory flat
    over a 200,000-event replay; 100,000 saved more but let cyclic garbage from library objects pile up (+50 MB).
    """
    gc.set_threshold(10_000, 10, 10)


SQLITE_CACHE_KIB = 32 * 1024


def tune_engine(engine: Engine) -> None:
    """Give a worker's SQLite connections a 32 MiB page cache (the default is 2 MiB).

    One batch dirties thousands of pages across the read models' randomly keyed indexes; with the default cache
    SQLite spills and rewrites them during the transaction. Bounded per connection, and only in worker and replay
    processes (not in the web server's pool).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _cache(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def run_worker(services: Services, once: bool = False, exit_with_parent: int | None = None,
               **kwargs: Any) -> int:
    """Run a worker on ``services`` in this process until SIGTERM/SIGINT (or caught up, with ``once``); returns an
    exit status."""
    tune_gc()
    tune_engine(services.engine)
    settings = services.settings
    kwargs.setdefault("lease_ttl", float(settings.get("WORKER_LEASE_TTL") or 15.0))
    worker = Worker(services.engine, store=services.store, settings=settings, **kwargs)

    def _stop(_sig: int, _frame: Any) -> None:
        worker.stop()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    try:
        worker.run(once=once, exit_with_parent=exit_with_parent)
    finally:
        services.close()
    return 0


_background: subprocess.Popen[bytes] | None = None


def start_background_worker() -> subprocess.Popen[bytes]:
    """Start the worker as a child process of the caller (gunicorn's master, from its ``on_starting`` hook).

    A child process rather than a thread: gunicorn forks its web workers from the master, and forking a process
    that runs threads holding database connections or locks is unsafe. The child inherits the ``LRS_*``
    environment, exits when its parent disappears, and is terminated when the parent exits normally.
    """
    global _background
    if _background is not None and _background.poll() is None:
        return _background
    parent = os.getpid()
    _background = subprocess.Popen([sys.executable, "-m", "lrs.cli", "worker", "--exit-with-parent", str(parent)])
    child = _background

    def _stop_child() -> None:
        # gunicorn's web workers are forked from this process and inherit this hook: only the process that
        # started the child may stop it, or every web worker restart would kill the projection worker.
        if os.getpid() != parent or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()

    atexit.register(_stop_child)
    return _background
