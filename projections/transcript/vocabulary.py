"""What the transcript knows of xAPI vocabulary: outcomes by verb, delivery models by activity type and category,
the extensions it reads, and the district settings (:class:`Vocabulary`) the rules depend on."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

# Verb IRI -> outcome. Verbs not listed (experienced, answered, rated, terminated, video "played"...) leave no
# transcript entry of their own: they are navigation or survey data, not outcomes. So is the district profile's
# walkthrough verb (``<DISTRICT_IRI>verbs/was-observed``): an observation is evidence of practice read by the
# evaluation (Guskey level 4), not learning, earns no hours, and its detail is a personnel record only the teacher,
# coach and evaluator may read (docs/profile/README.md), while a transcript is read more widely (the PD office,
# supervisors).
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
# The district profile's own activity types (docs/profile/district-pd.jsonld), under DISTRICT_IRI.
DISTRICT_TYPE_MODELS: dict[str, str] = {
    "activitytypes/coaching-cycle": "coaching",
    "activitytypes/instructional-rounds": "instructional_rounds",
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
# Pre/post tests (district profile, template pre-post-assessment): evidence of learning, not learning time.
EXT_ASSESSMENT_TYPE = "http://id.tincanapi.com/extension/assessment-type"
ASSESSMENT_KINDS = frozenset({"pretest", "posttest"})
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
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

    @cached_property
    def type_models(self) -> dict[str, str]:
        """Activity type -> delivery model: the published types and the district profile's own."""
        return {**TYPE_MODELS, **{self.district_iri + k: v for k, v in DISTRICT_TYPE_MODELS.items()}}

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
