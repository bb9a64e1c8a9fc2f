"""Program metrics as pure functions: participation, dosage, and Guskey levels 1 and 2 (levels 3-5 and cost in
``levels.py``).

Every function takes the program, the period ``lo..hi`` (inclusive dates) and digests, and returns plain,
unsuppressed figures, each with the people and statements behind it; ``evaluate.py`` suppresses them for
publication. Common rules:

- Only the program's **eligible** staff count (active, and matching its ``eligible`` roles, buildings and
  certification), and only learning **inside the period** (by the statement's date).
- A fact counts as taking part when its verb records taking part (:data:`PARTICIPATION_VERBS`); registrations,
  unregistrations and waivers do not.
- A person with several roles is counted under one **primary role**: the first of their roster roles that the
  program's eligibility names (else their first role), so role tables add up to their total.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
import hashlib
from typing import Any

from projections.evaluation.catalog import Program
from projections.evaluation.digests import (DELIVERY_MODELS, Assessment, LearningFact, StaffMember,
                                            SurveyAnswer)
from projections.evaluation.periods import week_index

_A = "http://adlnet.gov/expapi/verbs/"
PARTICIPATION_VERBS = frozenset({
    _A + "attended", _A + "completed", _A + "passed", _A + "failed", _A + "launched", _A + "initialized",
    _A + "progressed", "https://w3id.org/xapi/adl/verbs/satisfied",
    "http://activitystrea.ms/checkin", "http://activitystrea.ms/schema/1.0/checkin",
    "http://activitystrea.ms/join", "http://activitystrea.ms/schema/1.0/join", "http://activitystrea.ms/attend",
    "http://id.tincanapi.com/verb/mentored", "https://w3id.org/xapi/adb/verbs/coached",
})
UNASSIGNED = "unassigned"


def rate(part: float, whole: float, digits: int = 4) -> float | None:
    """``part / whole`` rounded, or None when ``whole`` is 0."""
    return round(part / whole, digits) if whole else None


def mean(values: Sequence[float], digits: int = 4) -> float | None:
    return round(sum(values) / len(values), digits) if values else None


# ---------------------------------------------------------------------------------------------------------------
# Eligibility and program membership
# ---------------------------------------------------------------------------------------------------------------

def is_eligible(member: StaffMember, program: Program) -> bool:
    """Active, with an eligible role, in an eligible building, with the required certification."""
    e = program.eligible
    if not member.active:
        return False
    if e.roles and not any(r in e.roles for r in member.roles):
        return False
    if e.buildings and member.building not in e.buildings:
        return False
    return e.certified is None or member.certified == e.certified


def eligible_staff(staff: Iterable[StaffMember], program: Program) -> dict[str, StaffMember]:
    """Eligible staff by employee id."""
    return {m.employee_id: m for m in staff if is_eligible(m, program)}


def primary_role(member: StaffMember, program: Program) -> str:
    """The one role a person is counted under (see the module docstring)."""
    for r in member.roles:
        if not program.eligible.roles or r in program.eligible.roles:
            return r
    return member.roles[0] if member.roles else UNASSIGNED


def building_of(member: StaffMember) -> str:
    return member.building or UNASSIGNED


def fact_belongs(f: LearningFact, program: Program) -> bool:
    return program.belongs(f.activity, f.activity_type, f.tags, f.context_ids)


def program_activities(program: Program, facts: Iterable[LearningFact]) -> set[str]:
    """Every activity that is part of the program: its listed activities and grouping ids, and the activities of
    all learning that belongs to it (whoever did it). Surveys and tests about one of these belong to it."""
    out = set(program.activities) | set(program.grouping)
    out.update(f.activity for f in facts if fact_belongs(f, program))
    return out


def program_facts(program: Program, facts: Iterable[LearningFact], eligible: Mapping[str, StaffMember],
                  lo: date, hi: date) -> list[LearningFact]:
    """The facts that count: eligible staff, inside the period, a taking-part verb, belonging to the program."""
    return [f for f in facts if f.person in eligible and lo <= f.date <= hi and f.verb in PARTICIPATION_VERBS
            and fact_belongs(f, program)]


# ---------------------------------------------------------------------------------------------------------------
# Participation
# ---------------------------------------------------------------------------------------------------------------

def _participation_cell(members: Iterable[str], participants: set[str],
                        statements: Mapping[str, set[str]]) -> dict[str, Any]:
    ids = set(members)
    took = ids & participants
    stmts: set[str] = set()
    for p in took:
        stmts |= statements.get(p, set())
    return {"participants": len(took), "eligible": len(ids), "rate": rate(len(took), len(ids)),
            "statements": len(stmts)}


def participation(program: Program, staff: Iterable[StaffMember], facts: Iterable[LearningFact],
                  lo: date, hi: date) -> dict[str, Any]:
    """Unique participants among eligible staff and their share, in total, by building, by (primary) role and
    certified vs non-certified. A building or role the program names but nobody holds is a zero cell."""
    eligible = eligible_staff(staff, program)
    counted = program_facts(program, facts, eligible, lo, hi)
    participants = {f.person for f in counted}
    statements: dict[str, set[str]] = defaultdict(set)
    for f in counted:
        statements[f.person].add(f.statement_id)

    def table(keyname: str, key_of: Callable[[StaffMember], str], extra: Iterable[str] = ()) -> list[dict[str, Any]]:
        groups: dict[str, list[str]] = {k: [] for k in extra}
        for m in eligible.values():
            groups.setdefault(key_of(m), []).append(m.employee_id)
        return [{keyname: k, **_participation_cell(v, participants, statements)}
                for k, v in sorted(groups.items())]

    out = _participation_cell(eligible, participants, statements)
    out["by_building"] = table("building", building_of, program.eligible.buildings)
    out["by_role"] = table("role", lambda m: primary_role(m, program), program.eligible.roles)
    certs = ["certified", "non_certified"]
    if program.eligible.certified is not None:
        certs = ["certified" if program.eligible.certified else "non_certified"]
    out["by_certification"] = table("certification", lambda m: "certified" if m.certified else "non_certified",
                                    certs)
    out["participant_ids"] = sorted(participants)  # for the other levels' cohorts; never published
    return out


# ---------------------------------------------------------------------------------------------------------------
# Dosage
# ---------------------------------------------------------------------------------------------------------------

def series_key(f: LearningFact, program: Program) -> str:
    """What makes sessions one series: the registration, else the first parent that is not a program grouping
    id (the program itself is not a series), else the activity (a meeting that recurs under one id)."""
    if f.registration:
        return "reg:" + f.registration
    for p in f.parents:
        if p not in program.grouping:
            return "parent:" + p
    return "activity:" + f.activity


def sustained_statements(facts: Sequence[LearningFact], program: Program, min_sessions: int,
                         min_weeks: int) -> set[str]:
    """Statements of a person's multi-session series: at least ``min_sessions`` sessions (distinct dates) whose
    first and last fall at least ``min_weeks`` calendar weeks (Monday-Sunday, counted inclusively) apart. Four
    weekly sessions span 4 weeks."""
    series: dict[tuple[str, str], list[LearningFact]] = defaultdict(list)
    for f in facts:
        series[(f.person, series_key(f, program))].append(f)
    out: set[str] = set()
    for group in series.values():
        days = sorted({f.date for f in group})
        weeks = week_index(days[-1]) - week_index(days[0]) + 1
        if len(days) >= min_sessions and weeks >= min_weeks:
            out.update(f.statement_id for f in group)
    return out


def dosage(program: Program, staff: Iterable[StaffMember], facts: Iterable[LearningFact], lo: date, hi: date, *,
           job_embedded_models: Sequence[str] = ("plc", "coaching", "instructional_rounds"),
           min_sessions: int = 3, min_weeks: int = 4) -> dict[str, Any]:
    """Hours of the program's eligible participants: total, per participant, by delivery model, and how much of
    it is sustained or job-embedded (ESSA 8101(42)): hours in a job-embedded model (PLC, coaching, instructional
    rounds by default) or in a sustained multi-session series, against one-off events."""
    eligible = eligible_staff(staff, program)
    counted = program_facts(program, facts, eligible, lo, hi)
    sustained = sustained_statements([f for f in counted if f.delivery_model not in job_embedded_models],
                                     program, min_sessions, min_weeks)
    total = je = series = collab = 0.0
    by_model: dict[str, dict[str, Any]] = {}
    for f in counted:
        h = max(0.0, float(f.hours))
        total += h
        if f.delivery_model in job_embedded_models:
            je += h
        elif f.statement_id in sustained:
            series += h
        if f.team:
            collab += h
        model = f.delivery_model if f.delivery_model in DELIVERY_MODELS else "other"
        cell = by_model.setdefault(model, {"hours": 0.0, "people": set(), "statements": set()})
        cell["hours"] += h
        cell["people"].add(f.person)
        cell["statements"].add(f.statement_id)
    people = {f.person for f in counted}
    models = [{"delivery_model": m, "hours": round(c["hours"], 2), "people": len(c["people"]),
               "statements": len(c["statements"]), "hours_per_participant": rate(c["hours"], len(c["people"]), 2)}
              for m in DELIVERY_MODELS if (c := by_model.get(m))]
    return {
        "total": round(total, 2), "people": len(people), "statements": len({f.statement_id for f in counted}),
        "per_participant": rate(total, len(people), 2),
        "job_embedded_hours": round(je, 2), "sustained_series_hours": round(series, 2),
        "one_off_hours": round(total - je - series, 2), "collaborative_hours": round(collab, 2),
        "job_embedded_share": rate(je + series, total),
        "by_delivery_model": models,
    }


# ---------------------------------------------------------------------------------------------------------------
# Guskey level 1: reactions
# ---------------------------------------------------------------------------------------------------------------

def agrees(a: SurveyAnswer, top_points: int = 2, rating_share: float = 0.8) -> bool:
    """A likert answer agrees when it is one of the scale's top points: the top ``top_points`` (2: "agree" and
    "strongly agree" on a 5-point scale), but never more than half the scale (on a 3-point scale only the top
    one). A quality rating agrees at ``rating_share`` (80%) of its range or more, the range running from its
    ``min`` (0%) to its ``max`` (100%): 5 of 1-5 stars (4 is 75%), 9 of 1-10, 8 of 0-10."""
    if a.scale_max <= a.scale_min:
        return False
    if a.kind == "likert":
        points = int(round(a.scale_max - a.scale_min)) + 1
        top = max(1, min(top_points, points // 2))
        return a.value >= a.scale_max - (top - 1)
    return (a.value - a.scale_min) / (a.scale_max - a.scale_min) >= rating_share - 1e-9


def normalised(a: SurveyAnswer) -> float:
    """The answer on a 0..1 scale (0 = the scale's lowest point, 1 = its highest)."""
    return (a.value - a.scale_min) / (a.scale_max - a.scale_min) if a.scale_max > a.scale_min else 0.0


def default_presenter_label(keys: Iterable[str]) -> dict[str, str]:
    """Evaluation views show no names: presenters become "Presenter 1", "Presenter 2"... numbered in the order of
    a hash of their key (not alphabetically, which would hint at names)."""
    ordered = sorted(set(keys), key=lambda k: hashlib.sha256(k.encode()).hexdigest())
    return {k: f"Presenter {i}" for i, k in enumerate(ordered, 1)}


def _reaction_cell(answers: Sequence[SurveyAnswer], top_points: int, rating_share: float) -> dict[str, Any]:
    agree = sum(1 for a in answers if agrees(a, top_points, rating_share))
    return {"people": len({a.person for a in answers}), "statements": len({a.statement_id for a in answers}),
            "answers": len(answers), "agree": agree, "agree_share": rate(agree, len(answers)),
            "mean": mean([normalised(a) for a in answers])}


def reactions(program: Program, answers: Iterable[SurveyAnswer], eligible: Mapping[str, StaffMember],
              activities: set[str], lo: date, hi: date, *, top_points: int = 2, rating_share: float = 0.8,
              presenter_labels: Callable[[Iterable[str]], Mapping[str, str]] = default_presenter_label
              ) -> dict[str, Any]:
    """Exit-survey answers about the program's sessions: % agree and mean (0..1), overall and by session,
    presenter (pseudonymous) and delivery model. An answer naming two presenters counts for both."""
    sel = [a for a in answers if a.person in eligible and lo <= a.date <= hi
           and (a.session in activities or any(c in activities for c in a.context_ids))]
    out = _reaction_cell(sel, top_points, rating_share)
    by_session: dict[str, list[SurveyAnswer]] = defaultdict(list)
    by_model: dict[str, list[SurveyAnswer]] = defaultdict(list)
    by_presenter: dict[str, list[SurveyAnswer]] = defaultdict(list)
    for a in sel:
        by_session[a.session or "unknown"].append(a)
        by_model[a.delivery_model or "unknown"].append(a)
        for p in a.presenters:
            by_presenter[p].append(a)
    labels = presenter_labels(by_presenter)
    out["by_session"] = [{"session": k, **_reaction_cell(v, top_points, rating_share)}
                         for k, v in sorted(by_session.items())]
    out["by_delivery_model"] = [{"delivery_model": k, **_reaction_cell(v, top_points, rating_share)}
                                for k, v in sorted(by_model.items())]
    out["by_presenter"] = sorted(({"presenter": labels[k], **_reaction_cell(v, top_points, rating_share)}
                                  for k, v in by_presenter.items()), key=lambda c: c["presenter"])
    return out


# ---------------------------------------------------------------------------------------------------------------
# Guskey level 2: learning
# ---------------------------------------------------------------------------------------------------------------

def pre_post_pairs(tests: Iterable[Assessment]) -> list[tuple[Assessment, Assessment]]:
    """Per person and subject: the latest pretest taken before their earliest posttest, with that posttest
    (both with a scaled score). Later retakes of the posttest do not make more pairs. Timestamps are compared
    as text, so they must be in one form (``extract.py`` gives UTC ``...Z``)."""
    groups: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
    for t in tests:
        if t.scaled is not None:
            groups[(t.person, t.subject or "")].append(t)
    pairs: list[tuple[Assessment, Assessment]] = []
    for key in sorted(groups):
        posts = sorted((t for t in groups[key] if t.kind == "posttest"), key=lambda t: (t.timestamp, t.statement_id))
        if not posts:
            continue
        first_post = posts[0]
        pres = sorted((t for t in groups[key] if t.kind == "pretest" and t.timestamp < first_post.timestamp),
                      key=lambda t: (t.timestamp, t.statement_id))
        if pres:
            pairs.append((pres[-1], first_post))
    return pairs


def _learning_cell(tests: Sequence[Assessment]) -> dict[str, Any]:
    pairs = pre_post_pairs(tests)
    outcome: dict[tuple[str, str], bool] = {}
    stmts = {s.statement_id for pair in pairs for s in pair}
    for t in tests:
        if t.kind == "posttest" and t.success is not None:
            k = (t.person, t.subject or "")
            outcome[k] = outcome.get(k, False) or t.success  # eventually passed: a retake may pass
            stmts.add(t.statement_id)
    people = {p[0].person for p in pairs} | {k[0] for k in outcome}
    passed = sum(1 for v in outcome.values() if v)
    return {"people": len(people), "statements": len(stmts), "pairs": len(pairs),
            "mean_pre": mean([p[0].scaled or 0.0 for p in pairs]),
            "mean_post": mean([p[1].scaled or 0.0 for p in pairs]),
            "mean_gain": mean([(p[1].scaled or 0.0) - (p[0].scaled or 0.0) for p in pairs]),
            "tested": len(outcome), "passed": passed, "pass_rate": rate(passed, len(outcome))}


def learning(program: Program, tests: Iterable[Assessment], eligible: Mapping[str, StaffMember],
             activities: set[str], lo: date, hi: date) -> dict[str, Any]:
    """Pre/post gain (scaled score, 0..1) and pass rate on the program's tests, overall and by assessed subject.
    The pass rate is per person and subject: passed when any posttest in the period passed."""
    sel = [t for t in tests if t.person in eligible and lo <= t.date <= hi
           and (t.activity in activities or (t.subject in activities) or any(c in activities for c in t.context_ids))]
    out = _learning_cell(sel)
    by_subject: dict[str, list[Assessment]] = defaultdict(list)
    for t in sel:
        by_subject[t.subject or "unspecified"].append(t)
    out["by_assessment"] = [{"assessment": k, **_learning_cell(v)} for k, v in sorted(by_subject.items())]
    return out
