"""Import planning: what an import would store, void and leave alone, and which rows it rejects, and why.

``plan_import`` is pure. Given a ParseResult, a roster lookup and the statements earlier imports stored for the
same sessions, it decides:

* ``store``: statements whose deterministic id is not among the earlier ones (new people, changed minutes);
* ``void``: earlier statements the file no longer says (a person removed, a duration changed — the replacement
  is in ``store``), as voiding statements;
* ``unchanged``: earlier statements the file still says, id for id (importing the same file twice plans
  nothing new);
* ``rejected``: rows that cannot be imported, each with its line numbers and reason; the plan is ``valid`` only
  when there are none (the caller's all-or-nothing write and ``--skip-invalid`` decide what to do with it);
* ``held``: earlier statements that are not in the file but are not voided either, because the file has rows
  that might be that person (rows matching no one in the same session, or the person's own rejected rows).
  Voiding on a partial reading would lose credit that a fixed roster or a fixed row would have kept.

Rules worth knowing: a person named twice in a file (two e-mails of the same roster person) is merged and their
minutes added; if any of a person's rows in a session is rejected, the rest of their rows there are rejected too
(a statement must reflect all of its rows, never a partial total); zero minutes are rejected.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lrs.xapi.errors import XAPIError
from lrs.xapi.validation import validate_statement

from adapters.files import SourceInfo
from adapters.people import PersonMatch, RosterLookup
from adapters.records import ATTENDED, Attendance, ParseResult, Rejected, Session, Skipped
from adapters.statements import (PriorStatement, build_statement, build_void, fresh_statement_id, priors_from_mapping,
                                 statement_timestamp)

Key = tuple[str, str, str]  # (session IRI, employee id, verb)


@dataclass(frozen=True)
class PlannedStatement:
    """An attended/registered statement to store; ``replaces`` are the earlier ids it supersedes (voided)."""

    statement: dict[str, Any]
    person_key: str
    person_name: str | None
    session_iri: str
    verb: str
    seconds: int | None
    lines: tuple[int, ...]
    replaces: tuple[str, ...] = ()
    rows: int = 1                  # rows that made it up (``lines`` lists at most records.MAX_LINES of them)

    @property
    def id(self) -> str:
        return str(self.statement["id"])


@dataclass(frozen=True)
class PlannedVoid:
    """A voiding statement for an earlier import's statement ``target``."""

    statement: dict[str, Any]
    target: str
    person_key: str
    session_iri: str
    verb: str
    reason: str

    @property
    def id(self) -> str:
        return str(self.statement["id"])


@dataclass(frozen=True)
class Unchanged:
    """An earlier statement the file still says exactly."""

    statement_id: str
    person_key: str
    person_name: str | None
    session_iri: str
    verb: str
    lines: tuple[int, ...]
    rows: int = 1


@dataclass(frozen=True)
class Held:
    """An earlier statement not voided although the file does not say it (see the module docstring)."""

    prior: PriorStatement
    reason: str


@dataclass
class ImportPlan:
    """The outcome of planning one file. ``statements()`` is what to write, in order."""

    importer: str
    layout: str
    description: str
    source: SourceInfo
    sessions: list[Session]
    store: list[PlannedStatement] = field(default_factory=list)
    void: list[PlannedVoid] = field(default_factory=list)
    unchanged: list[Unchanged] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored_priors: int = 0  # earlier statements passed in for sessions this file does not mention

    @property
    def valid(self) -> bool:
        """True when no row was rejected: the whole file can be written."""
        return not self.rejected

    @property
    def nothing_to_do(self) -> bool:
        return not self.store and not self.void

    def statements(self) -> list[dict[str, Any]]:
        """The statements to write: the new ones, then the voiding ones (each voids an earlier import's)."""
        return [p.statement for p in self.store] + [v.statement for v in self.void]

    def summary(self) -> dict[str, int]:
        return {"store": len(self.store), "void": len(self.void), "unchanged": len(self.unchanged),
                "rejected": len(self.rejected), "skipped": len(self.skipped), "held": len(self.held)}


def _minutes(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds / 60:.2f}".rstrip("0").rstrip(".")


def _who(att: Attendance) -> str:
    ident = att.email or f"employee id {att.employee_id}"
    return f"{att.name} <{ident}>" if att.name else ident


def _lines(lines: Iterable[int]) -> str:
    ordered = sorted(set(lines))
    return ("line " if len(ordered) == 1 else "lines ") + ", ".join(map(str, ordered))


