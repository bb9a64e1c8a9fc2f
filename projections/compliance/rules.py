"""The compliance rules: what a requirement's state is on one date, for one person.

:class:`Evaluator` evaluates the rules at a date D; :mod:`projections.compliance.timeline` calls it at every date
where something can change and merges the results into segments. The rules, with the reasons for each choice
(domain.md sections 0 and 1 are the sources; every threshold is catalog configuration):

**Applicability.** On D the requirement applies when a catalog version in force on D has it, the person has a
roster version in force, is hired (D >= hire_date), active (unless ``include_inactive``) and matches
``applies_to`` (roles, buildings, attributes, ``fte_min``, ``new_hires_only``). Otherwise: not applicable. The
*start* R of applicability is the first day of the unbroken stretch of applicable days containing D — the hire
date, the day a role or assignment began, or the day the catalog introduced the requirement, whichever is
latest. Every "N days after hire" is counted from R, so staff who move into a role, and existing staff when a new
rule appears, get the same grace as a new hire (domain.md section 0: role and assignment history are inputs with
effective dates).

**Deadlines** (``deadline``): ``month_day`` is that day inside the school year; ``days_after_hire`` N is R + N
days and only applies to the school year (or first due date) in which R falls — afterwards the fixed date alone
does; both together take the ``later`` (default) or ``earlier`` of the two (policy 4060: "the end of the 1st
semester or within 30 days of initial employment, whichever is later"). Without a ``month_day`` the fixed date is
the last day of the school year.

**Exemptions.** An administrator's exemption covers its days (``start`` .. ``until`` inclusive, or until revoked)
and suspends the status but not the clock. A live cmi5 ``waived`` statement about a requirement's activity covers
from its date through ``valid-until`` when it carries one, else for as long as a completion on that date would
have covered; once it has ended, the next due date is no earlier than the one such a completion would have given
(a waiver is a substitute completion, not a reason to be overdue at once). Exempt wins over covered and open.

**Kinds** (see the ``_kind_*`` functions for the details):

* ``school_year`` — the period is the school year; due by the deadline in it; covered from the day the evidence
  in the period is complete (with ``min_hours``: the day the cumulative hours reach it) to the period's end.
* ``rolling`` — covered from a completion c through c + ``months`` (inclusive; that day is the next due date,
  OSHA 1910.1030(g)(2)(ii) "within one year of their previous training"); first due by the deadline rule from R.
  With ``min_hours``, a completion is the day the hours since the previous completion, each counted for
  ``months`` after its own date, reach the threshold.
* ``every_n_school_years`` — a completion in a school year covers that school year and the next n-1 (92 NAC
  59-009: "at least once every two school years"); then due by the deadline in the school year after coverage
  ends; never completed: due by the deadline rule from R, and overdue from then on.
* ``once_after_hire`` — due R + ``days`` (AHERA 40 CFR 763.92(a): "within 60 days of hire"); covered forever once
  done (with ``min_hours``: once the hours ever add up). Evidence from any date counts.
* ``hours_over_years`` — covered on D when the hours of evidence dated in the window reach ``hours``; an item
  dated f counts on f <= D < f + ``years`` (79-830: 6 semester hours every 6 years). First due R + ``years``; a
  person who was covered and dropped below is overdue from the day the oldest evidence left the window.
* ``certificate_cycle`` — cycles of ``years`` ending on ``ends`` in the ``years``-th calendar year after the
  anchor (NDE: "expires August 31st in the fifth (5th) year following issuance or renewal"); the anchor is the
  roster attribute ``anchor_attribute`` (default ``certificate_issued``), else the hire date. Evidence dated in the
  cycle completes it; due at the cycle's end; a cycle (from the anchor's own on) that ended without renewal while
  the requirement applied leaves the person overdue since that end, until evidence arrives in a later cycle.

Evidence is counted on its own date (a late-imported sign-in sheet counts on the workshop day), only evidence
dated on or before D counts on D, and voided facts never count.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.compliance.catalog import DEFAULT_ANCHOR_ATTRIBUTE, Requirement
from projections.compliance.dates import (MAX_DATE, add_days, add_months, add_years, in_school_year, iso,
                                          on_month_day, parse_month_day, school_year, school_year_start, to_date)
from projections.compliance.evidence import EvidenceFact, matches, waives
from projections.compliance.people import Exemption, PersonHistory, RosterVersion
from projections.compliance.segments import KIND_COVERED, KIND_EXEMPT, KIND_OPEN, Evidence

EPS = 1e-9  # hours are sums of floats: 0.1 + 0.2 must reach 0.3
State = dict[str, Any]  # a Segment's fields without valid_from/valid_to


@dataclass(frozen=True)
class Regime:
    """A requirement definition in force over ``[start, end)`` (``end`` = 9999-12-31: open-ended);
    ``new_hire_from`` is ``applies_to.new_hires_only`` resolved to a date (None: everyone)."""

    start: date
    end: date
    requirement: Requirement
    new_hire_from: date | None = None


@dataclass(frozen=True)
class _Fact:
    date: date
    statement_id: str
    hours: float  # in the requirement's hours_unit
    fact: EvidenceFact


@dataclass(frozen=True)
class _Waiver:
    day: date
    last: date  # last exempt day (MAX_DATE: never ends)
    grace: date | None  # the earliest due date once it has ended
    reason: str
    statement_id: str


def _total(fs: Sequence[_Fact]) -> float:
    return round(sum(f.hours for f in fs), 6)


def _completion(fs: Sequence[_Fact], required: float | None) -> date | None:
    """The date evidence (sorted by date) became complete: the first item, or the day the cumulative hours
    reach ``required``."""
    total = 0.0
    for f in fs:
        total += f.hours
        if required is None or total + EPS >= required:
            return f.date
    return None


def _evidence(fs: Sequence[_Fact]) -> tuple[Evidence, ...]:
    return tuple(Evidence(f.statement_id, f.date.isoformat(), round(f.hours, 4)) for f in fs)


def _attribute_values(v: RosterVersion, name: str) -> set[str]:
    raw = v.attribute(name) or ""
    return {x.strip().lower() for x in raw.split(";") if x.strip()}


def _fte(v: RosterVersion) -> float:
    # No (or an unreadable) fte column: full time. Listing a part-timer who is not required is visible and fixed
    # by adding the column; silently leaving out everyone who is required is not.
    try:
        return float(v.attribute("fte") or "1")
    except ValueError:
        return 1.0


def applies(regime: Regime, v: RosterVersion | None, d: date) -> bool:
    """Whether the regime's requirement applies on ``d`` to a person whose roster version in force is ``v``."""
    if v is None:
        return False
    if v.hire_date is not None and d < to_date(v.hire_date):
        return False
    a = regime.requirement.applies_to
    if v.status != "active" and not a.include_inactive:
        return False
    if a.roles and not set(v.roles) & set(a.roles):
        return False
    if a.buildings and (v.building or "").casefold() not in {b.casefold() for b in a.buildings}:
        return False
    for name, wanted in a.attributes:
        if not _attribute_values(v, name) & set(wanted):
            return False
    if a.fte_min is not None and _fte(v) + EPS < a.fte_min:
        return False
    if regime.new_hire_from is not None and (v.hire_date is None or to_date(v.hire_date) < regime.new_hire_from):
        return False
    if regime.requirement.recurrence.kind == "certificate_cycle" and certificate_anchor(regime.requirement, v) is None:
        return False  # neither an issue date nor a hire date: the cycles cannot be placed
    return True


