"""Constants and helpers shared by the attendance importer tests (fixture paths, a small roster)."""
from __future__ import annotations

import io
from pathlib import Path

from adapters.options import ImportOptions
from adapters.people import InMemoryRoster
from adapters.registry import read_attendance
from adapters.records import Attendance, ParseResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "attendance"
CHICAGO = ImportOptions(timezone="America/Chicago")
ACTIVITY = "https://district.example/xapi/activities/pd/workshop-1"
EXT_IMPORT = "https://district.example/xapi/ext/import"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"

ROSTER_ROWS = [
    {"employee_id": "E1000", "name": "Host Coach", "email": "host.coach@district.example"},
    {"employee_id": "E1001", "name": "Ana Lopez", "email": "ana.lopez@district.example",
     "account_homepage": "https://idp.district.example", "account_name": "E1001"},
    {"employee_id": "E1002", "name": "Ben Okafor", "email": "ben.okafor@district.example"},
    {"employee_id": "E1003", "name": "Chloe Park", "email": "chloe.park@district.example"},
]


def make_roster() -> InMemoryRoster:
    return InMemoryRoster(ROSTER_ROWS)


def fixture(name: str) -> Path:
    return FIXTURES / name


def read_text(text: str, fmt: str, options: ImportOptions = CHICAGO, *, encoding: str = "utf-8",
              name: str = "inline.csv") -> ParseResult:
    """Parse an inline export (text encoded as ``encoding``)."""
    return read_attendance(io.BytesIO(text.encode(encoding)), fmt, options, name=name)


def by_email(parsed: ParseResult) -> dict[str, Attendance]:
    """{email: Attendance} for a one-status parse."""
    return {a.email or "": a for a in parsed.attendances}