def _match(att: Attendance, roster: RosterLookup) -> PersonMatch | Rejected:
    by_email = roster.by_email(att.email) if att.email else None
    by_id = roster.by_employee_id(att.employee_id) if att.employee_id else None
    if by_email is not None and by_id is not None and by_email.employee_id != by_id.employee_id:
        return Rejected(tuple(att.lines), "ambiguous_person",
                        f"{_who(att)}: the e-mail is employee {by_email.employee_id}'s but the employee id is "
                        f"{by_id.employee_id}'s", att.session, att.file_key)
    match = by_email or by_id
    if match is None:
        what = " and ".join(x for x in (f"e-mail {att.email}" if att.email else "",
                                        f"employee id {att.employee_id}" if att.employee_id else "") if x)
        return Rejected(tuple(att.lines), "unmatched", f"{_who(att)}: no one in the roster has {what}",
                        att.session, att.file_key)
    return match


def _as_priors(previous: Iterable[PriorStatement] | Mapping[str, str], parsed: ParseResult) -> list[PriorStatement]:
    if isinstance(previous, Mapping):
        iris = parsed.session_iris()
        if len(iris) != 1:
            raise ValueError("a {person: statement id} mapping of earlier imports needs a one-session file; pass "
                             "PriorStatement objects naming their sessions")
        return priors_from_mapping(iris[0], previous)
    return list(previous)


def plan_import(parsed: ParseResult, roster: RosterLookup,
                previous: Iterable[PriorStatement] | Mapping[str, str] = (), *,
                voided_ids: Collection[str] = (), validate: bool = True) -> ImportPlan:
    """Plan the import of ``parsed`` (see the module docstring).

    ``previous``: the non-voided statements earlier imports stored for this file's sessions (PriorStatement,
    e.g. from ``priors_from_statements``; or {employee id: statement id} for a one-session file).
    ``voided_ids``: ids of this file's sessions that were voided before, so that no new statement reuses one.
    ``validate``: run ``validate_statement`` on every planned statement (the caller may skip it when its write
    path validates them anyway; it is about half of planning's time).
    """
    sessions = parsed.sessions
    plan = ImportPlan(parsed.importer, parsed.layout, parsed.describe(), parsed.source, list(sessions.values()),
                      skipped=list(parsed.skipped), warnings=list(parsed.warnings))
    rejected: list[Rejected] = list(parsed.rejected)
    # Rows the importer rejected taint the rest of that person's rows (in that session, or all if unknown).
    tainted: dict[tuple[str | None, str], list[int]] = {}
    for r in parsed.rejected:
        if r.person is not None:
            tainted.setdefault((r.session, r.person), []).extend(r.lines)
    held_people: dict[tuple[str, str], str] = {}     # (session IRI, employee id) -> why their priors are held
    unmatched_in: dict[str, list[int]] = {}           # session IRI -> lines of rows matching no one

    merged: dict[Key, tuple[Attendance, PersonMatch]] = {}
    for att in sorted(parsed.attendances, key=lambda a: min(a.lines)):
        session = sessions[att.session]
        bad_lines = tainted.get((att.session, att.file_key), []) + tainted.get((None, att.file_key), [])
        result = _match(att, roster)
        if bad_lines:
            rejected.append(Rejected(tuple(att.lines), "incomplete", f"{_who(att)}: not imported because "
                                     f"{_lines(bad_lines)} of theirs {'was' if len(set(bad_lines)) == 1 else 'were'} "
                                     "rejected", att.session, att.file_key))
            if isinstance(result, PersonMatch):
                held_people[(session.iri, result.employee_id)] = f"their {_lines(bad_lines)} rejected"
            continue
        if isinstance(result, Rejected):
            rejected.append(result)
            if result.code == "unmatched":
                unmatched_in.setdefault(session.iri, []).extend(att.lines)
            continue
        key = (session.iri, result.employee_id, att.status)
        if key in merged:
            merged[key][0].merge(att)  # the same roster person under two e-mails / an e-mail and an id
        else:
            merged[key] = (att.copy(), result)

    priors = [p for p in _as_priors(previous, parsed)]
    file_iris = {s.iri for s in sessions.values()}
    plan.ignored_priors = sum(1 for p in priors if p.session_iri not in file_iris)
    priors = [p for p in priors if p.session_iri in file_iris]
    prior_by_id = {p.statement_id.lower(): p for p in priors}
    prior_by_key: dict[Key, list[PriorStatement]] = {}
    for p in priors:
        prior_by_key.setdefault((p.session_iri, p.person_key, p.verb), []).append(p)
    voided = {v.lower() for v in voided_ids}
    accounted: set[str] = set()
    zero: dict[tuple[str, str], str] = {}

    for key, (att, match) in sorted(merged.items(), key=lambda kv: min(kv[1][0].lines)):
        session_iri, eid, verb = key
        session = sessions[att.session]
        if verb == ATTENDED and att.seconds == 0:
            rejected.append(Rejected(tuple(sorted(att.lines)), "zero_minutes", f"{_who(att)}: attended 0 minutes",
                                     att.session, att.file_key))
            zero[(session_iri, eid)] = "the file now credits 0 minutes"
            continue
        sid = fresh_statement_id(session_iri, eid, verb, att.seconds, statement_timestamp(att, session), voided)
        lines = tuple(sorted(att.lines))
        if sid in prior_by_id:
            accounted.add(sid)
            plan.unchanged.append(Unchanged(sid, eid, match.name or att.name, session_iri, verb, lines, att.rows))
            continue
        stmt = build_statement(att, session, match, statement_id=sid, parsed=parsed)
        try:
            if validate:
                validate_statement(stmt, version="1.0.3")
        except XAPIError as exc:
            rejected.append(Rejected(lines, "invalid_statement", f"{_who(att)}: the statement would be invalid: "
                                     f"{exc.message}", att.session, att.file_key))
            held_people[(session_iri, eid)] = "its statement would be invalid"
            continue
        replaced = [p for p in prior_by_key.get(key, []) if p.statement_id.lower() not in accounted]
        for p in replaced:
            accounted.add(p.statement_id.lower())
            change = (f"{_minutes(p.seconds)} -> {_minutes(att.seconds)} min" if p.seconds != att.seconds
                      else "date or details changed")
            _void(plan, parsed, p, f"replaced by {sid} ({change})")
        plan.store.append(PlannedStatement(stmt, eid, match.name or att.name, session_iri, verb, att.seconds, lines,
                                           tuple(p.statement_id for p in replaced), att.rows))

    for p in priors:
        if p.statement_id.lower() in accounted:
            continue
        why = held_people.get((p.session_iri, p.person_key))
        if why is None and p.session_iri in unmatched_in:
            why = (f"the file has rows matching no one in this session ({_lines(unmatched_in[p.session_iri])}); "
                   "one may be this person")
        if why is not None:
            plan.held.append(Held(p, f"not voided: {why}"))
        else:
            _void(plan, parsed, p, zero.get((p.session_iri, p.person_key), "no longer in the file"))
        accounted.add(p.statement_id.lower())
    plan.rejected = sorted(rejected, key=lambda r: (r.line, r.code))
    undated = sum(1 for p in plan.store if p.verb == ATTENDED and "timestamp" not in p.statement)
    if undated:
        plan.warnings.append(f"the file gives no session date: {undated} attended statement{'s' if undated > 1 else ''}"
                             " carry no timestamp (the LRS stamps them when stored); set session.start in the mapping")
    return plan


