"""The projection engine on the backend under test: exactly-once batches, generations, replay, ownership."""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from lrs.db.engine import is_postgres
from lrs.eventlog.store import EventStore, RecordedEvent
from projections import registry
from projections.engine import (ACTIVE, BatchReader, LostOwnership, Processor, StaleCheckpoint, active_generation,
                                apply_batch, ensure_active, get_checkpoint, list_checkpoints, snapshot)
from projections.replay import build_as_of, find_as_of, rebuild
from projections.runner import AdvisoryLockOwnership, LeaseOwnership, Worker
from projections.transcript.projection import TranscriptProjection
from projections.transcript.tables import transcript_entries
from tests.pd_builders import activity, other_event, person, statement, store_statements, voiding

ANN, BOB = person("ann@district.org", "Ann Lee"), person("bob@district.org", "Bob Ray")
W1, W2 = "https://district.org/pd/w1", "https://district.org/pd/w2"


def _scenario(store: EventStore) -> list[dict[str, Any]]:
    """A small log exercising definitions, voiding (late and early), other event types and several batches."""
    s1 = statement(ANN, "attended", activity(W1, "Workshop one", "meeting"), "2024-09-10T14:00:00Z",
                   result={"duration": "PT1H"})
    s2 = statement(BOB, "attended", activity(W1), "2024-09-10T14:00:00Z", result={"duration": "PT2H"})
    s3 = statement(ANN, "completed", activity(W2, "Course two"), "2024-09-12T10:00:00Z",
                   result={"duration": "PT30M"})
    early_target = "0c9e8a7a-3a44-4f0e-9d6b-6f3f5a1c2b3d"
    store_statements(store, [s1])
    other_event(store)
    store_statements(store, [s2, s3])
    store_statements(store, [voiding(ANN, early_target, "2024-09-13T10:00:00Z")])  # before its target
    other_event(store, "credential.created")
    store_statements(store, [statement(ANN, "attended", activity(W2), "2024-09-14T10:00:00Z",
                                       result={"duration": "PT1H"}, id=early_target)])
    # A new definition of W1 (type changes): entries already projected must be recomputed.
    store_statements(store, [statement(BOB, "registered", activity(W1, "Workshop 1 (renamed)",
                                                                   "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion"),
                                       "2024-09-01T10:00:00Z")])
    store_statements(store, [voiding(ANN, s3["id"], "2024-09-20T10:00:00Z")])  # after its target
    return [s1, s2, s3]


def _entries(engine: Engine, gen: int) -> dict[tuple[str, str], tuple[Any, ...]]:
    te = transcript_entries
    with engine.connect() as c:
        rows = c.execute(select(te.c.actor_key, te.c.activity_id, te.c.outcome, te.c.hours, te.c.delivery_model,
                                te.c.name).where(te.c.gen == gen)).all()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def _run(engine: Engine, store: EventStore, proj: Any, batch_size: int = 500) -> int:
    gen = ensure_active(engine, proj.name)
    Processor(engine, store, proj, gen, batch_size=batch_size).run_until(store.head())
    return gen


def test_transcript_scenario_voids_and_redefinitions(engine: Engine) -> None:
    store = EventStore(engine)
    _scenario(store)
    proj = TranscriptProjection()
    gen = _run(engine, store, proj)
    got = _entries(engine, gen)
    assert got == {
        ("mbox:mailto:ann@district.org", W1): ("attended", 1.0, "plc", "Workshop 1 (renamed)"),
        ("mbox:mailto:bob@district.org", W1): ("attended", 2.0, "plc", "Workshop 1 (renamed)"),
        # s3 (completed W2) was voided after it was projected; the W2 attendance was voided before it arrived.
    }
    with engine.connect() as c:
        assert get_checkpoint(c, proj.name, gen).position == store.head()  # type: ignore[union-attr]


@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_batch_boundaries_do_not_change_the_result(engine: Engine, batch_size: int) -> None:
    store = EventStore(engine)
    _scenario(store)
    whole = TranscriptProjection()
    gen = _run(engine, store, whole)
    reference = snapshot(engine, whole, gen)
    build = build_as_of(engine, whole, store.head(), batch_size=batch_size)
    assert snapshot(engine, whole, build.gen) == reference


