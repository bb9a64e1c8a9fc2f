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
import re
from functools import lru_cache
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo
from typing import Any

from lrs.times import format_date, local_date, try_parse_timestamp
from projections.identity import agent_key, credited_agents

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

# Verb IRI -> outcome. Verbs not listed (experienced, answered, terminated, video "played"...) leave no transcript
# entry of their own: they are navigation or survey data, not outcomes.
VERB_OUTCOMES: dict[str, str] = {
    "http://adlnet.gov/expapi/verbs/registered": "registered",
    "http://id.tincanapi.com/verb/unregistered": "unregistered",
    "http://adlnet.gov/expapi/verbs/attended": "attended",
    "http://activitystrea.ms/checkin": "attended",
    "http://activitystrea.ms/schema/1.0/checkin": "attended",
    "http://activitystrea.ms/join": "attended",
    "http://activitystrea.ms/schema/1.0/join": "attended",
    "http://activitystrea.ms/leave": "attended",
    "http://activitystrea.ms/schema/1.0/leave": "attended",
    "http://adlnet.gov/expapi/verbs/completed": "completed",
    "http://adlnet.gov/expapi/verbs/passed": "passed",
    "http://adlnet.gov/expapi/verbs/failed": "failed",
    "https://w3id.org/xapi/adl/verbs/waived": "waived",
    "https://w3id.org/xapi/adl/verbs/satisfied": "satisfied",
    "http://adlnet.gov/expapi/verbs/launched": "in_progress",
    "http://adlnet.gov/expapi/verbs/initialized": "in_progress",
    "http://adlnet.gov/expapi/verbs/progressed": "in_progress",
}
# The Tin Can "detailed" attendance recipe: join/leave pairs give attendance intervals.
INTERVAL_VERBS: dict[str, str] = {
    "http://activitystrea.ms/join": "join", "http://activitystrea.ms/schema/1.0/join": "join",
    "http://activitystrea.ms/leave": "leave", "http://activitystrea.ms/schema/1.0/leave": "leave",
}
# Coaching verbs whose object is the Agent being coached (actor = coach): the coachee is credited.
COACHING_VERBS = frozenset({"http://id.tincanapi.com/verb/mentored", "https://w3id.org/xapi/adb/verbs/coached"})
ONLINE_VERBS = frozenset({"http://adlnet.gov/expapi/verbs/launched", "http://adlnet.gov/expapi/verbs/initialized"})

# Entry outcome: the highest rank among an entry's live statements; equal ranks go to the latest statement, so a
# later "unregistered" overrides "registered".
OUTCOME_RANK: dict[str, int] = {"passed": 8, "completed": 7, "satisfied": 6, "attended": 5, "waived": 4,
                                "failed": 3, "in_progress": 2, "registered": 1, "unregistered": 1, "absent": 1}
# Outcomes that earn hours.
CREDITED = frozenset({"passed", "completed", "satisfied", "attended"})

DELIVERY_MODELS = ("online_course", "workshop", "course", "conference", "webinar", "institute", "network", "plc",
                   "coaching", "instructional_rounds", "video", "other")
CLASSIFICATIONS = ("training", "professional_development")

# Activity type -> delivery model (domain.md section 3).
TYPE_MODELS: dict[str, str] = {
    "http://adlnet.gov/expapi/activities/meeting": "workshop",
    "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion": "plc",
    "http://id.tincanapi.com/activitytype/conference": "conference",
    "http://id.tincanapi.com/activitytype/conference-session": "conference",
    "http://id.tincanapi.com/activitytype/webinar": "webinar",
    "https://w3id.org/xapi/cmi5/activitytype/course": "online_course",
    "https://w3id.org/xapi/cmi5/activitytype/block": "online_course",
    "http://adlnet.gov/expapi/activities/course": "online_course",
    "http://adlnet.gov/expapi/activities/module": "online_course",
    "http://adlnet.gov/expapi/activities/lesson": "online_course",
    "http://id.tincanapi.com/activitytype/tutor-session": "coaching",
    "https://w3id.org/xapi/video/activity-type/video": "video",
    "http://xapi.jisc.ac.uk/event_timetabled": "workshop",
    "http://xapi.jisc.ac.uk/event_non-timetabled": "workshop",
}
CATEGORY_MODELS: dict[str, str] = {
    "https://w3id.org/xapi/cmi5/context/categories/cmi5": "online_course",
    "http://id.tincanapi.com/recipe/attendance/base/0_0_1": "workshop",
    "https://w3id.org/xapi/video": "video",
}
# Hint priorities: an explicit district marker beats the activity type, which beats a parent's type, a category,
# the verb, and finally the bare fact that someone "attended" something.
P_EXPLICIT, P_TYPE, P_PARENT, P_CATEGORY, P_VERB, P_DEFAULT = 100, 80, 60, 50, 40, 10