def _void(plan: ImportPlan, parsed: ParseResult, prior: PriorStatement, reason: str) -> None:
    stmt = build_void(prior.statement_id, reason=reason, parsed=parsed)
    validate_statement(stmt, version="1.0.3")  # built from our own constants: a failure here is a bug
    plan.void.append(PlannedVoid(stmt, prior.statement_id, prior.person_key, prior.session_iri, prior.verb, reason))


# ---------------------------------------------------------------------------------------------------------
# Renderers (for --dry-run)
# ---------------------------------------------------------------------------------------------------------

def _session_label(plan: ImportPlan, iri: str) -> str:
    session = next((s for s in plan.sessions if s.iri == iri), None)
    if session and session.name:
        return session.name
    return iri if len(iri) <= 40 else "…" + iri[-39:]  # the end of an IRI is the part that differs


def _person(key: str | None, name: str | None) -> str:
    if key is None:
        return "-"
    return f"{name} ({key})" if name else key


def _line_list(lines: tuple[int, ...], rows: int = 0) -> str:
    text = ",".join(map(str, lines))
    return text + (f",…(+{rows - len(lines)})" if rows > len(lines) else "")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(plan: ImportPlan) -> str:
    """A plain-text report of the plan: what was read, each action with its lines, and the verdict."""
    out = [plan.description]
    out += [f"note: {w}" for w in plan.warnings]
    for s in plan.sessions:
        when = f", {s.start.isoformat(timespec='minutes')}" if s.start else ""
        parent = f", part of {s.parent.name or s.parent.iri}" if s.parent else ""
        out.append(f"session: {s.name or '(unnamed)'} <{s.iri}>{when}{parent}")
    rows: list[tuple[str, str, str, str, str, str]] = []
    for p in plan.store:
        action = "replace" if p.replaces else "store"
        rows.append((f"{action} {p.verb}", _line_list(p.lines, p.rows), _person(p.person_key, p.person_name),
                     _session_label(plan, p.session_iri), _minutes(p.seconds), p.id))
    for v in plan.void:
        rows.append(("void", "-", _person(v.person_key, None), _session_label(plan, v.session_iri), "-",
                     f"{v.target} ({v.reason})"))
    for u in plan.unchanged:
        rows.append((f"unchanged {u.verb}", _line_list(u.lines, u.rows), _person(u.person_key, u.person_name),
                     _session_label(plan, u.session_iri), "-", u.statement_id))
    for h in plan.held:
        rows.append(("held", "-", _person(h.prior.person_key, None), _session_label(plan, h.prior.session_iri), "-",
                     f"{h.prior.statement_id} ({h.reason})"))
    for r in plan.rejected:
        rows.append(("REJECTED", _line_list(r.lines), "-", "-", "-", f"{r.code}: {r.reason}"))
    for k in plan.skipped:
        rows.append(("skipped", str(k.line), "-", "-", "-", k.reason))
    if rows:
        header = ("ACTION", "LINES", "PERSON", "SESSION", "MINUTES", "STATEMENT / REASON")
        clipped = [tuple(_clip(c, 40) if i in (2, 3) else c for i, c in enumerate(row)) for row in rows]
        widths = [max(len(header[i]), *(len(r[i]) for r in clipped)) for i in range(5)]
        out.append("")
        for row in [header, *clipped]:
            out.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row[:5])) + "  " + row[5])
    counts = plan.summary()
    out.append("")
    line = (f"{counts['store']} to store, {counts['void']} to void, {counts['unchanged']} unchanged, "
            f"{counts['rejected']} rejected, {counts['skipped']} skipped")
    if counts["held"]:
        line += f", {counts['held']} held"
    if plan.valid:
        line += " — valid" + (": nothing new to import" if plan.nothing_to_do else "")
    else:
        line += (f" — NOT VALID: {counts['rejected']} rejected row{'s' if counts['rejected'] != 1 else ''} "
                 "(nothing is written unless --skip-invalid)")
    out.append(line)
    return "\n".join(out) + "\n"


