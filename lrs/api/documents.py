"""The document resources: ``/xapi/activities/state``, ``/xapi/activities/profile``, ``/xapi/agents/profile``.

Thin over :mod:`lrs.store.documents`: each view parses and validates the parameters, checks the scope, and
hands the body and the ``If-Match`` / ``If-None-Match`` headers to the store, which checks them inside the
write transaction. Rules that differ by version (xAPI 2.0 notes §5, §6):

* PUT without either precondition header on a document that does not exist yet: xAPI 1.0.3 answers 400 on
  the two profile resources (what the 1.0.3 conformance suite expects, since 1.0.3 clients MUST send one);
  State, and everything under 2.0, creates the document (204).
* PUT without either header on an existing document is 409, except on the State resource under 1.0.3, which
  "will permit PUT, POST and DELETE requests without concurrency headers" (1.0.3 Communication 3.1): 1.0.x
  content and libraries (TinCanPython, for one) overwrite State blindly, and 2.0 is what made that a 409.
* ``If-Match`` is honoured on PUT, POST and DELETE under both versions (a SHOULD* in 1.0.3, SHALL in 2.0).
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import orjson
from flask import Blueprint, Response

from lrs.api.context import lrs_services
from lrs.xapi.limits import MAX_CONTENT_TYPE
from lrs.api.xrequest import V103, XRequest, begin
from lrs.times import format_time, try_parse_timestamp
from lrs.store import documents as docs
from lrs.xapi.errors import BadRequest, NotFound
from lrs.xapi.model import agent_key
from lrs.xapi.validation import is_iri, validate_agent

bp = Blueprint("documents", __name__)

READ_SCOPES = {docs.STATE: ("state", "all/read"), docs.ACTIVITY_PROFILE: ("profile", "all/read"),
               docs.AGENT_PROFILE: ("profile", "all/read")}
WRITE_SCOPES = {docs.STATE: ("state",), docs.ACTIVITY_PROFILE: ("profile",), docs.AGENT_PROFILE: ("profile",)}
RESOURCE_NAMES = {docs.STATE: "State", docs.ACTIVITY_PROFILE: "Activity Profile",
                  docs.AGENT_PROFILE: "Agent Profile"}
# The parameters each resource recognises, per method (xAPI 1.0.3 Communication 2.3, 2.6, 2.7); anything else
# is rejected (Communication 3.2: "MUST reject ... any parameters which the LRS does not recognize").
#: Longest stateId/profileId kept (xAPI sets no limit; a document id is a name, not content).
MAX_DOC_ID = 2000
_STATE_PARAMS = {"activityId", "agent", "registration", "stateId"}
ALLOWED_PARAMS = {
    docs.STATE: {"GET": _STATE_PARAMS | {"since"}, "WRITE": _STATE_PARAMS},
    docs.ACTIVITY_PROFILE: {"GET": {"activityId", "profileId", "since"}, "WRITE": {"activityId", "profileId"}},
    docs.AGENT_PROFILE: {"GET": {"agent", "profileId", "since"}, "WRITE": {"agent", "profileId"}},
}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


# --- parameter parsing (shared with lrs.api.activities_agents) ---------------------------------------------

def check_params(xr: XRequest, allowed: set[str], resource: str) -> None:
    """400 naming any parameter this request may not carry (unknown, or differing only in case)."""
    extra = sorted(set(xr.params) - allowed)
    if extra:
        raise BadRequest(f"the {resource} resource does not accept parameter(s) {', '.join(extra)} on "
                         f"{xr.method} (allowed: {', '.join(sorted(allowed))})")


def required(xr: XRequest, name: str) -> str:
    """The value of a required parameter; 400 when it is missing or empty."""
    v = xr.param(name)
    if v is None:
        raise BadRequest(f"the {name} parameter is required")
    if v == "":
        raise BadRequest(f"the {name} parameter must not be empty")
    return v


def activity_id_param(xr: XRequest, name: str = "activityId") -> str:
    """A required Activity id parameter: 400 unless it is an IRI."""
    v = required(xr, name)
    if not is_iri(v):
        raise BadRequest(f"the {name} parameter must be an IRI (e.g. http://example.org/activity/1), not {v!r}")
    return v


def agent_param(xr: XRequest, name: str = "agent", *, allow_group: bool = True) -> tuple[dict[str, Any], str]:
    """A required Agent parameter (JSON): the Agent and its key. 400 unless it is JSON, a valid Agent (or, with
    ``allow_group``, an identified Group) and has an identifier."""
    raw = required(xr, name)
    try:
        agent = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest(f"the {name} parameter is not valid JSON: {raw[:200]!r}") from None
    if not isinstance(agent, dict):
        raise BadRequest(f"the {name} parameter must be a JSON object (an Agent), not {raw[:200]!r}")
    validate_agent(agent, path=name, allow_group=allow_group)
    key = agent_key(agent)
    if not key:
        raise BadRequest(f"the {name} parameter must identify an Agent (mbox, mbox_sha1sum, openid or account)")
    return agent, key


def registration_param(xr: XRequest) -> str | None:
    """The optional registration: a UUID, lower-cased; 400 otherwise."""
    v = xr.param("registration")
    if v is None:
        return None
    if not _UUID.match(v):
        raise BadRequest(f"the registration parameter must be a UUID, not {v!r}")
    return str(uuid.UUID(v))


def since_param(xr: XRequest) -> str | None:
    """The optional ``since`` timestamp as fixed-width UTC text; 400 unless ISO 8601 (or an HTTP date)."""
    v = xr.param("since")
    if v is None:
        return None
    dt = _parse_time(v)
    if dt is None:
        raise BadRequest(f"the since parameter must be an ISO 8601 timestamp, not {v!r}")
    return format_time(dt)


def _parse_time(v: str) -> datetime | None:
    dt = try_parse_timestamp(v)
    if dt is None and re.match(r"^[A-Za-z]{3}, \d", v):
        try:
            dt = parsedate_to_datetime(v)  # RFC 7231 IMF-fixdate, as Last-Modified is written
        except (TypeError, ValueError):
            dt = None
    if dt is not None and dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


def http_date(updated: str) -> str:
    """Fixed-width UTC text -> RFC 7231 IMF-fixdate (``Tue, 02 Jan 2024 03:04:05 GMT``)."""
    dt = datetime.strptime(updated, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return format_datetime(dt, usegmt=True)


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(obj), status=status, mimetype="application/json")


# --- the views ---------------------------------------------------------------------------------------------

@bp.route("/xapi/activities/state", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def state_resource() -> Response:
    """State documents of an Activity and Agent (and registration)."""
    return _resource(docs.STATE)


@bp.route("/xapi/activities/profile", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def activity_profile_resource() -> Response:
    """Profile documents of an Activity."""
    return _resource(docs.ACTIVITY_PROFILE)


@bp.route("/xapi/agents/profile", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def agent_profile_resource() -> Response:
    """Profile documents of an Agent."""
    return _resource(docs.AGENT_PROFILE)


def _resource(kind: str) -> Response:
    xr = begin()
    method = xr.method
    if method not in ("GET", "PUT", "POST", "DELETE"):
        raise BadRequest(f"{method} is not allowed on the {RESOURCE_NAMES[kind]} resource")
    p = xr.principal_
    p.require(*(READ_SCOPES[kind] if method == "GET" else WRITE_SCOPES[kind]))
    check_params(xr, ALLOWED_PARAMS[kind]["GET" if method == "GET" else "WRITE"], RESOURCE_NAMES[kind])

    id_name = "stateId" if kind == docs.STATE else "profileId"
    activity_id = activity_id_param(xr) if kind in (docs.STATE, docs.ACTIVITY_PROFILE) else ""
    akey = agent_param(xr)[1] if kind in (docs.STATE, docs.AGENT_PROFILE) else ""
    registration = registration_param(xr) if kind == docs.STATE else None
    doc_id = xr.param(id_name)
    if doc_id == "":
        raise BadRequest(f"the {id_name} parameter must not be empty")
    if doc_id is not None and len(doc_id) > MAX_DOC_ID:
        raise BadRequest(f"the {id_name} parameter is longer than {MAX_DOC_ID} characters")
    since = since_param(xr) if method == "GET" else None
    svc = lrs_services()

    if doc_id is None:
        if method == "GET":
            with svc.engine.connect() as conn:
                ids, newest = docs.list_document_ids(conn, kind, activity_id=activity_id, agent_key=akey,
                                                     registration=registration, since=since)
            resp = json_response(ids)
            if newest is not None:
                resp.headers["Last-Modified"] = http_date(newest)
            return resp
        if method == "DELETE" and kind == docs.STATE:
            docs.delete_state_documents(svc.store, activity_id, akey, registration)
            return Response(status=204)
        raise BadRequest(f"the {id_name} parameter is required")

    key = docs.DocumentKey(kind, doc_id, activity_id, akey, registration or "")
    if method == "GET":
        with svc.engine.connect() as conn:
            doc = docs.get_document(conn, key)
        if doc is None:
            raise NotFound(f"no {RESOURCE_NAMES[kind]} document {doc_id!r} in this context")
        headers = {"ETag": docs.http_etag(doc.etag), "Last-Modified": http_date(doc.updated),
                   "Cache-Control": "no-cache"}
        inm = docs.parse_etag_list(xr.headers.get("If-None-Match"))
        if inm is not None and ("*" in inm or doc.etag in inm):
            return Response(status=304, headers=headers)
        return Response(doc.content, status=200, content_type=doc.content_type, headers=headers)

    ctype = xr.headers.get("Content-Type")
    if ctype is not None and len(ctype) > MAX_CONTENT_TYPE:
        raise BadRequest(f"the Content-Type is longer than {MAX_CONTENT_TYPE} characters")
    pre = docs.Preconditions.from_headers(xr.headers.get("If-Match"), xr.headers.get("If-None-Match"))
    if method == "PUT":
        v103 = xr.version == V103
        docs.put_document(svc.store, key, xr.body, ctype, pre,
                          header_required_if_exists=not (v103 and kind == docs.STATE),
                          header_required_if_new=v103 and kind != docs.STATE)
    elif method == "POST":
        docs.post_document(svc.store, key, xr.body, ctype, pre)
    else:
        docs.delete_document(svc.store, key, pre)
    return Response(status=204)
