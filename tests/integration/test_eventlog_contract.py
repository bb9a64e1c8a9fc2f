"""The event-store contract, written once and run against whichever backend the run chose.

``LRS_TEST_DATABASE=sqlite`` (default) or ``postgres`` picks the database (see ``tests/conftest.py``); every test
here must pass on both. What readers and projections rely on: positions are dense, increasing and become
visible in order (a reader tailing by position never skips an event that commits later), every row is covered
by the hash chain, and a write transaction commits or rolls back its events and its read-table rows together.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from lrs.eventlog import EventStore, NewEvent, RecordedEvent, verify_chain
from lrs.eventlog.integrity import GENESIS
from lrs.times import format_time
from lrs.store.tables import settings
from tests.conftest import postgres_url, sqlite_url
from tests.integration import eventlog_helpers
from tests.integration.eventlog_helpers import EVENT_TYPE, append_numbered

HELPER = Path(eventlog_helpers.__file__)
T0 = datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=timezone.utc)


def ev(n: int, type_: str = "test.happened", stream: str = "test") -> NewEvent:
    return NewEvent(type_, stream, {"n": n})


def fixed_clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    """Make the log record ``when`` as the time of the next write transactions."""
    monkeypatch.setattr("lrs.eventlog.store.utc_now", lambda: when)


def positions(events: list[RecordedEvent]) -> list[int]:
    return [e.position for e in events]


def raw(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


# --- atomicity --------------------------------------------------------------------------------------------

def settings_rows(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(settings.c.name, settings.c.value)
                                               .where(settings.c.name.like("test.%")))]


# --- concurrency ------------------------------------------------------------------------------------------

class Tail:
    """Tails the log by position the way projection workers do, checking each page starts where it left."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.last = 0
        self.seen: list[RecordedEvent] = []
        self.gaps: list[str] = []

    def poll(self, limit: int = 100) -> int:
        page = self.store.read(after=self.last, limit=limit)
        for e in page:
            if e.position != self.last + 1:
                self.gaps.append(f"after {self.last} the reader was handed {e.position}")
            self.last = e.position
            self.seen.append(e)
        return len(page)


def run_threads(targets: list[Any]) -> tuple[list[threading.Thread], list[BaseException]]:
    errors: list[BaseException] = []

    def guard(fn: Any) -> Any:
        def run() -> None:
            try:
                fn()
            except BaseException as e:  # reported by the test, not lost in the thread
                errors.append(e)
        return run

    threads = [threading.Thread(target=guard(t), daemon=True) for t in targets]
    for t in threads:
        t.start()
    return threads, errors


def wait_until_waiting_for_the_lock(engine: Engine, thread: threading.Thread) -> None:
    """Return once ``thread``'s append is blocked on the writer lock (and fail if it got past it)."""
    deadline = time.monotonic() + 10
    if engine.dialect.name == "postgresql":
        # An advisory-lock request that has not been granted is the second writer queueing for the log.
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar_one()
            if waiting:
                break
            assert thread.is_alive(), "the second append finished while the first held the lock"
            time.sleep(0.01)
        else:
            pytest.fail("the second append never waited for the log lock")
    else:
        # SQLite shows nobody its busy-waiters; the thread still running after a while is the evidence.
        time.sleep(0.5)
    assert thread.is_alive(), "the second append finished while the first held the lock"


