"""Property-style cross-check: for random inputs, the timeline agrees on EVERY day with the slow reference
(``reference.py``, the rules evaluated directly at one date), and its segments are well formed.

Seeds are fixed so a failure is reproducible; ``LRS_COMPLIANCE_CASES`` raises the number of cases per kind.
"""
from __future__ import annotations

import os
import random
from datetime import date, timedelta
from typing import Any

import pytest

from projections.compliance import (Catalog, CatalogVersion, EvidenceFact, Exemption, parse_catalog_data,
                                    person_timelines, segment_on, status_on, timeline)
from projections.compliance.rules import Evaluator
from projections.compliance.timeline import catalog_regimes

from .helpers import ATTENDED, COMPLETED, FAILED, PASSED, PD, WAIVED, check_shape, person, version
from .reference import Inputs, Reference

CASES = int(os.environ.get("LRS_COMPLIANCE_CASES", "12"))
LO, HI = date(2022, 1, 1), date(2027, 1, 1)  # compared on every day of [LO, HI)
REF_LO = date(2021, 7, 1)  # the reference starts before any input date so applicability starts are right
FAR_FROM, REF_HI = date(2027, 7, 1), date(2034, 1, 1)  # open-ended last segments are also checked out there
HORIZON = "2026-12-31"
KINDS = ["school_year", "rolling", "every_n_school_years", "once_after_hire", "hours_over_years",
         "certificate_cycle"]


def rand_day(rng: random.Random, first: date = date(2022, 1, 1), last: date = date(2026, 12, 31)) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def rand_requirement(rng: random.Random, kind: str) -> dict[str, Any]:
    rec: dict[str, Any] = {"kind": kind}
    if kind == "rolling":
        rec["months"] = rng.choice([1, 3, 12])
    elif kind == "every_n_school_years":
        rec["years"] = rng.choice([1, 2, 3])
    elif kind == "once_after_hire":
        rec["days"] = rng.choice([0, 10, 60])
    elif kind == "hours_over_years":
        rec.update(hours=rng.choice([1, 2, 3]), years=rng.choice([1, 2]))
    elif kind == "certificate_cycle":
        rec.update(years=rng.choice([1, 2, 3]), ends=rng.choice(["08-31", "12-31", "01-31", "06-30"]))
    req: dict[str, Any] = {"id": "r", "title": "R", "recurrence": rec,
                           "satisfied_by": {"activities": [PD + "a"]}, "due_soon_days": rng.choice([0, 7, 30])}
    if kind in ("school_year", "rolling", "every_n_school_years") and rng.random() < 0.8:
        dl: dict[str, Any] = {}
        if rng.random() < 0.7:
            dl["month_day"] = rng.choice(["10-31", "12-31", "03-15", "07-10"])
        if not dl or rng.random() < 0.6:
            dl["days_after_hire"] = rng.choice([0, 30, 90])
        if len(dl) == 2:
            dl["rule"] = rng.choice(["later", "earlier"])
        req["deadline"] = dl
    if kind != "hours_over_years" and rng.random() < 0.4:
        req["min_hours"] = rng.choice([1, 1.5, 2])
    if rng.random() < 0.15:
        req["satisfied_by"]["min_score"] = 0.8
    applies: dict[str, Any] = {"roles": ["teacher"] if rng.random() < 0.8 else ["teacher", "nurse"]}
    if rng.random() < 0.2:
        applies["buildings"] = ["north"]
    if rng.random() < 0.15:
        applies["attributes"] = {"assignment": ["sro-building", "none"]}
    if rng.random() < 0.15:
        applies["new_hires_only"] = True if rng.random() < 0.5 else rand_day(rng).isoformat()
    if rng.random() < 0.1:
        applies["include_inactive"] = True
    req["applies_to"] = applies
    if rng.random() < 0.1:
        req["effective_from"] = rand_day(rng).isoformat()
    return req


def rand_catalog(rng: random.Random, kind: str) -> dict[str, Any]:
    return {"school_year_start": rng.choice(["07-01", "08-15", "01-01"]), "requirements": [rand_requirement(rng, kind)]}


def rand_person(rng: random.Random) -> Any:
    hire = rand_day(rng, date(2021, 8, 1), date(2025, 6, 30))
    versions = []
    eff = hire
    for i in range(rng.choice([1, 1, 2, 3, 4])):
        attrs: dict[str, Any] = {}
        if rng.random() < 0.5:
            attrs["assignment"] = rng.choice(["sro-building", "none"])
        if rng.random() < 0.3:
            attrs["certificate_issued"] = rand_day(rng, date(2019, 1, 1), date(2026, 6, 30)).isoformat()
        versions.append(version(eff.isoformat(), hire=(hire if rng.random() < 0.9 else eff).isoformat(),
                                roles=rng.choice([["teacher"], ["teacher"], ["teacher"], ["nurse"], ["teacher", "coach"]]),
                                building=rng.choice(["north", "south"]),
                                status="active" if rng.random() < 0.9 else "inactive", seq=i, **attrs))
        eff = eff + timedelta(days=rng.randrange(20, 500))
    return person(*versions)


