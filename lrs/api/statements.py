"""``/xapi/statements``: PUT, POST, GET (one or a list), HEAD; thin over :mod:`lrs.store.statements`."""
from __future__ import annotations

from email.utils import format_datetime
from typing import Any

import orjson
from flask import Blueprint, Response, request
from sqlalchemy.exc import DBAPIError

from lrs.api.context import lrs_services
from lrs.api.multipart import build_multipart, parse_multipart
from lrs.api.xrequest import XRequest, begin
from lrs.store.statements import AttachmentPart, SaveRequest, StatementQuery, StatementStore
from lrs.times import format_time, utc_now
from lrs.xapi import model
from lrs.xapi.batch import prepare_batch, sha_matches
from lrs.xapi.errors import BadRequest, NotFound, XAPIError
from lrs.xapi.limits import MAX_CONTENT_TYPE
from lrs.xapi.validation import validate_agent, validate_uuid

bp = Blueprint("statements", __name__)

LIST_PARAMS = {"agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
               "until", "limit", "format", "attachments", "ascending"}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}


def statement_store() -> StatementStore:
    """The app's statement store."""
    return lrs_services().statements


def _save(xr: XRequest, prepared: list[dict[str, Any]], parts: dict[str, AttachmentPart]) -> list[str]:
    return lrs_services().committer.save(SaveRequest(prepared, parts, xr.principal_.key, _can_define(xr)))


def _json(obj: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(obj), status=status, mimetype="application/json")


def _base_url() -> str:
    return str(lrs_services().settings.get("BASE_URL") or request.url_root.rstrip("/"))


@bp.after_request
def _consistent_through(resp: Response) -> Response:
    # Required on every Statement resource response, errors included (Communication 2.1.3).
    # Reads get the careful answer (see consistent_through); a write's own answer needs no extra query.
    careful = request.method in ("GET", "HEAD") or request.args.get("method") == "GET"
    try:
        value = statement_store().consistent_through(check_writers=careful and resp.status_code < 500)
    except DBAPIError:
        # The database went away (this may be the 503 saying so): the time we looked is still a true answer for
        # the statements this response shows, which is none.
        value = format_time(utc_now())
    resp.headers["X-Experience-API-Consistent-Through"] = value
    return resp


@bp.route("/xapi/statements", methods=["GET", "HEAD", "PUT", "POST"])
def statements_resource() -> Response:
    """Dispatch on the effective method (the alternate syntax may turn a POST into a GET or PUT)."""
    xr = begin()
    if xr.method == "GET":
        return _get(xr)
    if xr.method == "PUT":
        return _put(xr)
    if xr.method == "POST":
        return _post(xr)
    raise BadRequest(f"{xr.method} is not allowed on the Statement resource")


@bp.route("/xapi/statements/more/<token>", methods=["GET", "HEAD"])
def statements_more(token: str) -> Response:
    """The next page of a list, from the cursor a previous page handed out."""
    xr = begin()
    _require_read(xr)
    q = StatementQuery.from_token(token, lrs_services().cursors)
    # The reader's own restriction, re-applied on every page: never the one the cursor was made under.
    q.authority = _mine(xr)
    fmt = request.args.get("format", "exact")
    attachments = request.args.get("attachments", "false") == "true"
    return _list_response(xr, q, fmt, attachments)


# -- writes --------------------------------------------------------------------------------------------------

