"""Generic CSV and XLSX files described by a mapping."""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from adapters.errors import MappingError, NotThisFormat
from adapters.options import ImportOptions, load_mapping, options_from_mapping
from adapters.registry import read_attendance
from tests.unit.adapters.support import fixture, read_text

CHI = ZoneInfo("America/Chicago")
NLC = "https://district.example/xapi/activities/conference/nlc-2026"


def mapping(name: str, **kw: object) -> ImportOptions:
    return options_from_mapping(load_mapping(fixture(name)), **kw)  # type: ignore[arg-type]


def test_csv_with_text_durations_and_session_ids() -> None:
    opts = mapping("generic_durations_mapping.yaml")
    parsed = read_attendance(fixture("generic_durations.csv"), "generic", opts)
    assert parsed.describe() == "read UTF-8, comma-separated, generic CSV (6 mapped columns), 5 rows"
    got = {(a.email, a.session): a.seconds for a in parsed.attendances}
    assert got == {("ana.lopez@district.example", "NLC-101"): 5400,   # 1h 30m
                   ("ben.okafor@district.example", "NLC-101"): 5400,
                   ("ana.lopez@district.example", "NLC-205"): 2700,   # 45m
                   ("ben.okafor@district.example", "NLC-205"): 2700}  # 0:45
    assert [(r.line, r.code) for r in parsed.rejected] == [(6, "bad_duration")]  # "two hours"
    keynote = parsed.sessions["NLC-101"]
    assert keynote.iri == f"{NLC}/sessions/NLC-101"
    assert keynote.name == "Keynote: Reading Science"
    assert keynote.activity_type == "http://id.tincanapi.com/activitytype/conference-session"
    assert keynote.parent is not None and keynote.parent.iri == NLC
    assert keynote.parent.name == "Nebraska Literacy Conference 2026"
    ana = next(a for a in parsed.attendances if a.session == "NLC-101" and (a.email or "").startswith("ana"))
    assert ana.at == datetime(2026, 10, 2, tzinfo=CHI)


def write_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["This sheet is not the attendance"])
    ws = wb.create_sheet("Attendance")
    ws.append(["District PD sign-in, Instructional Model day 1"])
    ws.append([])
    ws.append(["Staff ID", "Participant", "Date", "Start", "End", "Status"])
    ws.append(["E1001", "Ana Lopez", date(2026, 9, 21), time(8, 0), time(11, 30), "Present"])
    ws.append(["E1002", "Ben Okafor", datetime(2026, 9, 21), time(8, 15), time(11, 30), "present"])
    ws.append(["E1003", "Chloe Park", date(2026, 9, 21), None, None, "Absent"])
    ws.append([1004, "Nobody Known", date(2026, 9, 21), time(8, 0), time(9, 0), "Present"])
    ws.append(["E1005", "Dana Late", date(2026, 9, 21), time(11, 0), time(10, 0), "Present"])
    wb.save(path)
    return path


def test_xlsx_read_only_with_time_cells(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "sign-in.xlsx")
    parsed = read_attendance(book, "generic", mapping("generic_xlsx_mapping.yaml"))
    assert parsed.describe() == ("read XLSX workbook (sheet 'Attendance'), generic spreadsheet (6 mapped columns), "
                                 "5 rows")
    got = {a.employee_id: (a.seconds, a.lines, a.first_join) for a in parsed.attendances}
    assert got == {
        "E1001": (210 * 60, [4], datetime(2026, 9, 21, 8, 0, tzinfo=CHI)),    # 8:00-11:30
        "E1002": (195 * 60, [5], datetime(2026, 9, 21, 8, 15, tzinfo=CHI)),   # 8:15-11:30, "present" folded
        "1004": (60 * 60, [7], datetime(2026, 9, 21, 8, 0, tzinfo=CHI)),      # a number cell, read as text
    }
    assert [s.line for s in parsed.skipped] == [6]                            # Absent
    assert [(r.line, r.code) for r in parsed.rejected] == [(8, "bad_time")]   # ends before it starts
    (session,) = parsed.sessions.values()
    assert session.iri == "https://district.example/xapi/activities/pd/instructional-model-day-1"
    assert session.name == "Instructional Model: Select Staff Indicators"
    assert len(parsed.source.sha256) == 64 and parsed.source.delimiter is None


def test_xlsx_numeric_hours(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Email", "Hours"])
    ws.append(["ana.lopez@district.example", 1.5])
    ws.append(["ben.okafor@district.example", 2])
    wb.save(tmp_path / "h.xlsx")
    text = ("columns: {email: Email, duration: Hours}\nduration_unit: hours\n"
            "activity: {iri: 'https://district.example/xapi/activities/pd/x'}\n")
    parsed = read_attendance(tmp_path / "h.xlsx", "generic", options_from_mapping(load_mapping(text)))
    assert {a.email: a.seconds for a in parsed.attendances} == {"ana.lopez@district.example": 5400,
                                                               "ben.okafor@district.example": 7200}


def test_semicolon_csv_with_start_and_end_and_rows_adding_up() -> None:
    text = ("Employee;Start;End\n"
            "E1001;2026-09-15 15:00;2026-09-15 15:30\n"
            "E1001;2026-09-15 15:40;2026-09-15 16:10\n")
    opts = options_from_mapping(load_mapping(
        "columns:\n  employee_id: Employee\n  start: Start\n  end: End\n"
        "activity:\n  iri: https://district.example/xapi/activities/pd/x\ntimezone: America/Chicago\n"))
    parsed = read_text(text, "generic", opts)
    (row,) = parsed.attendances
    assert row.seconds == 60 * 60 and sorted(row.lines) == [2, 3]
    assert parsed.source.delimiter == ";"


def test_mapping_errors_are_clear() -> None:
    with pytest.raises(MappingError, match="unknown mapping key colums"):
        options_from_mapping(load_mapping("colums:\n  email: Email\n"))
    with pytest.raises(MappingError, match="unknown columns key mail"):
        options_from_mapping(load_mapping("columns:\n  mail: Email\n"))
    with pytest.raises(MappingError, match="date_order must be one of MDY, DMY, YMD"):
        options_from_mapping(load_mapping("date_order: DDMM\n"))
    with pytest.raises(MappingError, match="IANA"):
        options_from_mapping(load_mapping("timezone: Central\n"))
    with pytest.raises(MappingError, match="activity.base must be an absolute IRI"):
        options_from_mapping(load_mapping("activity:\n  base: sessions/\n"))
    with pytest.raises(MappingError, match="needs --mapping FILE"):
        read_text("Email\na@x.org\n", "generic", ImportOptions())
    with pytest.raises(MappingError, match="must name a person column"):
        read_text("Email\na@x.org\n", "generic", ImportOptions(columns={"name": "Email"}, activity="https://x.org/a"))


def test_missing_mapped_columns_are_named() -> None:
    opts = mapping("generic_durations_mapping.yaml")
    text = "Email,Name,Session ID,Date,Minutes\nana.lopez@district.example,Ana,NLC-1,2026-10-02,90\n"
    with pytest.raises(NotThisFormat, match=r"missing 'Session' \(session_name\), 'Duration' \(duration\)"):
        read_text(text, "generic", opts)


def test_mapping_written_for_another_format_is_refused() -> None:
    opts = mapping("generic_durations_mapping.yaml")
    with pytest.raises(MappingError, match="written for --format generic, not zoom"):
        read_attendance(fixture("zoom_participants.csv"), "zoom", opts)