class Evaluator:
    """The rules for one person under a list of non-overlapping regimes of one requirement id."""

    def __init__(self, person: PersonHistory, regimes: Sequence[Regime], facts: Sequence[EvidenceFact],
                 exemptions: Sequence[Exemption]):
        self.person = person
        self.regimes = sorted(regimes, key=lambda r: (r.start, r.end))
        unique: dict[str, EvidenceFact] = {}
        for f in facts:
            seen = unique.get(f.statement_id)
            # One fact per statement; of two different copies the same one whatever the input order.
            if seen is None or (seen != f and repr(f) < repr(seen)):
                unique[f.statement_id] = f
        self.facts = sorted(unique.values(), key=lambda f: (f.date, f.statement_id))
        ids = {r.requirement.id for r in self.regimes}
        self.exemptions = sorted((e for e in exemptions if e.person == person.employee_id and e.requirement in ids),
                                 key=lambda e: (e.start, e.exemption_id))
        # Caches by requirement identity: the regimes hold the objects, and hashing a Requirement is costly.
        self._matching: dict[int, list[_Fact]] = {}
        self._waivers: dict[int, list[_Waiver]] = {}
        self._rolling: dict[int, list[tuple[date, list[_Fact]]]] = {}
        self.runs = self._runs()

    # -- inputs per requirement ---------------------------------------------------------------------------------

    def matching(self, req: Requirement) -> list[_Fact]:
        """Live completion evidence for ``req``, sorted by (date, statement id)."""
        key = id(req)
        if key not in self._matching:
            self._matching[key] = [_Fact(to_date(f.date), f.statement_id, f.hours / req.unit_hours, f)
                                   for f in self.facts if matches(req, f)]
        return self._matching[key]

    def waivers(self, req: Requirement) -> list[_Waiver]:
        """Live waivers of ``req`` with their extent and grace."""
        if id(req) not in self._waivers:
            out = []
            for f in self.facts:
                if not waives(req, f):
                    continue
                w = to_date(f.date)
                last, grace = self._waiver_extent(req, w)
                if f.valid_until is not None:
                    last = grace = to_date(f.valid_until)
                if last >= w:
                    out.append(_Waiver(w, last, grace, f.waived_reason or "waived", f.statement_id))
            self._waivers[id(req)] = out
        return self._waivers[id(req)]

    def _waiver_extent(self, req: Requirement, w: date) -> tuple[date, date | None]:
        """(last day, grace) of a waiver on ``w`` without valid-until: what a completion on ``w`` would give."""
        rec, start = req.recurrence, parse_month_day(req.school_year_start)
        if rec.kind == "school_year":
            nxt = school_year(w, start)[1]
            return add_days(nxt, -1), fixed_due(req, nxt)
        if rec.kind == "every_n_school_years":
            end = add_years(school_year_start(w, start), rec.years or 1)
            return add_days(end, -1), fixed_due(req, end)
        if rec.kind == "rolling":
            due = add_months(w, rec.months or 12)
            return due, due
        if rec.kind == "hours_over_years":
            last = add_days(add_years(w, rec.years or 1), -1)
            return last, last
        if rec.kind == "certificate_cycle":
            v = self.person.version_on(w) or (self.person.versions[0] if self.person.versions else None)
            anchor = certificate_anchor(req, v) if v is not None else None
            if anchor is not None:
                k = cycle_index(anchor, req, w)
                return cycle_bounds(anchor, req, k)[1], cycle_bounds(anchor, req, k + 1)[1]
            return w, w
        return MAX_DATE, None  # once_after_hire: waived for good

    def rolling_completions(self, req: Requirement) -> list[tuple[date, list[_Fact]]]:
        """Completion dates of a rolling requirement, each with the evidence that made it (causal: a completion
        depends only on evidence dated on or before it)."""
        if id(req) not in self._rolling:
            months, need = req.recurrence.months or 12, req.required_hours
            fs = self.matching(req)
            out: list[tuple[date, list[_Fact]]] = []
            prev: date | None = None
            for x in sorted({f.date for f in fs}):
                pool = [f for f in fs if (prev is None or f.date > prev) and f.date <= x
                        and x <= add_months(f.date, months)]
                if need is None or _total(pool) + EPS >= need:
                    out.append((x, pool))
                    prev = x
            self._rolling[id(req)] = out
        return self._rolling[id(req)]

    # -- applicability ------------------------------------------------------------------------------------------

    def regime_on(self, d: date) -> Regime | None:
        return next((r for r in self.regimes if r.start <= d < r.end), None)

    def applicable(self, d: date) -> bool:
        reg = self.regime_on(d)
        return reg is not None and applies(reg, self.person.version_on(d), d)

    def applicability_dates(self) -> set[date]:
        """Every date on which applicability can change."""
        out: set[date] = set()
        for v in self.person.versions:
            out.add(to_date(v.effective_date))
            if v.hire_date:
                out.add(to_date(v.hire_date))
        for r in self.regimes:
            out.update((r.start, r.end))
        out.discard(MAX_DATE)
        return out

    def _runs(self) -> list[tuple[date, date]]:
        """Maximal stretches [start, end) of applicable days."""
        runs: list[tuple[date, date]] = []
        start: date | None = None
        for d in sorted(self.applicability_dates()):
            ok = self.applicable(d)
            if ok and start is None:
                start = d
            elif not ok and start is not None:
                runs.append((start, d))
                start = None
        if start is not None:
            runs.append((start, MAX_DATE))
        return runs

    def run_start(self, d: date) -> date | None:
        return next((s for s, e in self.runs if s <= d < e), None)

    # -- the state on a date ------------------------------------------------------------------------------------

    def state_at(self, d: date) -> State | None:
        """The segment fields in force on ``d`` (None: not applicable)."""
        reg = self.regime_on(d)
        v = self.person.version_on(d)
        if reg is None or v is None or not applies(reg, v, d):
            return None
        r0 = self.run_start(d)
        assert r0 is not None
        req = reg.requirement
        base: State = {"requirement_id": req.id, "building": v.building, "roles": v.roles,
                       "supervisor_id": v.supervisor_id, "hours_unit": req.hours_unit,
                       "hours_required": req.required_hours}
        for e in sorted(self.exemptions, key=lambda e: (-(e.last_day() or MAX_DATE).toordinal(), e.exemption_id)):
            last = e.last_day()
            if e.requirement == req.id and to_date(e.start) <= d and (last is None or d <= last):
                return base | {"kind": KIND_EXEMPT, "exempt_reason": e.reason,
                               "exempt_until": iso(last) if e.until else None, "period_start": e.start}
        ws = self.waivers(req)
        covering = [w for w in ws if w.day <= d <= w.last]
        if covering:
            w = max(covering, key=lambda w: (w.last, w.statement_id))
            return base | {"kind": KIND_EXEMPT, "exempt_reason": w.reason,
                           "exempt_until": iso(w.last) if w.last != MAX_DATE else None,
                           "period_start": w.day.isoformat(),
                           "evidence": (Evidence(w.statement_id, w.day.isoformat(), 0.0),)}
        graces = [g for w in ws if w.last < d and (g := w.grace) is not None]
        ctx = _Ctx(self, reg, v, d, r0, max(graces) if graces else None)
        return base | KINDS[req.recurrence.kind](ctx)


