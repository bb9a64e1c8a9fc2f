"""The inputs of program evaluation: small, immutable digests the evaluation projection keeps.

Each digest is what one kind of statement (or roster row, or outcome import row) contributes to the metrics,
already reduced to the fields the metrics read. ``extract.py`` makes them from statement dicts; the projection
replaces agent keys by roster employee ids before the metrics see them (``dataclasses.replace``).

People are identified by one string throughout (``person``, ``teacher``, ``coach``...): the metrics only compare
them, never show them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

# Delivery models, as the transcript names them (projections/rules.py DELIVERY_MODELS).
DELIVERY_MODELS = ("online_course", "workshop", "course", "conference", "webinar", "institute", "network", "plc",
                   "coaching", "instructional_rounds", "video", "other")

VERB_ATTENDED = "http://adlnet.gov/expapi/verbs/attended"


@dataclass(frozen=True)
class StaffMember:
    """A roster person as the evaluation needs them (on the date the roster is read)."""

    employee_id: str
    roles: tuple[str, ...]
    building: str | None
    certified: bool
    active: bool = True


@dataclass(frozen=True)
class LearningFact:
    """One statement's learning for one person: what participation and dosage count.

    ``parents`` and ``grouping`` are the ``contextActivities`` ids; ``registration`` the statement's
    registration (or a session id). ``hours`` are the hours this statement earns (0 when none).
    """

    person: str
    statement_id: str
    activity: str
    date: date
    hours: float = 0.0
    delivery_model: str = "other"
    verb: str = VERB_ATTENDED
    activity_type: str | None = None
    parents: tuple[str, ...] = ()
    grouping: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    registration: str | None = None
    team: bool = False
    waiver_reason: str | None = None

    @property
    def context_ids(self) -> tuple[str, ...]:
        return self.parents + self.grouping


@dataclass(frozen=True)
class SurveyAnswer:
    """One exit-survey answer (Guskey level 1): a likert item or a quality rating.

    ``value`` is on the item's own scale ``scale_min..scale_max`` (a likert answer: its position in the scale,
    1 = the lowest point). ``kind`` is ``likert`` or ``rating``. ``session`` is the session the answer is about;
    ``context_ids`` every parent/grouping id of the statement.
    """

    person: str
    statement_id: str
    item: str
    value: float
    scale_min: float
    scale_max: float
    date: date
    kind: str = "likert"
    session: str | None = None
    presenters: tuple[str, ...] = ()
    delivery_model: str | None = None
    context_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """A pretest or posttest result (Guskey level 2). ``subject`` is what the test assesses (the statement's
    parent: the workshop or course), else None; ``scaled`` is ``result.score.scaled`` (0..1)."""

    person: str
    statement_id: str
    activity: str
    kind: str  # "pretest" | "posttest"
    timestamp: str
    date: date
    scaled: float | None = None
    success: bool | None = None
    subject: str | None = None
    context_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoachingSession:
    """A coaching session (``mentored``: actor coach, object teacher). ``activity`` is the coaching cycle."""

    coach: str
    teacher: str
    statement_id: str
    date: date
    hours: float
    building: str | None = None
    activity: str | None = None
    context_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlcMeeting:
    """One person's attendance at a PLC meeting (``attended`` with ``context.team``)."""

    person: str
    statement_id: str
    date: date
    minutes: float
    team: str | None = None
    activity: str | None = None
    activity_type: str | None = None
    context_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Observation:
    """One look-for seen in a walkthrough or observation (Guskey level 4): its rubric level on
    ``scale_min..scale_max``. A walkthrough with three look-fors gives three observations (one statement)."""

    teacher: str
    statement_id: str
    date: date
    practice: str
    level: float
    scale_max: float = 4.0
    scale_min: float = 1.0
    observer: str | None = None
    activity: str | None = None


@dataclass(frozen=True)
class OutcomeAggregate:
    """A de-identified outcome figure from the outcomes import (Guskey level 5): the ``value`` of ``measure`` for
    ``n`` students of ``group`` (a building, grade or section cohort) in ``period`` (a label such as
    ``2026-27``), and whether the group is taught by program participants."""

    measure: str
    period: str
    group: str
    participant_cohort: bool
    value: float
    n: int


@dataclass(frozen=True)
class EvaluationData:
    """Everything one evaluation reads (the projection's digests, not yet filtered by program or period)."""

    staff: Sequence[StaffMember]
    facts: Sequence[LearningFact] = ()
    answers: Sequence[SurveyAnswer] = ()
    assessments: Sequence[Assessment] = ()
    coaching: Sequence[CoachingSession] = ()
    plc: Sequence[PlcMeeting] = ()
    observations: Sequence[Observation] = ()
    outcomes: Sequence[OutcomeAggregate] = field(default_factory=tuple)
