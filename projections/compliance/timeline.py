"""Timelines: a person x requirement status as contiguous segments, from the rules evaluated where things change.

The builder collects every date on which any input or derived quantity can change (roster versions and hire
dates, catalog windows, school-year starts, evidence dates, the days evidence leaves a rolling or multi-year
window, waiver and exemption bounds, certificate cycle bounds), evaluates :meth:`Evaluator.state_at` on each,
and merges adjacent equal states. Between two such dates every stored field is constant; only comparisons of the
read date with ``due``/``due_soon_from``/``next_due_soon_from`` change the status, which
:func:`~projections.compliance.segments.status_on` does at read time.

Periods are generated up to the end of the school year containing ``horizon``. The last segment runs to
9999-12-31 when its state can never change again (checked by evaluating one full cycle of periodic dates past
the horizon, beyond the last input date): e.g. an overdue rolling requirement, a one-time training done, an
open-ended exemption. Otherwise it ends at the horizon's school-year end, and the caller extends the horizon as
time passes.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from projections.compliance.catalog import Catalog, Requirement
from projections.compliance.dates import (MAX_DATE, OPEN_END, add_days, add_months, add_years, on_month_day,
                                          parse_month_day, school_year, to_date)
from projections.compliance.evidence import EvidenceFact
from projections.compliance.people import Exemption, ExemptionRevocation, PersonHistory, apply_revocations
from projections.compliance.rules import Evaluator, Regime, certificate_anchor, cycle_bounds, cycle_index
from projections.compliance.segments import Segment

Window = tuple[date | str, date | str | None]


@dataclass(frozen=True)
class CatalogVersion:
    """A catalog in force from ``effective``; ``seq`` (the log position of its event) orders two versions with the
    same effective date: the higher one replaces the other."""

    effective: str
    catalog: Catalog
    seq: int = 0


def _data_dates(ev: Evaluator) -> set[date]:
    """Input and derived dates that are not periodic (see :func:`_candidates`)."""
    cached = getattr(ev, "_data_dates", None)
    if cached is not None:
        return set(cached)
    out = ev.applicability_dates()
    for e in ev.exemptions:
        out.add(to_date(e.start))
        last = e.last_day()
        if last is not None:
            out.add(add_days(last, 1))
    for reg in ev.regimes:
        req, rec = reg.requirement, reg.requirement.recurrence
        for f in ev.matching(req):
            out.add(f.date)
            if rec.kind == "rolling":
                out.add(add_days(add_months(f.date, rec.months or 12), 1))  # leaves the pool / coverage lapses
            elif rec.kind == "hours_over_years":
                out.add(add_years(f.date, rec.years or 1))  # leaves the window
        for w in ev.waivers(req):
            out.update((w.day, add_days(w.last, 1)))
    out.discard(MAX_DATE)
    setattr(ev, "_data_dates", frozenset(out))
    return out


def _candidates(ev: Evaluator, lo: date, hi: date) -> list[date]:
    """Every date in [lo, hi) on which the state can change, sorted (only inside stretches of applicability:
    elsewhere the state is "not applicable" throughout)."""
    out = {d for d in _data_dates(ev) if lo <= d < hi}
    for reg in ev.regimes:
        req = reg.requirement
        sy = parse_month_day(req.school_year_start)
        out.update(on_month_day(y, sy) for y in range(max(lo.year - 1, 1), min(hi.year + 1, 9999) + 1))
        if req.recurrence.kind == "certificate_cycle":
            for anchor in {a for v in ev.person.versions if (a := certificate_anchor(req, v)) is not None}:
                k0, k1 = cycle_index(anchor, req, lo), cycle_index(anchor, req, add_days(hi, -1))
                for k in range(k0, k1 + 2):
                    first, last = cycle_bounds(anchor, req, k)
                    out.update((first, add_days(last, 1)))
    return sorted(d for d in out if lo <= d < hi and any(s <= d < e for s, e in ev.runs))


def _limit(regimes: Sequence[Regime], horizon: date) -> date:
    return max(school_year(horizon, parse_month_day(r.requirement.school_year_start))[1] for r in regimes)


def _segment(state: dict[str, object], start: date, end: date) -> Segment:
    return Segment(valid_from=start.isoformat(), valid_to=OPEN_END if end == MAX_DATE else end.isoformat(),
                   **state)  # type: ignore[arg-type]


def build(person: PersonHistory, regimes: Sequence[Regime], facts: Sequence[EvidenceFact],
          exemptions: Sequence[Exemption], horizon: date | str) -> list[Segment]:
    """The timeline of one requirement id under ``regimes`` (non-overlapping definitions in force)."""
    if not regimes or not person.versions:
        return []
    ev = Evaluator(person, regimes, facts, exemptions)
    lo = max(to_date(person.versions[0].effective_date), ev.regimes[0].start)
    hi = _limit(ev.regimes, to_date(horizon))
    if lo >= hi or not ev.runs:
        return []
    # Each stretch of applicability starts on a candidate date (a roster, hire or catalog date) and ends on one.
    dates = sorted(set(_candidates(ev, lo, hi)) | {s for s, _ in ev.runs if lo <= s < hi})
    segments: list[Segment] = []
    for i, d in enumerate(dates):
        state = ev.state_at(d)
        if state is None:
            continue
        end = min(dates[i + 1] if i + 1 < len(dates) else hi, next(e for s, e in ev.runs if s <= d < e))
        seg = _segment(state, d, end)
        if segments and segments[-1].valid_to == seg.valid_from and segments[-1].same_state(seg):
            segments[-1] = _segment(state, to_date(segments[-1].valid_from), end)
        else:
            segments.append(seg)
    if segments and segments[-1].valid_to == hi.isoformat() and _stationary(ev, segments[-1], hi):
        segments[-1] = replace(segments[-1], valid_to=OPEN_END)
    return segments


def _stationary(ev: Evaluator, last: Segment, hi: date) -> bool:
    """Whether the state of ``last`` (in force up to ``hi``) holds forever: no input date lies beyond one full
    cycle of periodic dates past ``hi``, and the state is the same on every candidate date of that cycle."""
    last_day = add_days(hi, -1)
    if not any(s <= last_day < e == MAX_DATE for s, e in ev.runs):
        return False  # applicability ends later on
    span = 1
    for r in ev.regimes:
        rec = r.requirement.recurrence
        span = max(span, rec.years or 0, -(-(rec.months or 0) // 12))
    far = add_years(hi, span + 1)
    if any(d >= far for d in _data_dates(ev)):
        return False
    for d in sorted(set(_candidates(ev, hi, far)) | {hi}):
        state = ev.state_at(d)
        if state is None or not _segment(state, d, d).same_state(last):
            return False
    return True


def _windows(windows: Iterable[Window]) -> list[tuple[date, date]]:
    """Sorted, merged [from, to) windows (``to`` None or 9999-12-31: open-ended)."""
    spans = sorted((to_date(a), MAX_DATE if b is None else to_date(b)) for a, b in windows)
    out: list[tuple[date, date]] = []
    for a, b in spans:
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def regimes_for(spans: Sequence[tuple[date, date, Requirement]]) -> list[Regime]:
    """Regimes from (start, end, requirement) spans, narrowed to each requirement's own ``effective_from`` /
    ``effective_until``, with ``new_hires_only`` resolved: a date as given; ``true`` = the first day of the
    unbroken run of regimes (ending with this one) that all say ``new_hires_only: true`` — the day the rule came
    into force."""
    out: list[Regime] = []
    for start, end, req in sorted(spans, key=lambda s: (s[0], s[1])):
        # The requirement's own effective_from / effective_until (inclusive) narrow the catalog's window.
        if req.effective_from is not None:
            start = max(start, to_date(req.effective_from))
        if req.effective_until is not None:
            end = min(end, add_days(to_date(req.effective_until), 1))
        if start >= end:
            continue
        nho = req.applies_to.new_hires_only
        frm: date | None = None
        if nho is True:
            prev = out[-1] if out else None
            frm = prev.new_hire_from if prev is not None and prev.end == start and \
                prev.requirement.applies_to.new_hires_only is True else start
        elif isinstance(nho, str):
            frm = to_date(nho)
        out.append(Regime(start, end, req, frm))
    return out


def timeline(person: PersonHistory, requirement: Requirement, catalog_windows: Iterable[Window],
             facts: Sequence[EvidenceFact], exemptions: Sequence[Exemption], horizon: date | str, *,
             revocations: Sequence[ExemptionRevocation] = ()) -> list[Segment]:
    """The segments of one person x requirement. ``catalog_windows`` are the [from, to) date ranges in which this
    definition is in force (``to`` None: open-ended); ``facts`` are the person's evidence (any requirement's:
    the matching ones are picked); ``exemptions`` (and ``revocations``) the administrators' decisions."""
    spans = [(a, b, requirement) for a, b in _windows(catalog_windows)]
    return build(person, regimes_for(spans), facts, apply_revocations(exemptions, revocations), horizon)


