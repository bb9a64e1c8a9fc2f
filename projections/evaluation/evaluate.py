"""One program's evaluation for one period, as it may be published: every metric computed, then every table
suppressed (``suppression.py``). The result is the ``GET /api/v1/programs/{program}/evaluation`` body
(interfaces.md, "Program catalog and evaluation"), JSON-ready, with no names and no small cells."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from projections.evaluation.catalog import Program, ProgramCatalog
from projections.evaluation.digests import EvaluationData
from projections.evaluation.levels import cost, outcomes, support, use
from projections.evaluation.metrics import (default_presenter_label, dosage, eligible_staff, learning,
                                            participation, program_activities, reactions)
from projections.evaluation.suppression import is_small, publish_table

SUPPRESSION_RULE = ("Cells describing fewer than {n} people are not shown, nor is a second cell wherever a "
                    "hidden one could be worked out by subtracting published figures from a published total. "
                    "Cells describing nobody are shown as 0. No names are shown.")


def _scalars(block: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if not isinstance(v, (list, dict))}


def publish_block(block: Mapping[str, Any], tables: Mapping[str, str], min_cell: int, *, people: Sequence[str],
                  additive: Sequence[str] | None = None, keep: Sequence[str] = ()) -> dict[str, Any]:
    """Suppress a block: its scalar figures are the total of each one-way table in ``tables`` (list field ->
    the cells' key field). A hidden total keeps only the ``keep`` fields and ``"suppressed": true``; nested
    blocks (dict values) that are not tables are copied as they are."""
    total = _scalars(block)
    hidden = any(is_small(total.get(f), min_cell) for f in people)
    published: dict[str, list[dict[str, Any]]] = {}
    for field, key in tables.items():
        tot, cells = publish_table(block.get(field) or [], total, min_cell, key=key, people=people,
                                   additive=additive)
        hidden = hidden or bool(tot and tot["suppressed"])
        published[field] = cells
    out: dict[str, Any] = ({"suppressed": True, **{k: total[k] for k in keep if k in total}} if hidden
                           else {**total, "suppressed": False})
    for k, v in block.items():
        if isinstance(v, dict) and k not in tables:
            out[k] = v
    out.update(published)
    return out


def _outcome_cells(block: dict[str, Any], min_cell: int) -> dict[str, Any]:
    def cell(c: dict[str, Any] | None) -> dict[str, Any] | None:
        if c is None:
            return None
        return {"suppressed": True} if is_small(c["n"], min_cell) else {**c, "suppressed": False}

    return {"label": block["label"], "measures": [
        {"measure": m["measure"], "trend": [{"period": t["period"], "participants": cell(t["participants"]),
                                             "others": cell(t["others"])} for t in m["trend"]]}
        for m in block["measures"]]}


def evaluate_program(catalog: ProgramCatalog, program: Program | str, data: EvaluationData, lo: date, hi: date,
                     label: str | None = None, *, granularity: str = "month", weeks: float | None = None,
                     presenter_labels: Callable[[Iterable[str]], Mapping[str, str]] = default_presenter_label,
                     position: int | None = None, known_at: str | None = None,
                     computed_at: str | None = None) -> dict[str, Any]:
    """The published evaluation of ``program`` over ``lo..hi``. ``position``/``known_at`` record which log
    state it was computed from (for the methods note and for reproducing it with ``known_at``)."""
    prog = catalog.program(program) if isinstance(program, str) else program
    if prog is None:
        raise KeyError(f"no program {program!r} in the catalog")
    n = catalog.min_cell
    eligible = eligible_staff(data.staff, prog)
    activities = program_activities(prog, data.facts)

    part = participation(prog, data.staff, data.facts, lo, hi)
    participants = set(part.pop("participant_ids"))
    hours = dosage(prog, data.staff, data.facts, lo, hi, job_embedded_models=catalog.job_embedded_models,
                   min_sessions=catalog.series_min_sessions, min_weeks=catalog.series_min_weeks)
    react = reactions(prog, data.answers, eligible, activities, lo, hi, top_points=catalog.agree_top_points,
                      rating_share=catalog.rating_agree_share, presenter_labels=presenter_labels)
    learn = learning(prog, data.assessments, eligible, activities, lo, hi)
    supp = support(prog, data.coaching, data.plc, eligible, activities, lo, hi, weeks=weeks)
    used = use(prog, data.observations, eligible, participants, lo, hi, granularity=granularity)
    outc = outcomes(prog, data.outcomes)

    pub_part = publish_block(part, {"by_building": "building", "by_role": "role", "by_certification": "certification"},
                             n, people=("participants", "eligible"), additive=("participants", "eligible", "statements"))
    # The hours total is named "total" in the contract but "hours" in its cells: publish it under both.
    pub_hours = publish_block({**hours, "hours": hours["total"]}, {"by_delivery_model": "delivery_model"}, n,
                              people=("people",), additive=("hours", "statements"))
    pub_hours.pop("hours", None)
    models = pub_hours.pop("by_delivery_model")
    pub_hours["delivery_models"] = models
    pub_hours["by_delivery_model"] = {c["delivery_model"]: c["hours"] for c in models if not c["suppressed"]}

    pub_react = publish_block(react, {"by_session": "session", "by_delivery_model": "delivery_model",
                                      "by_presenter": "presenter"}, n, people=("people",),
                              additive=("statements", "answers", "agree"))
    pub_learn = publish_block(learn, {"by_assessment": "assessment"}, n, people=("people",),
                              additive=("pairs", "tested", "passed", "statements"))
    pub_support = {"weeks": supp["weeks"], "scope": supp["scope"],
                   "coaching": publish_block(supp["coaching"], {"by_building": "building"}, n, people=("coached",),
                                             additive=("coached", "hours", "statements")),
                   "plc": publish_block(supp["plc"], {"by_building": "building"}, n, people=("members",),
                                        additive=("members", "minutes", "statements"))}
    pub_use = {k: v for k, v in used.items() if k not in ("participants", "non_participants")}
    for cohort in ("participants", "non_participants"):
        pub_use[cohort] = publish_block(used[cohort], {"by_period": "period"}, n, people=("people",),
                                        additive=("observations", "proficient", "statements"))

    pub_cost = cost(prog, part["participants"], hours["total"])
    if pub_cost is not None and (pub_part["suppressed"] or pub_hours["suppressed"]):
        # Cost per participant (or per hour) with the published cost would give back the hidden count.
        pub_cost = {k: v for k, v in pub_cost.items() if not k.startswith("per_")}
        pub_cost["per_participant_suppressed"] = True

    return {
        "program": prog.id, "title": prog.title, "description": prog.description,
        "period": {"from": lo.isoformat(), "to": hi.isoformat(), "label": label or f"{lo} to {hi}"},
        "eligibility": {"roles": list(prog.eligible.roles), "buildings": list(prog.eligible.buildings),
                        "certified": "any" if prog.eligible.certified is None else prog.eligible.certified},
        "goals": list(prog.goals),
        "alignment": {"strategic_plan_goal": prog.alignment.strategic_plan_goal,
                      "site_plans": list(prog.alignment.site_plans),
                      "instructional_model": prog.alignment.instructional_model,
                      "leadership_framework": prog.alignment.leadership_framework,
                      "legal_mandate": prog.alignment.legal_mandate},
        "participation": pub_part,
        "hours": pub_hours,
        "levels": {"reactions": pub_react, "learning": pub_learn, "support": pub_support, "use": pub_use,
                   "outcomes": _outcome_cells(outc, n)},
        "cost": pub_cost,
        "suppression": {"min_cell": n, "rule": SUPPRESSION_RULE.format(n=n)},
        "settings": {"job_embedded_models": list(catalog.job_embedded_models),
                     "series": {"min_sessions": catalog.series_min_sessions, "min_weeks": catalog.series_min_weeks},
                     "reactions": {"agree_top_points": catalog.agree_top_points,
                                   "rating_agree_share": catalog.rating_agree_share},
                     "granularity": granularity},
        "source": {"position": position, "known_at": known_at, "computed_at": computed_at},
    }
