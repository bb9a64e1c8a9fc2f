"""What every reporting endpoint shares: the read transaction, filters, paging, JSON or CSV answers.

Lists answer ``{"items": [...], "next": URL|null}``; JSON by default, CSV with ``Accept: text/csv`` or
``?format=csv``. CSV cells are neutralised against formula injection (OWASP: a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with a single quote), because these files are opened in
spreadsheets and a statement's text is written by whoever sent it.
"""
from __future__ import annotations

import base64
import contextlib
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from flask import Response, jsonify, request

from lrs.api.context import authenticate, lrs_services
from lrs.auth import Principal
from lrs.db.engine import is_postgres
from lrs.xapi.errors import BadRequest
from projections.replay import build_all_as_of, resolve_position
from projections.scope import ReadScope, active_scope, as_of_scope

MAX_LIMIT = 1000
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def principal() -> Principal:
    """The authenticated caller (401 otherwise)."""
    return authenticate()


@contextlib.contextmanager
def read_scope(names: Iterable[str], known_at: str | None = None) -> Iterator[ReadScope]:
    """A read transaction on the active generations of ``names`` (or on as-of builds for ``known_at``).

    One transaction for the whole request: SQLite's WAL snapshot or PostgreSQL REPEATABLE READ, so a replay that
    swaps generations mid-request is seen entirely or not at all. Callers check permissions on the live scope
    *before* asking for ``known_at``: an as-of build costs a replay, and a caller who may not read the answer must
    not be able to make the server do that work.
    """
    services = lrs_services()
    engine = services.engine
    names = list(names)
    builds = None
    if known_at:
        try:
            position = resolve_position(services.store, known_at)
        except ValueError:
            raise BadRequest(f"known_at {known_at!r} is not an ISO 8601 time or a log position") from None
        head = services.store.head()
        if position > head:
            raise BadRequest(f"known_at {known_at!r} is beyond the log's head (position {head})")
        builds = build_all_as_of(engine, position, store=services.store, settings=services.settings, names=names)
    with engine.connect() as conn:
        if is_postgres(conn):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield as_of_scope(conn, builds) if builds else active_scope(conn, names)


def wants_csv() -> bool:
    """True when the caller asked for CSV (``format=csv`` or an Accept header preferring text/csv)."""
    fmt = request.args.get("format")
    if fmt == "csv":
        return True
    if fmt == "json":
        return False
    if fmt not in (None, ""):
        raise BadRequest(f"format must be json or csv, not {fmt[:40]!r}")
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > request.accept_mimetypes["application/json"]


def csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection rule)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool) or isinstance(v, (int, float)):
        return v
    if isinstance(v, list):
        v = ";".join(str(x) for x in v)
    elif isinstance(v, dict):
        v = orjson.dumps(v).decode()
    return csv_safe(str(v))


def csv_response(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], filename: str) -> Response:
    """``rows`` as a CSV attachment with ``columns`` (in that order)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    resp = Response(buf.getvalue(), mimetype="text/csv")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    resp.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return resp


def limit_param(default: int = 100) -> int:
    """``limit``: 1..MAX_LIMIT (400 for anything else)."""
    raw = request.args.get("limit", str(default))
    if not raw.isascii() or not raw.isdigit():
        raise BadRequest(f"limit must be a positive integer, not {raw[:40]!r}")
    n = int(raw[:12])
    if n < 1:
        raise BadRequest("limit must be at least 1")
    return min(n, MAX_LIMIT)


def cursor_param() -> str | None:
    """The keyset cursor of a list's ``next`` link (the last key of the previous page), or None."""
    raw = request.args.get("cursor")
    if not raw:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("cursor is malformed (use the `next` link as given)") from None
    if "\x00" in text:
        raise BadRequest("cursor is malformed (use the `next` link as given)")
    return text


def next_url(cursor: str | None) -> str | None:
    """The ``next`` link carrying ``cursor`` and the request's other parameters."""
    if cursor is None:
        return None
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    args["cursor"] = base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")
    base = (lrs_services().settings.get("BASE_URL") or request.host_url).rstrip("/")
    return f"{base}{request.path}?{urlencode(args)}"


def list_response(items: list[dict[str, Any]], cursor: str | None, columns: Sequence[str],
                  filename: str) -> Response:
    """A list as JSON (``{"items", "next"}``) or as CSV (the next page in a ``Link`` header)."""
    if wants_csv():
        resp = csv_response(items, columns, filename)
        nxt = next_url(cursor)
        if nxt:
            resp.headers["Link"] = f'<{nxt}>; rel="next"'
        return resp
    return jsonify({"items": items, "next": next_url(cursor)})


def filters(*names: str) -> dict[str, Any]:
    """The named query parameters that were given (``from``/``to`` must be dates, ``unmatched`` a boolean)."""
    out: dict[str, Any] = {}
    for n in names:
        v = request.args.get(n)
        if v in (None, ""):
            continue
        assert v is not None
        if "\x00" in v:
            raise BadRequest(f"{n} contains a NUL character")
        if n in ("from", "to", "as_of") and not DATE.match(v):
            raise BadRequest(f"{n} must be a date YYYY-MM-DD, not {v[:40]!r}")
        if n == "unmatched":
            if v.lower() not in ("1", "true", "yes", "0", "false", "no"):
                raise BadRequest(f"unmatched must be true or false, not {v[:40]!r}")
            out[n] = v.lower() in ("1", "true", "yes")
            continue
        out[n] = v
    return out