EXT_DURATION = "http://id.tincanapi.com/extension/duration"
EXT_PLANNED_DURATION = "http://id.tincanapi.com/extension/planned-duration"
EXT_PROVIDER = "http://id.tincanapi.com/extension/training-provider"
EXT_TAGS = "http://id.tincanapi.com/extension/tags"
TRAINING_TAGS = frozenset({"training", "job-target", "job_target", "legal-requirement", "legal_requirement",
                           "mandated", "compliance"})
PD_TAGS = frozenset({"professional-development", "professional_development", "pd"})


@dataclass(frozen=True)
class Vocabulary:
    """District-specific settings the rules depend on (changing them needs ``lrs replay``)."""

    district_iri: str = "https://district.example/xapi/"
    school_year_start: tuple[int, int] = (7, 1)
    credit_hours: Mapping[str, float] = field(default_factory=lambda: {
        "clock-hour": 1.0, "clock-hours": 1.0, "hour": 1.0, "hours": 1.0, "contact-hour": 1.0,
        "ceu": 10.0, "semester-hour": 15.0, "quarter-hour": 10.0})
    classification_by_model: Mapping[str, str] = field(default_factory=dict)
    default_classification: str = "professional_development"
    time_zone: tzinfo | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Vocabulary:
        """Build from the app settings: ``SCHOOL_YEAR_START`` ("MM-DD"), ``DISTRICT_IRI``, ``TIME_ZONE`` (an IANA
        name such as ``America/Chicago``; dates are taken in it)."""
        s = settings or {}
        start = str(s.get("SCHOOL_YEAR_START") or "07-01")
        m, d = (int(x) for x in start.split("-"))
        base = str(s.get("DISTRICT_IRI") or "https://district.example/xapi/")
        tz = ZoneInfo(str(s["TIME_ZONE"])) if s.get("TIME_ZONE") else None
        return cls(district_iri=base if base.endswith("/") else base + "/", school_year_start=(m, d), time_zone=tz)

    @property
    def ext_credit(self) -> str:
        return self.district_iri + "ext/credit"

    @property
    def ext_delivery(self) -> str:
        return self.district_iri + "ext/delivery-model"

    @property
    def ext_classification(self) -> str:
        return self.district_iri + "ext/classification"

    @property
    def delivery_category(self) -> str:
        return self.district_iri + "delivery/"

    @property
    def classification_category(self) -> str:
        return self.district_iri + "classification/"


# ---------------------------------------------------------------------------------------------------------------
# Small parsers
# ---------------------------------------------------------------------------------------------------------------

_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(rf"^P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$")
_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


def parse_duration(text: Any) -> float | None:
    """Seconds in an ISO 8601 duration such as ``PT1H30M`` (None when absent or malformed)."""
    return _parse_duration(text) if isinstance(text, str) else None


@lru_cache(maxsize=4096)  # durations repeat ("PT45M"): parse each spelling once
def _parse_duration(text: str) -> float | None:
    if text in ("P", "PT") or text.endswith("T"):
        return None
    m = _DURATION.match(text.strip())
    if not m:
        return None
    return float(sum(float(g.replace(",", ".")) * u for g, u in zip(m.groups(), _UNITS) if g))


def statement_date(stmt: Mapping[str, Any], tz: tzinfo | None = None) -> str:
    """The calendar date the statement happened on, ``YYYY-MM-DD``: in the district's time zone ``tz`` when
    given (the LRS stores timestamps in UTC, and a 7 pm session in Nebraska is the next day in UTC), else in the
    timestamp's own offset."""
    for k in ("timestamp", "stored"):
        v = stmt.get(k)
        if isinstance(v, str) and re.match(r"^\d{4}-\d{2}-\d{2}", v):
            if tz is not None:
                t = try_parse_timestamp(v)
                if t is not None:
                    return format_date(local_date(t, tz))
            return v[:10]
    return "1970-01-01"


