"""The transcript's domain rules, as pure functions over statement dicts (no database, no Flask).

What a statement means for a learner's transcript: which outcome its verb records, which delivery model its
activity type, categories and parents imply, whether it is training or professional development, and how many
hours it is worth (domain.md section 3, "Duration, credits and validity"). Everything a district may want to
change is in :class:`Vocabulary`, built from settings.

Determinism matters here: the live worker and a replay must produce identical read models, so every choice
(languages, ties between hints, which fact dates an entry) is made by a total order, never by dict or set order.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from lrs.roster.identity import credited_agents, match_key
from lrs.times import try_parse_timestamp
from lrs.xapi.model import VOIDED_VERB_ID
from projections.readers import (as_dict, instructor_labels, provider_label, agent_label, context_activities, display_text,
                                 parse_credit, parse_duration, school_year, statement_date)
from projections.transcript.hints import (activity_hint, assessment_kind, classification_hint,
                                          definition_classification, definition_credit, definition_duration,
                                          statement_hint)
from projections.transcript.vocabulary import (COACHING_VERBS, CREDITED, EXT_PLANNED_DURATION, EXT_PROVIDER,
                                               INTERVAL_VERBS, OUTCOME_RANK, VERB_COMPLETED, VERB_OUTCOMES,
                                               Vocabulary)


def entry_key(actor: str, activity: str, registration: str | None, year: str) -> str:
    """The key of a learning experience: one person, one activity, one registration (else one school year).

    Without a registration, repeated statements about an activity within a school year are one experience
    (weekly PLC meetings add up; a re-sent attendance statement does not double), and next year's annual
    training is a new one.
    """
    scope = "reg:" + registration if registration else "sy:" + year
    return hashlib.sha1(f"{actor}\x1f{activity}\x1f{scope}".encode()).hexdigest()


def voided_target(stmt: Mapping[str, Any]) -> str | None:
    """The id a voiding statement voids, or None for any other statement."""
    if (stmt.get("verb") or {}).get("id") != VOIDED_VERB_ID:
        return None
    obj = stmt.get("object") or {}
    if obj.get("objectType") == "StatementRef" and isinstance(obj.get("id"), str):
        return str(obj["id"]).lower()
    return None


def extract_facts(stmt: Mapping[str, Any], position: int, vocab: Vocabulary) -> list[dict[str, Any]]:
    """The transcript facts in one stored statement: one per credited person, or none.

    A fact is a row of ``transcript_facts`` without ``gen``/``voided``; ``attrs`` holds what the entry
    computation needs from the statement itself.
    """
    verb = (stmt.get("verb") or {}).get("id")
    obj = stmt.get("object") or {}
    ctx = as_dict(stmt.get("context"))
    result = as_dict(stmt.get("result"))
    otype = obj.get("objectType", "Activity")
    definition: Mapping[str, Any] | None = None
    if verb in COACHING_VERBS and otype in ("Agent", "Group"):
        credited = list(credited_agents(obj))
        parents = context_activities(ctx, "parent") + context_activities(ctx, "grouping")
        coach = match_key(stmt.get("actor")) or "unknown"
        activity = parents[0]["id"] if parents and isinstance(parents[0].get("id"), str) else \
            "urn:lrs:coaching:" + hashlib.sha1(coach.encode()).hexdigest()[:16]
        outcome = "attended"
        name = display_text((parents[0].get("definition") or {}).get("name")) if parents else None
        name = name or f"Coaching with {agent_label(stmt.get('actor')) or 'a coach'}"
    elif otype == "Activity" and verb in VERB_OUTCOMES and isinstance(obj.get("id"), str):
        credited = list(credited_agents(stmt.get("actor")))
        activity = obj["id"]
        outcome = VERB_OUTCOMES[verb]
        definition = obj.get("definition") if isinstance(obj.get("definition"), dict) else None
        name = display_text((definition or {}).get("name"))
        # Jisc attendance template: result.completion false on "attended" records an absence.
        if outcome == "attended" and result.get("completion") is False:
            outcome = "absent"
    else:
        return []
    if not credited:
        return []
    test = assessment_kind(ctx) if otype == "Activity" else None
    if test and verb == VERB_COMPLETED and isinstance(result.get("success"), bool):
        # A pre/post test with a passing score reports its verdict in result.success (district profile).
        outcome = "passed" if result["success"] else "failed"
    date = statement_date(stmt, vocab.time_zone)
    year = school_year(date, vocab.school_year_start)
    registration = ctx.get("registration") if isinstance(ctx.get("registration"), str) else None
    registration = registration.lower() if registration else None
    cexts = as_dict(ctx.get("extensions"))
    rexts = as_dict(result.get("extensions"))
    dexts = as_dict((definition or {}).get("extensions"))
    credit = parse_credit(rexts.get(vocab.ext_credit)) or parse_credit(cexts.get(vocab.ext_credit))
    score = (result.get("score") or {}).get("scaled") if isinstance(result.get("score"), dict) else None
    attrs: dict[str, Any] = {
        "name": name,
        "declared_s": parse_duration(cexts.get(EXT_PLANNED_DURATION)),
        "credit": list(credit) if credit else None,
        "provider": provider_label(cexts.get(EXT_PROVIDER)) or provider_label(dexts.get(EXT_PROVIDER)),
        "hint": list(statement_hint(stmt, vocab) or ()) or None,
        "classification": classification_hint(stmt, definition, vocab),
        "instructors": instructor_labels(ctx),
        "interval": INTERVAL_VERBS.get(verb or ""),
        "score": score if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
        "assessment": test,
    }
    attrs = {k: v for k, v in attrs.items() if v is not None and v != []}  # smaller rows; readers use .get
    ts = stmt.get("timestamp") if isinstance(stmt.get("timestamp"), str) else stmt.get("stored")
    sid = str(stmt.get("id", "")).lower()
    return [{
        "statement_id": sid, "actor_key": key, "actor_name": agent_label(agent) if agent.get("name") else None,
        "entry_key": entry_key(key, activity, registration, year), "activity_id": activity, "verb_id": verb,
        "outcome": outcome, "ts": ts, "date": date, "position": position,
        "duration_s": parse_duration(result.get("duration")), "registration": registration, "attrs": attrs,
    } for key, agent in credited]


# ---------------------------------------------------------------------------------------------------------------
# Entries: a learning experience from its facts
# ---------------------------------------------------------------------------------------------------------------

def _attendance_seconds(facts: Sequence[Mapping[str, Any]]) -> float | None:
    """Measured attendance: per day the longest reported duration (Tin Can attendance recipe: when several
    statements report one event, the largest duration is final) or the sum of join/leave intervals, whichever is
    larger, summed over days. None when nothing was measured."""
    longest: dict[str, float] = {}
    intervals: dict[str, float] = {}
    open_at: dict[str, datetime] = {}
    measured = False
    for f in facts:
        if f["outcome"] != "attended":
            continue
        kind = (f["attrs"] or {}).get("interval")
        day = f["date"]
        if kind == "join":
            t = try_parse_timestamp(f["ts"] or "")
            if t is not None:
                open_at[day] = t
        elif kind == "leave":
            t, start = try_parse_timestamp(f["ts"] or ""), open_at.pop(day, None)
            if t is not None and start is not None and t > start:
                intervals[day] = intervals.get(day, 0.0) + (t - start).total_seconds()
                measured = True
        elif f["duration_s"] is not None:
            longest[day] = max(longest.get(day, 0.0), float(f["duration_s"]))
            measured = True
    if not measured:
        return None
    return sum(max(longest.get(d, 0.0), intervals.get(d, 0.0)) for d in set(longest) | set(intervals))


def compute_entry(facts: Iterable[Mapping[str, Any]], definition: Mapping[str, Any] | None,
                  vocab: Vocabulary) -> dict[str, Any] | None:
    """One transcript entry from its facts (voided ones are ignored) and the activity's known definition.

    Hours, in order of precedence: a declared credit (district credit extension, converted to clock hours);
    measured attendance; the activity's declared length (definition ``.../extension/duration`` or a statement's
    ``planned-duration``); the longest ``result.duration`` on completed/passed/satisfied. Only credited outcomes
    (attended, completed, passed, satisfied) earn hours. Returns None when no live fact is left.
    """
    live = sorted((f for f in facts if not f.get("voided")), key=lambda f: (f["ts"] or "", f["position"],
                                                                          f["statement_id"]))
    if not live:
        return None
    best = max(live, key=lambda f: (OUTCOME_RANK[f["outcome"]], f["ts"] or "", f["position"]))
    outcome = best["outcome"]
    # The date an outcome was reached is its first occurrence (the first completion, not a re-sent copy).
    first_best = next(f for f in live if OUTCOME_RANK[f["outcome"]] == OUTCOME_RANK[outcome]
                      and (OUTCOME_RANK[outcome] > 1 or f is best))
    credited = [f for f in live if f["outcome"] in CREDITED]
    # A pre/post test's time is part of the workshop or course it assesses (whose attendance already counts it):
    # it earns no hours of its own, unless it declares a credit.
    timed = [f for f in credited if not (f["attrs"] or {}).get("assessment")]
    latest: dict[str, Any] = {}
    for f in live:  # later facts overwrite: the latest non-null value of each attribute
        for k, v in (f["attrs"] or {}).items():
            if v is not None:
                latest[k] = v

    def latest_attr(name: str) -> Any:
        return latest.get(name)

    credit_raw = None
    for f in reversed(credited):
        if (f["attrs"] or {}).get("credit"):
            credit_raw = tuple(f["attrs"]["credit"])
            break
    credit = credit_raw or definition_credit(definition, vocab)
    hours_s: float = 0.0
    source: str | None = None
    if credited:
        attendance = _attendance_seconds(timed)
        declared = (definition_duration(definition) or latest_attr("declared_s")) if timed else None
        completions = [f["duration_s"] for f in timed if f["outcome"] != "attended" and f["duration_s"]]
        if credit and credit[0] in vocab.credit_hours:
            hours_s, source = credit[1] * vocab.credit_hours[credit[0]] * 3600, "credit"
        elif attendance is not None:
            hours_s, source = attendance, "attendance"
        elif declared:
            hours_s, source = float(declared), "declared"
        elif completions:
            hours_s, source = max(completions), "result_duration"

    hints = [tuple(f["attrs"]["hint"]) + (f["position"],) for f in live if (f["attrs"] or {}).get("hint")]
    ah = activity_hint(definition, vocab)
    if ah:
        hints.append(ah + (-1,))
    model = max(hints)[1] if hints else "other"
    classification = (latest_attr("classification") or definition_classification(definition, vocab)
                      or vocab.classification_by_model.get(model) or vocab.default_classification)
    instructors = sorted({i for f in live for i in (f["attrs"] or {}).get("instructors") or []})
    scores = [f["attrs"]["score"] for f in live if OUTCOME_RANK[f["outcome"]] == OUTCOME_RANK[outcome]
              and (f["attrs"] or {}).get("score") is not None]
    score = max(scores) if scores else None  # the best attempt's score
    date = first_best["date"]
    return {
        "actor_key": live[0]["actor_key"],
        "activity_id": live[0]["activity_id"],
        "registration": live[0]["registration"],
        "name": display_text((definition or {}).get("name")) or latest_attr("name"),
        "activity_type": (definition or {}).get("type") if isinstance((definition or {}).get("type"), str) else None,
        "outcome": outcome,
        "date": date,
        "start_date": min(f["date"] for f in live),
        "end_date": max(f["date"] for f in live),
        "school_year": school_year(date, vocab.school_year_start),
        "hours": round(hours_s / 3600.0, 4),
        "hours_source": source,
        "credit_type": credit[0] if credit else None,
        "credit_amount": credit[1] if credit else None,
        "delivery_model": model,
        "classification": classification,
        "provider": latest_attr("provider"),
        "instructors": instructors,
        "score": score,
        "statement_ids": [f["statement_id"] for f in live],
        "position": max(f["position"] for f in live),
    }
