"""Small SQL helpers shared by the read models (portable between SQLite and PostgreSQL)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, Table

T = TypeVar("T")
# Well under SQLite's 32,766 bound variables, and small enough that PostgreSQL plans each IN list quickly.
CHUNK = 500
# Rows per PostgreSQL bulk statement.
PG_ROWS = 5000


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    buf: list[T] = []
    for it in items:
        buf.append(it)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str],
           update: Sequence[str] | None = None) -> None:
    """INSERT ``rows`` (dicts with the same keys); on a key conflict update ``update`` columns (or do nothing).

    PostgreSQL: one ``INSERT … SELECT … FROM json_populate_recordset(NULL::table, $1) ON CONFLICT …`` per chunk,
    the rows sent as one JSON text — a single round trip and plan, where ``executemany`` costs a statement per
    row, a SQLAlchemy multi-row ``VALUES`` costs more to compile than to run, and array parameters cost a regex
    per element to escape. SQLite (in-process): ``executemany``.
    """
    if not rows:
        return
    cols = tuple(rows[0])
    if conn.dialect.name != "postgresql":
        # Plain DB-API executemany with tuples: SQLAlchemy's per-row parameter processing would cost more than
        # SQLite's insert itself.
        conn.exec_driver_sql(_sqlite_sql(table, cols, tuple(keys), tuple(update or ())),
                             [tuple(r[c] for c in cols) for r in rows])
        return
    sql = _recordset_sql(table, cols, tuple(keys), tuple(update or ()))
    for chunk in chunks(rows, PG_ROWS):
        conn.exec_driver_sql(sql, (orjson.dumps(chunk).decode(),))


@lru_cache(maxsize=256)
def _recordset_sql(table: Table, cols: tuple[str, ...], keys: tuple[str, ...], update: tuple[str, ...]) -> str:
    q = '"{}"'.format
    names = ", ".join(q(c) for c in cols)
    sql = (f"INSERT INTO {q(table.name)} ({names}) SELECT {names} "
           f"FROM json_populate_recordset(NULL::{q(table.name)}, %s::json) ON CONFLICT ({', '.join(q(k) for k in keys)}) ")
    if update:
        return sql + "DO UPDATE SET " + ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in update)
    return sql + "DO NOTHING"


@lru_cache(maxsize=256)
def _sqlite_sql(table: Table, cols: tuple[str, ...], keys: tuple[str, ...], update: tuple[str, ...]) -> str:
    q = '"{}"'.format
    sql = (f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join('?' for _ in cols)}) "
           f"ON CONFLICT ({', '.join(q(k) for k in keys)}) ")
    if update:
        return sql + "DO UPDATE SET " + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in update)
    return sql + "DO NOTHING"