@lru_cache(maxsize=8192)
def school_year(date_text: str, start: tuple[int, int] = (7, 1)) -> str:
    """The school year a date falls in, e.g. ``2024-2025`` (a ``01-01`` start gives calendar years: ``2024``)."""
    y, m, d = int(date_text[0:4]), int(date_text[5:7]), int(date_text[8:10])
    if start == (1, 1):
        return str(y)
    first = y if (m, d) >= start else y - 1
    return f"{first}-{first + 1}"


def pick_language(value: Any) -> str | None:
    """One string from a language map, preferring US then any English, then the first tag in sorted order."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or not value:
        return None
    for tag in ("en-US", "en", "en-GB"):
        if isinstance(value.get(tag), str):
            return value[tag]
    for tag in sorted(value):
        if tag.lower().startswith("en") and isinstance(value[tag], str):
            return value[tag]
    first = value[sorted(value)[0]]
    return first if isinstance(first, str) else None


def agent_label(agent: Any) -> str | None:
    """A display name for an Agent or Group: its name, else its identifier."""
    if not isinstance(agent, dict):
        return None
    name = agent.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    return agent_key(agent)


def context_activities(ctx: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """``context.contextActivities[kind]`` as a list (1.0.x allowed a single object)."""
    ca = ctx.get("contextActivities")
    if not isinstance(ca, dict):
        return []
    v = ca.get(kind)
    if isinstance(v, dict):
        return [v]
    return [a for a in v if isinstance(a, dict)] if isinstance(v, list) else []


def parse_credit(value: Any) -> tuple[str, float] | None:
    """``{"type": "clock-hour", "amount": 1.5}`` -> ("clock-hour", 1.5); None when malformed."""
    if not isinstance(value, dict):
        return None
    kind, amount = value.get("type"), value.get("amount")
    if not isinstance(kind, str) or not kind.strip():
        return None
    try:
        amt = float(amount)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if amt < 0 or amt != amt:
        return None
    return kind.strip().lower(), amt


def _as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (typed, so callers can ``.get`` on it)."""
    return value if isinstance(value, dict) else {}


