"""Storing and querying statements.

A PUT or POST is one ``statements.stored`` event (the whole batch) plus its rows in the ``statements`` index
tables, written in one transaction under the log's writer lock: all or nothing. The expensive work —
validation, normalisation, signature checks — happens before the lock is taken; inside it we only check ids
against what is stored, stamp ``stored``, serialise and insert.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Connection, Engine, bindparam, exists, func, insert, null, select, text, union_all, update
from sqlalchemy.sql import Select

from lrs.db.bulk import chunks, insert_rows
from lrs.db.engine import EVENTLOG_LOCK_KEY
from lrs.eventlog.store import EventStore, NewEvent
from lrs.store.tables import statement_activities, statement_agents, statements
from lrs.eventlog.tables import blobs
from lrs.times import format_time, utc_now
from lrs.xapi import model
from lrs.xapi.errors import BadRequest, Conflict, XAPIError

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
STATEMENTS_STREAM = "statements"
STORED_EVENT = "statements.stored"
# statements.seq = event position * SEQ_PER_EVENT + index in the batch; MAX_BATCH must stay below it.
SEQ_PER_EVENT = 1 << 14
# The newest statement stored at or before a time (ix_statements_stored is (stored, seq)).
_LAST_SEQ_AT = (select(statements.c.seq).where(statements.c.stored <= bindparam("t"))
                .order_by(statements.c.stored.desc(), statements.c.seq.desc()).limit(1))
# Is a writer inside the log lock (a transaction advisory lock, lrs.db.engine), and the newest event's time.
_LOCK_PARTS = {"classid": EVENTLOG_LOCK_KEY >> 32, "objid": EVENTLOG_LOCK_KEY & 0xFFFFFFFF}
_WRITER_BUSY = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = :classid "
    "AND objid = :objid AND objsubid = 1 AND granted) AS busy, "
    "(SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1) AS head_at")
# Stored statements among the ids, and voiding statements that target them, in one round trip. A UNION of two
# index lookups: the same two conditions joined by OR make PostgreSQL scan the whole table.
_EXISTING_OR_VOIDED = union_all(
    select(statements.c.statement_id, statements.c.data, null().label("voids"))
    .where(statements.c.statement_id.in_(bindparam("ids", expanding=True))),
    select(null(), null(), statements.c.voids)
    .where(statements.c.voids.in_(bindparam("ids", expanding=True))),
)


@dataclass
class AttachmentPart:
    """The raw data of one attachment received in a multipart request."""

    sha2: str
    content_type: str
    content: bytes


@dataclass
class StatementQuery:
    """The filters of a GET /statements list, also serialised into ``more`` cursors."""

    agent: str | None = None  # agent key
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: str | None = None  # stored text (fixed-width UTC)
    until: str | None = None
    limit: int = 0
    ascending: bool = False
    authority: str | None = None  # statements/read/mine: only what this credential stored
    after_seq: int | None = None  # cursor: exclusive bound in the direction of travel
    head_seq: int | None = None  # newest seq visible when the first page was read (stable paging)

    def to_token(self, signer: URLSafeSerializer) -> str:
        """The cursor text of a ``more`` link: the query, signed (opaque to clients, and tamper-proof)."""
        return signer.dumps({k: v for k, v in self.__dict__.items() if v not in (None, False)})

    @classmethod
    def from_token(cls, token: str, signer: URLSafeSerializer) -> "StatementQuery":
        """The query a :meth:`to_token` cursor carries; 400 if it was not made by this LRS or is malformed.

        The signature is what makes the cursor safe to hand out: its fields (filters, paging bounds, the
        ``authority`` restriction) were chosen by this server, so a client cannot widen them. The caller still
        re-applies the reader's own restrictions on every page (a cursor may be passed to another credential).
        The types are checked anyway, so a cursor from another version of this code is a 400 too, never a 500.
        """
        try:
            data = signer.loads(token)
        except BadData:
            raise BadRequest("the 'more' cursor is not one this LRS handed out (or it was altered)") from None
        if not isinstance(data, dict) or set(data) - _CURSOR_FIELDS.keys():
            raise BadRequest("the 'more' cursor is not valid")
        for k, v in data.items():
            want = _CURSOR_FIELDS[k]
            if v is not None and (type(v) is not want):  # bool is not accepted for int, nor int for bool
                raise BadRequest("the 'more' cursor is not valid")
        return cls(**data)


# Field -> the JSON type a cursor must give it (None is accepted for every field).
_CURSOR_FIELDS: dict[str, type] = {
    "agent": str, "verb": str, "activity": str, "registration": str, "related_activities": bool,
    "related_agents": bool, "since": str, "until": str, "limit": int, "ascending": bool, "authority": str,
    "after_seq": int, "head_seq": int,
}


def cursor_signer(secret_key: str | list[str]) -> URLSafeSerializer:
    """The signer of ``more`` cursors (HMAC-SHA256 via itsdangerous, under a salt of its own so that no other
    signed value of this LRS is ever accepted as a cursor). A list of keys: the last signs, any verifies."""
    return URLSafeSerializer(secret_key, salt="lrs.statements.more",
                             signer_kwargs={"digest_method": hashlib.sha256})


@dataclass
class StoredPage:
    """One page of query results: statement JSON texts, and the cursor for the next page if any."""

    rows: list[Any]
    more: StatementQuery | None = None
    attachment_shas: set[str] = field(default_factory=set)


# Index rows: direct=True for the keys the plain filter matches, direct=False for every key the related_* filter
# matches (a superset, so direct keys have both rows). Each filter is then one exact (key, direct, seq) index
# range, read newest first, whatever the key's frequency.
def _agent_index_rows(seq: int, stmt: dict[str, Any]) -> list[dict[str, Any]]:
    direct, related = model.referenced_agents(stmt)
    rows = [{"seq": seq, "agent_key": k, "direct": True} for k in direct]
    rows += [{"seq": seq, "agent_key": k, "direct": False} for k in related]
    return rows


def _activity_index_rows(seq: int, stmt: dict[str, Any]) -> list[dict[str, Any]]:
    direct, related = model.referenced_activities(stmt)
    rows = [{"seq": seq, "activity_id": k, "direct": True} for k in direct]
    rows += [{"seq": seq, "activity_id": k, "direct": False} for k in related]
    return rows


def _record_metadata(conn: Connection, stmts: list[dict[str, Any]], position: int, can_define: bool) -> None:
    """Canonical activity definitions and agent names (lrs.store.activities), in the same transaction."""
    from lrs.store import activities

    activities.record_statement_metadata(conn, stmts, position, can_define=can_define)


@dataclass
class SaveRequest:
    """One request's prepared batch, as :meth:`StatementStore.save_group` takes it."""

    prepared: list[dict[str, Any]]
    parts: dict[str, AttachmentPart]
    authority_key: str
    can_define: bool = True


