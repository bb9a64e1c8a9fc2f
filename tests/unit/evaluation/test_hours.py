"""Learning facts from transcript facts: each entry's hours handed to its statements without changing their sum."""
from __future__ import annotations

from datetime import date
from typing import Any

from projections.evaluation.hours import Entry, learning_facts, split_hours

ATT = "http://adlnet.gov/expapi/verbs/attended"
DONE = "http://adlnet.gov/expapi/verbs/completed"
REG = "http://adlnet.gov/expapi/verbs/registered"


def fact(sid: str, day: str, verb: str = ATT, outcome: str = "attended", duration: float | None = 2700.0,
         actor: str = "k1", ts: str | None = None, position: int = 1, entry: str = "e1") -> dict[str, Any]:
    return {"statement_id": sid, "actor_key": actor, "entry_key": entry, "activity_id": "https://a/plc",
            "verb_id": verb, "outcome": outcome, "ts": ts or f"{day}T15:00:00Z", "date": day, "position": position,
            "duration_s": duration, "registration": None, "attrs": {}}


def test_attendance_is_earned_day_by_day() -> None:
    # Three meetings of 45 min; the second day's meeting is re-sent later (30 min): the day counts once, at its
    # longest, on its first statement. 3 x 0.75 = 2.25 h, the entry's hours.
    facts = [fact("s1", "2026-09-15"), fact("s2", "2026-09-22"), fact("s2b", "2026-09-22", duration=1800,
                                                                       ts="2026-09-22T17:00:00Z"),
             fact("s3", "2026-09-29")]
    entry = Entry(2.25, "attendance", "plc", "2026-09-15", "attended", start_date="2026-09-15", end_date="2026-09-29")
    out = split_hours(facts, entry, complete=True)
    assert out == {("s1", "k1"): 0.75, ("s2", "k1"): 0.75, ("s3", "k1"): 0.75}
    # A semester holding only September's first two meetings gets 1.5 h of them.
    assert sum(split_hours(facts[:3], entry).values()) == 1.5


def test_other_sources_are_earned_once_on_the_entry_date() -> None:
    # A course with a declared credit: launched in September, completed twice in October. The credit goes to the
    # first completion on the entry's date; the rest earn nothing.
    facts = [fact("a", "2026-09-01", "http://adlnet.gov/expapi/verbs/launched", "in_progress", None),
             fact("b", "2026-10-02", DONE, "completed", None, position=5),
             fact("c", "2026-10-02", DONE, "completed", None, ts="2026-10-02T18:00:00Z", position=6)]
    entry = Entry(10.0, "credit", "online_course", "2026-10-02", "completed")
    assert split_hours(facts, entry) == {("b", "k1"): 10.0}
    assert split_hours(facts[:1], entry) == {}  # a period without the completion gets none of it


def test_learning_facts_take_the_entrys_model_and_leave_out_non_participation() -> None:
    rows = [fact("s1", "2026-09-15"), fact("s2", "2026-09-22"),
            fact("r", "2026-09-01", REG, "registered", None, entry="e2"),
            fact("x", "2026-09-10", ATT, "absent", None, entry="e3"),
            fact("g", "2026-09-10", actor="guest", entry="e4")]
    entries = {"e1": Entry(1.5, "attendance", "plc", "2026-09-15", "attended", "https://t/plc", "2026-09-15",
                           "2026-09-22"),
               "e2": Entry(0.0, None, "workshop", "2026-09-01", "registered"),
               "e3": Entry(0.0, None, "workshop", "2026-09-10", "absent"),
               "e4": Entry(0.75, "attendance", "plc", "2026-09-10", "attended", None, "2026-09-10", "2026-09-10")}
    facts, hours = learning_facts(rows, entries, date(2026, 7, 1), date(2026, 12, 31),
                                  person_of={"k1": "T01"}.get,
                                  context_of={"s1": {"grouping": ("https://p",), "team": True}}.get)
    # The registration, the absence and the guest (no roster person) are not learning facts; their hours are known.
    assert [(f.person, f.statement_id, f.hours, f.delivery_model, f.activity_type) for f in facts] == \
        [("T01", "s1", 0.75, "plc", "https://t/plc"), ("T01", "s2", 0.75, "plc", "https://t/plc")]
    assert facts[0].grouping == ("https://p",) and facts[0].team and not facts[1].team
    assert hours[("g", "guest")] == 0.75 and hours[("r", "k1")] == 0.0
