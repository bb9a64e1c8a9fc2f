"""Statement dict -> evaluation digests, following the district xAPI Profile (docs/profile/README.md).

:func:`extract` reads one stored statement and returns what it contributes: learning facts (participation and
hours), exit-survey answers, pre/post tests, coaching sessions, PLC meetings and walkthrough observations. People
are agent match keys (``account:HOMEPAGE|NAME``, ``mbox:mailto:...`` lowercased, as projections/identity.py
keys them); the projection maps them to roster employee ids. Voiding is the projection's business: a voiding
statement contributes nothing here.

The hours and delivery-model rules are a per-statement version of the transcript's (projections/README.md,
"Transcript rules"): credit, else ``result.duration``, else the planned or declared duration; explicit delivery
model, else team meeting -> plc, else the activity type, a conference parent, a category, the verb.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from projections.evaluation.digests import (DELIVERY_MODELS, Assessment, CoachingSession, LearningFact,
                                            Observation, PlcMeeting, SurveyAnswer)
from projections.evaluation.metrics import PARTICIPATION_VERBS

DEFAULT_DISTRICT_IRI = "https://district.example/xapi/"
ADL = "http://adlnet.gov/expapi/verbs/"
TC = "http://id.tincanapi.com/"
EXT_QUALITY = TC + "extension/quality-rating"
EXT_ASSESSMENT = TC + "extension/assessment-type"
EXT_OBSERVER = TC + "extension/observer"
EXT_TAGS = TC + "extension/tags"
EXT_PLANNED = TC + "extension/planned-duration"
EXT_DURATION = TC + "extension/duration"
EXT_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
VERB_WAIVED = "https://w3id.org/xapi/adl/verbs/waived"
COACHING_VERBS = frozenset({TC + "verb/mentored", "https://w3id.org/xapi/adb/verbs/coached"})
# Verbs that earn hours (as in the transcript: attended, completed, passed, satisfied; and coaching).
HOUR_VERBS = frozenset({ADL + "attended", ADL + "completed", ADL + "passed", "https://w3id.org/xapi/adl/verbs/satisfied",
                        "http://activitystrea.ms/checkin", "http://activitystrea.ms/schema/1.0/checkin",
                        "http://activitystrea.ms/attend"}) | COACHING_VERBS
FACT_VERBS = PARTICIPATION_VERBS | {VERB_WAIVED, ADL + "registered", TC + "verb/unregistered"}
PLC_TYPES = frozenset({"https://w3id.org/xapi/acrossx/activities/face-to-face-discussion",
                       "http://adlnet.gov/expapi/activities/meeting"})
CREDIT_HOURS = {"clock-hour": 1.0, "clock-hours": 1.0, "hour": 1.0, "hours": 1.0, "contact-hour": 1.0,
                "ceu": 10.0, "semester-hour": 15.0, "quarter-hour": 10.0}
OVERALL = "overall"


def type_models(district_iri: str) -> dict[str, str]:
    """Activity type -> delivery model (the transcript's map plus the district profile's types)."""
    return {
        "http://adlnet.gov/expapi/activities/meeting": "workshop",
        "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion": "plc",
        TC + "activitytype/conference": "conference", TC + "activitytype/conference-session": "conference",
        TC + "activitytype/webinar": "webinar", TC + "activitytype/tutor-session": "coaching",
        "https://w3id.org/xapi/cmi5/activitytype/course": "online_course",
        "https://w3id.org/xapi/cmi5/activitytype/block": "online_course",
        "http://adlnet.gov/expapi/activities/course": "online_course",
        "http://adlnet.gov/expapi/activities/module": "online_course",
        "http://adlnet.gov/expapi/activities/lesson": "online_course",
        "https://w3id.org/xapi/video/activity-type/video": "video",
        district_iri + "activitytypes/coaching-cycle": "coaching",
        district_iri + "activitytypes/instructional-rounds": "instructional_rounds",
    }


@dataclass
class Extracted:
    """What one statement contributes to the evaluation."""

    facts: list[LearningFact] = field(default_factory=list)
    answers: list[SurveyAnswer] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    coaching: list[CoachingSession] = field(default_factory=list)
    plc: list[PlcMeeting] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


# --- small readers --------------------------------------------------------------------------------------------

def agent_key(agent: Any) -> str | None:
    """The agent's match key (same form as projections.identity.agent_key), or None."""
    if not isinstance(agent, dict):
        return None
    if isinstance(agent.get("mbox"), str) and agent["mbox"]:
        return "mbox:" + agent["mbox"].strip().lower()
    if isinstance(agent.get("mbox_sha1sum"), str) and agent["mbox_sha1sum"]:
        return "mbox_sha1sum:" + agent["mbox_sha1sum"].strip().lower()
    if isinstance(agent.get("openid"), str) and agent["openid"]:
        return "openid:" + agent["openid"]
    acc = agent.get("account")
    if isinstance(acc, dict) and isinstance(acc.get("homePage"), str) and isinstance(acc.get("name"), str):
        return f"account:{acc['homePage']}|{acc['name']}"
    return None


