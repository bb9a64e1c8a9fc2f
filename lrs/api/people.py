"""``/api/v1/people…``, ``/api/v1/transcripts``, ``/api/v1/reports/hours``, ``/api/v1/disclosures``.

Access rules and the record of disclosures are :mod:`lrs.api.access`'s; paging and CSV are :mod:`lrs.api.listing`'s.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from lrs.api import access
from lrs.api.context import lrs_services
from lrs.api.listing import (csv_response, cursor_param, filters, limit_param, list_response, next_url, principal,
                             read_scope, wants_csv)
from lrs.api.openapi import FORMAT, KNOWN_AT, OK, PAGING, PERSON, add_paths, path_param, q
from lrs.roster.importer import RosterError, link_identifier as link_person, unlink_identifier as unlink_person
from lrs.store.tables import disclosures
from lrs.xapi.errors import BadRequest, Forbidden, NotFound
from projections.people import queries as people_q
from projections.people.queries import PEOPLE, TRANSCRIPT
from projections.transcript import queries as transcript_q

bp = Blueprint("people", __name__, url_prefix="/api/v1")

READ_MODELS = (PEOPLE, TRANSCRIPT)
TRANSCRIPT_FILTERS = ("school_year", "delivery_model", "classification", "outcome", "activity", "from", "to")
TRANSCRIPT_COLUMNS = ("person_id", "person_name", "employee_id", "activity", "name", "activity_type", "outcome",
                      "date", "start_date", "end_date", "school_year", "hours", "hours_source", "credit_type",
                      "credit_amount", "delivery_model", "classification", "provider", "instructors", "score",
                      "registration", "agent", "statement_ids")
GROUPS = ("school_year", "delivery_model", "classification", "outcome", "building", "activity")


def _credit_columns(entry: dict[str, Any]) -> dict[str, Any]:
    credit = entry.get("credit") or {}
    return {"credit_type": credit.get("type"), "credit_amount": credit.get("amount")}


def transcript_body(person: str) -> dict[str, Any]:
    """A person's transcript as the caller may see it (the JSON of interfaces.md), the disclosure recorded.

    Shared by the API and the HTML page. Permission is checked on the live read models first; only then is a
    ``known_at`` as-of build made.
    """
    p = principal()
    wanted = filters(*TRANSCRIPT_FILTERS)
    known_at = request.args.get("known_at")
    with read_scope(READ_MODELS) as live:
        ref = access.authorized_person(live, p, person, "transcript")
        if not known_at:
            body = transcript_q.transcript(live, ref, wanted)
    if known_at:
        with read_scope(READ_MODELS, known_at) as then:
            body = transcript_q.transcript(then, people_q.resolve_person(then, ref.id) or ref, wanted)
    access.disclose(p, [ref.id], "transcript")
    return body


@bp.get("/people")
def people_list() -> Response:
    """Roster people (filters: building, role, status, supervisor, q), or ``unmatched=true`` agents."""
    p = principal()
    wanted = filters("building", "role", "status", "supervisor", "q", "unmatched")
    with read_scope(READ_MODELS) as scope:
        if not access.reads_everyone(p):
            mine = access.me(scope, p) if p.has(access.READ_MINE) else None
            if mine is None or mine.employee_id is None or wanted.get("unmatched"):
                raise Forbidden("listing people needs reports/read (reports/read/mine lists your own staff)")
            wanted["supervisor"] = mine.employee_id
        if wanted.get("unmatched"):
            items, cursor = people_q.list_unmatched(scope, wanted, limit_param(), cursor_param())
            cols: tuple[str, ...] = ("id", "name", "matched", "identifiers", "first_seen", "last_seen")
        else:
            items, cursor = people_q.list_people(scope, wanted, limit_param(), cursor_param())
            cols = ("id", "name", "email", "roles", "building", "supervisor_id", "hire_date", "status",
                    "effective_date", "identifiers")
    return list_response(items, cursor, cols, "people.csv")


@bp.get("/people/<path:person>/transcript")
def person_transcript(person: str) -> Response:
    """A person's transcript (filters: school_year, delivery_model, classification, outcome, activity, from, to;
    ``known_at=TIME|POSITION`` reads it as the LRS knew it then)."""
    as_csv = wants_csv()
    body = transcript_body(person)
    if as_csv:
        who = body["person"]
        rows = [{"person_id": who["id"], "person_name": who["name"], "employee_id": who["employee_id"],
                 **_credit_columns(e), **e} for e in body["entries"]]
        return csv_response(rows, TRANSCRIPT_COLUMNS, f"transcript-{who['id']}.csv")
    return jsonify(body)


@bp.get("/people/<path:person>/disclosures")
def person_disclosures(person: str) -> Response:
    """Who was shown this person's records, when and what (the person themselves, ``audit`` or ``admin``)."""
    p = principal()
    with read_scope(READ_MODELS) as scope:
        ref = people_q.resolve_person(scope, person)
        mine = access.me(scope, p)
        allowed = p.has("audit") or (ref is not None and mine is not None and mine.id == ref.id)
        if not allowed:
            raise Forbidden("the disclosures of a person's records are shown to that person and to audit")
        if ref is None:
            raise NotFound(f"no person {person!r}")
    return _disclosure_list(ref.id)


