"""Program evaluation: the pure core (no database, no Flask).

Policy 4300.2 asks that the professional-learning program be "continuously evaluated"; policy 4132 that the
district improvement team report "the efficacy of the program" to the Board, monitoring "the impact of
professional learning on student growth". This package computes that evaluation from digests of the log:

- ``catalog.py``: the program catalog (``lrs programs load FILE``), validated whole; ``periods.py``: school
  years, semesters and named periods (``resolve_period``).
- ``digests.py``: the inputs (staff, learning facts, survey answers, tests, coaching, PLC meetings,
  observations, outcome aggregates); ``extract.py`` makes them from statements following the district xAPI
  Profile (docs/profile/), ``profile.py`` checks statements against that profile's templates.
- ``metrics.py`` (participation, dosage, Guskey levels 1-2) and ``levels.py`` (levels 3-5, cost): unsuppressed
  figures, each with the people and statements behind it.
- ``suppression.py``: small-cell and complementary suppression; ``evaluate.py``: one program's published
  evaluation (the ``GET /api/v1/programs/{program}/evaluation`` body); ``narrative.py``: the Board report's
  plain-language paragraph and methods note, written from the published figures only.
"""
from __future__ import annotations

from projections.evaluation.catalog import CatalogError, Program, ProgramCatalog, parse_programs
from projections.evaluation.evaluate import evaluate_program
from projections.evaluation.narrative import methods_note, narrative
from projections.evaluation.periods import PeriodError, resolve_period
from projections.evaluation.suppression import no_derivable_cells, suppress_table

__all__ = ["CatalogError", "PeriodError", "Program", "ProgramCatalog", "evaluate_program", "methods_note",
           "narrative", "no_derivable_cells", "parse_programs", "resolve_period", "suppress_table"]