class EventStoreContract:
    """What every backend's event store must do. Subclassed below, once per backend; each subclass gives the
    tests a fresh database of its kind through the ``db_url`` fixture (``engine`` and ``store`` build on it)."""


    @pytest.fixture
    def store(self, engine: Engine) -> EventStore:
        return EventStore(engine)


    # --- append / read / head ---------------------------------------------------------------------------------

    def test_empty_log(self, store: EventStore, engine: Engine) -> None:
        assert store.head() == 0
        assert store.read() == []
        assert list(store.iter_all()) == []
        assert store.position_at("2100-01-01T00:00:00Z") == 0
        res = verify_chain(engine)
        assert (res.ok, res.checked, res.head, res.head_hash) == (True, 0, 0, GENESIS)


    def test_append_assigns_dense_positions_and_reads_back_what_was_written(self, store: EventStore) -> None:
        first = store.append([ev(1), ev(2, "test.other", "other"), ev(3)])
        second = store.append([ev(4)])
        assert positions(first) == [1, 2, 3] and positions(second) == [4]
        assert store.head() == 4
        # One transaction, one recorded time.
        assert len({e.recorded_at for e in first}) == 1
        # Each event's hash links to its predecessor's.
        assert len({e.hash for e in first + second}) == 4

        got = store.read()
        assert got == first + second
        assert [(e.type, e.stream, e.payload) for e in got] == [
            ("test.happened", "test", {"n": 1}), ("test.other", "other", {"n": 2}),
            ("test.happened", "test", {"n": 3}), ("test.happened", "test", {"n": 4})]


    def test_payload_round_trips_exactly(self, store: EventStore) -> None:
        payload = {"text": "Café ☕ \"quoted\" | piped", "nested": {"b": [1, 2.5, None, True], "a": {}},
                   "big": 2 ** 53, "empty": ""}
        [rec] = store.append([NewEvent("test.payload", "test", payload)])
        [got] = store.read()
        assert got.payload == payload == rec.payload
        assert got.event_id == rec.event_id and got.hash == rec.hash


    def test_append_nothing_is_a_no_op(self, store: EventStore) -> None:
        assert store.append([]) == []
        assert store.head() == 0
        assert positions(store.append([ev(1)])) == [1]


    def test_several_appends_in_one_transaction_continue_the_positions(self, store: EventStore) -> None:
        store.append([ev(0)])
        with store.write() as tx:
            a = tx.append([ev(1), ev(2)])
            b = tx.append([ev(3)])
            # Inside the transaction the new events are visible to it ...
            assert store.head(conn=tx.conn) == 4
            assert positions(store.read(1, conn=tx.conn)) == [2, 3, 4]
            # ... and to nobody else until it commits.
            assert store.head() == 1
            assert positions(store.read()) == [1]
        assert positions(a + b) == [2, 3, 4]
        assert positions(store.read()) == [1, 2, 3, 4]
        assert tx.appended == a + b
        assert verify_chain(store.engine).ok


    def test_duplicate_event_id_is_rejected(self, store: EventStore) -> None:
        [first] = store.append([ev(1)])
        with pytest.raises(IntegrityError):
            store.append([NewEvent("test.dup", "test", {}, event_id=first.event_id)])
        assert store.head() == 1


    def test_read_after_limit_upto_and_types(self, store: EventStore) -> None:
        store.append([ev(n, "test.even" if n % 2 == 0 else "test.odd") for n in range(1, 11)])
        assert positions(store.read(after=3, limit=4)) == [4, 5, 6, 7]
        assert positions(store.read(after=8)) == [9, 10]
        assert store.read(after=10) == []
        assert positions(store.read(after=2, upto=5)) == [3, 4, 5]
        assert positions(store.read(after=5, upto=5)) == []
        assert positions(store.read(types=["test.even"])) == [2, 4, 6, 8, 10]
        assert positions(store.read(after=4, limit=2, types=["test.odd"])) == [5, 7]
        assert positions(store.read(types=["test.even", "test.odd"], upto=3)) == [1, 2, 3]
        assert store.read(types=["test.none"]) == []


    def test_iter_all_pages_through_everything_in_order(self, store: EventStore) -> None:
        for start in range(0, 23, 5):
            store.append([ev(n) for n in range(start, min(start + 5, 23))])
        assert positions(list(store.iter_all(batch=4))) == list(range(1, 24))
        assert positions(list(store.iter_all(after=20, batch=2))) == [21, 22, 23]
        assert positions(list(store.iter_all(after=5, upto=12, batch=3))) == list(range(6, 13))
        assert [e.payload["n"] for e in store.iter_all(batch=7)] == list(range(23))


    # --- time -------------------------------------------------------------------------------------------------

    def test_position_at_finds_the_last_position_recorded_by_a_time(self, store: EventStore,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
        fixed_clock(monkeypatch, T0)
        store.append([ev(1), ev(2)])
        fixed_clock(monkeypatch, T0 + timedelta(seconds=2))  # 03:04:07.25
        store.append([ev(3), ev(4), ev(5)])

        assert store.read()[0].recorded_at == "2024-01-02T03:04:05.250000Z"
        assert store.position_at("2024-01-02T03:04:05.249999Z") == 0
        assert store.position_at(format_time(T0)) == 2
        assert store.position_at("2024-01-02T03:04:07.000000Z") == 2
        assert store.position_at(format_time(T0 + timedelta(seconds=2))) == 5
        assert store.position_at("2030-01-01T00:00:00.000000Z") == 5
        assert store.position_at("2000-01-01T00:00:00.000000Z") == 0


    @pytest.mark.parametrize("when, expected", [
        ("2024-01-02T03:04:05Z", 0),  # means 05.000000: before the first event at 05.25
        ("2024-01-02T03:04:06Z", 2),
        ("2024-01-02T03:04:05.3Z", 2),
        ("2024-01-02T04:04:06+01:00", 2),  # an offset, not UTC text
        ("2024-01-02T03:04:06.000000+00:00", 2),
        ("2024-01-02T03:04:07.250000001Z", 5),  # more digits than the log keeps
        ("2024-01-02", 0),
        ("2024-01-03", 5),
    ])
    def test_position_at_accepts_any_iso_8601_form(self, store: EventStore, monkeypatch: pytest.MonkeyPatch,
                                                   when: str, expected: int) -> None:
        fixed_clock(monkeypatch, T0)
        store.append([ev(1), ev(2)])
        fixed_clock(monkeypatch, T0 + timedelta(seconds=2))
        store.append([ev(3), ev(4), ev(5)])
        assert store.position_at(when) == expected


    def test_position_at_accepts_a_datetime(self, store: EventStore, monkeypatch: pytest.MonkeyPatch) -> None:
        fixed_clock(monkeypatch, T0)
        store.append([ev(1)])
        assert store.position_at(T0) == 1
        assert store.position_at(T0 - timedelta(microseconds=1)) == 0
        assert store.position_at(datetime(2024, 1, 2, 4, 4, 6, tzinfo=timezone(timedelta(hours=1)))) == 1


    def test_position_at_rejects_text_that_is_not_a_time(self, store: EventStore) -> None:
        with pytest.raises(ValueError):
            store.position_at("yesterday")


    def test_recorded_time_never_goes_backwards(self, store: EventStore, monkeypatch: pytest.MonkeyPatch) -> None:
        """A clock stepped back (NTP, or two servers on one PostgreSQL) must not make an as-of time cut the log
        anywhere but at a prefix: ``position_at`` takes the *last* position recorded by then."""
        fixed_clock(monkeypatch, T0)
        store.append([ev(1)])
        fixed_clock(monkeypatch, T0 - timedelta(seconds=30))
        with store.write() as tx:
            assert tx.now == T0  # what callers stamp on read-table rows agrees with the log
            [late] = tx.append([ev(2)])
        assert late.recorded_at == format_time(T0)
        assert [e.recorded_at for e in store.read()] == [format_time(T0)] * 2
        assert store.position_at(T0 - timedelta(seconds=1)) == 0
        assert verify_chain(store.engine).ok


    # --- hash chain -------------------------------------------------------------------------------------------

    @pytest.fixture
    def five(self, store: EventStore) -> list[RecordedEvent]:
        """Five events over three transactions."""
        return store.append([ev(1), ev(2)]) + store.append([ev(3)]) + store.append([ev(4), ev(5)])


    def test_verify_chain_accepts_an_untouched_log(self, engine: Engine, five: list[RecordedEvent]) -> None:
        res = verify_chain(engine, batch=2)  # small batches: the walk carries the chain across pages
        assert (res.ok, res.checked, res.head, res.first_bad, res.reason) == (True, 5, 5, None, None)
        assert res.head_hash == five[-1].hash
        assert five[0].hash != GENESIS


    def test_verify_chain_names_an_edited_payload(self, engine: Engine, five: list[RecordedEvent]) -> None:
        raw(engine, "UPDATE events SET payload = :p WHERE position = 3", p='{"n":33}')
        res = verify_chain(engine)
        assert not res.ok
        assert (res.first_bad, res.checked, res.head) == (3, 2, 2)
        assert res.head_hash == five[1].hash
        assert "hash" in res.reason


    @pytest.mark.parametrize("column, value", [
        ("type", "test.forged"), ("stream", "forged"), ("recorded_at", "2001-01-01T00:00:00.000000Z"),
        ("event_id", "00000000-0000-0000-0000-000000000000")])
    def test_verify_chain_names_any_edited_column(self, engine: Engine, five: list[RecordedEvent], column: str,
                                                  value: str) -> None:
        raw(engine, f"UPDATE events SET {column} = :v WHERE position = 4", v=value)
        res = verify_chain(engine)
        assert (res.ok, res.first_bad) == (False, 4)


    def test_verify_chain_names_an_edited_last_event(self, engine: Engine, five: list[RecordedEvent]) -> None:
        raw(engine, "UPDATE events SET payload = :p WHERE position = 5", p='{"n":6}')
        assert verify_chain(engine).first_bad == 5


    def test_verify_chain_names_a_deleted_row(self, engine: Engine, five: list[RecordedEvent]) -> None:
        raw(engine, "DELETE FROM events WHERE position = 3")
        res = verify_chain(engine)
        assert (res.ok, res.first_bad, res.checked) == (False, 3, 2)
        assert "missing" in res.reason


    def test_verify_chain_names_the_first_of_swapped_rows(self, engine: Engine, five: list[RecordedEvent]) -> None:
        # Exchange the rows at positions 2 and 4 (contents and hashes move; the positions stay put).
        raw(engine, "UPDATE events SET position = -position WHERE position IN (2, 4)")
        raw(engine, "UPDATE events SET position = 4 WHERE position = -2")
        raw(engine, "UPDATE events SET position = 2 WHERE position = -4")
        res = verify_chain(engine)
        assert (res.ok, res.first_bad) == (False, 2)


    def test_verify_chain_names_a_recomputed_hash_that_breaks_the_next_link(self, engine: Engine,
                                                                             five: list[RecordedEvent]) -> None:
        """Rewriting one event and its own hash still breaks its successor's prev_hash link."""
        from lrs.eventlog.integrity import chain_hash

        e = five[2]
        forged = chain_hash(five[1].hash, 3, e.event_id, e.type, e.stream, e.recorded_at, '{"n":33}')
        raw(engine, "UPDATE events SET payload = :p, hash = :h WHERE position = 3", p='{"n":33}', h=forged)
        res = verify_chain(engine)
        assert (res.ok, res.first_bad) == (False, 4)
        assert "prev_hash" in res.reason


    def test_appends_after_verification_continue_the_chain(self, store: EventStore, five: list[RecordedEvent]) -> None:
        [sixth] = store.append([ev(6)])
        res = verify_chain(store.engine)
        assert (res.ok, res.checked, res.head_hash) == (True, 6, sixth.hash)


    def test_an_exception_rolls_back_events_and_read_table_rows(self, store: EventStore, engine: Engine) -> None:
        store.append([ev(1)])
        with pytest.raises(RuntimeError, match="boom"):
            with store.write() as tx:
                tx.append([ev(2), ev(3)])
                tx.conn.execute(insert(settings).values(name="test.row", value="written"))
                raise RuntimeError("boom")
        assert store.head() == 1
        assert settings_rows(engine) == []
        # A rolled-back append leaves no gap: the next one takes the very next position.
        with store.write() as tx:
            tx.conn.execute(insert(settings).values(name="test.row", value="kept"))
            assert positions(tx.append([ev(4)])) == [2]
        assert settings_rows(engine) == [("test.row", "kept")]
        assert verify_chain(engine).ok


    def test_a_failing_statement_rolls_back_the_whole_transaction(self, store: EventStore, engine: Engine) -> None:
        with pytest.raises(IntegrityError):
            with store.write() as tx:
                [a] = tx.append([ev(1)])
                tx.conn.execute(insert(settings).values(name="test.row", value="x"))
                tx.append([NewEvent("test.dup", "test", {}, event_id=a.event_id)])
        assert store.head() == 0
        assert settings_rows(engine) == []


    @pytest.mark.slow
    def test_concurrent_threads_and_processes_are_read_exactly_once_in_order(self, store: EventStore, engine: Engine,
                                                                             db_url: str) -> None:
        n_threads, n_procs, per_writer = 4, 3, 200
        total = (n_threads + n_procs) * per_writer
        procs = [subprocess.Popen([sys.executable, str(HELPER), db_url, f"proc-{i}", str(per_writer)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(n_procs)]
        try:
            for p in procs:
                line = p.stdout.readline()
                assert line.strip() == "ready", p.stderr.read() if p.poll() is not None else line
            for p in procs:  # start every writer at once
                p.stdin.write("go\n")
                p.stdin.flush()
            threads, errors = run_threads([
                (lambda w=f"thread-{i}": append_numbered(store, w, per_writer)) for i in range(n_threads)])

            tail = Tail(store)
            deadline = time.monotonic() + 120
            while len(tail.seen) < total and time.monotonic() < deadline:
                if not tail.poll():
                    time.sleep(0.002)
            for t in threads:
                t.join(30)
            outs = [p.communicate(timeout=60) for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()

        assert errors == []
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0 and out.strip() == "done", err
        assert tail.gaps == []
        tail.poll()  # nothing may arrive after every writer is done
        assert positions(tail.seen) == list(range(1, total + 1))
        assert len({e.event_id for e in tail.seen}) == total

        by_writer: dict[str, list[int]] = defaultdict(list)
        for e in tail.seen:
            assert e.type == EVENT_TYPE
            by_writer[e.payload["writer"]].append(e.payload["n"])
        writers = [f"thread-{i}" for i in range(n_threads)] + [f"proc-{i}" for i in range(n_procs)]
        assert sorted(by_writer) == sorted(writers)
        for w in writers:  # each writer's events, all there and in the order it appended them
            assert by_writer[w] == list(range(per_writer)), w

        # The writers really did run at the same time: their events interleave in the log.
        switches = sum(1 for a, b in zip(tail.seen, tail.seen[1:]) if a.payload["writer"] != b.payload["writer"])
        assert switches > 4 * len(writers), Counter(e.payload["writer"] for e in tail.seen[: total // 4])

        res = verify_chain(engine)
        assert (res.ok, res.checked, res.head) == (True, total, total)


    def test_a_waiting_append_never_becomes_visible_before_an_earlier_one(self, store: EventStore, engine: Engine) -> None:
        """The late-commit gap: transaction A appends and stays open; B's append must queue behind A, and a
        reader tailing by position sees neither until A commits, then A's event before B's."""
        store.append([ev(0, "test.before")])
        appended, release = threading.Event(), threading.Event()

        def first() -> None:
            with store.write() as tx:
                tx.append([ev(1, "test.first")])
                appended.set()
                assert release.wait(20)

        tail = Tail(store)
        stop = threading.Event()

        def poll_until_stopped() -> None:
            while not stop.is_set():
                tail.poll()
                time.sleep(0.001)

        (reader,), reader_errors = run_threads([poll_until_stopped])
        (a,), a_errors = run_threads([first])
        try:
            assert appended.wait(10)
            (b,), b_errors = run_threads([lambda: store.append([ev(2, "test.second")])])
            wait_until_waiting_for_the_lock(engine, b)
            assert store.head() == 1
            assert [e.type for e in store.read()] == ["test.before"]
            time.sleep(0.05)  # give the tailing reader time to look, too
            assert positions(tail.seen) == [1]
        finally:
            release.set()
        a.join(10)
        b.join(10)
        time.sleep(0.05)
        stop.set()
        reader.join(10)
        tail.poll()

        assert a_errors == [] and b_errors == [] and reader_errors == []
        assert tail.gaps == []
        assert [(e.position, e.type) for e in tail.seen] == [(1, "test.before"), (2, "test.first"),
                                                             (3, "test.second")]
        assert verify_chain(engine).ok


class TestSQLiteEventStore(EventStoreContract):
    """The contract on the embedded SQLite backend (a file per test)."""

    @pytest.fixture
    def db_url(self, tmp_path: Path) -> str:
        return sqlite_url(tmp_path)


class TestPostgresEventStore(EventStoreContract):
    """The contract on PostgreSQL (a database per test, cloned from a template), plus what only PostgreSQL does."""

    @pytest.fixture
    def db_url(self, tmp_path: Path, pg_template: str | None) -> Iterator[str]:
        if pg_template is None:
            pytest.skip("PostgreSQL is not reachable at LRS_TEST_PG_URL")
        url, drop = postgres_url(pg_template)
        yield url
        drop()


    def test_postgres_notifies_the_head_position_on_commit_only(self, store: EventStore, db_url: str) -> None:
        import psycopg

        url = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as listener:
            listener.execute("LISTEN lrs_events")
            with pytest.raises(RuntimeError):
                with store.write() as tx:
                    tx.append([ev(1)])
                    raise RuntimeError("rolled back: no wake-up")
            store.append([ev(1), ev(2), ev(3)])
            got = [(n.channel, n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
            assert got == [("lrs_events", "3")]
            assert list(listener.notifies(timeout=0.3)) == []