def _provider(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return pick_language(value.get("name")) or agent_label(value) or pick_language(value)
    return None


def _instructors(ctx: Mapping[str, Any]) -> list[str]:
    if not ctx:
        return []
    out: list[str] = []
    inst = agent_label(ctx.get("instructor"))
    if inst:
        out.append(inst)
    # xAPI 2.0: contextAgents / contextGroups with a relevant type naming the instructor role.
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        for ca in ctx.get(key) or []:
            if not isinstance(ca, dict):
                continue
            types = ca.get("relevantTypes") or []
            if any(isinstance(t, str) and "instructor" in t.lower() for t in types):
                label = agent_label(ca.get(inner))
                if label:
                    out.append(label)
    return sorted(set(out))


def _tags(ctx: Mapping[str, Any]) -> list[str]:
    exts = ctx.get("extensions")
    raw = exts.get(EXT_TAGS) if isinstance(exts, dict) else None
    if isinstance(raw, str):
        raw = [raw]
    return [t.strip().lower() for t in raw or [] if isinstance(t, str)]


# ---------------------------------------------------------------------------------------------------------------
# Hints: delivery model and classification
# ---------------------------------------------------------------------------------------------------------------

def _explicit_model(value: Any) -> str | None:
    if isinstance(value, str):
        v = value.strip().lower().replace("-", "_").replace(" ", "_")
        aliases = {"face_to_face_workshop": "workshop", "online": "online_course", "lms": "online_course",
                   "professional_learning_community": "plc", "rounds": "instructional_rounds"}
        v = aliases.get(v, v)
        return v if v in DELIVERY_MODELS else None
    return None


def _explicit_classification(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    if v in ("training", "job_target", "legal_requirement"):
        return "training"
    if v in ("professional_development", "pd"):
        return "professional_development"
    return None


def activity_hint(definition: Mapping[str, Any] | None, vocab: Vocabulary) -> tuple[int, str] | None:
    """The delivery model an activity definition implies by itself (explicit extension, then type)."""
    if not isinstance(definition, dict):
        return None
    exts = definition.get("extensions")
    if isinstance(exts, dict):
        m = _explicit_model(exts.get(vocab.ext_delivery))
        if m:
            return P_EXPLICIT, m
    t = definition.get("type")
    if isinstance(t, str) and t in TYPE_MODELS:
        return P_TYPE, TYPE_MODELS[t]
    return None


def statement_hint(stmt: Mapping[str, Any], vocab: Vocabulary) -> tuple[int, str] | None:
    """The delivery model a statement's context and verb imply (the activity's own type is separate)."""
    ctx = stmt.get("context") if isinstance(stmt.get("context"), dict) else {}
    verb = (stmt.get("verb") or {}).get("id")
    if not ctx:  # the common case of a bare statement: only the verb speaks
        if verb in ONLINE_VERBS:
            return P_VERB, "online_course"
        if verb in COACHING_VERBS:
            return P_VERB, "coaching"
        if verb and verb.startswith("https://w3id.org/xapi/video/verbs/"):
            return P_VERB, "video"
        return (P_DEFAULT, "workshop") if VERB_OUTCOMES.get(verb or "") == "attended" else None
    best: tuple[int, str] | None = None

    def offer(p: int, m: str | None) -> None:
        nonlocal best
        if m and (best is None or p > best[0]):
            best = (p, m)

    exts = ctx.get("extensions")
    if isinstance(exts, dict):
        offer(P_EXPLICIT, _explicit_model(exts.get(vocab.ext_delivery)))
    for tag in _tags(ctx):
        offer(P_EXPLICIT, _explicit_model(tag))
    for cat in context_activities(ctx, "category"):
        cid = cat.get("id")
        if isinstance(cid, str):
            if cid.startswith(vocab.delivery_category):
                offer(P_EXPLICIT, _explicit_model(cid[len(vocab.delivery_category):]))
            offer(P_CATEGORY, CATEGORY_MODELS.get(cid))
    for parent in context_activities(ctx, "parent") + context_activities(ctx, "grouping"):
        ptype = (parent.get("definition") or {}).get("type") if isinstance(parent.get("definition"), dict) else None
        if ptype in ("http://id.tincanapi.com/activitytype/conference",):
            offer(P_PARENT, "conference")
    obj = stmt.get("object") or {}
    otype = (obj.get("definition") or {}).get("type") if isinstance(obj.get("definition"), dict) else None
    # A meeting held by a team is a PLC (domain.md section 2, Guskey level 3: "attended a meeting with
    # context.team"); it outranks the bare "meeting" type.
    if ctx.get("team") and otype in (None, "http://adlnet.gov/expapi/activities/meeting"):
        offer(P_TYPE + 1, "plc")
    if verb in ONLINE_VERBS:
        offer(P_VERB, "online_course")
    if verb in COACHING_VERBS:
        offer(P_VERB, "coaching")
    if verb and verb.startswith("https://w3id.org/xapi/video/verbs/"):
        offer(P_VERB, "video")
    if VERB_OUTCOMES.get(verb or "") == "attended":
        offer(P_DEFAULT, "workshop")
    return best


def classification_hint(stmt: Mapping[str, Any], definition: Mapping[str, Any] | None,
                        vocab: Vocabulary) -> str | None:
    """An explicit training / professional_development marker on the statement or the activity, if any."""
    ctx = stmt.get("context") if isinstance(stmt.get("context"), dict) else {}
    if not ctx:
        return definition_classification(definition, vocab)
    for exts in (ctx.get("extensions"), (definition or {}).get("extensions")):
        if isinstance(exts, dict):
            c = _explicit_classification(exts.get(vocab.ext_classification))
            if c:
                return c
    for cat in context_activities(ctx, "category"):
        cid = cat.get("id")
        if isinstance(cid, str) and cid.startswith(vocab.classification_category):
            c = _explicit_classification(cid[len(vocab.classification_category):])
            if c:
                return c
    tags = set(_tags(ctx))
    if tags & TRAINING_TAGS:
        return "training"
    if tags & PD_TAGS:
        return "professional_development"
    return None


def definition_classification(definition: Mapping[str, Any] | None, vocab: Vocabulary) -> str | None:
    """An explicit classification on the activity definition alone."""
    exts = (definition or {}).get("extensions")
    return _explicit_classification(exts.get(vocab.ext_classification)) if isinstance(exts, dict) else None


def definition_credit(definition: Mapping[str, Any] | None, vocab: Vocabulary) -> tuple[str, float] | None:
    """The credit an activity declares (district credit extension on its definition)."""
    exts = (definition or {}).get("extensions")
    return parse_credit(exts.get(vocab.ext_credit)) if isinstance(exts, dict) else None


def definition_duration(definition: Mapping[str, Any] | None) -> float | None:
    """The activity's declared length in seconds (``http://id.tincanapi.com/extension/duration``)."""
    exts = (definition or {}).get("extensions")
    return parse_duration(exts.get(EXT_DURATION)) if isinstance(exts, dict) else None


# ---------------------------------------------------------------------------------------------------------------
# Facts: what one statement contributes to the transcript
# ---------------------------------------------------------------------------------------------------------------

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
    if (stmt.get("verb") or {}).get("id") != VOIDED:
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
    ctx = _as_dict(stmt.get("context"))
    result = _as_dict(stmt.get("result"))
    otype = obj.get("objectType", "Activity")
    definition: Mapping[str, Any] | None = None
    if verb in COACHING_VERBS and otype in ("Agent", "Group"):
        credited = list(credited_agents(obj))
        parents = context_activities(ctx, "parent") + context_activities(ctx, "grouping")
        coach = agent_key(stmt.get("actor")) or "unknown"
        activity = parents[0]["id"] if parents and isinstance(parents[0].get("id"), str) else \
            "urn:lrs:coaching:" + hashlib.sha1(coach.encode()).hexdigest()[:16]
        outcome = "attended"
        name = pick_language((parents[0].get("definition") or {}).get("name")) if parents else None
        name = name or f"Coaching with {agent_label(stmt.get('actor')) or 'a coach'}"
    elif otype == "Activity" and verb in VERB_OUTCOMES and isinstance(obj.get("id"), str):
        credited = list(credited_agents(stmt.get("actor")))
        activity = obj["id"]
        outcome = VERB_OUTCOMES[verb]
        definition = obj.get("definition") if isinstance(obj.get("definition"), dict) else None
        name = pick_language((definition or {}).get("name"))
        # Jisc attendance template: result.completion false on "attended" records an absence.
        if outcome == "attended" and result.get("completion") is False:
            outcome = "absent"
    else:
        return []
    if not credited:
        return []
    date = statement_date(stmt, vocab.time_zone)
    year = school_year(date, vocab.school_year_start)
    registration = ctx.get("registration") if isinstance(ctx.get("registration"), str) else None
    registration = registration.lower() if registration else None
    cexts = _as_dict(ctx.get("extensions"))
    rexts = _as_dict(result.get("extensions"))
    dexts = _as_dict((definition or {}).get("extensions"))
    credit = parse_credit(rexts.get(vocab.ext_credit)) or parse_credit(cexts.get(vocab.ext_credit))
    score = (result.get("score") or {}).get("scaled") if isinstance(result.get("score"), dict) else None
    attrs: dict[str, Any] = {
        "name": name,
        "declared_s": parse_duration(cexts.get(EXT_PLANNED_DURATION)),
        "credit": list(credit) if credit else None,
        "provider": _provider(cexts.get(EXT_PROVIDER)) or _provider(dexts.get(EXT_PROVIDER)),
        "hint": list(statement_hint(stmt, vocab) or ()) or None,
        "classification": classification_hint(stmt, definition, vocab),
        "instructors": _instructors(ctx),
        "interval": INTERVAL_VERBS.get(verb or ""),
        "score": score if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
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
        attendance = _attendance_seconds(credited)
        declared = definition_duration(definition) or latest_attr("declared_s")
        completions = [f["duration_s"] for f in credited if f["outcome"] != "attended" and f["duration_s"]]
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
        "name": pick_language((definition or {}).get("name")) or latest_attr("name"),
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
