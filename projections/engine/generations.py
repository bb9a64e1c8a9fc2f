"""Generations and their checkpoints.

A projection has one ``active`` generation that readers use and the live worker advances; a rebuild builds a new
one (``building``) beside it and flips the pointer when caught up; as-of builds are generations frozen at a
position (``as_of``). Every read-model row carries its generation's number.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from lrs.times import format_time, utc_now
from projections.engine.protocol import Projection
from projections.engine.tables import projection_checkpoints as cp
from projections.engine.transactions import write_conn

ACTIVE, BUILDING, RETIRED, AS_OF_BUILDING, AS_OF = "active", "building", "retired", "as_of_building", "as_of"


@dataclass(frozen=True)
class Checkpoint:
    name: str
    gen: int
    status: str
    position: int
    upto: int | None


def _now() -> str:
    return format_time(utc_now())


def get_checkpoint(conn: Connection, name: str, gen: int) -> Checkpoint | None:
    """The checkpoint row of one generation, or None."""
    r = conn.execute(select(cp).where(cp.c.name == name, cp.c.gen == gen)).first()
    return Checkpoint(r.name, r.gen, r.status, int(r.position), r.upto) if r else None


def list_checkpoints(conn: Connection, name: str | None = None) -> list[Checkpoint]:
    """Every generation (of one projection, or of all), by name then generation."""
    q = select(cp).order_by(cp.c.name, cp.c.gen)
    if name:
        q = q.where(cp.c.name == name)
    return [Checkpoint(r.name, r.gen, r.status, int(r.position), r.upto) for r in conn.execute(q)]


def active_generation(conn: Connection, name: str) -> int | None:
    """The generation readers should use, or None before the projection first ran."""
    return conn.execute(select(func.max(cp.c.gen)).where(cp.c.name == name, cp.c.status == ACTIVE)).scalar()


def new_generation(engine: Engine, name: str, status: str, upto: int | None = None) -> int:
    """Allocate the next generation number with ``status`` at position 0."""
    for _ in range(20):
        try:
            with write_conn(engine) as conn:
                gen = int(conn.execute(select(func.coalesce(func.max(cp.c.gen), 0)).where(cp.c.name == name))
                          .scalar_one()) + 1
                now = _now()
                conn.execute(insert(cp).values(name=name, gen=gen, status=status, position=0, upto=upto,
                                               created_at=now, updated_at=now))
                return gen
        except IntegrityError:  # another process took that number first
            continue
    raise RuntimeError(f"could not allocate a generation for {name}")


def ensure_active(engine: Engine, name: str) -> int:
    """The active generation, creating one at position 0 the first time a projection runs."""
    with engine.connect() as conn:
        gen = active_generation(conn, name)
    if gen is not None:
        return gen
    try:
        with write_conn(engine) as conn:
            if active_generation(conn, name) is None:
                # The next number (an as-of build may already hold 1). Two workers doing this at once pick the
                # same number and the primary key lets only one of them in.
                gen = int(conn.execute(select(func.coalesce(func.max(cp.c.gen), 0)).where(cp.c.name == name))
                          .scalar_one()) + 1
                now = _now()
                conn.execute(insert(cp).values(name=name, gen=gen, status=ACTIVE, position=0, upto=None,
                                               created_at=now, updated_at=now))
    except IntegrityError:
        pass  # a concurrent worker created it
    with engine.connect() as conn:
        gen = active_generation(conn, name)
    if gen is None:
        raise RuntimeError(f"{name} has no active generation")
    return gen


def drop_generation(engine: Engine, projection: Projection, gen: int) -> None:
    """Delete a generation's rows and its checkpoint (retired generations and as-of builds)."""
    with write_conn(engine) as conn:
        projection.reset(conn, gen)
        conn.execute(delete(cp).where(cp.c.name == projection.name, cp.c.gen == gen))
