"""The Board report's paragraph and methods note: written from the published figures, never a hidden one."""
from __future__ import annotations

from typing import Any

from projections.evaluation.evaluate import evaluate_program
from projections.evaluation.narrative import fmt_hours, fmt_int, fmt_money, fmt_pct, methods_note, narrative
from tests.unit.evaluation import district as d


def test_number_formatting() -> None:
    assert (fmt_int(9870), fmt_int(1203.4), fmt_int(7)) == ("9,870", "1,203", "7")
    assert (fmt_pct(0.7774), fmt_pct(0.6149), fmt_pct(0.125), fmt_pct(1.0)) == ("78%", "61%", "13%", "100%")
    assert (fmt_hours(9870.4), fmt_hours(6.54), fmt_hours(12.0)) == ("9,870", "6.5", "12")
    assert (fmt_money(48000), fmt_money(4.857), fmt_money(1250.5, "EUR"), fmt_money(10, "NOK")) == \
        ("$48,000", "$4.86", "€1,250", "10.00 NOK")


def published(**over: Any) -> dict[str, Any]:
    """A hand-made published evaluation (the shape evaluate_program returns)."""
    ev: dict[str, Any] = {
        "program": "literacy", "title": "Literacy initiative", "period": {"label": "2026-27", "from": "2026-07-01",
                                                                        "to": "2027-06-30"},
        "eligibility": {"roles": ["teacher"], "buildings": [], "certified": "any"},
        "participation": {"participants": 412, "eligible": 530, "rate": 0.7774, "suppressed": False},
        "hours": {"total": 9870.0, "job_embedded_share": 0.6149, "suppressed": False},
        "levels": {
            "reactions": {"agree_share": 0.84, "answers": 1203, "people": 380, "suppressed": False},
            "learning": {"pairs": 85, "mean_pre": 0.62, "mean_post": 0.58, "mean_gain": -0.04, "pass_rate": None,
                         "tested": 0, "suppressed": False},
            "support": {"coaching": {"suppressed": True}, "plc": {"members": 240, "minutes_per_week_per_member": 41.6,
                                                                   "suppressed": False}},
            "use": {"participants": {"proficient_share": 0.64, "observations": 1210, "people": 301, "suppressed": False},
                    "non_participants": {"proficient_share": 0.48, "observations": 402, "people": 98,
                                         "suppressed": False}},
            "outcomes": {"label": "correlation, not causation", "measures": []}},
        "cost": None,
        "suppression": {"min_cell": 10, "rule": "Cells describing fewer than 10 people are not shown."},
    }
    ev.update(over)
    return ev


def test_paragraph_with_every_level() -> None:
    text = narrative(published())
    assert text == (
        "Literacy initiative (2026-27): 412 of 530 eligible teachers (78%) took part; 61% of their 9,870 hours "
        "were sustained or job-embedded; 84% of exit-survey answers agreed the time was well spent (n=1,203). "
        "On the pre- and post-tests the mean score went from 62% to 58% (−4 points, n=85 pairs). "
        "240 PLC members met 42 minutes a week on average. "
        "In walkthroughs and observations, 64% of participants' observed target practices were at proficient or "
        "above (n=1,210 observations of 301 teachers), against 48% for other eligible teachers (n=402).")


def test_hidden_figures_are_not_mentioned() -> None:
    ev = published(participation={"suppressed": True}, hours={"suppressed": True})
    ev["levels"]["use"]["non_participants"] = {"suppressed": True}
    ev["levels"]["reactions"] = {"suppressed": True, "by_session": []}
    text = narrative(ev)
    assert text.startswith("Literacy initiative (2026-27): participation is not shown because it describes fewer "
                           "than 10 people. ")
    for hidden in ("412", "530", "9,870", "84%", "1,203", "48%", "402", "exit-survey", "against"):
        assert hidden not in text
    assert "64% of participants' observed target practices" in text  # the participants' figure is published


def test_district_paragraph_and_methods_note() -> None:
    cat = d.catalog()
    ev = evaluate_program(cat, "literacy", d.data(), *d.S1, "2026-27-S1", position=4812,
                          computed_at="2027-01-05T08:00:00Z")
    text = narrative(ev)
    # 30 of 37 (81%); 90.5 of 183.5 h (49%) sustained or job-embedded, 184 h rounded; 25 of 34 answers (74%).
    # Pre/post 0.50 -> 0.75 on 12 pairs; 9 of 11 passed (82%). Coaching 24.5 h / 13 = 1.9; PLC 6.8 -> 7 min a week.
    # Observations 13 of 21 (62%) for 11 participants; non-participants (3 people) hidden. $48,000 / 183.5 h.
    assert text == (
        "Literacy initiative (2026-27-S1): 30 of 37 eligible staff (81%) took part; 49% of their 184 hours were "
        "sustained or job-embedded; 74% of exit-survey answers agreed the time was well spent (n=34). "
        "On the pre- and post-tests the mean score went from 50% to 75% (+25 points, n=12 pairs), and 82% passed "
        "the posttest (n=11). "
        "13 coached staff received 1.9 hours of coaching each on average; 10 PLC members met 7 minutes a week on "
        "average. "
        "In walkthroughs and observations, 62% of participants' observed target practices were at proficient or "
        "above (n=21 observations of 11 staff). "
        "Student outcome trends for the participants' cohorts are shown beside the others' (correlation, not "
        "causation). "
        "The program cost $48,000, $262 per participant-hour.")  # $261.58: no cents from $100 up
    note = methods_note(ev)
    assert "learning dated 2026-07-01 to 2026-12-31" in note
    assert "hours in plc, coaching, instructional rounds, or in a series of at least 3 sessions over at least 4 " \
           "weeks" in note
    assert "top 2 points of its scale" in note and "at least 80% of its range" in note
    assert "Cells describing fewer than 10 people are not shown" in note
    assert "Computed from the statement log at position 4812 on 2027-01-05T08:00:00Z; requesting the evaluation " \
           "with known_at=4812 reproduces these figures." in note
    assert "teacher, paraprofessional" in note


def test_small_program_narrative_mentions_no_hidden_count() -> None:
    cat = d.parse_programs(d.CATALOG_TEXT.replace("eligible: {roles: [teacher, paraprofessional]}",
                                                  "eligible: {roles: [teacher], buildings: [Jefferson]}"))
    ev = evaluate_program(cat, "literacy", d.data(), *d.S1)
    text = narrative(ev)
    # Jefferson: 3 of 4 took part (75%), 9 hours: none of it may appear.
    assert "participation is not shown because it describes fewer than 10 people" in text
    for hidden in ("3 of 4", "75%", " 9 hours", "per participant-hour"):
        assert hidden not in text
    assert text.endswith("The program cost $48,000.")