@bp.get("/disclosures")
def disclosure_list() -> Response:
    """Every recorded disclosure (``audit`` or ``admin``), newest first; ``subject=`` filters by person."""
    p = principal()
    if not p.has("audit"):
        raise Forbidden("the record of disclosures needs the audit scope")
    return _disclosure_list(filters("subject").get("subject"))


def _disclosure_list(subject: str | None) -> Response:
    d = disclosures
    query = select(d).order_by(d.c.position.desc(), d.c.subject)
    if subject is not None:
        query = query.where(d.c.subject.in_([subject, access.EVERYONE]))
    after = cursor_param()
    if after is not None:
        if not after.isdigit():
            raise BadRequest("cursor is malformed (use the `next` link as given)")
        query = query.where(d.c.position < int(after))
    limit = limit_param()
    with lrs_services().engine.connect() as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
    items = [{"position": r.position, "subject": r.subject, "by": r.by_key, "what": r.what, "path": r.path,
              "at": r.recorded_at} for r in rows[:limit]]
    cursor = str(rows[limit - 1].position) if len(rows) > limit else None
    return list_response(items, cursor, ("position", "at", "subject", "by", "what", "path"), "disclosures.csv")


@bp.get("/people/<path:person>")
def person_detail(person: str) -> Response:
    """A person with their identifiers and roster history (role, building, supervisor... by effective date)."""
    p = principal()
    with read_scope(READ_MODELS) as scope:
        ref = access.authorized_person(scope, p, person, "record")
        body = ref.as_json()
        body["history"] = people_q.person_history(scope, ref.employee_id) if ref.employee_id else []
    access.disclose(p, [ref.id], "roster record")
    return jsonify(body)


def _admin() -> Any:
    p = principal()
    if "admin" not in p.scopes:
        raise Forbidden("linking identifiers needs the admin scope")
    return p


@bp.post("/people/<employee_id>/identifiers")
def link_identifier(employee_id: str) -> tuple[Response, int]:
    """Link an agent identifier to an employee: body ``{"identifier": "mbox:mailto:…"}`` or ``{"agent": {…}}``."""
    p = _admin()
    body = request.get_json(silent=True)
    ident = body.get("identifier") if isinstance(body, dict) else None
    agent = body.get("agent") if isinstance(body, dict) else None
    if not (isinstance(ident, str) and ident.strip()) and not isinstance(agent, dict):
        raise BadRequest('send {"identifier": "mbox:mailto:a@b.org"} or {"agent": {...}}')
    try:
        ev = link_person(lrs_services().store, employee_id, agent if isinstance(agent, dict) else str(ident),
                         by=p.key)
    except RosterError as e:
        raise (NotFound(str(e)) if "not on the roster" in str(e) else BadRequest(str(e))) from None
    if ev is None:
        return jsonify({"linked": True, "created": False}), 200
    return jsonify({"linked": True, "created": True, "position": ev.position,
                    "agent_key": ev.payload["agent_key"]}), 201


@bp.delete("/people/<employee_id>/identifiers/<path:identifier>")
def unlink_identifier(employee_id: str, identifier: str) -> tuple[Response, int]:
    """Undo a manual link."""
    p = _admin()
    ev = unlink_person(lrs_services().store, employee_id, identifier, by=p.key)
    if ev is None:
        raise NotFound(f"{identifier!r} is not linked to {employee_id!r}")
    return jsonify({"unlinked": True, "position": ev.position}), 200


