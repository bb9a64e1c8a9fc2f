"""The reporting API (``/api/v1``): people, transcripts, hours, projection status; and the HTML transcript page.

Who may read what (domain.md section 5, "suggested access matrix"):

* ``reports/read``, ``all/read``, ``all`` and ``admin`` read everyone (the xAPI read-all scopes can already read
  every statement a transcript is made of, so hiding transcripts from them would protect nothing);
* ``reports/read/mine`` reads the transcript of the credential's own person, and of the employees whose
  ``supervisor_id`` on the current roster is that person; ``GET /people`` then lists only those employees;
* linking identifiers to employees needs ``admin``; ``/status`` needs any valid credential.

Answers: 401 without valid credentials, 403 when the credential may not read that person (also when the person
does not exist, so existence does not leak), 404 for an unknown person when the caller may read everyone.
Lists answer ``{"items": [...], "next": URL|null}``; JSON by default, CSV with ``Accept: text/csv`` or
``?format=csv``.
"""
from __future__ import annotations

import base64
import contextlib
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from flask import Blueprint, Response, jsonify, render_template, request

from lrs.api.context import lrs_services
from lrs.auth import Principal
from lrs.db.engine import is_postgres
from lrs.xapi.errors import BadRequest, Forbidden, NotFound
from lrs.roster.importer import RosterError, link_identifier as link_person, unlink_identifier as unlink_person
from projections.people import queries as people_q
from projections.replay import build_all_as_of, resolve_position
from projections.people.queries import PEOPLE, TRANSCRIPT, PersonRef
from projections.scope import ReadScope, active_scope, as_of_scope
from projections.status import status as projection_status
from projections.transcript import queries as transcript_q

bp = Blueprint("reporting", __name__, url_prefix="/api/v1")

READ_ALL = ("reports/read", "all/read", "all")  # admin is implied by Principal.has
READ_MINE = "reports/read/mine"
MAX_LIMIT = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------

def _principal() -> Principal:
    return lrs_services().auth.authenticate(request.headers.get("Authorization"))


@contextlib.contextmanager
def _scope(known_at: str | None = None) -> Iterator[ReadScope]:
    """A read transaction on the active generations (or on as-of builds for ``known_at``).

    One transaction for the whole request: SQLite's WAL snapshot or PostgreSQL REPEATABLE READ, so a replay that
    swaps generations mid-request is seen entirely or not at all.
    """
    services = lrs_services()
    engine = services.engine
    builds = None
    if known_at:
        try:
            position = resolve_position(services.store, known_at)
        except ValueError:
            raise BadRequest(f"known_at {known_at!r} is not an ISO 8601 time or a log position") from None
        builds = build_all_as_of(engine, position, store=services.store, settings=services.settings,
                                 names=[PEOPLE, TRANSCRIPT])
    with engine.connect() as conn:
        if is_postgres(conn):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield as_of_scope(conn, builds) if builds else active_scope(conn, (PEOPLE, TRANSCRIPT))


def _wants_csv() -> bool:
    if request.args.get("format") == "csv":
        return True
    if request.args.get("format") == "json":
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > request.accept_mimetypes["application/json"]


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return orjson.dumps(v).decode()
    return v


