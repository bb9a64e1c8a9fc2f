"""Guskey levels 3-5 and cost, as pure functions (the same conventions as ``metrics.py``: eligible staff only,
inside the period, unsuppressed figures with the people and statements behind each)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from projections.evaluation.catalog import Program
from projections.evaluation.digests import (CoachingSession, Observation, OutcomeAggregate, PlcMeeting,
                                            StaffMember)
from projections.evaluation.metrics import UNASSIGNED, building_of, mean, rate
from projections.evaluation.periods import weeks_in

CORRELATION_LABEL = "correlation, not causation"


# ---------------------------------------------------------------------------------------------------------------
# Level 3: organisational support (coaching and PLC time), by building
# ---------------------------------------------------------------------------------------------------------------

def _in_scope(program: Program, activities: set[str], activity: str | None, context_ids: Sequence[str],
              activity_type: str | None = None, tags: Sequence[str] = ()) -> bool:
    if program.support_scope == "all":
        return True
    return (activity is not None and activity in activities) or any(c in activities for c in context_ids) \
        or program.belongs(activity, activity_type, tags, context_ids)


def support(program: Program, coaching: Iterable[CoachingSession], plc: Iterable[PlcMeeting],
            eligible: Mapping[str, StaffMember], activities: set[str], lo: date, hi: date, *,
            weeks: float | None = None) -> dict[str, Any]:
    """Coaching hours per coached teacher and PLC minutes per week per member, by building (the teacher's
    roster building), with district-wide totals that also give the figures per eligible staff member.

    Which coaching and PLC time counts: the program's (``support_scope: program``, the default: sessions whose
    activity or context belongs to the program) or all of the eligible staff's (``support_scope: all``).
    ``weeks`` defaults to the period's length in weeks; pass the instructional weeks to leave out breaks.
    """
    w = weeks if weeks else weeks_in(lo, hi)
    sessions = [s for s in coaching if s.teacher in eligible and lo <= s.date <= hi
                and _in_scope(program, activities, s.activity, s.context_ids)]
    meetings = [m for m in plc if m.person in eligible and lo <= m.date <= hi
                and _in_scope(program, activities, m.activity, m.context_ids, m.activity_type, m.tags)]
    buildings = sorted({building_of(m) for m in eligible.values()})

    def building(person: str, fallback: str | None) -> str:
        return building_of(eligible[person]) if person in eligible else (fallback or UNASSIGNED)

    def coach_cell(items: Sequence[CoachingSession]) -> dict[str, Any]:
        hours = sum(max(0.0, s.hours) for s in items)
        coached = len({s.teacher for s in items})
        return {"coached": coached, "hours": round(hours, 2), "statements": len({s.statement_id for s in items}),
                "hours_per_coached_teacher": rate(hours, coached, 2)}

    def plc_cell(items: Sequence[PlcMeeting]) -> dict[str, Any]:
        minutes = sum(max(0.0, m.minutes) for m in items)
        members = len({m.person for m in items})
        return {"members": members, "minutes": round(minutes, 1), "statements": len({m.statement_id for m in items}),
                "minutes_per_week_per_member": rate(minutes, members * w, 1)}

    by_b_coach: dict[str, list[CoachingSession]] = {b: [] for b in buildings}
    for s in sessions:
        by_b_coach.setdefault(building(s.teacher, s.building), []).append(s)
    by_b_plc: dict[str, list[PlcMeeting]] = {b: [] for b in buildings}
    for m in meetings:
        by_b_plc.setdefault(building(m.person, None), []).append(m)

    coach_total = coach_cell(sessions)
    coach_total["hours_per_eligible_teacher"] = rate(coach_total["hours"], len(eligible), 2)
    coach_total["by_building"] = [{"building": b, **coach_cell(v)} for b, v in sorted(by_b_coach.items())]
    plc_total = plc_cell(meetings)
    plc_total["minutes_per_week_per_eligible"] = rate(plc_total["minutes"], len(eligible) * w, 1)
    plc_total["by_building"] = [{"building": b, **plc_cell(v)} for b, v in sorted(by_b_plc.items())]
    return {"weeks": round(w, 2), "scope": program.support_scope, "coaching": coach_total, "plc": plc_total}


# ---------------------------------------------------------------------------------------------------------------
# Level 4: use of new knowledge and skills (observed practice), by cohort and over time
# ---------------------------------------------------------------------------------------------------------------

def time_bucket(day: date, granularity: str = "month") -> str:
    """``2026-10`` by month, ``2026-Q4`` by calendar quarter."""
    if granularity == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if granularity != "month":
        raise ValueError("granularity must be 'month' or 'quarter'")
    return f"{day.year}-{day.month:02d}"


def program_level(o: Observation, program: Program) -> float:
    """The observed level on the program's rubric scale (1..``rubric_scale_max``): a level on another scale is
    mapped linearly (3 of 1-5 is 2.5 of 1-4)."""
    if o.scale_min == 1 and o.scale_max == program.rubric_scale_max:
        return o.level
    if o.scale_max <= o.scale_min:
        return o.level
    return 1 + (o.level - o.scale_min) / (o.scale_max - o.scale_min) * (program.rubric_scale_max - 1)


def _use_cell(items: Sequence[Observation], program: Program) -> dict[str, Any]:
    levels = [program_level(o, program) for o in items]
    proficient = sum(1 for v in levels if v >= program.proficient_level - 1e-9)
    return {"people": len({o.teacher for o in items}), "statements": len({o.statement_id for o in items}),
            "observations": len(items), "proficient": proficient, "proficient_share": rate(proficient, len(items)),
            "mean_level": mean(levels, 2)}


def use(program: Program, observations: Iterable[Observation], eligible: Mapping[str, StaffMember],
        participants: set[str], lo: date, hi: date, *, granularity: str = "month") -> dict[str, Any]:
    """Observed rubric levels on the program's target practices (all practices when it names none): the share
    of observations at or above ``proficient_level`` and the mean level, for participants and for the other
    eligible staff, in total and by month or quarter. One look-for seen in one walkthrough is one observation."""
    targets = set(program.target_practices)
    sel = [o for o in observations if o.teacher in eligible and lo <= o.date <= hi
           and (not targets or o.practice in targets)]
    out: dict[str, Any] = {"target_practices": sorted(targets), "proficient_level": program.proficient_level,
                           "rubric_scale_max": program.rubric_scale_max, "granularity": granularity}
    for name, members in (("participants", True), ("non_participants", False)):
        items = [o for o in sel if (o.teacher in participants) == members]
        cell = _use_cell(items, program)
        buckets: dict[str, list[Observation]] = defaultdict(list)
        for o in items:
            buckets[time_bucket(o.date, granularity)].append(o)
        cell["by_period"] = [{"period": k, **_use_cell(v, program)} for k, v in sorted(buckets.items())]
        out[name] = cell
    return out


# ---------------------------------------------------------------------------------------------------------------
# Level 5: student outcomes (aggregates only), participants' cohorts beside the others
# ---------------------------------------------------------------------------------------------------------------

def _outcome_cell(items: Sequence[OutcomeAggregate]) -> dict[str, Any] | None:
    n = sum(max(0, a.n) for a in items)
    if not items or n == 0:
        return None
    return {"value": round(sum(a.value * max(0, a.n) for a in items) / n, 4), "n": n, "groups": len(items)}


def outcomes(program: Program, aggregates: Iterable[OutcomeAggregate]) -> dict[str, Any]:
    """For each of the program's ``outcome_measures``: per period, the student-weighted mean of the groups taught
    by participants beside that of the other groups. Always labelled "correlation, not causation": the cohorts
    were not assigned at random, and the LRS holds no student-level data."""
    wanted = list(program.outcome_measures)
    by_key: dict[tuple[str, str, bool], list[OutcomeAggregate]] = defaultdict(list)
    for a in aggregates:
        if a.measure in wanted:
            by_key[(a.measure, a.period, a.participant_cohort)].append(a)
    measures = []
    for m in wanted:
        periods = sorted({k[1] for k in by_key if k[0] == m})
        trend = [{"period": p, "participants": _outcome_cell(by_key.get((m, p, True), [])),
                  "others": _outcome_cell(by_key.get((m, p, False), []))} for p in periods]
        measures.append({"measure": m, "trend": trend})
    return {"label": CORRELATION_LABEL, "measures": measures}


# ---------------------------------------------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------------------------------------------

def cost(program: Program, participants: int, hours: float) -> dict[str, Any] | None:
    """Cost per participant and per participant-hour, when the catalog gives the program's costs (taken as the
    costs of the evaluated period)."""
    if program.costs is None:
        return None
    c = program.costs
    return {"total": round(c.total, 2), "currency": c.currency,
            "items": [{"item": i.item, "amount": round(i.amount, 2)} for i in c.items],
            "per_participant": rate(c.total, participants, 2), "per_participant_hour": rate(c.total, hours, 2)}
