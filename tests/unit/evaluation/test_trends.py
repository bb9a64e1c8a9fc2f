"""Each level over time on the scripted district of tests/unit/evaluation/district.py, with the arithmetic by hand."""
from __future__ import annotations

from datetime import date
from typing import Any

from projections.evaluation.trends import buckets, trends
from tests.unit.evaluation import district as d


def cells(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["period"]: r for r in rows}


def test_buckets_are_clipped_to_the_period() -> None:
    assert buckets(date(2026, 9, 15), date(2026, 11, 3)) == [
        ("2026-09", date(2026, 9, 15), date(2026, 9, 30)), ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 3))]
    assert [b[0] for b in buckets(date(2026, 7, 1), date(2027, 6, 30), "quarter")] == [
        "2026-Q3", "2026-Q4", "2027-Q1", "2027-Q2"]
    assert buckets(date(2026, 12, 31), date(2027, 1, 1))[1] == ("2027-01", date(2027, 1, 1), date(2027, 1, 1))


def test_each_level_by_month() -> None:
    cat = d.catalog()
    tr = trends(cat, cat.programs[0], d.data(), *d.S1)
    p = cells(tr["participation"])
    # September: W1's 26 (the PLC members came to W1 too); 26 + 3 PLC meetings x 10 = 56 statements.
    # October: W2 (T01-T08, T17-T20, C01), the PLC (T01-T04, T09-T12, A01, A02), coaching (T01-T08, T13, T14,
    # T17, T18, T25): 22 people, 13 + 10 + 13 = 36 statements. November: W3 T01-T04 and the second coaching
    # sessions (T01-T08, T13, T14): 10 people, 14 statements. 56 + 36 + 14 = 106, the period's.
    assert [(k, c["participants"], c["statements"]) for k, c in p.items()] == [
        ("2026-07", 0, 0), ("2026-08", 0, 0), ("2026-09", 26, 56), ("2026-10", 22, 36), ("2026-11", 10, 14),
        ("2026-12", 0, 0)]
    assert p["2026-09"]["rate"] == 0.7027  # 26 of the 37 eligible
    r = cells(tr["reactions"])
    # W3's 4 respondents in November are few; October (W2's 10) goes with them; September (W1: 20 answers, 15
    # agree) stays.
    assert (r["2026-09"]["answers"], r["2026-09"]["agree"], r["2026-09"]["agree_share"]) == (20, 15, 0.75)
    assert r["2026-10"] == {"period": "2026-10", "suppressed": True}
    assert r["2026-11"] == {"period": "2026-11", "suppressed": True}
    lr = cells(tr["learning"])
    # Every first posttest was on October 8 (T03's November retake belongs to his October pair): all 12 pairs and
    # the 9 of 11 passes are October's.
    assert (lr["2026-10"]["pairs"], lr["2026-10"]["passed"], lr["2026-10"]["tested"]) == (12, 9, 11)
    assert lr["2026-11"]["pairs"] == 0
    co = cells(tr["coaching"])
    # October 1: 13 teachers (10 x 1 h, 3 x 1.5 h = 14.5 h); November 1: the 10 with a second session, 10 h.
    assert (co["2026-10"]["coached"], co["2026-10"]["hours"], co["2026-11"]["coached"], co["2026-11"]["hours"]) == \
        (13, 14.5, 10, 10)
    plc = cells(tr["plc"])
    # September: 3 x 10 x 45 = 1,350 min over 30/7 weeks: 31.5 a week per member; October: 450 over 31/7: 10.2.
    assert (plc["2026-09"]["minutes"], plc["2026-09"]["minutes_per_week_per_member"]) == (1350, 31.5)
    assert (plc["2026-10"]["minutes"], plc["2026-10"]["minutes_per_week_per_member"]) == (450, 10.2)
    q = trends(cat, cat.programs[0], d.data(), *d.S1, granularity="quarter")
    assert [(c["period"], c["statements"]) for c in q["participation"]] == [("2026-Q3", 56), ("2026-Q4", 50)]