def _csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], filename: str) -> Response:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    resp = Response(buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _limit() -> int:
    raw = request.args.get("limit", "100")
    try:
        n = int(raw)
    except ValueError:
        raise BadRequest(f"limit {raw!r} is not an integer") from None
    if n < 1:
        raise BadRequest("limit must be at least 1")
    return min(n, MAX_LIMIT)


def _cursor() -> str | None:
    raw = request.args.get("cursor")
    if not raw:
        return None
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("cursor is malformed (use the `next` link as given)") from None


def _next_url(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    args["cursor"] = base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")
    base = (lrs_services().settings.get("BASE_URL") or request.host_url).rstrip("/")
    return f"{base}{request.path}?{urlencode(args)}"


def _list(items: list[dict[str, Any]], cursor: str | None, columns: Sequence[str], filename: str) -> Response:
    if _wants_csv():
        resp = _csv(items, columns, filename)
        nxt = _next_url(cursor)
        if nxt:
            resp.headers["Link"] = f'<{nxt}>; rel="next"'
        return resp
    return jsonify({"items": items, "next": _next_url(cursor)})


def _filters(*names: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in names:
        v = request.args.get(n)
        if v in (None, ""):
            continue
        if n in ("from", "to") and not _DATE.match(v):
            raise BadRequest(f"{n} must be a date YYYY-MM-DD")
        if n == "unmatched":
            out[n] = v.lower() in ("1", "true", "yes")
            continue
        out[n] = v
    return out


def _me(scope: ReadScope, principal: Principal) -> PersonRef | None:
    return people_q.resolve_person(scope, principal.person) if principal.person else None


def _authorized_person(scope: ReadScope, principal: Principal, person_param: str) -> PersonRef:
    """The person named in the URL, if this principal may read them (else 403/404 as the module says)."""
    everyone = principal.has(*READ_ALL)
    if not everyone and not principal.has(READ_MINE):
        raise Forbidden("reading transcripts needs the reports/read or reports/read/mine scope")
    person = people_q.resolve_person(scope, person_param)
    if everyone:
        if person is None:
            raise NotFound(f"no person {person_param!r} (not an employee id on the roster, nor an agent seen)")
        return person
    me = _me(scope, principal)
    if person is not None and me is not None and (me.id == person.id or people_q.supervises(scope, me, person)):
        return person
    raise Forbidden("this credential may read only its own person's transcript and their staff's")


def _transcript_filters() -> dict[str, Any]:
    return _filters("school_year", "delivery_model", "classification", "outcome", "activity", "from", "to")


TRANSCRIPT_COLUMNS = ("person_id", "person_name", "employee_id", "activity", "name", "activity_type", "outcome",
                      "date", "start_date", "end_date", "school_year", "hours", "hours_source", "credit_type",
                      "credit_amount", "delivery_model", "classification", "provider", "instructors", "score",
                      "registration", "agent", "statement_ids")


# ---------------------------------------------------------------------------------------------------------------
# People and transcripts
# ---------------------------------------------------------------------------------------------------------------

@bp.get("/people")
def people_list() -> Response:
    """Roster people (filters: building, role, status, supervisor, q), or ``unmatched=true`` agents."""
    principal = _principal()
    filters = _filters("building", "role", "status", "supervisor", "q", "unmatched")
    with _scope() as scope:
        if not principal.has(*READ_ALL):
            me = _me(scope, principal) if principal.has(READ_MINE) else None
            if me is None or me.employee_id is None or filters.get("unmatched"):
                raise Forbidden("listing people needs reports/read (reports/read/mine lists your own staff)")
            filters["supervisor"] = me.employee_id
        if filters.get("unmatched"):
            items, cursor = people_q.list_unmatched(scope, filters, _limit(), _cursor())
            cols: tuple[str, ...] = ("id", "name", "matched", "identifiers", "first_seen", "last_seen")
        else:
            items, cursor = people_q.list_people(scope, filters, _limit(), _cursor())
            cols = ("id", "name", "email", "roles", "building", "supervisor_id", "hire_date", "status",
                    "effective_date", "identifiers")
    return _list(items, cursor, cols, "people.csv")


@bp.get("/people/<path:person>/transcript")
def person_transcript(person: str) -> Response:
    """A person's transcript (filters: school_year, delivery_model, classification, outcome, activity, from, to;
    ``known_at=TIME|POSITION`` reads it as the LRS knew it then)."""
    principal = _principal()
    filters = _transcript_filters()
    with _scope(request.args.get("known_at")) as scope:
        ref = _authorized_person(scope, principal, person)
        body = transcript_q.transcript(scope, ref, filters)
    if _wants_csv():
        p = body["person"]
        rows = [{"person_id": p["id"], "person_name": p["name"], "employee_id": p["employee_id"],
                 "credit_type": (e["credit"] or {}).get("type"), "credit_amount": (e["credit"] or {}).get("amount"),
                 **e} for e in body["entries"]]
        return _csv(rows, TRANSCRIPT_COLUMNS, f"transcript-{re.sub(r'[^A-Za-z0-9._-]+', '_', p['id'])}.csv")
    return jsonify(body)


@bp.get("/people/<path:person>")
def person_detail(person: str) -> Response:
    """A person with their identifiers and roster history (role, building, supervisor... by effective date)."""
    principal = _principal()
    with _scope() as scope:
        ref = _authorized_person(scope, principal, person)
        body = ref.as_json()
        body["history"] = people_q.person_history(scope, ref.employee_id) if ref.employee_id else []
    return jsonify(body)


@bp.post("/people/<employee_id>/identifiers")
def link_identifier(employee_id: str) -> tuple[Response, int]:
    """Link an agent identifier to an employee: body ``{"identifier": "mbox:mailto:…"}`` or ``{"agent": {…}}``."""
    principal = _principal()
    if "admin" not in principal.scopes:
        raise Forbidden("linking identifiers needs the admin scope")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not (isinstance(body.get("identifier"), str) or
                                          isinstance(body.get("agent"), dict)):
        raise BadRequest('send {"identifier": "mbox:mailto:a@b.org"} or {"agent": {...}}')
    try:
        ev = link_person(lrs_services().store, employee_id, body.get("agent") or body["identifier"], by=principal.key)
    except RosterError as e:
        raise (NotFound(str(e)) if "not on the roster" in str(e) else BadRequest(str(e))) from None
    if ev is None:
        return jsonify({"linked": True, "created": False}), 200
    return jsonify({"linked": True, "created": True, "position": ev.position,
                    "agent_key": ev.payload["agent_key"]}), 201


@bp.delete("/people/<employee_id>/identifiers/<path:identifier>")
def unlink_identifier(employee_id: str, identifier: str) -> tuple[Response, int]:
    """Undo a manual link."""
    principal = _principal()
    if "admin" not in principal.scopes:
        raise Forbidden("unlinking identifiers needs the admin scope")
    ev = unlink_person(lrs_services().store, employee_id, identifier, by=principal.key)
    if ev is None:
        raise NotFound(f"{identifier!r} is not linked to {employee_id!r}")
    return jsonify({"unlinked": True, "position": ev.position}), 200


@bp.get("/transcripts")
def transcripts_list() -> Response:
    """Every transcript entry with its person, for data teams (filters as a transcript plus building, role,
    unmatched)."""
    principal = _principal()
    if not principal.has(*READ_ALL):
        raise Forbidden("the district-wide export needs the reports/read scope")
    filters = {**_transcript_filters(), **_filters("building", "role", "unmatched")}
    with _scope(request.args.get("known_at")) as scope:
        items, cursor = transcript_q.list_entries(scope, filters, _limit(), _cursor())
    cols = ("entry", "person", "employee_id", "person_name", "building") + tuple(
        c for c in TRANSCRIPT_COLUMNS if c not in ("person_id", "person_name", "employee_id"))
    rows = [{**i, "credit_type": (i["credit"] or {}).get("type"), "credit_amount": (i["credit"] or {}).get("amount")}
            for i in items]
    if _wants_csv():
        return _list(rows, cursor, cols, "transcripts.csv")
    return jsonify({"items": items, "next": _next_url(cursor)})


GROUPS = ("school_year", "delivery_model", "classification", "outcome", "building", "activity")


@bp.get("/reports/hours")
def hours_report() -> Response:
    """Hours, entries and people grouped by ``group_by`` (comma-separated: school_year, delivery_model,
    classification, outcome, building, activity)."""
    principal = _principal()
    if not principal.has(*READ_ALL):
        raise Forbidden("district reports need the reports/read scope")
    group_by = [g for g in (request.args.get("group_by") or "delivery_model").split(",") if g]
    bad = [g for g in group_by if g not in GROUPS]
    if bad:
        raise BadRequest(f"group_by {', '.join(bad)} unknown (use {', '.join(GROUPS)})")
    filters = {**_transcript_filters(), **_filters("building")}
    with _scope(request.args.get("known_at")) as scope:
        items = transcript_q.hours_report(scope, group_by, filters)
    return _list(items, None, (*group_by, "hours", "entries", "people"), "hours.csv")


# ---------------------------------------------------------------------------------------------------------------
# Status and description
# ---------------------------------------------------------------------------------------------------------------

@bp.get("/status")
def status() -> Response:
    """The log head and each projection's position and lag."""
    _principal()
    return jsonify(projection_status(lrs_services().engine))


@bp.get("/openapi.json")
def openapi() -> Response:
    """An OpenAPI 3.1 description of this API."""
    return jsonify(_openapi_doc())


def _openapi_doc() -> dict[str, Any]:
    person = {"name": "person", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "employee id, or mbox:mailto:…, mbox_sha1sum:HEX, openid:URL, account:HOMEPAGE|NAME"}

    def q(name: str, desc: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": desc}

    tfilters = [q("school_year", "e.g. 2024-2025"), q("delivery_model", "online_course, workshop, …"),
                q("classification", "training | professional_development"), q("outcome", "attended, completed, …"),
                q("activity", "activity IRI"), q("from", "date"), q("to", "date"),
                q("known_at", "ISO time or log position: as the LRS knew it then"), q("format", "json | csv")]
    paging = [q("limit", f"1-{MAX_LIMIT}, default 100"), q("cursor", "from `next`")]
    ok = {"200": {"description": "OK (JSON, or CSV with Accept: text/csv)"}, "401": {"description": "no credentials"},
          "403": {"description": "not allowed"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "District LRS reporting API", "version": "1"},
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                           "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"basic": []}, {"bearer": []}],
        "paths": {
            "/api/v1/people": {"get": {"summary": "Roster people, or unmatched agents", "responses": ok,
                                       "parameters": [q("building", ""), q("role", ""), q("status", ""),
                                                      q("supervisor", "employee id"), q("q", "search"),
                                                      q("unmatched", "true: agents not linked to the roster"),
                                                      *paging]}},
            "/api/v1/people/{person}": {"get": {"summary": "A person, identifiers and roster history",
                                                "parameters": [person], "responses": {**ok, "404": {"description": "unknown"}}}},
            "/api/v1/people/{person}/transcript": {"get": {
                "summary": "A person's transcript: {person, entries, totals}",
                "parameters": [person, *tfilters], "responses": {**ok, "404": {"description": "unknown person"}}}},
            "/api/v1/people/{employee_id}/identifiers": {"post": {
                "summary": "Link an agent identifier to an employee (admin)",
                "parameters": [{"name": "employee_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                    "identifier": {"type": "string"}, "agent": {"type": "object"}}}}}},
                "responses": {"201": {"description": "linked"}, "200": {"description": "already linked"}}}},
            "/api/v1/transcripts": {"get": {"summary": "Every transcript entry with its person (data export)",
                                            "parameters": [*tfilters, q("building", ""), q("role", ""),
                                                           q("unmatched", ""), *paging], "responses": ok}},
            "/api/v1/reports/hours": {"get": {"summary": "Hours, entries and people grouped",
                                              "parameters": [q("group_by", ", ".join(GROUPS)), *tfilters,
                                                             q("building", "")], "responses": ok}},
            "/api/v1/status": {"get": {"summary": "Log head, projection positions and lag", "responses": ok}},
        },
    }


# ---------------------------------------------------------------------------------------------------------------
# The HTML transcript page (outside /api/v1, registered on the app when this blueprint is)
# ---------------------------------------------------------------------------------------------------------------

def transcript_page(person: str) -> Response:
    """A printable transcript with a chart of hours by delivery model."""
    principal = _principal()
    with _scope() as scope:
        ref = _authorized_person(scope, principal, person)
        body = transcript_q.transcript(scope, ref, _transcript_filters())
    by_model = body["totals"]["by_delivery_model"]
    top = max(by_model.values(), default=0.0) or 1.0
    bars = [{"label": k.replace("_", " "), "hours": v, "width": round(300 * v / top, 1)}
            for k, v in sorted(by_model.items(), key=lambda kv: (-kv[1], kv[0]))]
    html = render_template("transcript.html", t=body, bars=bars, school_year=request.args.get("school_year"))
    return Response(html, mimetype="text/html")


@bp.record_once
def _register_page(state: Any) -> None:
    state.app.add_url_rule("/people/<path:person>/transcript", "transcript_page", transcript_page, methods=["GET"])