@bp.get("/transcripts")
def transcripts_list() -> Response:
    """Every transcript entry with its person, for data teams (filters as a transcript plus building, role,
    unmatched)."""
    p = principal()
    access.require_everyone(p, "the district-wide transcript export")
    wanted = {**filters(*TRANSCRIPT_FILTERS), **filters("building", "role", "unmatched")}
    with read_scope(READ_MODELS, request.args.get("known_at")) as scope:
        items, cursor = transcript_q.list_entries(scope, wanted, limit_param(), cursor_param())
    access.disclose(p, {i["person"] for i in items}, "transcript export")
    if wants_csv():
        cols = ("entry", "person", "employee_id", "person_name", "building") + tuple(
            c for c in TRANSCRIPT_COLUMNS if c not in ("person_id", "person_name", "employee_id"))
        return list_response([{**i, **_credit_columns(i)} for i in items], cursor, cols, "transcripts.csv")
    return jsonify({"items": items, "next": next_url(cursor)})


@bp.get("/reports/hours")
def hours_report() -> Response:
    """Hours, entries and people grouped by ``group_by`` (comma-separated: school_year, delivery_model,
    classification, outcome, building, activity)."""
    p = principal()
    access.require_everyone(p, "district reports")
    group_by = [g for g in (request.args.get("group_by") or "delivery_model").split(",") if g]
    bad = [g for g in group_by if g not in GROUPS]
    if bad:
        raise BadRequest(f"group_by {', '.join(b[:40] for b in bad)} unknown (use {', '.join(GROUPS)})")
    wanted = {**filters(*TRANSCRIPT_FILTERS), **filters("building")}
    with read_scope(READ_MODELS, request.args.get("known_at")) as scope:
        items = transcript_q.hours_report(scope, group_by, wanted)
    return list_response(items, None, (*group_by, "hours", "entries", "people"), "hours.csv")


_TFILTERS = [q("school_year", "e.g. 2024-2025"), q("delivery_model", "online_course, workshop, …"),
             q("classification", "training | professional_development"), q("outcome", "attended, completed, …"),
             q("activity", "activity IRI"), q("from", "date"), q("to", "date"), KNOWN_AT, FORMAT]
add_paths({
    "/api/v1/people": {"get": {"summary": "Roster people, or unmatched agents", "responses": OK,
                               "parameters": [q("building", ""), q("role", ""), q("status", ""),
                                              q("supervisor", "employee id"), q("q", "search"),
                                              q("unmatched", "true: agents not linked to the roster"), FORMAT,
                                              *PAGING]}},
    "/api/v1/people/{person}": {"get": {"summary": "A person, identifiers and roster history",
                                        "parameters": [PERSON], "responses": {**OK, "404": {"description": "unknown"}}}},
    "/api/v1/people/{person}/transcript": {"get": {
        "summary": "A person's transcript: {person, entries, totals}",
        "parameters": [PERSON, *_TFILTERS], "responses": {**OK, "404": {"description": "unknown person"}}}},
    "/api/v1/people/{person}/disclosures": {"get": {
        "summary": "Who was shown this person's records (the person, or audit)",
        "parameters": [PERSON, FORMAT, *PAGING], "responses": OK}},
    "/api/v1/disclosures": {"get": {"summary": "Every recorded disclosure (audit)",
                                    "parameters": [q("subject", "person id"), FORMAT, *PAGING], "responses": OK}},
    "/api/v1/people/{employee_id}/identifiers": {"post": {
        "summary": "Link an agent identifier to an employee (admin)",
        "parameters": [path_param("employee_id", "roster employee id")],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "identifier": {"type": "string"}, "agent": {"type": "object"}}}}}},
        "responses": {"201": {"description": "linked"}, "200": {"description": "already linked"},
                      "400": {"description": "malformed body"}, "404": {"description": "not on the roster"}}}},
    "/api/v1/people/{employee_id}/identifiers/{identifier}": {"delete": {
        "summary": "Unlink an agent identifier (admin)",
        "parameters": [path_param("employee_id", "roster employee id"), path_param("identifier", "agent identifier")],
        "responses": {"200": {"description": "unlinked"}, "404": {"description": "not linked"}}}},
    "/api/v1/transcripts": {"get": {"summary": "Every transcript entry with its person (data export)",
                                    "parameters": [*_TFILTERS, q("building", ""), q("role", ""),
                                                   q("unmatched", ""), *PAGING], "responses": OK}},
    "/api/v1/reports/hours": {"get": {"summary": "Hours, entries and people grouped",
                                      "parameters": [q("group_by", ", ".join(GROUPS)), *_TFILTERS,
                                                     q("building", "")], "responses": OK}},
})