def people(agent: Any) -> Iterator[str]:
    """Everyone an Agent or Group stands for: the Agent, or each member of a Group."""
    if not isinstance(agent, dict):
        return
    if agent.get("objectType") == "Group":
        for m in agent.get("member") or []:
            k = agent_key(m)
            if k:
                yield k
        return
    k = agent_key(agent)
    if k:
        yield k


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _ids(ctx: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    v = _dict(ctx.get("contextActivities")).get(kind)
    if isinstance(v, dict):
        v = [v]
    return [a for a in v if isinstance(a, dict) and isinstance(a.get("id"), str)] if isinstance(v, list) else []


_DUR = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def duration_hours(text: Any) -> float | None:
    """Hours in an ISO 8601 duration (days, hours, minutes, seconds), or None."""
    if not isinstance(text, str) or text in ("P", "PT"):
        return None
    m = _DUR.match(text.strip())
    if not m:
        return None
    d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return d * 24 + h + mi / 60 + s / 3600


def _instant(stmt: Mapping[str, Any]) -> datetime | None:
    for k in ("timestamp", "stored"):
        v = stmt.get(k)
        if isinstance(v, str):
            try:
                t = datetime.fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                continue
            return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return None


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _credit_hours(value: Any) -> float | None:
    if not isinstance(value, dict):
        return None
    kind, amount = value.get("type"), _num(value.get("amount"))
    if not isinstance(kind, str) or amount is None or amount < 0:
        return None
    per = CREDIT_HOURS.get(kind.strip().lower())
    return amount * per if per is not None else None


def _model(stmt: Mapping[str, Any], district_iri: str) -> str | None:
    """The delivery model a statement implies (None when nothing does)."""
    ctx = _dict(stmt.get("context"))
    exts = _dict(ctx.get("extensions"))
    explicit = exts.get(district_iri + "ext/delivery-model")
    if isinstance(explicit, str) and explicit in DELIVERY_MODELS:
        return explicit
    for cat in _ids(ctx, "category"):
        if cat["id"].startswith(district_iri + "delivery/") and cat["id"].rsplit("/", 1)[1] in DELIVERY_MODELS:
            return str(cat["id"].rsplit("/", 1)[1])
    tags = exts.get(EXT_TAGS)
    for t in [tags] if isinstance(tags, str) else tags if isinstance(tags, list) else []:
        if isinstance(t, str) and t.strip().lower().replace("-", "_") in DELIVERY_MODELS:
            return t.strip().lower().replace("-", "_")
    obj = _dict(stmt.get("object"))
    otype = _dict(obj.get("definition")).get("type")
    if ctx.get("team") and otype in (None, *PLC_TYPES):
        return "plc"
    models = type_models(district_iri)
    if isinstance(otype, str) and otype in models:
        return models[otype]
    for parent in _ids(ctx, "parent") + _ids(ctx, "grouping"):
        if _dict(parent.get("definition")).get("type") == TC + "activitytype/conference":
            return "conference"
    for cat in _ids(ctx, "category"):
        if cat["id"] == "https://w3id.org/xapi/cmi5/context/categories/cmi5":
            return "online_course"
    verb = _dict(stmt.get("verb")).get("id")
    if verb in COACHING_VERBS:
        return "coaching"
    if verb in (ADL + "launched", ADL + "initialized"):
        return "online_course"
    if verb in (ADL + "attended", "http://activitystrea.ms/checkin"):
        return "workshop"
    return None


def _presenters(ctx: Mapping[str, Any]) -> tuple[str, ...]:
    out = list(people(ctx.get("instructor")))
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):  # xAPI 2.0
        for ca in ctx.get(key) or []:
            if isinstance(ca, dict) and any(isinstance(t, str) and "instructor" in t.lower()
                                            for t in ca.get("relevantTypes") or []):
                out.extend(people(ca.get(inner)))
    return tuple(sorted(set(out)))