@dataclass(frozen=True)
class _Ctx:
    ev: Evaluator
    regime: Regime
    version: RosterVersion
    d: date
    start: date  # R: the first day of the current stretch of applicability
    grace: date | None

    @property
    def req(self) -> Requirement:
        return self.regime.requirement

    def anchor_word(self) -> str:
        if self.version.hire_date and to_date(self.version.hire_date) == self.start:
            return "hire"
        if any(r.start == self.start for r in self.ev.regimes):
            return "the requirement took effect"
        return "assignment"

    def open(self, due: date, basis: str | None, **more: Any) -> State:
        """An open state, with a waiver's grace applied."""
        if self.grace is not None and self.grace > due:
            due, basis = self.grace, "after the waiver ended"
        return {"kind": KIND_OPEN, "due": due.isoformat(), "due_basis": basis,
                "due_soon_from": add_days(due, -self.req.due_soon_days).isoformat(), **more}

    def covered(self, next_due: date | None, **more: Any) -> State:
        return {"kind": KIND_COVERED, "next_due": iso(next_due),
                "next_due_soon_from": iso(add_days(next_due, -self.req.due_soon_days)) if next_due else None,
                **more}


def fixed_due(req: Requirement, sy_first: date) -> date:
    """The fixed deadline of the school year starting ``sy_first``: ``deadline.month_day`` in it, else its last
    day."""
    if req.deadline is not None and req.deadline.month_day is not None:
        return in_school_year(parse_month_day(req.deadline.month_day), sy_first)
    return add_days(school_year(sy_first, parse_month_day(req.school_year_start))[1], -1)


