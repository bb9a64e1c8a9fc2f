"""Which delivery model a statement or an activity implies, and whether it is training or professional
development: hints with priorities, so that the strongest evidence wins and ties are broken by a total order."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections.readers import statement_tags, context_activities, parse_credit, parse_duration
from projections.transcript.vocabulary import (ASSESSMENT_KINDS, CATEGORY_MODELS, COACHING_VERBS, DELIVERY_MODELS,
                                               EXT_ASSESSMENT_TYPE, EXT_DURATION, ONLINE_VERBS, P_CATEGORY,
                                               P_DEFAULT, P_EXPLICIT, P_PARENT, P_TYPE, P_VERB, PD_TAGS,
                                               TRAINING_TAGS, VERB_OUTCOMES, Vocabulary)


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
    models = vocab.type_models
    if isinstance(t, str) and t in models:
        return P_TYPE, models[t]
    return None


def assessment_kind(ctx: Mapping[str, Any]) -> str | None:
    """``pretest`` or ``posttest`` when the statement is one of the profile's pre/post tests, else None."""
    exts = ctx.get("extensions") if isinstance(ctx, dict) else None
    kind = exts.get(EXT_ASSESSMENT_TYPE) if isinstance(exts, dict) else None
    if isinstance(kind, str) and kind.strip().lower() in ASSESSMENT_KINDS:
        return kind.strip().lower()
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
    for tag in statement_tags(ctx):
        offer(P_EXPLICIT, _explicit_model(tag))
    for cat in context_activities(ctx, "category"):
        cid = cat.get("id")
        if isinstance(cid, str):
            if cid.startswith(vocab.delivery_category):
                offer(P_EXPLICIT, _explicit_model(cid[len(vocab.delivery_category):]))
            offer(P_CATEGORY, CATEGORY_MODELS.get(cid))
    test = assessment_kind(ctx)
    for parent in context_activities(ctx, "parent") + context_activities(ctx, "grouping"):
        ptype = (parent.get("definition") or {}).get("type") if isinstance(parent.get("definition"), dict) else None
        if ptype in ("http://id.tincanapi.com/activitytype/conference",):
            offer(P_PARENT, "conference")
        elif test and isinstance(ptype, str):
            # A pre/post test is part of the workshop or course it assesses (its parent): it takes its model.
            offer(P_PARENT, vocab.type_models.get(ptype))
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
    tags = set(statement_tags(ctx))
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