# --- the extraction -------------------------------------------------------------------------------------------

def extract(stmt: Mapping[str, Any], *, district_iri: str = DEFAULT_DISTRICT_IRI,
            tz: tzinfo | None = None) -> Extracted:
    """The digests in one statement (empty for statements the evaluation does not read)."""
    out = Extracted()
    verb = _dict(stmt.get("verb")).get("id")
    obj = _dict(stmt.get("object"))
    ctx = _dict(stmt.get("context"))
    result = _dict(stmt.get("result"))
    cexts, rexts = _dict(ctx.get("extensions")), _dict(result.get("extensions"))
    definition = _dict(obj.get("definition"))
    when = _instant(stmt)
    if when is None or not isinstance(verb, str):
        return out
    day: date = when.astimezone(tz).date() if tz else when.date()
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sid = str(stmt.get("id", "")).lower()
    parents = tuple(a["id"] for a in _ids(ctx, "parent"))
    grouping = tuple(a["id"] for a in _ids(ctx, "grouping"))
    context_ids = parents + grouping
    model = _model(stmt, district_iri)
    otype = definition.get("type") if isinstance(definition.get("type"), str) else None
    is_activity = obj.get("objectType", "Activity") == "Activity" and isinstance(obj.get("id"), str)

    hours = (_credit_hours(rexts.get(district_iri + "ext/credit")) or _credit_hours(cexts.get(district_iri + "ext/credit"))
             or duration_hours(result.get("duration")) or duration_hours(cexts.get(EXT_PLANNED))
             or duration_hours(_dict(definition.get("extensions")).get(EXT_DURATION)) or 0.0)
    reg = ctx.get("registration")
    registration = reg.lower() if isinstance(reg, str) else None
    tags = cexts.get(EXT_TAGS)
    tag_list = tuple(t.strip().lower() for t in ([tags] if isinstance(tags, str) else tags or [])
                     if isinstance(t, str)) if isinstance(tags, (str, list)) else ()

    # Coaching: actor = coach, object = the teacher(s).
    if verb in COACHING_VERBS and obj.get("objectType") in ("Agent", "Group"):
        coaches = list(people(stmt.get("actor")))
        activity = parents[0] if parents else None
        for teacher in people(obj):
            out.coaching.append(CoachingSession(coach=coaches[0] if coaches else "unknown", teacher=teacher,
                                                statement_id=sid, date=day, hours=hours, activity=activity,
                                                context_ids=context_ids))
            out.facts.append(LearningFact(person=teacher, statement_id=sid,
                                          activity=activity or "urn:lrs:coaching:" + (coaches[0] if coaches else ""),
                                          date=day, hours=hours, delivery_model="coaching", verb=verb,
                                          parents=parents, grouping=grouping, tags=tag_list,
                                          registration=registration))
        return out

    credited = list(people(stmt.get("actor")))

    # Walkthroughs and observations (Guskey level 4): one observation per look-for.
    if verb == district_iri + "verbs/was-observed":
        score = _dict(result.get("score"))
        raw, lo, hi = _num(score.get("raw")), _num(score.get("min")), _num(score.get("max"))
        lo, hi = (lo if lo is not None else 1.0), (hi if hi is not None else 4.0)
        observer = next(iter(people(cexts.get(EXT_OBSERVER))), None) or next(iter(people(ctx.get("instructor"))), None)
        looks = rexts.get(district_iri + "ext/look-fors")
        items: list[tuple[str, float | None]] = []
        for lf in looks if isinstance(looks, list) else []:
            if isinstance(lf, str):
                items.append((lf, raw))
            elif isinstance(lf, dict) and isinstance(lf.get("id"), str):
                items.append((lf["id"], _num(lf.get("level")) if lf.get("level") is not None else raw))
        if not items:
            items = [(OVERALL, raw)]
        for teacher in credited:
            for practice, level in items:
                if level is not None:
                    out.observations.append(Observation(teacher=teacher, statement_id=sid, date=day,
                                                        practice=practice, level=level, scale_max=hi, scale_min=lo,
                                                        observer=observer,
                                                        activity=obj.get("id") if is_activity else None))
        return out

    # Exit surveys (Guskey level 1): a likert answer, or a quality rating on any statement.
    rating = rexts.get(EXT_QUALITY)
    if isinstance(rating, dict) and None not in (_num(rating.get("raw")), _num(rating.get("min")),
                                                 _num(rating.get("max"))):
        session = (obj.get("id") if is_activity and verb == TC + "verb/rated" else parents[0] if parents else
                   obj.get("id") if is_activity else None)
        for person in credited:
            out.answers.append(SurveyAnswer(person=person, statement_id=sid, item=EXT_QUALITY,
                                            value=float(rating["raw"]), scale_min=float(rating["min"]),
                                            scale_max=float(rating["max"]), date=day, kind="rating",
                                            session=session, presenters=_presenters(ctx), delivery_model=model,
                                            context_ids=context_ids))
    if verb == ADL + "answered" and definition.get("interactionType") == "likert" and is_activity:
        scale = [c.get("id") for c in definition.get("scale") or [] if isinstance(c, dict)]
        response = result.get("response")
        if isinstance(response, str) and response in scale:
            parent_model = _session_model(_ids(ctx, "parent")[0], district_iri, None) if parents else None
            for person in credited:
                out.answers.append(SurveyAnswer(person=person, statement_id=sid, item=str(obj["id"]),
                                                value=float(scale.index(response) + 1), scale_min=1.0,
                                                scale_max=float(len(scale)), date=day, kind="likert",
                                                session=parents[0] if parents else None,
                                                presenters=_presenters(ctx),
                                                delivery_model=_explicit(cexts, district_iri) or parent_model,
                                                context_ids=context_ids))
        return out

    # Pre/post tests (Guskey level 2).
    raw_kind = cexts.get(EXT_ASSESSMENT)
    kind = raw_kind.strip().lower().replace("-", "").replace(" ", "") if isinstance(raw_kind, str) else None
    if kind in ("pretest", "posttest") and is_activity:
        score = _dict(result.get("score"))
        scaled = _num(score.get("scaled"))
        raw, lo_s, hi_s = _num(score.get("raw")), _num(score.get("min")), _num(score.get("max"))
        if scaled is None and raw is not None and lo_s is not None and hi_s is not None and hi_s > lo_s:
            scaled = (raw - lo_s) / (hi_s - lo_s)
        success = result.get("success") if isinstance(result.get("success"), bool) else \
            True if verb == ADL + "passed" else False if verb == ADL + "failed" else None
        for person in credited:
            out.assessments.append(Assessment(person=person, statement_id=sid, activity=str(obj["id"]), kind=kind,
                                              timestamp=stamp, date=day, scaled=scaled, success=success,
                                              subject=parents[0] if parents else None, context_ids=context_ids))

    if not is_activity or verb not in FACT_VERBS:
        return out
    # PLC meetings (Guskey level 3): attended with context.team.
    team = ctx.get("team")
    if verb == ADL + "attended" and isinstance(team, dict) and model == "plc":
        team_key = agent_key(team) or (team.get("name") if isinstance(team.get("name"), str) else None)
        for person in credited:
            out.plc.append(PlcMeeting(person=person, statement_id=sid, date=day, minutes=round(hours * 60, 4),
                                      team=team_key, activity=str(obj["id"]), activity_type=otype,
                                      context_ids=context_ids, tags=tag_list))
    reason = rexts.get(EXT_REASON) if verb == VERB_WAIVED else None
    earned = hours if verb in HOUR_VERBS and result.get("completion") is not False else 0.0
    for person in credited:
        out.facts.append(LearningFact(person=person, statement_id=sid, activity=str(obj["id"]), date=day,
                                      hours=round(earned, 4), delivery_model=model or "other", verb=verb,
                                      activity_type=otype, parents=parents, grouping=grouping, tags=tag_list,
                                      registration=registration, team=isinstance(team, dict),
                                      waiver_reason=reason if isinstance(reason, str) else None))
    return out


def _explicit(cexts: Mapping[str, Any], district_iri: str) -> str | None:
    v = cexts.get(district_iri + "ext/delivery-model")
    return v if isinstance(v, str) and v in DELIVERY_MODELS else None


def _session_model(activity: Mapping[str, Any], district_iri: str, fallback: str | None) -> str | None:
    """The delivery model of a survey's session, from the session activity's type."""
    t = _dict(activity.get("definition")).get("type")
    return type_models(district_iri).get(t, fallback) if isinstance(t, str) else fallback
