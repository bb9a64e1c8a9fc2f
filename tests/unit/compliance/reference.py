"""A slow, plain reference for the compliance rules: the status on ONE date, evaluated directly.

Written separately from ``projections/compliance/rules.py`` and ``timeline.py`` (it shares only the evidence
matching and the input dataclasses), day by day where that is the plain reading of a rule, so that comparing it
with the segment timelines on every date catches boundary mistakes in the builder.
"""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from projections.compliance.catalog import Catalog, Requirement
from projections.compliance.evidence import EvidenceFact, matches, waives
from projections.compliance.people import Exemption, PersonHistory, RosterVersion

DAY = timedelta(days=1)
FOREVER = date(9999, 12, 31)


def plus_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def plus_years(d: date, n: int) -> date:
    return plus_months(d, 12 * n)


def md(text: str) -> tuple[int, int]:
    return int(text[:2]), int(text[3:5])


def sy_first(d: date, start: tuple[int, int]) -> date:
    """First day of the school year containing d."""
    y = d.year if (d.month, d.day) >= start else d.year - 1
    return date(y, *start)


def fixed_deadline(req: Requirement, first: date) -> date:
    """The month-day deadline in the school year starting on ``first`` (its last day without one)."""
    start = md(req.school_year_start)
    if req.deadline and req.deadline.month_day:
        m, dd = md(req.deadline.month_day)
        x = date(first.year, m, dd)
        return x if x >= first else date(first.year + 1, m, dd)
    return date(first.year + 1, *start) - DAY


@dataclass
class Inputs:
    person: PersonHistory
    facts: Sequence[EvidenceFact]
    exemptions: Sequence[Exemption]
    # either a single requirement with windows, or effective-dated catalogs and a requirement id
    requirement: Requirement | None = None
    windows: Sequence[tuple[date, date]] = ()
    catalogs: Sequence[tuple[date, Catalog]] = ()
    requirement_id: str = ""


