"""Compliance: the requirement catalog and the compliance rules as pure functions (no database, no Flask).

* :mod:`.catalog` / :mod:`.catalog_check` — the requirement catalog: parsing, validation, canonical JSON.
* :mod:`.evidence` — :class:`EvidenceFact` from an xAPI statement, and whether it counts for a requirement.
* :mod:`.people` — roster versions, exemptions and their revocations.
* :mod:`.rules` — what a requirement's state is on one date (the six recurrence kinds, deadlines, waivers).
* :mod:`.timeline` — the status as a piecewise function of the date: segments ``[valid_from, valid_to)``.
* :mod:`.segments` — :class:`Segment`, ``status_on``/``reason`` and the same status rule as SQL.

See ``docs/requirements.md`` for the catalog keys and the rules with worked calendar examples.
"""
from __future__ import annotations

from projections.compliance.catalog import (AppliesTo, Catalog, CatalogError, Deadline, Recurrence, Requirement,
                                            SatisfiedBy, parse_catalog, parse_catalog_data)
from projections.compliance.evidence import (EvidenceFact, fact_from_statement, facts_from_statement, matches,
                                             waives)
from projections.compliance.people import (Exemption, ExemptionRevocation, PersonHistory, RosterVersion,
                                           apply_revocations)
from projections.compliance.segments import (STATUS_SQL, STATUSES, Evidence, Segment, hours_missing, reason,
                                             segment_on, status_in, status_on)
from projections.compliance.timeline import CatalogVersion, catalog_regimes, person_timelines, timeline

__all__ = [
    "AppliesTo", "Catalog", "CatalogError", "CatalogVersion", "Deadline", "Evidence", "EvidenceFact", "Exemption",
    "ExemptionRevocation", "PersonHistory", "Recurrence", "Requirement", "RosterVersion", "STATUSES",
    "STATUS_SQL", "SatisfiedBy", "Segment", "apply_revocations", "catalog_regimes", "fact_from_statement",
    "facts_from_statement", "hours_missing", "matches", "parse_catalog", "parse_catalog_data", "person_timelines", "reason",
    "segment_on", "status_in", "status_on", "timeline", "waives",
]
