"""Import planning: idempotent re-imports, corrected files (voids + replacements), rejections, renderers."""
from __future__ import annotations

import json

import pytest
from lrs.xapi.validation import validate_statement

from adapters.people import PersonMatch
from adapters.plan import ImportPlan, plan_as_json, plan_import, render_table
from adapters.records import ParseResult
from adapters.registry import read_attendance
from adapters.statements import PriorStatement, priors_from_statements, void_id
from tests.unit.adapters.support import ACTIVITY, CHICAGO, VOIDED, fixture, make_roster, read_text

HEADER = ("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
          "812 3456 7890,PLC,09/15/2026 03:00:00 PM,09/15/2026 04:05:00 PM,host@district.example,65,3\n\n"
          "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n")


def zoom(rows: str, name: str = "z.csv") -> ParseResult:
    return read_text(HEADER + rows, "zoom", CHICAGO, name=name)


ORIGINAL = ("Ana,ana.lopez@district.example,09/15/2026 03:00:00 PM,09/15/2026 04:00:00 PM,60,No\n"
            "Ben,ben.okafor@district.example,09/15/2026 03:00:00 PM,09/15/2026 04:04:00 PM,64,No\n"
            "Chloe,chloe.park@district.example,09/15/2026 03:00:00 PM,09/15/2026 03:45:00 PM,45,No\n")


def stored(plan: ImportPlan) -> list[PriorStatement]:
    return priors_from_statements(plan.statements())


def test_first_import_stores_everyone() -> None:
    plan = plan_import(zoom(ORIGINAL), make_roster())
    assert plan.valid and plan.summary() == {"store": 3, "void": 0, "unchanged": 0, "rejected": 0, "skipped": 0,
                                             "held": 0}
    assert [(p.person_key, p.seconds, p.lines) for p in plan.store] == [("E1001", 3600, (5,)), ("E1002", 3840, (6,)),
                                                                       ("E1003", 2700, (7,))]


def test_importing_the_same_file_twice_plans_nothing_new() -> None:
    first = plan_import(zoom(ORIGINAL), make_roster())
    again = plan_import(zoom(ORIGINAL, name="downloaded-again.csv"), make_roster(), stored(first))
    assert again.store == [] and again.void == [] and again.nothing_to_do
    assert sorted(u.statement_id for u in again.unchanged) == sorted(p.id for p in first.store)
    assert "nothing new to import" in render_table(again)


def test_corrected_file_voids_what_it_no_longer_says_and_stores_the_replacement() -> None:
    first = plan_import(zoom(ORIGINAL), make_roster())
    old = {p.person_key: p.id for p in first.store}
    corrected = ("Ana,ana.lopez@district.example,09/15/2026 03:00:00 PM,09/15/2026 04:00:00 PM,60,No\n"
                 "Ben,ben.okafor@district.example,09/15/2026 03:00:00 PM,09/15/2026 03:54:00 PM,54,No\n")
    plan = plan_import(zoom(corrected, "corrected.csv"), make_roster(), stored(first))
    assert plan.valid
    assert [u.person_key for u in plan.unchanged] == ["E1001"]          # Ana's row did not change: same id
    (ben,) = plan.store
    assert (ben.person_key, ben.seconds, ben.replaces) == ("E1002", 54 * 60, (old["E1002"],))
    assert ben.id != old["E1002"]
    voids = {v.target: v for v in plan.void}
    assert set(voids) == {old["E1002"], old["E1003"]}
    assert voids[old["E1002"]].reason == f"replaced by {ben.id} (64 -> 54 min)"
    assert voids[old["E1003"]].reason == "no longer in the file"        # Chloe was removed
    void = voids[old["E1003"]].statement
    assert void["id"] == void_id(old["E1003"])
    assert void["verb"]["id"] == VOIDED and void["object"] == {"objectType": "StatementRef", "id": old["E1003"]}
    validate_statement(void, version="1.0.3")
    # Written in one go: the replacement, then the voids.
    assert [s["id"] for s in plan.statements()] == [ben.id, voids[old["E1002"]].id, voids[old["E1003"]].id]
    # Once written, planning the corrected file again is a no-op.
    after = [p for p in stored(first) if p.statement_id not in voids] + stored(plan)
    assert plan_import(zoom(corrected, "corrected.csv"), make_roster(), after).nothing_to_do