def first_due(ctx: _Ctx) -> tuple[date, str | None]:
    """The first due date from the applicability start R: the fixed deadline in R's school year, R + N days, or
    the later/earlier of the two. Returns (due, basis text when the days-after-hire date was chosen)."""
    req, r0 = ctx.req, ctx.start
    md_due = fixed_due(req, school_year_start(r0, parse_month_day(req.school_year_start)))
    dl = req.deadline
    if dl is None or dl.days_after_hire is None:
        return md_due, None
    hire_due = add_days(r0, dl.days_after_hire)
    basis = f"{dl.days_after_hire} days after {ctx.anchor_word()}"
    if dl.month_day is None:
        return hire_due, basis
    if (hire_due > md_due) if dl.rule == "later" else (hire_due < md_due):
        return hire_due, basis
    return md_due, None


def _period(first: date, after: date) -> dict[str, str]:
    return {"period_start": first.isoformat(), "period_end": add_days(after, -1).isoformat()}


def _kind_school_year(ctx: _Ctx) -> State:
    req, d = ctx.req, ctx.d
    first, after = school_year(d, parse_month_day(req.school_year_start))
    due, basis = first_due(ctx) if first <= ctx.start else (fixed_due(req, first), None)
    fs = [f for f in ctx.ev.matching(req) if first <= f.date <= d]
    done = _completion(fs, req.required_hours)
    more = {**_period(first, after), "evidence": _evidence(fs), "hours_done": _total(fs)}
    if done is not None:
        return ctx.covered(fixed_due(req, after), completed=done.isoformat(), expires=iso(add_days(after, -1)),
                           **more)
    return ctx.open(due, basis, **more)


