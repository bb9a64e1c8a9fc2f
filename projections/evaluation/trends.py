"""Each Guskey level over time: the period cut into months (or quarters), every cut measured by the same functions
as the whole (``metrics.py``, ``levels.py``) and published as a one-way table whose total is the whole period.

Why a table of its own, with complementary suppression: counts such as answers, agreeing answers, coaching hours
and statements add up over months to the period's published total, so one hidden month could be worked out by
subtraction exactly as one hidden building could. People are not additive over months (one teacher is coached in
October and in November), so only the additive fields pin a hidden month; the people fields decide which months
are small.

- ``participation``: eligible staff taking part in the program that month;
- ``reactions`` (level 1): exit-survey answers dated that month;
- ``learning`` (level 2): pre/post pairs by the month of the posttest (a pair's pretest may be earlier);
- ``coaching`` and ``plc`` (level 3): coaching sessions and PLC meetings that month (minutes a week over the
  month's own weeks).

Level 4 (``levels.use.*.by_period``) and level 5 (``levels.outcomes``, by the outcome file's periods) are over
time already.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from projections.evaluation.catalog import Program, ProgramCatalog
from projections.evaluation.digests import EvaluationData, LearningFact
from projections.evaluation.levels import support, time_bucket
from projections.evaluation.metrics import (PARTICIPATION_VERBS, eligible_staff, fact_belongs, learning, rate,
                                            reactions)
from projections.evaluation.suppression import publish_table

T = TypeVar("T")


def buckets(lo: date, hi: date, granularity: str = "month") -> list[tuple[str, date, date]]:
    """``(label, first day, last day)`` of each month (or quarter) of ``lo..hi``, clipped to it."""
    out: list[tuple[str, date, date]] = []
    day = lo
    while day <= hi:
        if granularity == "quarter":
            q_month = 3 * ((day.month - 1) // 3) + 1
            nxt = date(day.year + (q_month + 3 > 12), (q_month + 2) % 12 + 1, 1)
        else:
            nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        end = min(hi, nxt - timedelta(days=1))
        out.append((time_bucket(day, granularity), day, end))
        day = nxt
    return out


def _split(items: Iterable[T], when: Callable[[T], date], granularity: str) -> dict[str, list[T]]:
    out: dict[str, list[T]] = defaultdict(list)
    for it in items:
        out[time_bucket(when(it), granularity)].append(it)
    return out


def _publish(cells: Sequence[Mapping[str, Any]], total: Mapping[str, Any], min_cell: int, people: Sequence[str],
             additive: Sequence[str]) -> list[dict[str, Any]]:
    _, published = publish_table(cells, total, min_cell, key="period", people=people, additive=additive)
    return published


def _scalars(block: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if not isinstance(v, (list, dict))}


def _participation_cell(label: str, facts: Sequence[LearningFact], eligible: int) -> dict[str, Any]:
    people = {f.person for f in facts}
    return {"period": label, "participants": len(people), "eligible": eligible, "rate": rate(len(people), eligible),
            "statements": len({f.statement_id for f in facts})}


def trends(catalog: ProgramCatalog, program: Program, data: EvaluationData, lo: date, hi: date, *,
           granularity: str = "month") -> dict[str, Any]:
    """The published series of ``program`` over ``lo..hi`` (see the module docstring)."""
    n = catalog.min_cell
    cuts = buckets(lo, hi, granularity)
    eligible = eligible_staff(data.staff, program)
    # Which facts count, decided once (program_facts' rule: eligible, in the period, taking part, the program's).
    belonging = [f for f in data.facts if fact_belongs(f, program)]
    activities = set(program.activities) | set(program.grouping) | {f.activity for f in belonging}
    counted = [f for f in belonging if f.person in eligible and lo <= f.date <= hi and f.verb in PARTICIPATION_VERBS]

    facts = _split(counted, lambda f: f.date, granularity)
    answers = _split((a for a in data.answers if lo <= a.date <= hi), lambda a: a.date, granularity)
    coaching = _split((s for s in data.coaching if lo <= s.date <= hi), lambda s: s.date, granularity)
    plc = _split((m for m in data.plc if lo <= m.date <= hi), lambda m: m.date, granularity)

    # Level 2 by the month of each person's first posttest on each subject (their pair and pass/fail go there).
    first_post: dict[tuple[str, str], date] = {}
    for t in sorted(data.assessments, key=lambda t: (t.timestamp, t.statement_id)):
        if t.kind == "posttest" and lo <= t.date <= hi:
            first_post.setdefault((t.person, t.subject or ""), t.date)
    tests: dict[str, list[Any]] = defaultdict(list)
    for t in data.assessments:
        month = first_post.get((t.person, t.subject or ""))
        if month is not None:
            tests[time_bucket(month, granularity)].append(t)

    part_total = _participation_cell("", counted, len(eligible))
    react_total = reactions(program, data.answers, eligible, activities, lo, hi, top_points=catalog.agree_top_points,
                            rating_share=catalog.rating_agree_share)
    learn_total = learning(program, data.assessments, eligible, activities, lo, hi)
    supp_total = support(program, data.coaching, data.plc, eligible, activities, lo, hi)

    part_cells, react_cells, learn_cells, coach_cells, plc_cells = [], [], [], [], []
    for label, a, b in cuts:
        part_cells.append(_participation_cell(label, facts.get(label, []), len(eligible)))
        r = reactions(program, answers.get(label, []), eligible, activities, a, b,
                      top_points=catalog.agree_top_points, rating_share=catalog.rating_agree_share)
        react_cells.append({"period": label, **_scalars(r)})
        lr = learning(program, tests.get(label, []), eligible, activities, lo, hi)
        learn_cells.append({"period": label, **_scalars(lr)})
        s = support(program, coaching.get(label, []), plc.get(label, []), eligible, activities, a, b)
        coach_cells.append({"period": label, **_scalars(s["coaching"])})
        plc_cells.append({"period": label, **_scalars(s["plc"])})

    return {
        "granularity": granularity,
        "participation": _publish(part_cells, part_total, n, ("participants",), ("statements",)),
        "reactions": _publish(react_cells, _scalars(react_total), n, ("people",), ("statements", "answers", "agree")),
        "learning": _publish(learn_cells, _scalars(learn_total), n, ("people",),
                             ("pairs", "tested", "passed", "statements")),
        "coaching": _publish(coach_cells, _scalars(supp_total["coaching"]), n, ("coached",), ("hours", "statements")),
        "plc": _publish(plc_cells, _scalars(supp_total["plc"]), n, ("members",), ("minutes", "statements")),
    }