def _read_statements_body(xr: XRequest) -> tuple[Any, dict[str, AttachmentPart]]:
    """The statement JSON and any attachment parts of a PUT/POST body."""
    ctype = xr.content_type
    if ctype == "multipart/mixed":
        parts = parse_multipart(xr.body, xr.headers.get("Content-Type", ""))
        first = parts[0]
        if (first.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            raise BadRequest("the first part of a multipart/mixed statement request must be application/json")
        try:
            body = orjson.loads(first.body)
        except orjson.JSONDecodeError as e:
            raise BadRequest(f"the statements part is not valid JSON: {e}") from None
        found: dict[str, AttachmentPart] = {}
        for p in parts[1:]:
            sha = p.headers.get("X-Experience-API-Hash")
            if not sha:
                raise BadRequest("every attachment part needs an X-Experience-API-Hash header")
            cte = p.headers.get("Content-Transfer-Encoding")
            if cte is not None and cte.strip().lower() != "binary":
                raise BadRequest("attachment parts must use Content-Transfer-Encoding: binary")
            if not sha_matches(sha, p.body):
                raise BadRequest(f"attachment part {sha}: its X-Experience-API-Hash does not match its content")
            part_type = p.headers.get("Content-Type", "application/octet-stream")
            if len(part_type) > MAX_CONTENT_TYPE or "\x00" in part_type:
                raise BadRequest(f"attachment part {sha}: its Content-Type is longer than {MAX_CONTENT_TYPE} "
                                 "characters or contains a NUL character")
            found[sha] = AttachmentPart(sha, part_type, p.body)
        return body, found
    if ctype not in ("application/json", "") and not ctype.endswith("+json"):
        raise BadRequest(f"statements must be sent as application/json or multipart/mixed, not {ctype!r}")
    return xr.json_body(), {}


def _prepare(xr: XRequest, raw: list[Any], parts: dict[str, AttachmentPart], single: bool) -> list[dict[str, Any]]:
    svc = lrs_services()
    return prepare_batch(raw, parts, version=xr.version, authority=xr.principal_.authority(_base_url()),
                         single=single, max_batch=int(svc.settings.get("MAX_BATCH", 10000)))


def _put(xr: XRequest) -> Response:
    xr.principal_.require("statements/write")
    sid = xr.param("statementId")
    if not sid:
        raise BadRequest("PUT /statements needs the statementId parameter")
    extra = set(xr.params) - {"statementId"}
    if extra:
        raise BadRequest(f"unexpected parameter(s) for PUT /statements: {', '.join(sorted(extra))}")
    validate_uuid(sid, "statementId")
    body, parts = _read_statements_body(xr)
    if not isinstance(body, dict):
        raise BadRequest("PUT /statements takes a single statement object")
    if "id" in body and isinstance(body["id"], str) and body["id"].lower() != sid.lower():
        raise BadRequest(f"the statement's id {body['id']} differs from the statementId parameter {sid}")
    body = {**body, "id": body.get("id", sid)}
    prepared = _prepare(xr, [body], parts, single=True)
    _save(xr, prepared, parts)
    return Response(status=204)


def _post(xr: XRequest) -> Response:
    xr.principal_.require("statements/write")
    body, parts = _read_statements_body(xr)
    single = isinstance(body, dict)
    raw = [body] if single else body
    if not isinstance(raw, list):
        raise BadRequest("POST /statements takes a statement object or an array of them")
    if not raw:
        raise BadRequest("POST /statements got an empty array")
    prepared = _prepare(xr, raw, parts, single=single)
    ids = _save(xr, prepared, parts)
    return _json(ids)


def _can_define(xr: XRequest) -> bool:
    return xr.principal_.has("define", "all")


# -- reads ---------------------------------------------------------------------------------------------------

def _require_read(xr: XRequest) -> None:
    xr.principal_.require("statements/read", "statements/read/mine", "all/read")


def _mine(xr: XRequest) -> str | None:
    """Credentials with only statements/read/mine see only what they stored."""
    p = xr.principal_
    if p.has("statements/read", "all/read"):
        return None
    return p.key


def _bool_param(xr: XRequest, name: str) -> bool:
    v = xr.param(name)
    if v is None:
        return False
    if v not in ("true", "false"):
        raise BadRequest(f"parameter {name} must be true or false, not {v!r}")
    return v == "true"


def _time_param(xr: XRequest, name: str) -> str | None:
    v = xr.param(name)
    if v is None:
        return None
    try:
        return format_time(model.parse_timestamp(v))
    except (ValueError, TypeError, XAPIError):
        raise BadRequest(f"parameter {name} is not an ISO 8601 timestamp: {v!r}") from None


def _get(xr: XRequest) -> Response:
    _require_read(xr)
    params = set(xr.params)
    fmt = xr.param("format") or "exact"
    if fmt not in ("exact", "ids", "canonical"):
        raise BadRequest(f"format must be exact, ids or canonical, not {fmt!r}")
    attachments = _bool_param(xr, "attachments")
    if "statementId" in params or "voidedStatementId" in params:
        if "statementId" in params and "voidedStatementId" in params:
            raise BadRequest("use statementId or voidedStatementId, not both")
        extra = params - SINGLE_PARAMS
        if extra:
            raise BadRequest(f"statementId/voidedStatementId cannot be combined with {', '.join(sorted(extra))}")
        voided = "voidedStatementId" in params
        sid = (xr.param("voidedStatementId") if voided else xr.param("statementId")) or ""
        row = statement_store().get_one(sid.lower(), voided=voided, authority=_mine(xr))
        if row is None:
            raise NotFound(f"no {'voided ' if voided else ''}statement with id {sid}")
        stmt = _format([orjson.loads(row.data)], fmt, xr)[0]
        resp = _with_attachments(orjson.dumps(stmt), [stmt] if attachments else [], attachments)
        resp.headers["Last-Modified"] = _http_date(row.stored)
        return resp
    unknown = params - LIST_PARAMS
    if unknown:
        raise BadRequest(f"unknown parameter(s) for GET /statements: {', '.join(sorted(unknown))}")
    q = StatementQuery()
    agent = xr.param("agent")
    if agent is not None:
        try:
            agent_obj = orjson.loads(agent)
        except orjson.JSONDecodeError:
            raise BadRequest("parameter agent is not valid JSON") from None
        validate_agent(agent_obj, path="agent")
        q.agent = model.agent_key(agent_obj)
    q.verb = xr.param("verb")
    q.activity = xr.param("activity")
    reg = xr.param("registration")
    if reg is not None:
        validate_uuid(reg, "registration")
        q.registration = reg.lower()
    q.related_activities = _bool_param(xr, "related_activities")
    q.related_agents = _bool_param(xr, "related_agents")
    q.ascending = _bool_param(xr, "ascending")
    q.since = _time_param(xr, "since")
    q.until = _time_param(xr, "until")
    lim = xr.param("limit")
    if lim is not None:
        # isdigit() alone accepts "²" and other Unicode digits int() refuses; and a limit beyond the page size
        # means the page size (a cursor must not carry a number wider than 64 bits).
        if not (lim.isascii() and lim.isdigit()):
            raise BadRequest(f"limit must be a non-negative integer, not {lim[:40]!r}")
        page_limit = int(lrs_services().settings.get("STATEMENT_PAGE_LIMIT", 500))
        q.limit = min(int(lim[:12]), page_limit)
    q.authority = _mine(xr)
    return _list_response(xr, q, fmt, attachments)


def _list_response(xr: XRequest, q: StatementQuery, fmt: str, attachments: bool) -> Response:
    page_limit = int(lrs_services().settings.get("STATEMENT_PAGE_LIMIT", 500))
    page = statement_store().query(q, page_limit)
    stmts = _format([orjson.loads(r.data) for r in page.rows], fmt, xr)
    more = ""
    if page.more is not None:
        more = "/xapi/statements/more/" + page.more.to_token(lrs_services().cursors)
        extras = [f"format={fmt}"] if fmt != "exact" else []
        if attachments:
            extras.append("attachments=true")
        if extras:
            more += "?" + "&".join(extras)
    body = orjson.dumps({"statements": stmts, "more": more})
    return _with_attachments(body, stmts if attachments else [], attachments)


def _with_attachments(body: bytes, stmts: list[dict[str, Any]], attachments: bool) -> Response:
    if not attachments:
        return Response(body, mimetype="application/json")
    shas = {a["sha2"] for s in stmts for a in s.get("attachments", ()) if "sha2" in a}
    parts = statement_store().blobs_for(shas)
    data, ctype = build_multipart(body, [(p.sha2, p.content_type, p.content) for p in parts])
    return Response(data, content_type=ctype)


def _format(stmts: list[dict[str, Any]], fmt: str, xr: XRequest) -> list[dict[str, Any]]:
    if fmt == "exact":
        return stmts
    langs = model.parse_accept_language(xr.headers.get("Accept-Language"))
    if fmt == "canonical":
        stmts = statement_store().with_canonical_definitions(stmts)
    return [model.format_statement(s, fmt, langs) for s in stmts]


def _http_date(stored: str) -> str:
    return format_datetime(model.parse_timestamp(stored), usegmt=True)
