"""The requirement catalog: which trainings law and policy require of whom, how often, and what counts as done.

``lrs requirements load FILE`` reads a YAML or JSON catalog with :func:`parse_catalog`, which validates the whole
file and raises :class:`CatalogError` naming *every* problem by its path
(``requirements[3].recurrence.months: required for kind rolling``). The result is a frozen :class:`Catalog` whose
canonical JSON (:meth:`Catalog.to_json`) goes into the event that records the load; replay reads it back with
:meth:`Catalog.from_json` (``from_json(to_json(c)) == c``). Every key is documented in ``docs/requirements.md``;
the validation itself lives in :mod:`projections.compliance.catalog_check`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
DEFAULT_VERBS: tuple[str, ...] = (VERB_ATTENDED, VERB_COMPLETED, VERB_PASSED)
# Clock hours per credit unit (domain.md section 3, the district credit extension). A catalog may override them.
DEFAULT_CREDIT_UNITS: tuple[tuple[str, float], ...] = (("ceu", 10.0), ("clock-hour", 1.0),
                                                       ("semester-hour", 15.0))
KINDS = ("school_year", "rolling", "every_n_school_years", "once_after_hire", "hours_over_years",
         "certificate_cycle")
DEFAULT_ANCHOR_ATTRIBUTE = "certificate_issued"


class CatalogError(Exception):
    """A catalog that cannot be loaded; ``problems`` names each problem with its path in the file."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class AppliesTo:
    """Who a requirement applies to, on a given date (all conditions must hold).

    ``roles`` (any of; empty = every role), ``buildings`` (any of; empty = every building), ``attributes``
    (roster extra columns: name -> accepted values, any of), ``fte_min`` (the ``fte`` attribute, a person
    without one counts as full time), ``new_hires_only`` (an ISO date: hired on or after it; ``True``: hired on
    or after the date this rule came into force), ``include_inactive`` (inactive staff too).
    """

    roles: tuple[str, ...] = ()
    buildings: tuple[str, ...] = ()
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fte_min: float | None = None
    new_hires_only: str | bool | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class SatisfiedBy:
    """What counts as evidence: a statement whose verb is one of ``verbs`` about an activity that is one of
    ``activities``, or has one of ``activity_types``, or carries one of ``tags`` (tags extension or category
    id), or one of ``categories``; optionally with ``min_score`` (scaled) or ``passed``."""

    activities: tuple[str, ...] = ()
    activity_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = DEFAULT_VERBS
    min_score: float | None = None
    passed: bool = False


@dataclass(frozen=True)
class Recurrence:
    """How often: ``kind`` and its parameters (see :mod:`projections.compliance.rules` for each kind)."""

    kind: str
    months: int | None = None
    years: int | None = None
    days: int | None = None
    hours: float | None = None
    ends: str | None = None
    anchor_attribute: str | None = None


@dataclass(frozen=True)
class Deadline:
    """When a period's completion is due: ``month_day`` in the school year, ``days_after_hire`` (after the
    requirement starts to apply to the person), or both combined by ``rule`` (``later`` or ``earlier``)."""

    month_day: str | None = None
    days_after_hire: int | None = None
    rule: str = "later"


@dataclass(frozen=True)
class Requirement:
    """One requirement, carrying the catalog settings it depends on (``school_year_start``, ``due_soon_days``,
    and the clock hours per unit of ``hours_unit``), so a requirement alone is enough to evaluate it.
    ``effective_from``/``effective_until`` (inclusive) bound the requirement itself, e.g. a statute that takes
    effect with a school year."""

    id: str
    title: str
    recurrence: Recurrence
    satisfied_by: SatisfiedBy
    applies_to: AppliesTo = field(default_factory=AppliesTo)
    reference: str | None = None
    description: str | None = None
    deadline: Deadline | None = None
    min_hours: float | None = None
    hours_unit: str = "clock-hour"
    unit_hours: float = 1.0
    school_year_start: str = "07-01"
    due_soon_days: int = 30
    effective_from: str | None = None
    effective_until: str | None = None

    @property
    def required_hours(self) -> float | None:
        """Hours (in ``hours_unit``) the evidence must add up to: ``recurrence.hours`` for ``hours_over_years``,
        else ``min_hours`` (None: one matching completion is enough)."""
        return self.recurrence.hours if self.recurrence.kind == "hours_over_years" else self.min_hours


