"""Learning facts from the transcript: the same hours and delivery model the transcripts show, split by period.

The transcript (transcript@v1) computes hours per *entry* (one person, one activity, one registration or school
year) from all its statements (``projections.transcript.rules.compute_entry``): a declared credit, else measured
attendance, else a declared length, else a completion's duration; the delivery model from the strongest hint. The
evaluation needs them per statement (to count a period, a series, a delivery model), so :func:`split_hours` hands
each entry's hours to its statements without changing their sum:

- measured attendance (``hours_source = attendance``) is earned day by day: each day's attendance (the
  transcript's own rule, applied to that day's statements) goes to that day's first statement;
- every other source (credit, declared length, completion duration) is earned once, on the entry's date (the day
  its outcome was reached), by the first statement with that outcome on that day.

So a school-year report counts exactly the transcript's hours for the statements it counts, and the semesters of a
year add up to the year. Every statement of an entry takes the entry's delivery model.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.evaluation.digests import LearningFact
from projections.evaluation.metrics import PARTICIPATION_VERBS
# The transcript's attendance rule (per day: the longest reported duration or the join/leave intervals). Reused,
# not copied, so the two can never drift apart.
from projections.transcript.rules import _attendance_seconds
from projections.transcript.vocabulary import CREDITED, OUTCOME_RANK


@dataclass(frozen=True)
class Entry:
    """What the evaluation reads of a transcript entry."""

    hours: float
    source: str | None
    delivery_model: str
    date: str
    outcome: str
    activity_type: str | None = None
    start_date: str = ""
    end_date: str = "9999-12-31"


def _order(f: Mapping[str, Any]) -> tuple[str, int, str]:
    return (f.get("ts") or "", int(f["position"]), str(f["statement_id"]))


def split_hours(facts: Sequence[Mapping[str, Any]], entry: Entry, *, complete: bool = False) -> dict[tuple[str, str], float]:
    """Hours per (statement id, actor key) for the live facts of one entry that are at hand.

    ``facts`` are transcript fact rows (``statement_id``, ``actor_key``, ``verb_id``, ``outcome``, ``ts``, ``date``,
    ``position``, ``duration_s``, ``attrs``); for attendance they must include every fact of each day they cover
    (a period always covers whole days). ``complete`` says they are all of the entry's facts: then the split is
    adjusted so it adds up to the entry's (rounded) hours exactly.
    """
    out: dict[tuple[str, str], float] = {}
    if not facts or entry.hours <= 0:
        return out
    live = sorted(facts, key=_order)
    if entry.source == "attendance":
        by_day: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for f in live:
            if f["outcome"] in CREDITED:
                by_day[f["date"]].append(f)
        last: tuple[str, str] | None = None
        for day in sorted(by_day):
            day_facts = by_day[day]
            seconds = _attendance_seconds(day_facts)
            if not seconds:
                continue
            # The day's first statement that records taking part (a "leave" does not): it carries the day.
            target = next((f for f in day_facts if f["verb_id"] in PARTICIPATION_VERBS), day_facts[0])
            key = (str(target["statement_id"]), str(target["actor_key"]))
            out[key] = out.get(key, 0.0) + seconds / 3600.0
            last = key
        if complete and last is not None:
            out[last] += entry.hours - sum(out.values())
        return out
    rank = OUTCOME_RANK.get(entry.outcome, 0)
    first = next((f for f in live if f["date"] == entry.date and OUTCOME_RANK.get(f["outcome"], -1) == rank), None)
    if first is not None:
        out[(str(first["statement_id"]), str(first["actor_key"]))] = entry.hours
    return out


def learning_facts(rows: Iterable[Mapping[str, Any]], entries: Mapping[str, Entry], lo: date, hi: date, *,
                   person_of: Callable[[str], str | None],
                   context_of: Callable[[str], Mapping[str, Any] | None]) -> tuple[list[LearningFact],
                                                                                   dict[tuple[str, str], float]]:
    """The evaluation's learning facts for the transcript facts dated ``lo..hi`` (``rows``, live ones only).

    ``person_of`` maps an agent key to an employee id (None: not on the roster, left out); ``context_of`` gives a
    statement's ``parents``/``grouping``/``tags``/``team`` (evaluation_context), or None. Returns the facts and the
    hours of every (statement id, agent key) (so coaching and PLC time can be read in the same hours).
    """
    by_entry: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by_entry[r["entry_key"]].append(r)
    hours: dict[tuple[str, str], float] = {}
    out: list[LearningFact] = []
    lo_s, hi_s = lo.isoformat(), hi.isoformat()
    days: dict[str, date] = {}  # each date text parsed once
    for key, facts in by_entry.items():
        entry = entries.get(key)
        if entry is None:
            continue
        # Every live fact of the entry is dated inside the period: the split must add up to its hours exactly.
        complete = lo_s <= entry.start_date and entry.end_date <= hi_s
        if complete and len(facts) == 1:
            # One statement, the whole entry (most workshops and courses): it carries the entry's hours.
            f = facts[0]
            hours[(str(f["statement_id"]), str(f["actor_key"]))] = entry.hours if f["outcome"] in CREDITED else 0.0
        else:
            # Every statement of the entry has its share, 0 included (a re-sent PLC meeting earns no more minutes).
            hours.update({(str(f["statement_id"]), str(f["actor_key"])): 0.0 for f in facts})
            hours.update(split_hours(facts, entry, complete=complete))
        for f in facts:
            if f["outcome"] == "absent" or f["verb_id"] not in PARTICIPATION_VERBS:
                continue  # an absence, a registration or a waiver is not taking part
            person = person_of(str(f["actor_key"]))
            if person is None:
                continue
            sid = str(f["statement_id"])
            ctx = context_of(sid) or {}
            day = days.get(f["date"])
            if day is None:
                day = days[f["date"]] = date.fromisoformat(f["date"])
            out.append(LearningFact(
                person=person, statement_id=sid, activity=str(f["activity_id"]), date=day,
                hours=round(hours.get((sid, str(f["actor_key"])), 0.0), 6), delivery_model=entry.delivery_model,
                verb=str(f["verb_id"]), activity_type=entry.activity_type, parents=tuple(ctx.get("parents") or ()),
                grouping=tuple(ctx.get("grouping") or ()), tags=tuple(ctx.get("tags") or ()),
                registration=f.get("registration"), team=bool(ctx.get("team"))))
    return out, hours