def catalog_regimes(catalogs: Sequence[Catalog | CatalogVersion]) -> dict[str, list[Regime]]:
    """Requirement id -> its regimes, from effective-dated catalog versions: each version is in force from its
    effective date until the next version's; a requirement missing from a version is not in force then."""
    versions: list[tuple[date, int, str, Catalog]] = []
    for c in catalogs:
        if isinstance(c, CatalogVersion):
            versions.append((to_date(c.effective), c.seq, c.catalog.to_json(), c.catalog))
        else:
            if c.effective is None:
                raise ValueError("a catalog version needs an effective date (Catalog.with_effective)")
            versions.append((to_date(c.effective), 0, c.to_json(), c))
    versions.sort(key=lambda v: v[:3])
    # Of several versions with the same effective date, the last in (seq, text) order replaces the others.
    latest: dict[date, Catalog] = {}
    for eff, _, _, cat in versions:
        latest[eff] = cat
    dates = sorted(latest)
    spans: dict[str, list[tuple[date, date, Requirement]]] = {}
    for i, eff in enumerate(dates):
        end = dates[i + 1] if i + 1 < len(dates) else MAX_DATE
        for req in latest[eff].requirements:
            own = spans.setdefault(req.id, [])
            if own and own[-1][1] == eff and own[-1][2] == req:
                own[-1] = (own[-1][0], end, req)  # unchanged definition: one longer span
            else:
                own.append((eff, end, req))
    return {rid: regimes_for(s) for rid, s in sorted(spans.items())}


def person_timelines(history: PersonHistory, catalogs: Sequence[Catalog | CatalogVersion],
                     facts: Sequence[EvidenceFact], exemptions: Sequence[Exemption], horizon: date | str, *,
                     revocations: Sequence[ExemptionRevocation] = ()) -> dict[str, list[Segment]]:
    """Every requirement's timeline for one person under effective-dated catalog versions (a later version
    replaces the earlier from its effective date; a changed definition governs from then on, evaluated over all
    the evidence). Keys are every requirement id of any version (a list may be empty)."""
    live = apply_revocations(exemptions, revocations)
    return {rid: build(history, regs, facts, live, horizon) for rid, regs in catalog_regimes(catalogs).items()}