@dataclass(frozen=True)
class Catalog:
    """A validated, normalised catalog. ``effective`` is the date it takes effect (the CLI may override it with
    :meth:`with_effective`)."""

    requirements: tuple[Requirement, ...] = ()
    school_year_start: str = "07-01"
    due_soon_days: int = 30
    effective: str | None = None
    version: str | None = None
    title: str | None = None
    credit_units: tuple[tuple[str, float], ...] = DEFAULT_CREDIT_UNITS

    def requirement(self, requirement_id: str) -> Requirement | None:
        """The requirement with this id, or None."""
        return next((r for r in self.requirements if r.id == requirement_id), None)

    def with_effective(self, effective: str) -> Catalog:
        """The same catalog taking effect on ``effective`` (ISO date)."""
        return replace(self, effective=effective)

    def to_data(self) -> dict[str, Any]:
        """The normalised catalog as plain JSON data (every default spelled out, empty values left out)."""
        return _catalog_data(self)

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no insignificant whitespace; equal catalogs give identical text."""
        return json.dumps(self.to_data(), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Catalog:
        """Read back :meth:`to_json` output (validated again, so a hand-edited payload cannot smuggle in a bad
        rule)."""
        return parse_catalog(text, "catalog.json")


def parse_catalog(text: str, filename: str) -> Catalog:
    """Validate and normalise a catalog file (JSON when ``filename`` ends in ``.json``, else YAML). Raises
    :class:`CatalogError` listing every problem, each prefixed by its path in the file."""
    from projections.compliance.catalog_check import load_document, build_catalog

    data = load_document(text, filename)
    return build_catalog(data)


def parse_catalog_data(data: Any) -> Catalog:
    """Validate and normalise an already-decoded catalog (a dict); raises :class:`CatalogError`."""
    from projections.compliance.catalog_check import build_catalog

    return build_catalog(data)


# ---------------------------------------------------------------------------------------------------------------
# Canonical data (the inverse of catalog_check.build_catalog)
# ---------------------------------------------------------------------------------------------------------------

def _prune(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {}}


def _catalog_data(c: Catalog) -> dict[str, Any]:
    data = _prune({
        "school_year_start": c.school_year_start,
        "due_soon_days": c.due_soon_days,
        "effective": c.effective,
        "version": c.version,
        "title": c.title,
        "credit_units": {k: v for k, v in c.credit_units},
    })
    data["requirements"] = [_requirement_data(r, c) for r in c.requirements]  # kept even when empty
    return data


def _requirement_data(r: Requirement, c: Catalog) -> dict[str, Any]:
    a, s, rec, dl = r.applies_to, r.satisfied_by, r.recurrence, r.deadline
    return _prune({
        "id": r.id,
        "title": r.title,
        "reference": r.reference,
        "description": r.description,
        "applies_to": _prune({
            "roles": list(a.roles), "buildings": list(a.buildings),
            "attributes": {k: list(v) for k, v in a.attributes},
            "fte_min": a.fte_min, "new_hires_only": a.new_hires_only, "include_inactive": a.include_inactive,
        }),
        "satisfied_by": _prune({
            "activities": list(s.activities), "activity_types": list(s.activity_types), "tags": list(s.tags),
            "categories": list(s.categories), "verbs": list(s.verbs), "min_score": s.min_score,
            "passed": s.passed or None,
        }),
        "recurrence": _prune({"kind": rec.kind, "months": rec.months, "years": rec.years, "days": rec.days,
                              "hours": rec.hours, "ends": rec.ends, "anchor_attribute": rec.anchor_attribute}),
        "deadline": _prune({"month_day": dl.month_day, "days_after_hire": dl.days_after_hire, "rule": dl.rule})
        if dl is not None else None,
        "min_hours": r.min_hours,
        "effective_from": r.effective_from,
        "effective_until": r.effective_until,
        "hours_unit": r.hours_unit,
        # Only an override is written: the catalog-level value is the default when it is read back.
        "due_soon_days": r.due_soon_days if r.due_soon_days != c.due_soon_days else None,
    })
