"""State, Activity Profile and Agent Profile documents: every change is an event, the ``documents`` table is its
read model.

Writes follow one pattern: decode the request outside the lock, then inside ``with store.write() as tx`` read the
current row, check the caller's preconditions against it, append the event and apply that same event to the
table through :func:`apply_document_event`. Because every writer holds the log's single writer lock, the ETag
comparison and the write cannot interleave with another writer (no lost updates), and because the live path and
a rebuild both go through :func:`apply_document_event`, the table can always be rebuilt from the log.

Event payloads (types ``document.put``, ``document.merged``, ``document.deleted``; stream
``state:<activity>|<agent_key>|<registration>|<stateId>``, ``activity_profile:<activity>|<profileId>`` or
``agent_profile:<agent_key>|<profileId>``) carry the key and, for the first two, the full resulting content:
``{"kind", "activityId", "agentKey", "registration", "docId", "method", "contentType", "etag", "encoding",
"content"[, "text"]}``. With ``encoding: "json"`` (``application/json`` documents) ``content`` is the document as
JSON, and ``text`` its exact text whenever that differs from the canonical serialization (sorted keys, no
whitespace); with ``encoding: "base64"`` (any other type, and JSON the log cannot carry exactly, such as integers
beyond 64 bits) ``content`` is the bytes in base64.

A document is stored and served byte for byte as it was sent, so its ETag (the SHA-1 hex digest of those bytes,
as xAPI 1.0.3 requires) is what a client computing it would get. A merge result is written by the LRS in the
canonical serialization.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from lrs.eventlog.store import EventStore, NewEvent, RecordedEvent
from lrs.store.tables import documents
from lrs.xapi.errors import BadRequest, Conflict, PreconditionFailed

STATE, ACTIVITY_PROFILE, AGENT_PROFILE = "state", "activity_profile", "agent_profile"
KINDS = (STATE, ACTIVITY_PROFILE, AGENT_PROFILE)
PUT, MERGED, DELETED = "document.put", "document.merged", "document.deleted"
JSON_MEDIA_TYPE = "application/json"
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def context_hash(kind: str, activity_id: str = "", agent_key: str = "") -> str:
    """SHA-256 of a document's context (kind, activity, agent): what id lists and State deletes look up by."""
    return _hash(kind, activity_id, agent_key)


@dataclass(frozen=True)
class DocumentKey:
    """Where a document lives: its resource (``kind``), context and id. Unused parts are empty strings."""

    kind: str
    doc_id: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    def stream(self) -> str:
        """The event stream of this document: its kind and key hash (the parts are in the payload; the stream
        column is bounded and indexed, and an activity IRI plus an agent key can be 4,000 bytes)."""
        return f"{self.kind}:{self.key_hash()}"

    def key_hash(self) -> str:
        """SHA-256 of the whole key: the documents table's unique key (a btree entry of the raw parts could pass
        PostgreSQL's ~2,700-byte limit)."""
        return _hash(self.kind, self.activity_id, self.agent_key, self.registration, self.doc_id)

    def payload(self) -> dict[str, Any]:
        """The key as it appears in event payloads."""
        return {"kind": self.kind, "activityId": self.activity_id, "agentKey": self.agent_key,
                "registration": self.registration, "docId": self.doc_id}

    def where(self) -> list[Any]:
        """SQL conditions selecting this document's row."""
        return [documents.c.key_hash == self.key_hash()]

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> DocumentKey:
        return cls(kind=p["kind"], doc_id=p["docId"], activity_id=p.get("activityId") or "",
                   agent_key=p.get("agentKey") or "", registration=p.get("registration") or "")


@dataclass(frozen=True)
class StoredDocument:
    """A document as stored: bytes, the Content-Type it was stored with, ETag (unquoted SHA-1 hex), update time
    (fixed-width UTC text) and the log position of the event that produced it."""

    content: bytes
    content_type: str
    etag: str
    updated: str
    position: int

    @property
    def is_json(self) -> bool:
        return media_type(self.content_type) == JSON_MEDIA_TYPE