class Reference:
    """Status on any date of [lo, hi), for one person x requirement."""

    def __init__(self, inp: Inputs, lo: date, hi: date):
        self.inp, self.lo, self.hi = inp, lo, hi
        self._memo: dict[object, dict[date, date | None]] = {}
        self.days = [lo + i * DAY for i in range((hi - lo).days)]
        self.req_on = {d: self._requirement_on(d) for d in self.days}
        self.nh_from = {}
        prev: date | None = None
        for d in self.days:  # new_hires_only: true -> the first day of the unbroken run that says so
            r = self.req_on[d]
            if r is not None and r.applies_to.new_hires_only is True:
                if prev is None:
                    prev = d
                self.nh_from[d] = prev
            else:
                prev = None
        self.ok = {d: self._applicable(d) for d in self.days}
        self.run_start: dict[date, date] = {}
        start: date | None = None
        for d in self.days:
            if self.ok[d]:
                start = start or d
                self.run_start[d] = start
            else:
                start = None

    # -- what is in force --------------------------------------------------------------------------------------

    def _requirement_on(self, d: date) -> Requirement | None:
        inp = self.inp
        if inp.requirement is not None:
            r = inp.requirement if any(a <= d < b for a, b in inp.windows) else None
        else:
            cats = [c for eff, c in sorted(inp.catalogs, key=lambda x: x[0]) if eff <= d]
            r = cats[-1].requirement(inp.requirement_id) if cats else None
        if r is None:
            return None
        if r.effective_from and d < date.fromisoformat(r.effective_from):
            return None
        if r.effective_until and d > date.fromisoformat(r.effective_until):
            return None
        return r

    def version(self, d: date) -> RosterVersion | None:
        best = None
        for v in self.inp.person.versions:
            if date.fromisoformat(v.effective_date) <= d:
                if best is None or (v.effective_date, v.seq) >= (best.effective_date, best.seq):
                    best = v
        return best

    def _anchor(self, req: Requirement, v: RosterVersion) -> date | None:
        for text in (v.attribute(req.recurrence.anchor_attribute or "certificate_issued"), v.hire_date):
            if text:
                try:
                    return date.fromisoformat(text.strip())
                except ValueError:
                    pass
        return None

    def _applicable(self, d: date) -> bool:
        r, v = self.req_on[d], self.version(d)
        if r is None or v is None:
            return False
        a = r.applies_to
        if v.hire_date and d < date.fromisoformat(v.hire_date):
            return False
        if v.status != "active" and not a.include_inactive:
            return False
        if a.roles and not any(x in a.roles for x in v.roles):
            return False
        if a.buildings and (v.building or "").lower() not in [b.lower() for b in a.buildings]:
            return False
        for name, wanted in a.attributes:
            have = [x.strip().lower() for x in (v.attribute(name) or "").split(";")]
            if not any(x in wanted for x in have):
                return False
        if a.fte_min is not None:
            try:
                fte = float(v.attribute("fte") or 1)
            except ValueError:
                fte = 1.0
            if fte < a.fte_min - 1e-9:
                return False
        if a.new_hires_only is not None:
            since = self.nh_from[d] if a.new_hires_only is True else date.fromisoformat(str(a.new_hires_only))
            if not v.hire_date or date.fromisoformat(v.hire_date) < since:
                return False
        if r.recurrence.kind == "certificate_cycle" and self._anchor(r, v) is None:
            return False
        return True

    # -- evidence ----------------------------------------------------------------------------------------------

    def evidence(self, req: Requirement, upto: date) -> list[tuple[date, float]]:
        seen: dict[str, EvidenceFact] = {}
        for f in sorted(self.inp.facts, key=lambda f: (f.statement_id, repr(f))):
            seen.setdefault(f.statement_id, f)
        out = [(date.fromisoformat(f.date), f.hours / req.unit_hours) for f in seen.values()
               if matches(req, f) and date.fromisoformat(f.date) <= upto]
        return sorted(out)

    def complete_on(self, items: list[tuple[date, float]], need: float | None) -> date | None:
        total = 0.0
        for day, h in items:
            total += h
            if need is None or total >= need - 1e-9:
                return day
        return None

    def waiver_spans(self, req: Requirement) -> list[tuple[date, date, date | None]]:
        """(first day, last day, earliest due afterwards) of each live waiver."""
        out = []
        k = req.recurrence.kind
        start = md(req.school_year_start)
        for f in self.inp.facts:
            if not waives(req, f):
                continue
            w = date.fromisoformat(f.date)
            if k == "school_year":
                nxt = date(sy_first(w, start).year + 1, *start)
                last, grace = nxt - DAY, fixed_deadline(req, nxt)
            elif k == "every_n_school_years":
                nxt = date(sy_first(w, start).year + (req.recurrence.years or 1), *start)
                last, grace = nxt - DAY, fixed_deadline(req, nxt)
            elif k == "rolling":
                last = grace = plus_months(w, req.recurrence.months or 12)
            elif k == "hours_over_years":
                last = grace = plus_years(w, req.recurrence.years or 1) - DAY
            elif k == "certificate_cycle":
                v = self.version(w) or self.inp.person.versions[0]
                anchor = self._anchor(req, v)
                if anchor is None:
                    last = grace = w
                else:
                    _, last = self.cycle(req, anchor, w)
                    _, grace = self.cycle(req, anchor, last + DAY)
            else:
                last, grace = FOREVER, None
            if f.valid_until:
                last = grace = date.fromisoformat(f.valid_until)
            if last >= w:
                out.append((w, last, grace))
        return out

    def cycle(self, req: Requirement, anchor: date, d: date) -> tuple[date, date]:
        """The certificate cycle containing d: cycle 0 runs from the anchor (or the day after the ends-date of the
        anchor's year, if earlier) to the ends-date ``years`` years after the anchor's year."""
        years, ends = req.recurrence.years or 1, md(req.recurrence.ends or "08-31")
        s0 = min(anchor, date(anchor.year, *ends) + DAY)
        if d >= s0:
            first, last = s0, date(anchor.year + years, *ends)
            while d > last:
                first, last = last + DAY, date(last.year + years, *ends)
            return first, last
        last = s0 - DAY
        first = date(anchor.year - years, *ends) + DAY
        while d < first:
            last = first - DAY
            first = date(last.year - years, *ends) + DAY
        return first, last

    def last_covered_day(self, req: Requirement, d: date) -> date | None:
        """The latest day x <= d on which the hours in the window (f <= x < f + years) reached the threshold
        (evidence dated after x never counts on x, so this does not depend on the read date)."""
        key = ("cov", req)
        if key not in self._memo:
            y, h_need = req.recurrence.years or 1, req.recurrence.hours or 0
            ev = self.evidence(req, self.hi)
            last: date | None = None
            table: dict[date, date | None] = {}
            x = self.lo - timedelta(days=366 * y)
            while x < self.hi:
                if sum(h for day, h in ev if day <= x < plus_years(day, y)) >= h_need - 1e-9:
                    last = x
                table[x] = last
                x += DAY
            self._memo[key] = table
        return self._memo[key].get(d)

    # -- the status --------------------------------------------------------------------------------------------

    def status(self, d: date) -> tuple[str, str | None]:
        """(status, due date for open states)."""
        if not self.ok.get(d):
            return "not_applicable", None
        req = self.req_on[d]
        assert req is not None
        r0 = self.run_start[d]
        for e in self.inp.exemptions:
            if e.person != self.inp.person.employee_id or e.requirement != req.id:
                continue
            first = date.fromisoformat(e.start)
            last = date.fromisoformat(e.until) if e.until else FOREVER
            if e.revoked:
                last = min(last, date.fromisoformat(e.revoked) - DAY)
            if first <= d <= last:
                return "exempt", None
        grace: date | None = None
        for w, last, g in self.waiver_spans(req):
            if w <= d <= last:
                return "exempt", None
            if last < d and g is not None and (grace is None or g > grace):
                grace = g
        kind = req.recurrence.kind
        dsd = timedelta(days=req.due_soon_days)
        start = md(req.school_year_start)
        need = req.required_hours
        ev = self.evidence(req, d)

        def first_due() -> date:
            fixed = fixed_deadline(req, sy_first(r0, start))
            dl = req.deadline
            if dl is None or dl.days_after_hire is None:
                return fixed
            after = r0 + timedelta(days=dl.days_after_hire)
            if dl.month_day is None:
                return after
            return max(fixed, after) if dl.rule == "later" else min(fixed, after)

        def open_status(due: date) -> tuple[str, str | None]:
            if grace is not None and grace > due:
                due = grace
            if d > due:
                return "overdue", due.isoformat()
            return ("due_soon" if d >= due - dsd else "pending"), due.isoformat()

        def covered(next_due: date | None) -> tuple[str, str | None]:
            return ("due_soon" if next_due is not None and d >= next_due - dsd else "compliant"), None

        if kind == "school_year":
            first = sy_first(d, start)
            nxt = date(first.year + 1, *start)
            if self.complete_on([x for x in ev if x[0] >= first], need):
                return covered(fixed_deadline(req, nxt))
            return open_status(first_due() if r0 >= first else fixed_deadline(req, first))

        if kind == "every_n_school_years":
            n = req.recurrence.years or 1
            best = None
            for s in sorted({sy_first(x[0], start) for x in ev}):
                if self.complete_on([x for x in ev if sy_first(x[0], start) == s], need):
                    best = s
            if best is not None and d < date(best.year + n, *start):
                return covered(fixed_deadline(req, date(best.year + n, *start)))
            due = first_due()
            if best is not None:
                due = max(due, fixed_deadline(req, date(best.year + n, *start)))
            return open_status(due)

        if kind == "rolling":
            m = req.recurrence.months or 12
            comps: list[date] = []
            for x in sorted({e[0] for e in ev}):
                pool = [h for day, h in ev if day <= x and (not comps or day > comps[-1]) and x <= plus_months(day, m)]
                if pool and (need is None or sum(pool) >= need - 1e-9):
                    comps.append(x)
            if comps and d <= plus_months(comps[-1], m):
                return covered(plus_months(comps[-1], m))
            due = first_due()
            if comps:
                due = max(due, plus_months(comps[-1], m))
            return open_status(due)

        if kind == "once_after_hire":
            if self.complete_on(ev, need):
                return "compliant", None
            return open_status(r0 + timedelta(days=req.recurrence.days or 0))

        if kind == "hours_over_years":
            y, h_need = req.recurrence.years or 1, req.recurrence.hours or 0

            def hours(x: date) -> float:
                return sum(h for day, h in ev if day <= x < plus_years(day, y))

            if hours(d) >= h_need - 1e-9:
                # due soon when, with nothing new, the hours fall short within the next due_soon_days + 1 days
                for i in range(1, req.due_soon_days + 2):
                    if hours(d + i * DAY) < h_need - 1e-9:
                        return "due_soon", None
                return "compliant", None
            due = plus_years(r0, y)
            last_covered = self.last_covered_day(req, d - DAY)
            if last_covered is not None and last_covered > due:
                due = last_covered
            return open_status(due)

        if kind == "certificate_cycle":
            v = self.version(d)
            assert v is not None
            anchor = self._anchor(req, v)
            assert anchor is not None
            first, last = self.cycle(req, anchor, d)
            if self.complete_on([x for x in ev if x[0] >= first], need):
                return covered(self.cycle(req, anchor, last + DAY)[1])
            due = last
            prev_last = first - DAY
            cycle0_first = self.cycle(req, anchor, anchor)[0]
            while prev_last >= r0 and prev_last >= cycle0_first:
                pf, pl = self.cycle(req, anchor, prev_last)
                if self.complete_on([x for x in ev if pf <= x[0] <= pl], need):
                    break
                due = pl
                prev_last = pf - DAY
            return open_status(due)
        raise AssertionError(kind)