def _kind_every_n(ctx: _Ctx) -> State:
    req, d, n = ctx.req, ctx.d, ctx.req.recurrence.years or 1
    sy = parse_month_day(req.school_year_start)
    known = [f for f in ctx.ev.matching(req) if f.date <= d]
    latest: tuple[date, date, list[_Fact]] | None = None  # (school year start, completion, evidence)
    for first in sorted({school_year_start(f.date, sy) for f in known}, reverse=True):
        fs = [f for f in known if school_year_start(f.date, sy) == first]
        done = _completion(fs, req.required_hours)
        if done is not None:
            latest = (first, done, fs)
            break
    if latest is not None:
        ends = add_years(latest[0], n)  # first day no longer covered: the school year n years later
        if d < ends:
            return ctx.covered(fixed_due(req, ends), completed=latest[1].isoformat(),
                               expires=iso(add_days(ends, -1)), **_period(latest[0], ends),
                               evidence=_evidence(latest[2]), hours_done=_total(latest[2]))
    due, basis = first_due(ctx)
    if latest is not None:
        after = fixed_due(req, add_years(latest[0], n))
        if after > due:
            due, basis = after, None
    first, nxt = school_year(d, sy)
    fs = [f for f in known if f.date >= first]
    return ctx.open(due, basis, **_period(first, nxt), evidence=_evidence(fs), hours_done=_total(fs))


def _kind_rolling(ctx: _Ctx) -> State:
    req, d, months = ctx.req, ctx.d, ctx.req.recurrence.months or 12
    done = [c for c in ctx.ev.rolling_completions(req) if c[0] <= d]
    last = done[-1] if done else None
    if last is not None:
        until = add_months(last[0], months)
        if d <= until:
            return ctx.covered(until, completed=last[0].isoformat(), expires=until.isoformat(),
                               period_start=last[0].isoformat(), period_end=until.isoformat(),
                               evidence=_evidence(last[1]), hours_done=_total(last[1]))
    due, basis = first_due(ctx)
    if last is not None and add_months(last[0], months) > due:
        due, basis = add_months(last[0], months), None
    pool = [f for f in ctx.ev.matching(req) if (last is None or f.date > last[0]) and f.date <= d
            and d <= add_months(f.date, months)]
    return ctx.open(due, basis, evidence=_evidence(pool), hours_done=_total(pool))


def _kind_once(ctx: _Ctx) -> State:
    req, d, days = ctx.req, ctx.d, ctx.req.recurrence.days or 0
    fs = [f for f in ctx.ev.matching(req) if f.date <= d]
    done = _completion(fs, req.required_hours)
    if done is not None:
        used = [f for f in fs if f.date <= done]
        return ctx.covered(None, completed=done.isoformat(), evidence=_evidence(used), hours_done=_total(used))
    due = add_days(ctx.start, days)
    return ctx.open(due, f"{days} days after {ctx.anchor_word()}", period_start=ctx.start.isoformat(),
                    period_end=due.isoformat(), evidence=_evidence(fs), hours_done=_total(fs))