def plan_as_json(plan: ImportPlan) -> dict[str, Any]:
    """The plan as plain JSON data (for ``--dry-run --json``), statements included."""
    return {
        "description": plan.description,
        "importer": plan.importer,
        "format": plan.layout,
        "file": {"name": plan.source.name, "sha256": plan.source.sha256, "size": plan.source.size,
                 "encoding": plan.source.encoding, "delimiter": plan.source.delimiter},
        "valid": plan.valid,
        "summary": plan.summary(),
        "warnings": list(plan.warnings),
        "sessions": [{"key": s.key, "activity": s.iri, "type": s.activity_type, "name": s.name,
                      "start": s.start.isoformat() if s.start else None,
                      "end": s.end.isoformat() if s.end else None,
                      "parent": s.parent.iri if s.parent else None} for s in plan.sessions],
        "store": [{"id": p.id, "verb": p.verb, "person": p.person_key, "name": p.person_name,
                   "activity": p.session_iri, "minutes": None if p.seconds is None else round(p.seconds / 60, 2),
                   "lines": list(p.lines), "rows": p.rows, "replaces": list(p.replaces), "statement": p.statement}
                  for p in plan.store],
        "void": [{"id": v.id, "target": v.target, "verb": v.verb, "person": v.person_key, "activity": v.session_iri,
                  "reason": v.reason, "statement": v.statement} for v in plan.void],
        "unchanged": [{"id": u.statement_id, "verb": u.verb, "person": u.person_key, "activity": u.session_iri,
                       "lines": list(u.lines), "rows": u.rows} for u in plan.unchanged],
        "held": [{"id": h.prior.statement_id, "person": h.prior.person_key, "activity": h.prior.session_iri,
                  "reason": h.reason} for h in plan.held],
        "rejected": [{"line": r.line, "lines": list(r.lines), "code": r.code, "reason": r.reason}
                     for r in plan.rejected],
        "skipped": [{"line": k.line, "reason": k.reason} for k in plan.skipped],
        "ignored_priors": plan.ignored_priors,
    }