def _used_parts(new: list[dict[str, Any]], parts: dict[str, AttachmentPart]) -> list[AttachmentPart]:
    used = {a["sha2"] for s in new for a in s.get("attachments", ()) if "sha2" in a}
    return [p for sha, p in parts.items() if sha in used]


def _attachment_meta(new: list[dict[str, Any]], parts: dict[str, AttachmentPart]) -> list[dict[str, Any]]:
    return [{"sha2": p.sha2, "contentType": p.content_type, "length": len(p.content)} for p in _used_parts(new, parts)]


class StatementStore:
    """Stores and reads statements through the event log."""

    def __init__(self, engine: Engine, store: EventStore) -> None:
        self.engine = engine
        self.store = store

    # -- writing -------------------------------------------------------------------------------------------

    def save(self, prepared: list[dict[str, Any]], parts: dict[str, AttachmentPart], *, authority_key: str,
             can_define: bool = True) -> list[str]:
        """Store validated, normalised statements (ids assigned, ``stored`` not yet); returns their ids.

        Statements whose id is already stored with an equivalent statement are skipped (the spec forbids
        changing anything); a different statement under a stored id fails the whole batch with 409.
        """
        result = self.save_group([SaveRequest(prepared, parts, authority_key, can_define)])[0]
        if isinstance(result, XAPIError):
            raise result
        return result

    def save_group(self, requests: Sequence[SaveRequest], *, extra_events: Sequence[NewEvent] = (),
                   atomic: bool = False) -> list[list[str] | XAPIError]:
        """Store several requests' batches in one transaction, each batch still one event of its own.

        A batch that conflicts with what is stored (or with an earlier batch of the group) gets its error in
        the result list and writes nothing; the others are stored. A database failure fails them all.

        ``atomic``: a conflict in any batch raises it and stores nothing at all (an attendance import is one
        append, all or nothing, however many events its statements need). ``extra_events`` are appended after
        the statements' events in the same append (a pull's cursor, so that statements and the cursor that
        says they were fetched are stored together or not at all); they are appended even when every
        statement was already stored.
        """
        all_ids = list(dict.fromkeys(s["id"] for r in requests for s in r.prepared))
        with self.store.write() as tx:
            conn = tx.conn
            # One query answers both questions the ids raise: which are stored already, and which were voided
            # before they arrived (a voiding statement may precede its target).
            existing: dict[str, Any] = {}
            late_voided: set[str] = set()
            for chunk in chunks(all_ids):
                wanted = set(chunk)
                for r in conn.execute(_EXISTING_OR_VOIDED, {"ids": list(chunk)}):
                    if r.statement_id in wanted:
                        existing[r.statement_id] = r.data
                    if r.voids in wanted:
                        late_voided.add(r.voids)
            results: list[list[str] | XAPIError] = []
            accepted: list[tuple[SaveRequest, list[dict[str, Any]]]] = []
            for req in requests:
                new, error = self._new_statements(req.prepared, existing)
                if error is not None and atomic:
                    raise error  # leaves the transaction: nothing of the group is written
                results.append(error if error is not None else [s["id"] for s in req.prepared])
                if error is None and new:
                    for st in new:
                        existing[st["id"]] = st  # a later batch of the group sees it as stored
                    accepted.append((req, new))
            if not accepted:
                if extra_events:
                    tx.append(list(extra_events))
                return results
            stored = format_time(tx.now)
            events = []
            for req, new in accepted:
                for st in new:
                    st["stored"] = stored
                    st.setdefault("timestamp", stored)
                events.append(NewEvent(STORED_EVENT, STATEMENTS_STREAM,
                                       {"statements": new, "attachments": _attachment_meta(new, req.parts)}))
            recs = tx.append(events + list(extra_events))[:len(events)]
            batches = [(new, rec.position, req.authority_key) for (req, new), rec in zip(accepted, recs)]
            self._write_rows(conn, batches, late_voided)
            self._write_blobs(conn, [p for req, new in accepted for p in _used_parts(new, req.parts)])
            for define in (True, False):
                stmts = [st for (req, new) in accepted if req.can_define is define for st in new]
                if stmts:
                    # The group's last position stands for "updated by": positions within a group are adjacent.
                    _record_metadata(conn, stmts, recs[-1].position, define)
        return results

    @staticmethod
    def _new_statements(prepared: list[dict[str, Any]], existing: dict[str, Any]
                        ) -> tuple[list[dict[str, Any]], XAPIError | None]:
        new: list[dict[str, Any]] = []
        for st in prepared:
            old = existing.get(st["id"])
            if old is None:
                new.append(st)
                continue
            old_obj = old if isinstance(old, dict) else orjson.loads(old)
            if not model.statements_equivalent(old_obj, st):
                return [], Conflict(f"statement {st['id']} is already stored with different content")
        return new, None

    def _write_rows(self, conn: Connection, batches: list[tuple[list[dict[str, Any]], int, str]],
                    late_voided: set[str]) -> None:
        # seq derives from the event's position, which the writer lock makes increase in commit order: no
        # max(seq) query, and a statement's place in stored order is its place in the log.
        rows: list[dict[str, Any]] = []
        agent_rows: list[dict[str, Any]] = []
        activity_rows: list[dict[str, Any]] = []
        voids: list[str] = []
        for new, position, authority_key in batches:
            self._rows_for(new, position, authority_key, late_voided, rows, agent_rows, activity_rows, voids)
        insert_rows(conn, statements, rows)
        insert_rows(conn, statement_agents, agent_rows)
        insert_rows(conn, statement_activities, activity_rows)
        # A voiding statement voids its target, unless the target is itself a voiding statement (those cannot
        # be voided). Runs after every row of the group is in, so a target stored beside its voiding is found.
        for chunk in chunks(voids):
            conn.execute(update(statements)
                         .where(statements.c.statement_id.in_(list(chunk)), statements.c.voids.is_(None))
                         .values(voided=True))

    @staticmethod
    def _rows_for(new: list[dict[str, Any]], position: int, authority_key: str, late_voided: set[str],
                  rows: list[dict[str, Any]], agent_rows: list[dict[str, Any]],
                  activity_rows: list[dict[str, Any]], voids: list[str]) -> None:
        base = position * SEQ_PER_EVENT
        for i, s in enumerate(new):
            seq = base + i
            obj = s["object"]
            is_ref = obj.get("objectType") == "StatementRef"
            voiding = is_ref and s["verb"]["id"] == VOIDED_VERB
            if voiding:
                voids.append(obj["id"])
            ctx = s.get("context") or {}
            rows.append({
                "seq": seq, "statement_id": s["id"], "position": position, "stored": s["stored"],
                "timestamp": s["timestamp"], "verb_id": s["verb"]["id"], "actor_key": model.agent_key(s["actor"]),
                "registration": ctx.get("registration"), "voids": obj["id"] if voiding else None,
                "voided": s["id"] in late_voided and not voiding,
                "ref_id": obj["id"] if is_ref else None, "authority_key": authority_key,
                "version": s.get("version", "1.0.0"), "has_attachments": bool(s.get("attachments")),
                "data": orjson.dumps(s).decode(),
            })
            agent_rows += _agent_index_rows(seq, s)
            activity_rows += _activity_index_rows(seq, s)

    def _write_blobs(self, conn: Connection, parts: list[AttachmentPart]) -> None:
        if not parts:
            return
        have = set(conn.execute(select(blobs.c.sha2).where(blobs.c.sha2.in_([p.sha2 for p in parts]))).scalars())
        fresh = {p.sha2: p for p in parts if p.sha2 not in have}
        if fresh:
            conn.execute(insert(blobs), [{"sha2": p.sha2, "content_type": p.content_type, "content": p.content}
                                         for p in fresh.values()])

    # -- reading -------------------------------------------------------------------------------------------

    def get_one(self, statement_id: str, *, voided: bool, authority: str | None = None) -> Any | None:
        """The row of one statement: not voided (``statementId``) or voided (``voidedStatementId``)."""
        q = select(statements.c.data, statements.c.stored, statements.c.has_attachments).where(
            statements.c.statement_id == statement_id, statements.c.voided.is_(voided))
        if authority is not None:
            q = q.where(statements.c.authority_key == authority)
        with self.engine.connect() as conn:
            return conn.execute(q).first()

    def _filters(self, q: StatementQuery, target: Any) -> list[Any]:
        """Conditions of the non-time filters on the statements table alias ``target`` (as EXISTS clauses)."""
        conds: list[Any] = []
        if q.verb:
            conds.append(target.c.verb_id == q.verb)
        if q.registration:
            conds.append(target.c.registration == q.registration)
        if q.agent:
            sa = statement_agents
            conds.append(exists().where(sa.c.seq == target.c.seq, sa.c.agent_key == q.agent,
                                        sa.c.direct.is_(not q.related_agents)))
        if q.activity:
            sc = statement_activities
            conds.append(exists().where(sc.c.seq == target.c.seq, sc.c.activity_id == q.activity,
                                        sc.c.direct.is_(not q.related_activities)))
        return conds

    def _main_select(self, q: StatementQuery) -> tuple[Select[Any], Any, bool]:
        """The page query, driven by the most selective index: (select, seq column to range and order on, any filter).

        With an agent or activity filter the query starts from that index table's (key, direct, seq) range,
        newest first, and joins each row to its statement, so it stops after one page however common the key.
        """
        s = statements
        cols = (s.c.seq, s.c.data, s.c.has_attachments)
        source: Any = s
        conds: list[Any] = []
        drive = s.c.seq
        if q.agent:
            sa = statement_agents
            source = source.join(sa, sa.c.seq == s.c.seq)
            conds += [sa.c.agent_key == q.agent, sa.c.direct.is_(not q.related_agents)]
            drive = sa.c.seq
        if q.activity:
            sc = statement_activities
            source = source.join(sc, sc.c.seq == s.c.seq)
            conds += [sc.c.activity_id == q.activity, sc.c.direct.is_(not q.related_activities)]
            if drive is s.c.seq:
                drive = sc.c.seq
        if q.verb:
            conds.append(s.c.verb_id == q.verb)
        if q.registration:
            conds.append(s.c.registration == q.registration)
        return select(*cols).select_from(source).where(*conds), drive, bool(conds)

    def _seq_bounds(self, conn: Connection, q: StatementQuery) -> tuple[int | None, int | None]:
        """``since``/``until`` as a seq range: (exclusive lower, inclusive upper).

        ``stored`` never decreases along ``seq`` (both follow the log, whose recorded time never goes back), so
        "stored after T" is "seq after the last statement stored at or before T" — one index probe, after which
        the page is an index range rather than a filter over every newer statement.
        """
        def last_at_or_before(t: str) -> int:
            return int(conn.execute(_LAST_SEQ_AT, {"t": t}).scalar() or 0)

        lo = last_at_or_before(q.since) if q.since else None
        hi = last_at_or_before(q.until) if q.until else None
        return lo, hi

    def _window(self, q: StatementQuery, sel: Select[Any], limit: int, seq: Any,
                bounds: tuple[int | None, int | None]) -> Select[Any]:
        s = statements
        sel = sel.where(s.c.voided.is_(False))
        lo, hi = bounds
        if lo is not None:
            sel = sel.where(seq > lo)
        if hi is not None:
            sel = sel.where(seq <= hi)
        if q.authority:
            sel = sel.where(s.c.authority_key == q.authority)
        if q.head_seq is not None:
            sel = sel.where(seq <= q.head_seq)
        if q.after_seq is not None:
            sel = sel.where(seq > q.after_seq if q.ascending else seq < q.after_seq)
        return sel.order_by(seq.asc() if q.ascending else seq.desc()).limit(limit)

    def query(self, q: StatementQuery, page_limit: int) -> StoredPage:
        """One page of statements matching ``q`` plus statements that target them by StatementRef."""
        limit = min(q.limit, page_limit) if q.limit > 0 else page_limit
        s = statements
        with self.engine.connect() as conn:
            if q.head_seq is None:
                q.head_seq = int(conn.execute(select(func.coalesce(func.max(s.c.seq), 0))).scalar_one())
            bounds = self._seq_bounds(conn, q)
            sel, drive, filtered = self._main_select(q)
            rows = list(conn.execute(self._window(q, sel, limit + 1, drive, bounds)))
            if filtered:
                ref_seqs = self._targeting(conn, q)
                if ref_seqs:
                    extra = conn.execute(self._window(
                        q, select(s.c.seq, s.c.data, s.c.has_attachments).where(s.c.seq.in_(ref_seqs)),
                        limit + 1, s.c.seq, bounds))
                    merged = {r.seq: r for r in rows}
                    merged.update({r.seq: r for r in extra})
                    rows = sorted(merged.values(), key=lambda r: r.seq, reverse=not q.ascending)[:limit + 1]
        more = None
        if len(rows) > limit:
            rows = rows[:limit]
            more = StatementQuery(**{**q.__dict__, "after_seq": rows[-1].seq})
        return StoredPage(rows=rows, more=more)

    def _targeting(self, conn: Connection, q: StatementQuery) -> list[int]:
        """Seqs of statements that target (by StatementRef, recursively) a statement matching the filters.

        xAPI 1.0.3 Communication 2.1.3 "Filter Conditions for StatementRefs". StatementRefs are rare, so the
        walk starts from the (indexed) set of referencing statements rather than from the matches.
        """
        s = statements
        target = s.alias("target")
        frontier_q = (select(s.c.seq, s.c.statement_id)
                      .join(target, target.c.statement_id == s.c.ref_id)
                      .where(s.c.ref_id.is_not(None), *self._filters(q, target)))
        # The head bound is applied here rather than in SQL: "seq <= head" would tempt SQLite into a primary-key
        # range over nearly the whole table instead of the small partial index on ref_id.
        head = q.head_seq
        found: dict[int, str] = {r.seq: r.statement_id for r in conn.execute(frontier_q)
                                 if head is None or r.seq <= head}
        frontier = list(found.values())
        for _ in range(50):  # a chain of references cannot be deeper than this in practice
            if not frontier:
                break
            nxt: list[str] = []
            for chunk in chunks(frontier):
                for r in conn.execute(select(s.c.seq, s.c.statement_id).where(s.c.ref_id.in_(list(chunk)))):
                    if r.seq not in found:
                        found[r.seq] = r.statement_id
                        nxt.append(r.statement_id)
            frontier = nxt
        return list(found)

    def blobs_for(self, shas: set[str]) -> list[AttachmentPart]:
        """Attachment contents by SHA-2, for multipart responses."""
        if not shas:
            return []
        with self.engine.connect() as conn:
            return [AttachmentPart(r.sha2, r.content_type, r.content)
                    for r in conn.execute(select(blobs).where(blobs.c.sha2.in_(sorted(shas))))]

    def with_canonical_definitions(self, stmts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Copies of ``stmts`` whose Activity objects carry the LRS's canonical definitions (format=canonical)."""
        from lrs.store.tables import activities

        ids: set[str] = set()

        def collect(s: dict[str, Any]) -> None:
            obj = s.get("object") or {}
            if obj.get("objectType", "Activity") == "Activity" and "id" in obj:
                ids.add(obj["id"])
            if obj.get("objectType") == "SubStatement":
                collect(obj)
            for acts in ((s.get("context") or {}).get("contextActivities") or {}).values():
                for a in acts if isinstance(acts, list) else [acts]:
                    ids.add(a["id"])

        for s in stmts:
            collect(s)
        if not ids:
            return stmts
        with self.engine.connect() as conn:
            defs = {r.activity_id: orjson.loads(r.definition) for r in conn.execute(
                select(activities.c.activity_id, activities.c.definition)
                .where(activities.c.activity_id.in_(sorted(ids))))}

        def canon(a: dict[str, Any]) -> dict[str, Any]:
            d = defs.get(a.get("id", ""))
            return {**a, "definition": d} if d else a

        def apply(s: dict[str, Any]) -> dict[str, Any]:
            s = dict(s)
            obj = s.get("object") or {}
            if obj.get("objectType", "Activity") == "Activity":
                s["object"] = canon(obj)
            elif obj.get("objectType") == "SubStatement":
                s["object"] = apply(obj)
            ctx = s.get("context")
            if ctx and ctx.get("contextActivities"):
                ca = {k: [canon(a) for a in (v if isinstance(v, list) else [v])]
                      for k, v in ctx["contextActivities"].items()}
                s["context"] = {**ctx, "contextActivities": ca}
            return s

        return [apply(s) for s in stmts]

    def consistent_through(self, *, check_writers: bool = True) -> str:
        """A time before which every statement that is or will be stored is visible now.

        Statements become visible when their transaction commits, and a writer stamps ``stored`` only once it
        holds the log lock, never earlier than the head's time. So: if no writer holds the lock, every
        statement stored before the moment we looked is committed; if one does, everything stored before the
        head's time is. SQLite offers no cheap way to see another process's writer, so there the answer is the
        time we looked (its writers hold the lock for milliseconds).
        """
        looked = format_time(utc_now())
        if not check_writers or self.engine.dialect.name != "postgresql":
            return looked
        with self.engine.connect() as conn:
            row = conn.execute(_WRITER_BUSY, _LOCK_PARTS).one()
        return str(row.head_at) if row.busy and row.head_at else looked


def iter_stored_statements(engine: Engine, since: str | None = None, batch: int = 2000) -> Iterator[str]:
    """Every stored statement as JSON text, in stored order (``lrs export statements``)."""
    last = 0
    since_text = format_time(model.parse_timestamp(since)) if since else None
    while True:
        q = select(statements.c.seq, statements.c.data).where(statements.c.seq > last)
        if since_text:
            q = q.where(statements.c.stored > since_text)
        with engine.connect() as conn:
            rows = conn.execute(q.order_by(statements.c.seq).limit(batch)).all()
        if not rows:
            return
        for r in rows:
            yield r.data
        last = rows[-1].seq


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as hex."""
    return hashlib.sha256(data).hexdigest()


