"""The --format choices, and refusing a file that is another format (saying which)."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from adapters.errors import ImportFileError
from adapters.files import open_source
from adapters.registry import FORMAT_NAMES, identify, read_attendance
from tests.unit.adapters.support import CHICAGO, fixture


def test_format_names_are_the_cli_choices() -> None:
    assert FORMAT_NAMES == ("zoom", "teams", "eventbrite", "google-forms", "generic")


def test_unknown_format() -> None:
    with pytest.raises(ImportFileError, match="unknown format 'webex'; choose one of zoom, teams, eventbrite, "
                                              "google-forms, generic"):
        read_attendance(fixture("zoom_participants.csv"), "webex")


@pytest.mark.parametrize("name, fmt", [
    ("zoom_participants.csv", "zoom"), ("zoom_unique_users.csv", "zoom"), ("teams_report_utf16.csv", "teams"),
    ("teams_report_utf8.csv", "teams"), ("teams_legacy.csv", "teams"), ("eventbrite_current.csv", "eventbrite"),
    ("eventbrite_older.csv", "eventbrite"), ("google_forms_us.csv", "google-forms"),
    ("generic_durations.csv", None),
])
def test_identify(name: str, fmt: str | None) -> None:
    with open_source(fixture(name)) as src:
        assert identify(src.head_lines) == fmt


def test_a_workbook_given_to_a_csv_format_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Name (Original Name)", "User Email", "Duration (Minutes)"])
    wb.save(tmp_path / "zoom.xlsx")
    with pytest.raises(ImportFileError, match="ZIP archive \\(an .xlsx workbook\\?\\); export it as CSV, or read it "
                                              "with --format generic"):
        read_attendance(tmp_path / "zoom.xlsx", "zoom", CHICAGO)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportFileError, match="binary file"):
        read_attendance(tmp_path / "x.csv", "teams", CHICAGO)