def test_correcting_back_never_reuses_a_voided_id() -> None:
    first = plan_import(zoom(ORIGINAL), make_roster())
    ben_64 = next(p.id for p in first.store if p.person_key == "E1002")
    fix = ORIGINAL.replace("04:04:00 PM,64", "03:54:00 PM,54")
    second = plan_import(zoom(fix), make_roster(), stored(first))
    ben_54 = next(p.id for p in second.store if p.person_key == "E1002")
    # Back to 64 minutes: Ben's 64-minute statement was voided, so a fresh id is planned.
    priors = [p for p in stored(first) if p.statement_id != ben_64] + stored(second)
    third = plan_import(zoom(ORIGINAL), make_roster(), priors, voided_ids={ben_64})
    (ben,) = third.store
    assert ben.id not in (ben_64, ben_54) and ben.replaces == (ben_54,)


def test_rows_matching_no_one_are_listed_and_hold_removals_in_that_session() -> None:
    first = plan_import(zoom(ORIGINAL), make_roster())
    chloe = next(p.id for p in first.store if p.person_key == "E1003")
    rows = ORIGINAL.replace("chloe.park@district.example", "chloe.park@newdistrict.example")
    plan = plan_import(zoom(rows), make_roster(), stored(first))
    assert not plan.valid
    assert [(r.line, r.code) for r in plan.rejected] == [(7, "unmatched")]
    assert "no one in the roster has e-mail chloe.park@newdistrict.example" in plan.rejected[0].reason
    # Her earlier statement is not voided: the unmatched row on line 7 may be her.
    assert plan.void == [] and [h.prior.statement_id for h in plan.held] == [chloe]
    assert "line 7" in plan.held[0].reason


def test_a_rejected_row_keeps_the_rest_of_that_persons_rows_out() -> None:
    rows = ORIGINAL + "Ben,ben.okafor@district.example,09/15/2026 04:10:00 PM,later,5,No\n"
    first = plan_import(zoom(ORIGINAL), make_roster())
    plan = plan_import(zoom(rows), make_roster(), stored(first))
    codes = [(r.lines, r.code) for r in plan.rejected]
    assert codes == [((6,), "incomplete"), ((8,), "bad_time")]
    assert "not imported because line 8 of theirs was rejected" in plan.rejected[0].reason
    assert [p.person_key for p in plan.store] == [] and plan.void == []
    assert [h.prior.person_key for h in plan.held] == ["E1002"]          # Ben's 64 minutes stand until fixed


def test_zero_minutes_and_guests_are_rejected() -> None:
    rows = ("Ana,ana.lopez@district.example,09/15/2026 03:00:00 PM,09/15/2026 03:00:20 PM,0,No\n"
            "Phone,,09/15/2026 03:00:00 PM,09/15/2026 04:00:00 PM,60,Yes\n")
    plan = plan_import(zoom(rows), make_roster())
    assert [(r.line, r.code) for r in plan.rejected] == [(5, "zero_minutes"), (6, "guest")]
    assert plan.store == []


class TwoAddresses:
    """A roster where Ana has a second address and E1002 is also known by id."""

    def __init__(self) -> None:
        self.inner = make_roster()

    def by_email(self, email: str) -> PersonMatch | None:
        return self.inner.by_email("ana.lopez@district.example" if email == "ana@old.example" else email)

    def by_employee_id(self, employee_id: str) -> PersonMatch | None:
        return self.inner.by_employee_id(employee_id)


def test_the_same_roster_person_under_two_identifiers_is_merged() -> None:
    from adapters.options import load_mapping, options_from_mapping
    opts = options_from_mapping(load_mapping(
        "columns: {email: Email, employee_id: Employee, duration: Minutes}\nduration_unit: minutes\n"
        f"activity: {{iri: '{ACTIVITY}'}}\n"))
    text = ("Email,Employee,Minutes\n"
            "ana.lopez@district.example,,30\n"
            "ana@old.example,,20\n"
            ",E1001,10\n"
            "ben.okafor@district.example,E1001,15\n")
    plan = plan_import(read_text(text, "generic", opts), TwoAddresses())
    (ana,) = plan.store
    assert (ana.person_key, ana.seconds, ana.lines) == ("E1001", 60 * 60, (2, 3, 4))
    assert [(r.line, r.code) for r in plan.rejected] == [(5, "ambiguous_person")]