def test_a_duplicate_batch_is_refused_and_writes_nothing(engine: Engine) -> None:
    store = EventStore(engine)
    _scenario(store)
    proj = TranscriptProjection()
    gen = ensure_active(engine, proj.name)
    batch = store.read(0, 3)
    apply_batch(engine, proj, gen, ACTIVE, 0, batch[-1].position, batch)
    before = snapshot(engine, proj, gen)
    with pytest.raises(StaleCheckpoint):
        apply_batch(engine, proj, gen, ACTIVE, 0, batch[-1].position, batch)  # same batch again
    with pytest.raises(StaleCheckpoint):
        apply_batch(engine, proj, gen, ACTIVE, 1, batch[-1].position + 1, store.read(1, 3))  # overlapping
    assert snapshot(engine, proj, gen) == before


class _Exploding(TranscriptProjection):
    """Writes its read model, then dies before the transaction commits (a crash mid-batch)."""

    def __init__(self, explode_at: int) -> None:
        super().__init__()
        self.explode_at = explode_at

    def handle(self, conn: Connection, gen: int, events: Sequence[RecordedEvent]) -> None:
        super().handle(conn, gen, events)
        if any(e.position >= self.explode_at for e in events):
            raise RuntimeError("crash")


def test_a_crash_mid_batch_loses_and_doubles_nothing(engine: Engine) -> None:
    store = EventStore(engine)
    _scenario(store)
    bad = _Exploding(explode_at=5)
    gen = ensure_active(engine, bad.name)
    with pytest.raises(RuntimeError):
        Processor(engine, store, bad, gen, batch_size=2).run_until(store.head())
    with engine.connect() as c:
        stopped_at = get_checkpoint(c, bad.name, gen).position  # type: ignore[union-attr]
    assert 0 < stopped_at < 5
    # Exactly the batches before the crash are visible: the read model equals a build up to the checkpoint.
    assert snapshot(engine, bad, gen) == snapshot(engine, bad, build_as_of(engine, bad, stopped_at).gen)
    Processor(engine, store, TranscriptProjection(), gen, batch_size=2).run_until(store.head())
    clean = build_as_of(engine, TranscriptProjection(), store.head())
    assert snapshot(engine, bad, gen) == snapshot(engine, bad, clean.gen)


def test_reader_skips_other_event_types_and_bounds_payload_size(engine: Engine) -> None:
    store = EventStore(engine)
    for i in range(5):
        store_statements(store, [statement(ANN, "attended", activity(f"{W1}/{i}", "x" * 2000), "2024-09-10T14:00:00Z")])
        other_event(store)
    reader = BatchReader(store, frozenset({"statements.stored"}), batch_size=500, max_chars=5000)
    batch, new_pos = reader.next_batch(0, store.head())
    assert [e.type for e in batch] == ["statements.stored"] * len(batch)
    assert 1 <= len(batch) < 5 and new_pos == batch[-1].position  # cut by size, not by count
    everything, last = BatchReader(store, frozenset({"statements.stored"})).next_batch(0, store.head())
    assert len(everything) == 5 and last == store.head()  # trailing uninteresting events are passed over
    assert BatchReader(store, frozenset({"nothing"})).next_batch(0, store.head()) == ([], store.head())


def test_replay_swaps_generations_and_equals_the_live_model(engine: Engine) -> None:
    store = EventStore(engine)
    _scenario(store)
    for proj in registry.all_projections():
        gen = _run(engine, store, proj, batch_size=2)
        live = snapshot(engine, proj, gen)
        res = rebuild(engine, proj)
        assert res.gen != gen and res.events > 0
        with engine.connect() as c:
            assert active_generation(c, proj.name) == res.gen
            assert [cp.gen for cp in list_checkpoints(c, proj.name)] == [res.gen]  # the old one is dropped
        assert snapshot(engine, proj, res.gen) == live
        assert snapshot(engine, proj, gen) == {t.name: [] for t in proj.tables}


def test_a_live_batch_on_a_retired_generation_rolls_back(engine: Engine) -> None:
    store = EventStore(engine)
    _scenario(store)
    proj = TranscriptProjection()
    gen = ensure_active(engine, proj.name)
    rebuild(engine, proj)
    with pytest.raises(StaleCheckpoint):
        apply_batch(engine, proj, gen, ACTIVE, 0, 1, store.read(0, 1))


def test_as_of_builds_are_frozen_reused_and_leave_the_live_model_alone(engine: Engine) -> None:
    store = EventStore(engine)
    s1, s2, s3 = _scenario(store)
    proj = TranscriptProjection()
    gen = _run(engine, store, proj)
    live = snapshot(engine, proj, gen)
    # Position 3 is the event with s2 and s3: s3 is not voided yet in that past.
    b = build_as_of(engine, proj, 3)
    assert _entries(engine, b.gen) == {
        ("mbox:mailto:ann@district.org", W1): ("attended", 1.0, "workshop", "Workshop one"),
        ("mbox:mailto:bob@district.org", W1): ("attended", 2.0, "workshop", "Workshop one"),
        ("mbox:mailto:ann@district.org", W2): ("completed", 0.5, "other", "Course two"),
    }
    assert build_as_of(engine, proj, 3) == b and find_as_of(engine, proj.name, 3) == b
    assert snapshot(engine, proj, gen) == live
    store_statements(store, [statement(ANN, "attended", activity(W2), "2024-10-01T10:00:00Z")])
    Worker(engine, projections=[proj], poll=0.05).run(once=True)
    assert snapshot(engine, proj, b.gen) == snapshot(engine, proj, build_as_of(engine, proj, 3, batch_size=1).gen)


