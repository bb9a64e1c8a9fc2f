"""Every read of a person's records is recorded (FERPA's record of disclosures) and can be listed by the person and
by audit; CSV cells cannot become spreadsheet formulas; known_at is refused before any as-of build for a caller who
may not read the person; /ready says whether the database answers."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from lrs.roster.importer import import_roster
from projections.replay import find_as_of
from projections.runner import Worker
from tests.conftest import basic_auth
from tests.pd_builders import activity, person, statement, store_statements

ROSTER = (
    "employee_id,name,email,roles,building,supervisor_id,hire_date,status\n"
    "P100,Pat Principal,pat@district.org,principal,Central High,,2010-08-01,active\n"
    "T200,Ann Lee,ann@district.org,teacher,Central High,P100,2019-08-15,active\n"
    "T201,Bob Ray,bob@district.org,teacher,North Middle,,2024-08-10,active\n"
)


@pytest.fixture
def district(app: Any) -> dict[str, dict[str, str]]:
    svc = app.extensions["lrs"]
    assert import_roster(svc.store, ROSTER, effective_date="2024-08-01").ok
    evil = activity("https://district.org/pd/csv", "=HYPERLINK(\"http://evil.example\",\"click\")", "meeting")
    store_statements(svc.store, [statement(person("ann@district.org", "Ann Lee"), "attended", evil,
                                           "2024-09-10T14:00:00Z", result={"duration": "PT1H"})])
    creds = svc.credentials
    creds.create("PD office", ["reports/read"], key="pd", secret="pd")
    creds.create("Ann", ["reports/read/mine"], key="ann", secret="ann", person="T200")
    creds.create("Bob", ["reports/read/mine"], key="bob", secret="bob", person="T201")
    creds.create("Auditor", ["audit"], key="aud", secret="aud")
    creds.create("Board", ["reports/aggregate"], key="board", secret="board")
    Worker(svc.engine, settings=svc.settings, poll=0.05).run(once=True)
    return {k: {"Authorization": basic_auth(k, k)} for k in ("pd", "ann", "bob", "aud", "board")}


def test_reads_are_recorded_and_listed_for_the_person_and_audit(client: Any, district: dict[str, Any]) -> None:
    assert client.get("/api/v1/people/T200/transcript", headers=district["pd"]).status_code == 200
    assert client.get("/api/v1/people/T200", headers=district["pd"]).status_code == 200
    assert client.get("/people/T200/transcript", headers=district["ann"]).status_code == 200
    # A refused read discloses nothing.
    assert client.get("/api/v1/people/T200/transcript", headers=district["bob"]).status_code == 403
    mine = client.get("/api/v1/people/T200/disclosures", headers=district["ann"])
    assert mine.status_code == 200
    got = [(d["by"], d["what"], d["path"]) for d in mine.json["items"]]
    assert got == [("ann", "transcript", "/people/T200/transcript"), ("pd", "roster record", "/api/v1/people/T200"),
                   ("pd", "transcript", "/api/v1/people/T200/transcript")]
    # Bob may not see who read Ann's records; the auditor may, and sees everything.
    assert client.get("/api/v1/people/T200/disclosures", headers=district["bob"]).status_code == 403
    assert client.get("/api/v1/disclosures", headers=district["pd"]).status_code == 403
    everything = client.get("/api/v1/disclosures", headers=district["aud"]).json["items"]
    assert [d["subject"] for d in everything] == ["T200", "T200", "T200"]
    # The export records every person on the page.
    assert client.get("/api/v1/transcripts", headers=district["pd"]).status_code == 200
    latest = client.get("/api/v1/disclosures?limit=1", headers=district["aud"]).json
    assert latest["items"][0]["what"] == "transcript export" and latest["next"]


def test_audit_reads_everything_and_writes_nothing(client: Any, district: dict[str, Any]) -> None:
    h = {**district["aud"], "X-Experience-API-Version": "1.0.3"}
    assert client.get("/api/v1/people/T201/transcript", headers=h).status_code == 200
    assert client.get("/xapi/statements", headers=h).status_code == 200
    r = client.post("/xapi/statements", headers={**h, "Content-Type": "application/json"}, data="{}")
    assert r.status_code == 403
    assert client.post("/api/v1/people/T200/identifiers", headers=h, json={"identifier": "mbox:mailto:x@y.org"}
                       ).status_code == 403
    # The Board's scope reads no person.
    assert client.get("/api/v1/people/T201/transcript", headers=district["board"]).status_code == 403


def test_csv_cells_cannot_become_formulas(client: Any, district: dict[str, Any]) -> None:
    r = client.get("/api/v1/people/T200/transcript?format=csv", headers=district["pd"])
    assert r.status_code == 200
    row = next(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert row["name"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert client.get("/api/v1/people/T200/transcript?format=xml", headers=district["pd"]).status_code == 400


def test_known_at_is_refused_before_any_build_for_a_caller_who_may_not_read(app: Any, client: Any,
                                                                            district: dict[str, Any]) -> None:
    head = app.extensions["lrs"].store.head()
    r = client.get(f"/api/v1/people/T200/transcript?known_at={head - 1}", headers=district["bob"])
    assert r.status_code == 403
    assert find_as_of(app.extensions["lrs"].engine, "transcript@v1", head - 1) is None
    assert client.get(f"/api/v1/people/T200/transcript?known_at={head + 50}", headers=district["pd"]).status_code \
        == 400
    ok = client.get(f"/api/v1/people/T200/transcript?known_at={head}", headers=district["pd"])
    assert ok.status_code == 200 and len(ok.json["entries"]) == 1


def test_ready_and_health(client: Any) -> None:
    assert client.get("/health").json == {"status": "ok"}
    r = client.get("/ready")
    assert r.status_code == 200 and r.json["status"] == "ready"
