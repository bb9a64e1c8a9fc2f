"""Bulk writes that cost one round trip and one plan per table, on both databases.

PostgreSQL: ``INSERT … SELECT … FROM json_populate_recordset(NULL::table, $1)`` with the rows sent as one JSON
text. ``executemany`` would cost the server a statement per row (psycopg pipelines them, but PostgreSQL still
parses, binds and executes each), a SQLAlchemy multi-row ``VALUES`` costs more to compile than to run, and
array parameters cost an escape per element. SQLite (in-process, no round trips): DB-API ``executemany`` with
tuples, skipping SQLAlchemy's per-row parameter processing.
"""
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


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys, JSON-serialisable values); any conflict is an error."""
    _write(conn, table, rows, None, ())


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str],
           update: Sequence[str] | None = None) -> None:
    """INSERT ``rows``; on a conflict on ``keys`` update the ``update`` columns (or, if none, do nothing)."""
    _write(conn, table, rows, tuple(keys), tuple(update or ()))


def _write(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: tuple[str, ...] | None,
           update: tuple[str, ...]) -> None:
    if not rows:
        return
    cols = tuple(rows[0])
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(_sqlite_sql(table, cols, keys, update), [tuple(r[c] for c in cols) for r in rows])
        return
    sql = _recordset_sql(table, cols, keys, update)
    for chunk in chunks(rows, PG_ROWS):
        conn.exec_driver_sql(sql, (orjson.dumps(chunk).decode(),))


def _conflict(keys: tuple[str, ...] | None, update: tuple[str, ...], excluded: str) -> str:
    if keys is None:
        return ""
    q = '"{}"'.format
    sql = f" ON CONFLICT ({', '.join(q(k) for k in keys)}) "
    if update:
        return sql + "DO UPDATE SET " + ", ".join(f"{q(c)} = {excluded}.{q(c)}" for c in update)
    return sql + "DO NOTHING"


@lru_cache(maxsize=256)
def _recordset_sql(table: Table, cols: tuple[str, ...], keys: tuple[str, ...] | None, update: tuple[str, ...]) -> str:
    q = '"{}"'.format
    names = ", ".join(q(c) for c in cols)
    return (f"INSERT INTO {q(table.name)} ({names}) SELECT {names} "
            f"FROM json_populate_recordset(NULL::{q(table.name)}, %s::json)" + _conflict(keys, update, "EXCLUDED"))


@lru_cache(maxsize=256)
def _sqlite_sql(table: Table, cols: tuple[str, ...], keys: tuple[str, ...] | None, update: tuple[str, ...]) -> str:
    q = '"{}"'.format
    return (f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})" + _conflict(keys, update, "excluded"))