def test_worker_once_catches_up_every_projection(engine: Engine) -> None:
    store = EventStore(engine)
    _scenario(store)
    Worker(engine, poll=0.05).run(once=True)
    with engine.connect() as c:
        for name in registry.names():
            gen = active_generation(c, name)
            assert gen is not None and get_checkpoint(c, name, gen).position == store.head()  # type: ignore[union-attr]


def test_lease_ownership_excludes_then_fails_over_with_a_new_token(engine: Engine) -> None:
    a = LeaseOwnership(engine, "worker-a", ttl=0.6)
    b = LeaseOwnership(engine, "worker-b", ttl=0.6)
    assert a.try_acquire("transcript@v1")
    assert not b.try_acquire("transcript@v1")
    time.sleep(0.7)  # a stops renewing (it died)
    assert b.try_acquire("transcript@v1")
    assert b.tokens["transcript@v1"] == a.tokens["transcript@v1"] + 1
    store = EventStore(engine)
    store_statements(store, [statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z")])
    proj = TranscriptProjection()
    gen = ensure_active(engine, proj.name)
    with pytest.raises(LostOwnership):  # the old owner, back from a pause, is fenced out at commit
        apply_batch(engine, proj, gen, ACTIVE, 0, 1, store.read(0, 1), fence=a.fence(proj.name))
    apply_batch(engine, proj, gen, ACTIVE, 0, 1, store.read(0, 1), fence=b.fence(proj.name))
    b.close()  # releasing lets another worker in at once
    assert LeaseOwnership(engine, "worker-c", ttl=5).try_acquire("transcript@v1")


def test_advisory_locks_exclude_and_move_when_the_holder_goes(engine: Engine) -> None:
    if not is_postgres(engine):
        pytest.skip("advisory locks are PostgreSQL's")
    a, b = AdvisoryLockOwnership(engine, "a"), AdvisoryLockOwnership(engine, "b")
    try:
        assert a.try_acquire("people@v1") and not b.try_acquire("people@v1")
        store = EventStore(engine)
        store_statements(store, [statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z")])
        proj = registry.get("people")
        gen = ensure_active(engine, proj.name)
        fence_a = a.fence(proj.name)
        a.close()  # the holder's session ends (as when its process is killed)
        with pytest.raises(LostOwnership):
            apply_batch(engine, proj, gen, ACTIVE, 0, 1, store.read(0, 1), fence=fence_a)
        assert b.try_acquire("people@v1")
        apply_batch(engine, proj, gen, ACTIVE, 0, 1, store.read(0, 1), fence=b.fence(proj.name))
    finally:
        a.close()
        b.close()


def test_old_as_of_builds_are_dropped_keeping_the_most_recently_used(engine: Engine) -> None:
    from projections.replay import drop_old_as_of

    store = EventStore(engine)
    _scenario(store)
    proj = TranscriptProjection()
    b2, b3, b4 = (build_as_of(engine, proj, p) for p in (2, 3, 4))
    time.sleep(0.01)
    assert build_as_of(engine, proj, 2) == b2  # reused, and now the most recently used
    assert drop_old_as_of(engine, proj, keep=2) == 1
    assert find_as_of(engine, proj.name, 3) is None
    assert find_as_of(engine, proj.name, 2) == b2 and find_as_of(engine, proj.name, 4) == b4
    assert snapshot(engine, proj, b3.gen) == {t.name: [] for t in proj.tables}


def test_the_worker_starts_even_when_an_as_of_build_came_first(engine: Engine) -> None:
    store = EventStore(engine)
    _scenario(store)
    proj = TranscriptProjection()
    early = build_as_of(engine, proj, 2)  # e.g. a known_at= read before any worker ran
    Worker(engine, projections=[proj], poll=0.05).run(once=True)
    with engine.connect() as c:
        gen = active_generation(c, proj.name)
    assert gen is not None and gen != early.gen
    assert snapshot(engine, proj, gen) == snapshot(engine, proj, build_as_of(engine, proj, store.head()).gen)