def _kind_hours_over_years(ctx: _Ctx) -> State:
    req, d = ctx.req, ctx.d
    years, need = req.recurrence.years or 1, req.recurrence.hours or 0.0
    known = [f for f in ctx.ev.matching(req) if f.date <= d]

    def window(x: date) -> list[_Fact]:
        return [f for f in known if f.date <= x < add_years(f.date, years)]

    now = window(d)
    hours = _total(now)
    more = {"evidence": _evidence(now), "hours_done": hours, "window_years": years}
    drops = sorted({add_years(f.date, years) for f in known})  # the days evidence leaves the window
    if hours + EPS >= need:
        # Lapse, if nothing new is done: the first day evidence leaves the window and the rest falls short.
        lapse = next((t for t in drops if t > d and _total(window(t)) + EPS < need), None)
        last = add_days(lapse, -1) if lapse is not None else None
        return ctx.covered(last, expires=iso(last), **more)
    due = add_years(ctx.start, years)
    basis: str | None = f"{years} years after {ctx.anchor_word()}"
    # Coverage can only end on a day evidence drops out; the last covered day is the day before the latest such
    # drop that left the person short.
    lost = next((add_days(t, -1) for t in reversed(drops) if t <= d and _total(window(add_days(t, -1))) + EPS >= need),
                None)
    if lost is not None and lost > due:
        due, basis = lost, None
    return ctx.open(due, basis, **more)


def certificate_anchor(req: Requirement, v: RosterVersion) -> date | None:
    """The date certificate cycles count from: the roster attribute (default ``certificate_issued``) when it is a
    valid date, else the hire date."""
    raw = v.attribute(req.recurrence.anchor_attribute or DEFAULT_ANCHOR_ATTRIBUTE)
    for text in (raw, v.hire_date):
        if text:
            try:
                return to_date(text.strip())
            except ValueError:
                continue
    return None


def cycle_bounds(anchor: date, req: Requirement, k: int) -> tuple[date, date]:
    """(first, last day) of certificate cycle ``k``: cycle 0 contains the anchor and ends on ``ends`` in the
    ``years``-th year after the anchor's year; later cycles follow every ``years`` years; cycle -1 ends the day
    before cycle 0 starts. A cycle may be empty (first > last) at the edges."""
    years, md = req.recurrence.years or 1, parse_month_day(req.recurrence.ends or "08-31")
    start0 = min(anchor, add_days(on_month_day(anchor.year, md), 1))

    def last(i: int) -> date:
        return add_days(start0, -1) if i == -1 else on_month_day(anchor.year + years * (i + 1), md)

    first = start0 if k == 0 else add_days(last(k - 1), 1)
    return first, last(k)


def cycle_index(anchor: date, req: Requirement, d: date) -> int:
    """The index of the certificate cycle containing ``d``."""
    k = 0
    if d >= cycle_bounds(anchor, req, 0)[0]:
        while d > cycle_bounds(anchor, req, k)[1]:
            k += 1
    else:
        k = -1
        while d < cycle_bounds(anchor, req, k)[0]:
            k -= 1
    return k


def _kind_certificate(ctx: _Ctx) -> State:
    req, d = ctx.req, ctx.d
    anchor = certificate_anchor(req, ctx.version)
    assert anchor is not None  # applies() refuses a version without one
    k = cycle_index(anchor, req, d)
    first, last = cycle_bounds(anchor, req, k)
    fs = [f for f in ctx.ev.matching(req) if first <= f.date <= d]
    done = _completion(fs, req.required_hours)
    more = {"period_start": first.isoformat(), "period_end": last.isoformat(), "evidence": _evidence(fs),
            "hours_done": _total(fs)}
    if done is not None:
        return ctx.covered(cycle_bounds(anchor, req, k + 1)[1], completed=done.isoformat(),
                           expires=last.isoformat(), **more)
    # Unrenewed cycles that ended while the requirement applied leave the person overdue since the earliest one
    # (cycles before the anchor's, i.e. before the certificate was issued, were not this certificate's to renew).
    due, j = last, k - 1
    while j >= 0:
        f_j, l_j = cycle_bounds(anchor, req, j)
        if l_j < ctx.start:
            break
        if f_j <= l_j:
            if _completion([f for f in ctx.ev.matching(req) if f_j <= f.date <= l_j], req.required_hours):
                break
            due = l_j
        j -= 1
    return ctx.open(due, None, **more)


KINDS: dict[str, Callable[[_Ctx], State]] = {
    "school_year": _kind_school_year,
    "rolling": _kind_rolling,
    "every_n_school_years": _kind_every_n,
    "once_after_hire": _kind_once,
    "hours_over_years": _kind_hours_over_years,
    "certificate_cycle": _kind_certificate,
}