def rand_facts(rng: random.Random) -> list[EvidenceFact]:
    facts = []
    for i in range(rng.randrange(0, 13)):
        verb = rng.choice([COMPLETED, COMPLETED, ATTENDED, PASSED, FAILED, WAIVED if rng.random() < 0.3 else COMPLETED])
        day = rand_day(rng, date(2021, 9, 1), date(2026, 12, 31))
        valid_until = (day + timedelta(days=rng.randrange(0, 400))).isoformat() \
            if verb == WAIVED and rng.random() < 0.5 else None
        facts.append(EvidenceFact(
            statement_id=f"s{i}", date=day.isoformat(), verb=verb, activity=PD + rng.choice(["a", "a", "a", "b"]),
            hours=rng.choice([0.0, 0.5, 1.0, 1.0, 2.0]), score_scaled=rng.choice([None, 0.5, 0.9]),
            valid_until=valid_until, waived_reason="Tested Out" if verb == WAIVED else None,
            voided=rng.random() < 0.1))
    return facts


def rand_exemptions(rng: random.Random) -> list[Exemption]:
    out = []
    for i in range(rng.choice([0, 0, 1, 2])):
        start = rand_day(rng)
        until = (start + timedelta(days=rng.randrange(0, 300))).isoformat() if rng.random() < 0.6 else None
        revoked = (start + timedelta(days=rng.randrange(1, 400))).isoformat() if rng.random() < 0.3 else None
        out.append(Exemption(f"x{i}", "e1", "r", "leave", start.isoformat(), until, revoked))
    return out


def compare(segments: list[Any], ref: Reference, evaluator: Evaluator | None, label: str) -> None:
    check_shape(segments)
    days = [LO + timedelta(days=i) for i in range((HI - LO).days)]
    if segments and segments[-1].open_ended:  # "never changes again": check far beyond the horizon too
        days += [FAR_FROM + timedelta(days=37 * i) for i in range((REF_HI - FAR_FROM).days // 37)]
    for d in days:
        seg = segment_on(segments, d)
        got = (status_on(seg, d), seg.due if seg.kind == "open" else None) if seg is not None else \
            ("not_applicable", None)
        want = ref.status(d)
        assert got == want, f"{label} on {d}: timeline {got}, reference {want}; segment {seg}"
        if evaluator is not None and seg is not None:  # every stored field, not only the status, is constant
            state = evaluator.state_at(d)
            assert state is not None and all(getattr(seg, k) == v for k, v in state.items()), \
                f"{label} on {d}: segment {seg} but state {state}"


@pytest.mark.parametrize("kind", KINDS)
def test_timeline_agrees_with_reference(kind: str) -> None:
    for case in range(CASES):
        rng = random.Random(f"{kind}-{case}")
        req = parse_catalog_data(rand_catalog(rng, kind)).requirements[0]
        p = rand_person(rng)
        facts, exemptions = rand_facts(rng), rand_exemptions(rng)
        start = rand_day(rng, date(2021, 7, 1), date(2024, 1, 1))
        windows = [(start, None)] if rng.random() < 0.7 else \
            [(start, start + timedelta(days=400)), (start + timedelta(days=600), None)]
        segments = timeline(p, req, windows, facts, exemptions, HORIZON)
        shuffled = timeline(p, req, list(reversed(windows)), list(reversed(facts)), list(reversed(exemptions)),
                            HORIZON)
        assert shuffled == segments  # deterministic whatever the order of the inputs
        ref = Reference(Inputs(p, facts, exemptions, requirement=req,
                               windows=[(a, b or date(9999, 12, 31)) for a, b in windows]), REF_LO, REF_HI)
        evaluator = Evaluator(p, catalog_regimes([CatalogVersion(start.isoformat(), Catalog((req,)))])["r"],
                              facts, exemptions) if len(windows) == 1 else None
        compare(segments, ref, evaluator, f"{kind} case {case}")


@pytest.mark.parametrize("kind", KINDS)
def test_catalog_versions_agree_with_reference(kind: str) -> None:
    for case in range(max(CASES // 2, 1)):
        rng = random.Random(f"versions-{kind}-{case}")
        p = rand_person(rng)
        facts, exemptions = rand_facts(rng), rand_exemptions(rng)
        cats: list[tuple[date, Catalog]] = []
        eff = rand_day(rng, date(2021, 7, 1), date(2023, 1, 1))
        for _ in range(rng.choice([1, 2, 3])):
            data = rand_catalog(rng, rng.choice([kind, kind, rng.choice(KINDS)]))
            if rng.random() < 0.2:
                data["requirements"] = []  # the requirement is dropped in this version
            cats.append((eff, parse_catalog_data(data).with_effective(eff.isoformat())))
            eff = eff + timedelta(days=rng.randrange(30, 700))
        got = person_timelines(p, [c for _, c in cats], facts, exemptions, HORIZON)
        segments = got.get("r", [])
        ref = Reference(Inputs(p, facts, exemptions, catalogs=cats, requirement_id="r"), REF_LO, REF_HI)
        compare(segments, ref, None, f"versions {kind} case {case}")
