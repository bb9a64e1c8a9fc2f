"""``POST /api/v1/imports/attendance``: the importers over HTTP (both backends)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from tests.conftest import basic_auth
from tests.integration.import_helpers import ATTENDED, District, by_actor, district, fixture

__all__ = ["district"]

URL = "/api/v1/imports/attendance"


def upload(name: str, data: bytes | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data if data is not None else Path(fixture(name)).read_bytes()), name


def post(d: District, headers: dict[str, str], **form: Any) -> Any:
    return d.client.post(URL, data=form, headers=headers, content_type="multipart/form-data")


def creds(d: District, *scopes: str) -> dict[str, str]:
    key = "k-" + "-".join(s.replace("/", "_") for s in scopes)
    d.services.auth.create_credential("importer tool", list(scopes), key=key, secret="s3cret")
    return {"Authorization": basic_auth(key, "s3cret")}


def test_scope_imports_write_and_admin(district: District) -> None:
    assert post(district, {}, file=upload("zoom_participants.csv"), format="zoom").status_code == 401
    reader = creds(district, "reports/read")
    r = post(district, reader, file=upload("zoom_participants.csv"), format="zoom")
    assert r.status_code == 403 and "imports/write" in r.json["error"]["message"]
    writer = creds(district, "statements/write")
    assert post(district, writer, file=upload("zoom_participants.csv"), format="zoom").status_code == 403
    admin = creds(district, "admin")
    r = post(district, admin, file=upload("zoom_participants.csv"), format="zoom", dry_run="true")
    assert r.status_code == 422 and r.json["written"]["stored"] is False       # admin implies imports/write
    assert district.stored() == []


def test_import_stores_with_the_credential_as_authority(district: District) -> None:
    tool = creds(district, "imports/write")
    head = district.head()
    r = post(district, tool, file=upload("zoom_participants.csv"), format="zoom")
    assert r.status_code == 422, r.json                                        # rows rejected: nothing stored
    assert [(x["line"], x["code"]) for x in r.json["rejected"]] == [(9, "guest"), (12, "unmatched")]
    assert r.json["outcome"].startswith("2 rows rejected; nothing stored") and district.head() == head

    r = post(district, tool, file=upload("zoom_participants.csv"), format="zoom", skip_invalid="true")
    assert r.status_code == 200, r.json
    body = r.json
    assert body["description"].startswith("read UTF-8 (BOM), comma-separated, Zoom participant report")
    assert body["written"] == {"stored": True, "statements": 4, "voiding": 0}
    assert body["summary"]["store"] == 4 and "statement" not in body["store"][0]   # bodies only in a dry run
    assert district.head() == head + 1
    stored = by_actor(district.stored())
    assert stored["E1001"]["authority"] == {"objectType": "Agent", "name": "importer tool", "account": {
        "homePage": "http://lrs.test/credentials", "name": "k-imports_write"}}
    r = post(district, tool, file=upload("zoom_participants.csv"), format="zoom", skip_invalid="1")
    assert r.status_code == 200 and r.json["written"]["stored"] is False and r.json["summary"]["unchanged"] == 4
    assert district.head() == head + 1                                         # the same file adds nothing
    assert district.entries("E1001") == {stored["E1001"]["object"]["id"]: ("attended", "2026-09-15", 1.0,
                                                                           "webinar")}


def test_dry_run_and_a_mapping_as_text(district: District) -> None:
    tool = creds(district, "imports/write")
    mapping = Path(fixture("generic_durations_mapping.yaml")).read_text(encoding="utf-8")
    r = post(district, tool, file=upload("generic_durations.csv"), format="generic", mapping=mapping,
             dry_run="true", skip_invalid="true")
    assert r.status_code == 200, r.json
    assert r.json["dry_run"] is True and r.json["summary"]["store"] == 4
    assert r.json["store"][0]["statement"]["verb"]["id"] == ATTENDED and district.stored() == []
    # The mapping may also come as a file part.
    r = post(district, tool, file=upload("generic_durations.csv"), format="generic",
             mapping=(io.BytesIO(mapping.encode()), "mapping.yaml"), skip_invalid="true")
    assert r.status_code == 200 and len(district.stored()) == 4


def test_bad_requests_are_400_with_the_reason(district: District) -> None:
    tool = creds(district, "imports/write")
    cases = [
        (dict(file=upload("zoom_participants.csv"), format="webex"), "unknown format 'webex'"),
        (dict(file=upload("teams_report_utf16.csv"), format="zoom"), "use --format teams"),
        (dict(format="zoom"), "the 'file' part"),
        (dict(file=upload("zoom_participants.csv")), "the 'format' field is missing"),
        (dict(file=upload("zoom_participants.csv"), format="zoom", dry_run="maybe"), "dry_run must be true or false"),
        (dict(file=upload("zoom_participants.csv"), format="zoom", colour="red"), "unknown field(s) colour"),
        (dict(file=upload("generic_durations.csv"), format="generic", mapping="columns: [unclosed"),
         "the mapping is not valid YAML"),
        # A one-line mapping is YAML text, never a path on the server.
        (dict(file=upload("generic_durations.csv"), format="generic", mapping="/etc/passwd"),
         "the mapping must be a YAML mapping"),
        (dict(file=upload("x.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(200))), format="zoom"), "a PNG image"),
        (dict(file=upload("empty.csv", b""), format="zoom"), "the file is empty"),
        (dict(file=upload("zoom_participants.csv"), format="zoom", activity="not an iri"), "--activity must be"),
    ]
    for form, reason in cases:
        r = post(district, tool, **form)
        assert r.status_code == 400, (reason, r.status_code, r.get_data(as_text=True))
        assert reason in r.json["error"]["message"], (reason, r.json)
    r = district.client.post(URL, data=b"zoom", headers={**tool, "Content-Type": "text/csv"})
    assert r.status_code == 400 and "multipart/form-data" in r.json["error"]["message"]
    assert district.stored() == []


def test_a_too_large_upload_is_413(district: District) -> None:
    from lrs.app import create_app

    tool = creds(district, "imports/write")
    small = create_app({"DATABASE_URL": district.url, "API_KEY": "test-key", "API_SECRET": "test-secret",
                        "WORKER": False, "MAX_BODY_BYTES": 4096, "TIME_ZONE": "America/Chicago"})
    try:
        big = b"Email,Hours\n" + b"ana.lopez@district.example,1\n" * 400
        r = small.test_client().post(URL, data={"file": (io.BytesIO(big), "big.csv"), "format": "generic"},
                                     headers=tool, content_type="multipart/form-data")
        assert r.status_code == 413 and "larger than this LRS accepts" in r.json["error"]["message"]
    finally:
        small.extensions["lrs"].engine.dispose()


def test_in_the_openapi_document(district: District) -> None:
    doc = district.client.get("/api/v1/openapi.json").json
    op = doc["paths"]["/api/v1/imports/attendance"]["post"]
    assert set(op["responses"]) >= {"200", "400", "403", "413", "422"}
    props = op["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert set(props) == {"file", "format", "activity", "mapping", "dry_run", "skip_invalid"}


def test_an_xlsx_workbook_upload(district: District) -> None:
    from datetime import date, time

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Attendance"
    ws.append(["Staff ID", "Participant", "Date", "Start", "End", "Status"])
    ws.append(["E1001", "Ana Lopez", date(2026, 9, 21), time(8, 0), time(11, 30), "Present"])
    ws.append(["E1003", "Chloe Park", date(2026, 9, 21), time(9, 0), time(10, 0), "Present"])
    buf = io.BytesIO()
    wb.save(buf)
    mapping = Path(fixture("generic_xlsx_mapping.yaml")).read_text(encoding="utf-8")
    r = post(district, creds(district, "imports/write"), file=(io.BytesIO(buf.getvalue()), "sign-in.xlsx"),
             format="generic", mapping=mapping)
    assert r.status_code == 200, r.json
    assert r.json["description"].startswith("read XLSX workbook (sheet 'Attendance')")
    assert {(s["person"], s["minutes"]) for s in r.json["store"]} == {("E1001", 210), ("E1003", 60)}