def test_prior_mapping_form_and_priors_of_other_sessions() -> None:
    first = plan_import(zoom(ORIGINAL), make_roster())
    iri = first.sessions[0].iri
    mapping = {p.person_key: p.id for p in first.store}
    again = plan_import(zoom(ORIGINAL), make_roster(), mapping)
    assert again.nothing_to_do and len(again.unchanged) == 3
    other = PriorStatement("00000000-0000-5000-8000-000000000000", ACTIVITY, "E1001")
    plan = plan_import(zoom(ORIGINAL), make_roster(), [other])
    assert plan.ignored_priors == 1 and plan.void == [] and iri != ACTIVITY
    multi = read_attendance(fixture("google_forms_us.csv"), "google-forms",
                            CHICAGO.with_activity("https://district.example/xapi/activities/pd/inst"))
    with pytest.raises(ValueError, match="one-session file"):
        plan_import(multi, make_roster(), {"E1001": "x"})


def test_render_table_and_json() -> None:
    parsed = read_attendance(fixture("zoom_participants.csv"), "zoom", CHICAGO)
    plan = plan_import(parsed, make_roster())
    table = render_table(plan)
    lines = table.splitlines()
    assert lines[0] == ("read UTF-8 (BOM), comma-separated, Zoom participant report for meeting 81234567890, "
                        "8 participant rows")
    assert any(line.startswith("store attended  6,8") and "Ana Lopez (E1001)" in line and " 60 " in line
               for line in lines)
    assert any(line.startswith("REJECTED") and " 9 " in line and "guest iPhone has no e-mail" in line
               for line in lines)
    assert any(line.startswith("REJECTED") and " 12 " in line and "dev.sharma@gmail.com" in line for line in lines)
    assert any(line.startswith("skipped") and " 10 " in line for line in lines)
    assert lines[-1] == ("4 to store, 0 to void, 0 unchanged, 2 rejected, 1 skipped — NOT VALID: 2 rejected rows "
                         "(nothing is written unless --skip-invalid)")
    data = plan_as_json(plan)
    assert json.loads(json.dumps(data)) == data
    assert data["valid"] is False and data["summary"]["store"] == 4
    assert [(r["line"], r["code"]) for r in data["rejected"]] == [(9, "guest"), (12, "unmatched")]
    assert data["store"][0]["statement"]["id"] == data["store"][0]["id"]
    assert data["file"]["encoding"] == "UTF-8 (BOM)" and data["file"]["delimiter"] == ","
    assert data["sessions"][0]["start"] == "2026-09-15T15:00:00-05:00"


def test_a_person_with_many_rows_lists_the_first_lines_and_counts_them_all() -> None:
    rows = "".join(f"Ana,ana.lopez@district.example,09/15/2026 03:{i:02d}:00 PM,09/15/2026 03:{i:02d}:30 PM,1,No\n"
                   for i in range(30))
    plan = plan_import(zoom(rows), make_roster())
    (ana,) = plan.store
    assert ana.seconds == 30 * 60 and ana.rows == 30
    assert ana.lines == tuple(range(5, 25))                       # the first 20 lines (5..24)
    ext = ana.statement["context"]["extensions"]["https://district.example/xapi/ext/import"]
    assert ext["rows"] == 30 and ext["lines"] == list(range(5, 25))
    assert "24,…(+10)" in render_table(plan)


def test_linked_personal_address_matches_through_the_roster_links() -> None:
    from adapters.people import InMemoryRoster
    from tests.unit.adapters.support import ROSTER_ROWS
    people = {r["employee_id"]: {k: v for k, v in r.items() if k != "employee_id"} for r in ROSTER_ROWS}
    lookup = InMemoryRoster.from_people(people, links={"mbox:mailto:Chloe.P@gmail.com": "E1003"})
    rows = "Chloe,chloe.p@gmail.com,09/15/2026 03:00:00 PM,09/15/2026 03:45:00 PM,45,Yes\n"
    (chloe,) = plan_import(zoom(rows), lookup).store
    assert chloe.person_key == "E1003" and chloe.statement["actor"]["mbox"] == "mailto:chloe.park@district.example"
