"""The outcomes file: de-identified aggregates only; anything student-level is refused with a clear message."""
from __future__ import annotations

import json

import pytest

from projections.evaluation.outcomes import OutcomeRow, OutcomesError, parse_outcomes

HEAD = "measure,period,group,group_type,cohort,value,n,program\n"


def problems(text: str, filename: str = "outcomes.csv", **kw: int) -> list[str]:
    with pytest.raises(OutcomesError) as e:
        parse_outcomes(text, filename, **kw)
    return e.value.problems


def test_a_valid_file() -> None:
    rows = parse_outcomes(HEAD + "Reading growth,2025-26,Lincoln grade 3,grade,participants,0.62,42,literacy\n"
                                 "Reading growth,2025-26,Adams grade 3,Grade,Others,47%,38,\n")
    assert rows == [OutcomeRow("Reading growth", "2025-26", "Lincoln grade 3", "grade", True, 0.62, 42, "literacy"),
                    OutcomeRow("Reading growth", "2025-26", "Adams grade 3", "grade", False, 0.47, 38, "")]
    assert OutcomeRow.from_json(rows[0].to_json()) == rows[0]


def test_student_columns_refuse_the_whole_file() -> None:
    for column in ("student_id", "Student Name", "SIS ID", "date_of_birth", "first_name", "StudentID", "id"):
        (p,) = problems(f"measure,period,group,group_type,cohort,value,n,{column}\n"
                        "Reading,2025-26,G3,grade,others,0.5,40,123\n")
        assert "looks like student-level data" in p and repr(column) in p


def test_unknown_and_missing_columns() -> None:
    p = problems("measure,period,group,cohort,value,n,notes\nReading,2025-26,G3,others,0.5,40,x\n")
    assert any("unknown column(s) 'notes'" in x for x in p) and any("missing column(s) group_type" in x for x in p)


def test_small_groups_and_student_shaped_rows_are_refused() -> None:
    p = problems(HEAD + "Reading,2025-26,G3,grade,others,0.5,9,\n"
                        "Reading,2025-26,G4,grade,others,0.5,40,\n"
                        "Reading,2025-26,G4,grade,others,0.6,40,\n")
    assert p[0].startswith("line 2: n = 9 is below the minimum group size 10")
    assert p[1].startswith("line 4: the group 'G4' appears twice for 'Reading' in '2025-26' (also line 3)")
    assert len(problems(HEAD + "Reading,2025-26,G3,grade,others,0.5,19,\n", min_n=20)) == 1
    assert parse_outcomes(HEAD + "Reading,2025-26,G3,grade,others,0.5,3,\n", min_n=1)[0].n == 3


def test_every_bad_value_is_named_by_its_line() -> None:
    p = problems(HEAD + ",2025-26,G3,classroom,maybe,high,-4,\n")
    assert p == ["line 2: measure is empty", "line 2: group_type 'classroom' must be one of building, grade, "
                 "cohort, section", "line 2: cohort 'maybe' must be participants or others",
                 "line 2: value 'high' is not a number", "line 2: n '-4' is not a whole number of students"]
    assert problems("") == ["outcomes.csv: empty file (expected a header row: measure, period, group, group_type, "
                            "cohort, value, n)"]
    assert problems(HEAD) == ["outcomes.csv: no rows (expected one row per measure, period and group)"]


def test_json_files() -> None:
    rows = [{"measure": "Reading", "period": "2025-26", "group": "G3", "group_type": "grade", "cohort": "participants",
             "value": 0.5, "n": 30}]
    assert parse_outcomes(json.dumps(rows), "o.json")[0].participants is True
    assert "looks like student-level data" in problems(json.dumps([{**rows[0], "student_id": "s1"}]), "o.json")[0]
    assert problems("{}", "o.json") == ["o.json: must be a JSON list of objects (one per group)"]