@dataclass(frozen=True)
class Preconditions:
    """The ``If-Match`` / ``If-None-Match`` headers of a request: ``None`` when absent, else the listed ETags
    (unquoted, weakness dropped) or ``("*",)``."""

    if_match: tuple[str, ...] | None = None
    if_none_match: tuple[str, ...] | None = None

    @property
    def present(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None

    @classmethod
    def from_headers(cls, if_match: str | None, if_none_match: str | None) -> Preconditions:
        return cls(parse_etag_list(if_match), parse_etag_list(if_none_match))

    def check(self, current: StoredDocument | None) -> None:
        """Raise 412 unless the preconditions hold for ``current`` (RFC 7232 §3.1–3.2 for unsafe methods)."""
        if self.if_match is not None:
            if current is None:
                raise PreconditionFailed("If-Match was given but the document does not exist")
            if "*" not in self.if_match and current.etag not in self.if_match:
                raise PreconditionFailed(
                    f'If-Match does not match the document\'s current ETag ("{current.etag}"); the document '
                    "was changed since you read it: GET it again and retry with its current ETag")
        if self.if_none_match is not None and current is not None:
            if "*" in self.if_none_match:
                raise PreconditionFailed("If-None-Match: * was given but the document already exists")
            if current.etag in self.if_none_match:
                raise PreconditionFailed("If-None-Match lists the document's current ETag")


def parse_etag_list(value: str | None) -> tuple[str, ...] | None:
    """``"a", W/"b"`` -> ``("a", "b")``; ``*`` -> ``("*",)``; absent -> ``None``."""
    if value is None:
        return None
    tags = []
    for part in value.split(","):
        t = part.strip()
        if not t:
            continue
        if t == "*":
            tags.append("*")
            continue
        if t[:2] in ("W/", "w/"):
            t = t[2:]
        tags.append(t.strip('"'))
    return tuple(tags)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, without parameters, lower-cased."""
    return (content_type or "").split(";")[0].strip().lower()


def etag_for(content: bytes) -> str:
    """The SHA-1 hex digest of the content (xAPI 1.0.3 Communication 3.1), unquoted, lower case."""
    return hashlib.sha1(content).hexdigest()


def http_etag(etag: str) -> str:
    """The ETag header value: the digest in quotes."""
    return f'"{etag}"'


_INVALID = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(content: bytes) -> Any:
    """The JSON value in ``content`` (exact integers, no NaN/Infinity), or ``_INVALID``."""
    try:
        return json.loads(content.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _INVALID


@dataclass(frozen=True)
class PreparedContent:
    """A body ready to store: the exact bytes to keep and how the event payload carries them."""

    content: bytes
    content_type: str
    encoding: str  # "json" | "base64"
    value: Any  # the JSON value (encoding json) or the base64 text
    text: str | None = None  # encoding json: the exact text, when it is not the canonical serialization
    json_value: Any = _INVALID  # the parsed JSON (application/json bodies), for merging

    @property
    def etag(self) -> str:
        return etag_for(self.content)

    def payload(self) -> dict[str, Any]:
        out = {"contentType": self.content_type, "etag": self.etag, "encoding": self.encoding,
               "content": self.value}
        if self.text is not None:
            out["text"] = self.text
        return out


def prepare(content: bytes, content_type: str | None) -> PreparedContent:
    """Decode a request body for storage; 400 when it claims ``application/json`` but is not JSON."""
    ctype = (content_type or "").strip() or DEFAULT_CONTENT_TYPE
    if media_type(ctype) != JSON_MEDIA_TYPE:
        return PreparedContent(content, ctype, "base64", base64.b64encode(content).decode("ascii"))
    value = parse_json(content)
    if value is _INVALID:
        raise BadRequest("the document has Content-Type application/json but is not valid JSON")
    return _json_content(value, ctype, raw=content)


def _json_content(value: Any, ctype: str, raw: bytes | None = None) -> PreparedContent:
    """Stored bytes: ``raw`` when given (the document as sent), else the canonical serialization of ``value``."""
    try:
        canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        # Valid JSON the log's serializer cannot carry exactly (integers beyond 64 bits): keep the bytes.
        if raw is None:
            raw = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return PreparedContent(raw, ctype, "base64", base64.b64encode(raw).decode("ascii"), json_value=value)
    if raw is None or raw == canonical:
        return PreparedContent(canonical, ctype, "json", value, json_value=value)
    return PreparedContent(raw, ctype, "json", value, text=raw.decode("utf-8"), json_value=value)


def _event_payload(key: DocumentKey, prepared: PreparedContent, method: str) -> dict[str, Any]:
    return {**key.payload(), "method": method, **prepared.payload()}


def _row(row: Any) -> StoredDocument:
    return StoredDocument(content=bytes(row.content), content_type=row.content_type, etag=row.etag,
                          updated=row.updated, position=int(row.position))


def get_document(conn: Connection, key: DocumentKey) -> StoredDocument | None:
    """The document stored under ``key``, or ``None``."""
    row = conn.execute(select(documents.c.content, documents.c.content_type, documents.c.etag,
                              documents.c.updated, documents.c.position).where(*key.where())).first()
    return _row(row) if row is not None else None


def list_document_ids(conn: Connection, kind: str, *, activity_id: str = "", agent_key: str = "",
                      registration: str | None = None, since: str | None = None) -> tuple[list[str], str | None]:
    """Ids of the documents in a context, oldest update first, and the newest update time among them.

    ``registration=None`` (State only) means every registration; ``since`` is fixed-width UTC text, exclusive.
    """
    q = select(documents.c.doc_id, documents.c.updated).where(
        documents.c.context_hash == context_hash(kind, activity_id, agent_key))
    if registration is not None:
        q = q.where(documents.c.registration == registration)
    if since is not None:
        q = q.where(documents.c.updated > since)
    q = q.order_by(documents.c.updated, documents.c.id)
    ids: list[str] = []
    seen: set[str] = set()
    newest: str | None = None
    for r in conn.execute(q):
        # The same stateId can exist under several registrations; the id list names it once.
        if r.doc_id not in seen:
            seen.add(r.doc_id)
            ids.append(r.doc_id)
        newest = r.updated if newest is None or r.updated > newest else newest
    return ids, newest


def apply_document_event(conn: Connection, event: RecordedEvent) -> None:
    """Bring the ``documents`` table in line with one ``document.*`` event (live writes and rebuilds alike)."""
    p = event.payload
    key = DocumentKey.from_payload(p)
    if event.type == DELETED:
        conn.execute(delete(documents).where(*key.where()))
        return
    if p["encoding"] == "json":
        text = p.get("text")
        content = text.encode("utf-8") if text is not None else orjson.dumps(p["content"],
                                                                              option=orjson.OPT_SORT_KEYS)
    else:
        content = base64.b64decode(p["content"])
    values = {"content_type": p["contentType"], "content": content, "etag": p["etag"],
              "updated": event.recorded_at, "position": event.position}
    done = conn.execute(update(documents).where(*key.where()).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(documents).values(kind=key.kind, activity_id=key.activity_id, agent_key=key.agent_key,
                                              registration=key.registration, doc_id=key.doc_id,
                                              key_hash=key.key_hash(),
                                              context_hash=context_hash(key.kind, key.activity_id, key.agent_key),
                                              **values))


def _conflict_message() -> str:
    return ("the document already exists and the PUT carried neither If-Match nor If-None-Match: check the "
            "current state of the document (GET it), then set If-Match to its current ETag to overwrite it")


def put_document(store: EventStore, key: DocumentKey, content: bytes, content_type: str | None,
                 pre: Preconditions, *, header_required_if_exists: bool = True,
                 header_required_if_new: bool = False) -> RecordedEvent:
    """Store ``content`` under ``key``, replacing any current document.

    Without either precondition header: when the document exists, 409 if ``header_required_if_exists`` (xAPI
    Communication 3.1), else it is overwritten (xAPI 1.0.3 State); when it does not exist, 400 if
    ``header_required_if_new`` (the xAPI 1.0.3 profile resources), else it is created.
    """
    prepared = prepare(content, content_type)
    with store.write() as tx:
        current = get_document(tx.conn, key)
        if not pre.present:
            if current is not None and header_required_if_exists:
                raise Conflict(_conflict_message())
            if current is None and header_required_if_new:
                raise BadRequest("a PUT to this resource must carry If-Match or If-None-Match (use "
                                 "If-None-Match: * to create a document that must not exist yet)")
        pre.check(current)
        ev = tx.append([NewEvent(PUT, key.stream(), _event_payload(key, prepared, "PUT"))])[0]
        apply_document_event(tx.conn, ev)
        return ev


def post_document(store: EventStore, key: DocumentKey, content: bytes, content_type: str | None,
                  pre: Preconditions) -> RecordedEvent:
    """Merge a JSON object into the document (top-level properties replaced), or create the document.

    400 when the posted body is ``application/json`` but not a JSON object, or when a document exists and either
    it or the posted one is not an ``application/json`` JSON object (xAPI Communication 2.2).
    """
    prepared = prepare(content, content_type)
    if media_type(prepared.content_type) == JSON_MEDIA_TYPE and not isinstance(prepared.json_value, dict):
        raise BadRequest("a POSTed application/json document must be a JSON object (it is merged into the stored "
                         "one)")
    with store.write() as tx:
        current = get_document(tx.conn, key)
        pre.check(current)
        if current is None:
            ev = tx.append([NewEvent(PUT, key.stream(), _event_payload(key, prepared, "POST"))])[0]
        else:
            if not isinstance(prepared.json_value, dict):
                raise BadRequest("the document exists and is merged with POST only when both are application/json "
                                 "objects; this request's Content-Type is "
                                 f"{media_type(prepared.content_type) or 'missing'}")
            old = parse_json(current.content) if current.is_json else _INVALID
            if not isinstance(old, dict):
                raise BadRequest("the stored document is not an application/json object, so a POST cannot be "
                                 "merged into it; replace it with PUT instead")
            merged = _json_content({**old, **prepared.json_value}, current.content_type)
            ev = tx.append([NewEvent(MERGED, key.stream(), _event_payload(key, merged, "POST"))])[0]
        apply_document_event(tx.conn, ev)
        return ev


def delete_document(store: EventStore, key: DocumentKey, pre: Preconditions) -> RecordedEvent | None:
    """Delete one document; deleting a missing document is a no-op (unless If-Match demands it exists)."""
    with store.write() as tx:
        current = get_document(tx.conn, key)
        pre.check(current)
        if current is None:
            return None
        ev = tx.append([NewEvent(DELETED, key.stream(), {**key.payload(), "etag": current.etag})])[0]
        apply_document_event(tx.conn, ev)
        return ev


def delete_state_documents(store: EventStore, activity_id: str, agent_key: str,
                           registration: str | None) -> list[RecordedEvent]:
    """Delete every State document of an Activity and Agent (one registration, or all when ``None``)."""
    with store.write() as tx:
        q = select(documents.c.doc_id, documents.c.registration, documents.c.etag).where(
            documents.c.context_hash == context_hash(STATE, activity_id, agent_key))
        if registration is not None:
            q = q.where(documents.c.registration == registration)
        rows = tx.conn.execute(q.order_by(documents.c.id)).all()
        # One event per document keeps each document's stream complete on its own.
        keys = [DocumentKey(STATE, r.doc_id, activity_id, agent_key, r.registration) for r in rows]
        events = tx.append([NewEvent(DELETED, k.stream(), {**k.payload(), "etag": r.etag})
                            for k, r in zip(keys, rows)])
        for ev in events:
            apply_document_event(tx.conn, ev)
        return events
