"""Evidence: the compliance-relevant digest of one xAPI statement, and whether it counts for a requirement.

A statement becomes an :class:`EvidenceFact` once (:func:`fact_from_statement`); the rules only ever look at
facts. The fact's ``date`` is the statement's ``timestamp`` (when the learning happened, not when it was stored)
taken in the district's time zone, so a sign-in sheet imported weeks later counts on the day of the workshop
(domain.md section 3, attendance recipe: ``timestamp`` = event start).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from projections.compliance.catalog import Requirement

VERB_WAIVED = "https://w3id.org/xapi/adl/verbs/waived"
VERB_VOIDED = "http://adlnet.gov/expapi/verbs/voided"
VERB_ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
EXT_TAGS = "http://id.tincanapi.com/extension/tags"
EXT_VALID_UNTIL = "http://id.tincanapi.com/extension/valid-until"
EXT_WAIVE_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
DEFAULT_DISTRICT_IRI = "https://district.example/xapi/"
# Clock hours per credit unit of the district credit extension (domain.md section 3); a parameter everywhere.
DEFAULT_CREDIT_HOURS: Mapping[str, float] = {"clock-hour": 1.0, "semester-hour": 15.0, "ceu": 10.0}


@dataclass(frozen=True)
class EvidenceFact:
    """What one statement tells the compliance rules about one person.

    ``date`` is ISO ``YYYY-MM-DD`` in the district time zone; ``hours`` are clock hours (0 when the statement
    says nothing about time); ``person`` is the employee id once the caller has resolved ``actor`` (an agent
    key such as ``mbox:mailto:a@b.org``) against the roster; ``voided`` is set by the caller when a voiding
    statement targets this one (a voided fact never counts).
    """

    statement_id: str
    date: str
    verb: str
    activity: str | None
    actor: str | None = None
    person: str | None = None
    activity_type: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    hours: float = 0.0
    score_scaled: float | None = None
    success: bool | None = None
    valid_until: str | None = None
    waived_reason: str | None = None
    voided: bool = False

    @property
    def waived(self) -> bool:
        """A cmi5 ``waived`` statement (the AU's requirement was waived, e.g. "Tested Out")."""
        return self.verb == VERB_WAIVED


# ---------------------------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------------------------

def _about(req: Requirement, fact: EvidenceFact) -> bool:
    """Whether the fact's activity is one the requirement names (any of the listed criteria)."""
    s = req.satisfied_by
    if fact.activity is not None and fact.activity in s.activities:
        return True
    if fact.activity_type is not None and fact.activity_type in s.activity_types:
        return True
    if s.tags:
        # A tag matches the statement's tags extension (case-insensitively) or, spelled as an IRI, a category id.
        own = {t.lower() for t in fact.tags} | {c.lower() for c in fact.categories}
        if any(t in own for t in s.tags):
            return True
    return any(c in s.categories for c in fact.categories)


def matches(requirement: Requirement, fact: EvidenceFact) -> bool:
    """True when the fact is completion evidence for the requirement: not voided, a verb of ``satisfied_by.verbs``
    (default attended / completed / passed), about a listed activity, type, tag or category, with a scaled
    score of at least ``min_score`` when one is set, and passed (verb ``passed`` or ``result.success`` true) when
    ``passed: true``. Waivers are not completions: see :func:`waives`."""
    if fact.voided or fact.waived:
        return False
    s = requirement.satisfied_by
    if fact.verb not in s.verbs or not _about(requirement, fact):
        return False
    if s.min_score is not None and (fact.score_scaled is None or fact.score_scaled < s.min_score):
        return False
    if s.passed and not (fact.verb == VERB_PASSED or fact.success is True):
        return False
    return True


def waives(requirement: Requirement, fact: EvidenceFact) -> bool:
    """True when the fact is a (live) cmi5 ``waived`` statement about one of the requirement's activities."""
    return fact.waived and not fact.voided and _about(requirement, fact)


# ---------------------------------------------------------------------------------------------------------------
# From a statement
# ---------------------------------------------------------------------------------------------------------------

_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(rf"^P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$")
_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


def duration_hours(text: Any) -> float | None:
    """Hours in an ISO 8601 duration such as ``PT1H30M`` (None when absent or malformed)."""
    if not isinstance(text, str) or text in ("P", "PT") or text.endswith("T"):
        return None
    m = _DURATION.match(text.strip())
    if not m:
        return None
    return sum(float(g.replace(",", ".")) * u for g, u in zip(m.groups(), _UNITS) if g) / 3600.0


def _agent_key(agent: Any) -> str | None:
    # The projections' match-key format (projections.identity.agent_key), repeated here to keep this module pure.
    if not isinstance(agent, dict):
        return None
    if isinstance(agent.get("mbox"), str) and agent["mbox"]:
        return "mbox:" + agent["mbox"].strip().lower()
    if isinstance(agent.get("mbox_sha1sum"), str) and agent["mbox_sha1sum"]:
        return "mbox_sha1sum:" + agent["mbox_sha1sum"].strip().lower()
    if isinstance(agent.get("openid"), str) and agent["openid"]:
        return "openid:" + agent["openid"]
    acct = agent.get("account")
    if isinstance(acct, dict) and isinstance(acct.get("homePage"), str) and isinstance(acct.get("name"), str):
        return f"account:{acct['homePage']}|{acct['name']}"
    return None


def _actors(actor: Any) -> Iterator[str]:
    """Agent keys the statement credits: the Agent, or each member of a Group (a team attending a PLC)."""
    if isinstance(actor, dict) and actor.get("objectType") == "Group":
        for member in actor.get("member") or []:
            k = _agent_key(member)
            if k:
                yield k
        return
    k = _agent_key(actor)
    if k:
        yield k


def _tz(tz: tzinfo | str | None) -> tzinfo | None:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _local_date(text: Any, tz: tzinfo | None) -> str | None:
    """The calendar date of an ISO timestamp in ``tz`` (or in the timestamp's own offset); a bare date as is."""
    if not isinstance(text, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    if len(text) == 10:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if tz is not None:
        t = (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone(tz)
    return t.date().isoformat()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _credit_hours(value: Any, credit_hours: Mapping[str, float]) -> float | None:
    """Clock hours of a district credit ``{"type": "semester-hour", "amount": 3}``; None when absent, malformed
    or of a unit the district does not convert."""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return None
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0 or amount != amount:
        return None
    factor = credit_hours.get(value["type"].strip().lower())
    return float(amount) * factor if factor is not None else None


def facts_from_statement(stmt: Mapping[str, Any], tz: tzinfo | str | None = None, *,
                         tags_ext: str = EXT_TAGS, district_iri: str = DEFAULT_DISTRICT_IRI,
                         credit_hours: Mapping[str, float] = DEFAULT_CREDIT_HOURS,
                         activity_types: Mapping[str, str] | None = None) -> list[EvidenceFact]:
    """One fact per person the statement credits (a Group actor credits each member); empty for statements that
    carry no evidence (voiding statements, objects that are not activities, an ``attended`` with
    ``result.completion: false``, which records an absence).

    Hours: the district credit extension ``<district_iri>ext/credit`` in ``result.extensions`` (else
    ``context.extensions``) converted with ``credit_hours``; else ``result.duration``; else 0.
    ``activity_types`` (activity id -> type IRI) supplies a type the statement itself leaves out.
    """
    verb = _dict(stmt.get("verb")).get("id")
    obj = _dict(stmt.get("object"))
    if not isinstance(verb, str) or verb == VERB_VOIDED or obj.get("objectType", "Activity") != "Activity":
        return []
    activity = obj.get("id") if isinstance(obj.get("id"), str) else None
    result, ctx = _dict(stmt.get("result")), _dict(stmt.get("context"))
    if verb == VERB_ATTENDED and result.get("completion") is False:
        return []
    zone = _tz(tz)
    day = _local_date(stmt.get("timestamp"), zone) or _local_date(stmt.get("stored"), zone)
    if day is None:
        return []
    rexts, cexts = _dict(result.get("extensions")), _dict(ctx.get("extensions"))
    ext_credit = (district_iri if district_iri.endswith("/") else district_iri + "/") + "ext/credit"
    hours = _credit_hours(rexts.get(ext_credit), credit_hours)
    if hours is None:
        hours = _credit_hours(cexts.get(ext_credit), credit_hours)
    if hours is None:
        hours = duration_hours(result.get("duration"))
    raw_tags = cexts.get(tags_ext)
    if isinstance(raw_tags, str):
        raw_tags = [raw_tags]
    tags = tuple(sorted({t.strip().lower() for t in raw_tags or [] if isinstance(t, str) and t.strip()}))
    ca = _dict(ctx.get("contextActivities")).get("category")
    if isinstance(ca, dict):
        ca = [ca]
    cats = tuple(sorted({c["id"] for c in ca or [] if isinstance(c, dict) and isinstance(c.get("id"), str)}))
    definition = _dict(obj.get("definition"))
    atype = definition.get("type") if isinstance(definition.get("type"), str) else None
    if atype is None and activity is not None and activity_types:
        atype = activity_types.get(activity)
    score = _dict(result.get("score")).get("scaled")
    reason = rexts.get(EXT_WAIVE_REASON)
    base = dict(
        statement_id=str(stmt.get("id", "")).lower(), date=day, verb=verb, activity=activity,
        activity_type=atype, tags=tags, categories=cats, hours=round(hours or 0.0, 6),
        score_scaled=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
        success=result.get("success") if isinstance(result.get("success"), bool) else None,
        valid_until=_local_date(rexts.get(EXT_VALID_UNTIL), zone),
        waived_reason=reason.strip() if isinstance(reason, str) and reason.strip() and verb == VERB_WAIVED
        else None,
    )
    return [EvidenceFact(actor=key, **base) for key in _actors(stmt.get("actor"))]  # type: ignore[arg-type]


def fact_from_statement(stmt: Mapping[str, Any], tz: tzinfo | str | None = None, *, tags_ext: str = EXT_TAGS,
                        district_iri: str = DEFAULT_DISTRICT_IRI,
                        credit_hours: Mapping[str, float] = DEFAULT_CREDIT_HOURS,
                        activity_types: Mapping[str, str] | None = None) -> EvidenceFact | None:
    """The fact of a statement made by one Agent (see :func:`facts_from_statement`, which also handles Group
    actors); None when the statement carries no evidence or its actor is a Group."""
    facts = facts_from_statement(stmt, tz, tags_ext=tags_ext, district_iri=district_iri,
                                 credit_hours=credit_hours, activity_types=activity_types)
    actor = _dict(stmt.get("actor"))
    return facts[0] if facts and actor.get("objectType") != "Group" else None
