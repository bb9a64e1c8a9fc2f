"""Every scope against every endpoint, allowed and denied (domain.md section 5; lrs/api/access.py).

One credential per scope (and no credential at all) calls every endpoint of the app; the table below says which
scopes may. "Allowed" means the answer is neither 401 nor 403 (a 404 for a missing thing is allowed: the caller got
past the check); "denied" means 403, or 401 without credentials. A route the table does not list fails the test, so
an endpoint cannot be added without deciding who may call it.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrs.credentials import ALL_SCOPES
from lrs.roster.importer import import_roster
from projections.runner import Worker
from tests.builders import make_statement
from tests.conftest import basic_auth

ROSTER = ("employee_id,name,email,roles,building,supervisor_id,hire_date,status\n"
          "T200,Pat Principal,pat@district.org,principal,Central High,,2010-08-01,active\n"
          "T201,Ann Lee,ann@district.org,teacher,Central High,T200,2019-08-15,active\n"
          "T202,Bob Ray,bob@district.org,teacher,North Middle,,2021-08-10,active\n")
ACT = "http://example.org/activities/matrix"
AGENT = '{"mbox":"mailto:ann@district.org"}'

# Who reads what, in the words of lrs/api/access.py and the xAPI resources.
XAPI_READ = {"statements/read", "statements/read/mine", "all/read", "all", "audit", "admin"}
XAPI_WRITE = {"statements/write", "all", "admin"}
ACTIVITY_READ = {"statements/read", "statements/read/mine", "statements/write", "all/read", "state", "profile",
                 "define", "all", "audit", "admin"}
AGENT_READ = {"statements/read", "all/read", "all", "audit", "admin"}
STATE_READ, STATE_WRITE = {"state", "all/read", "all", "audit", "admin"}, {"state", "all", "admin"}
PROFILE_READ, PROFILE_WRITE = {"profile", "all/read", "all", "audit", "admin"}, {"profile", "all", "admin"}
EVERYONE_RECORDS = {"reports/read", "all/read", "all", "audit", "admin"}
OWN_STAFF = EVERYONE_RECORDS | {"reports/read/mine"}  # the person's own records and their staff's
AGGREGATES = EVERYONE_RECORDS | {"reports/aggregate"}
ADMIN = {"admin"}
AUDIT = {"audit", "admin"}
ANY_CREDENTIAL = set(ALL_SCOPES)
PUBLIC = {"<none>"} | ANY_CREDENTIAL


@dataclass
class Call:
    method: str
    path: str
    allowed: set[str]
    rule: str  # the url_map rule it exercises
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    xapi: bool = False
    form: Callable[[], dict[str, Any]] | None = None


def calls(more: str) -> list[Call]:
    stmt = make_statement()
    state = {"activityId": ACT, "agent": AGENT, "stateId": "s"}
    aprof = {"activityId": ACT, "profileId": "p"}
    gprof = {"agent": AGENT, "profileId": "p"}
    js = {"Content-Type": "application/json"}
    return [
        Call("GET", "/xapi/about", PUBLIC, "/xapi/about", xapi=True),
        Call("GET", "/xapi/statements", XAPI_READ, "/xapi/statements", xapi=True),
        Call("POST", "/xapi/statements", XAPI_WRITE, "/xapi/statements", body=[make_statement()], headers=js, xapi=True),
        Call("PUT", "/xapi/statements", XAPI_WRITE, "/xapi/statements", query={"statementId": stmt["id"]}, body=stmt,
             headers=js, xapi=True),
        Call("GET", more, XAPI_READ, "/xapi/statements/more/<token>", xapi=True),
        Call("GET", "/xapi/activities", ACTIVITY_READ, "/xapi/activities", query={"activityId": ACT}, xapi=True),
        Call("GET", "/xapi/agents", AGENT_READ, "/xapi/agents", query={"agent": AGENT}, xapi=True),
        Call("GET", "/xapi/activities/state", STATE_READ, "/xapi/activities/state", query=state, xapi=True),
        Call("PUT", "/xapi/activities/state", STATE_WRITE, "/xapi/activities/state", query=state, body={"a": 1},
             headers=js, xapi=True),
        Call("DELETE", "/xapi/activities/state", STATE_WRITE, "/xapi/activities/state", query=state, xapi=True),
        Call("GET", "/xapi/activities/profile", PROFILE_READ, "/xapi/activities/profile", query=aprof, xapi=True),
        Call("PUT", "/xapi/activities/profile", PROFILE_WRITE, "/xapi/activities/profile", query=aprof,
             body={"a": 1}, headers={**js, "If-None-Match": "*"}, xapi=True),
        Call("GET", "/xapi/agents/profile", PROFILE_READ, "/xapi/agents/profile", query=gprof, xapi=True),
        Call("POST", "/xapi/agents/profile", PROFILE_WRITE, "/xapi/agents/profile", query=gprof, body={"a": 1},
             headers=js, xapi=True),
        Call("GET", "/xapi/profiles/district-pd", PUBLIC, "/xapi/profiles/district-pd"),
        Call("GET", "/profiles/district-pd/v1.0.jsonld", PUBLIC, "/profiles/district-pd/<version>.jsonld"),
        Call("GET", "/health", PUBLIC, "/health"),
        Call("GET", "/ready", PUBLIC, "/ready"),
        Call("GET", "/api/v1/openapi.json", PUBLIC, "/api/v1/openapi.json"),
        Call("GET", "/api/v1/status", ANY_CREDENTIAL, "/api/v1/status"),
        Call("POST", "/api/v1/tokens", ANY_CREDENTIAL, "/api/v1/tokens", body={}, headers=js),
        Call("GET", "/api/v1/people", OWN_STAFF, "/api/v1/people"),
        Call("GET", "/api/v1/people/T201", OWN_STAFF, "/api/v1/people/<path:person>"),
        Call("GET", "/api/v1/people/T202", EVERYONE_RECORDS, "/api/v1/people/<path:person>"),
        Call("GET", "/api/v1/people/T201/transcript", OWN_STAFF, "/api/v1/people/<path:person>/transcript"),
        Call("GET", "/api/v1/people/T202/transcript", EVERYONE_RECORDS, "/api/v1/people/<path:person>/transcript"),
        Call("GET", "/people/T201/transcript", OWN_STAFF, "/people/<path:person>/transcript"),
        Call("GET", "/people/T202/transcript", EVERYONE_RECORDS, "/people/<path:person>/transcript"),
        Call("GET", "/api/v1/people/T200/disclosures", AUDIT | {"reports/read/mine"},
             "/api/v1/people/<path:person>/disclosures"),
        Call("GET", "/api/v1/disclosures", AUDIT, "/api/v1/disclosures"),
        Call("POST", "/api/v1/people/T202/identifiers", ADMIN, "/api/v1/people/<employee_id>/identifiers",
             body={"identifier": "mbox:mailto:bob.r@gmail.com"}, headers=js),
        Call("DELETE", "/api/v1/people/T202/identifiers/mbox:mailto:nobody@x.org", ADMIN,
             "/api/v1/people/<employee_id>/identifiers/<path:identifier>"),
        Call("GET", "/api/v1/transcripts", EVERYONE_RECORDS, "/api/v1/transcripts"),
        Call("GET", "/api/v1/reports/hours", EVERYONE_RECORDS, "/api/v1/reports/hours"),
        Call("GET", "/api/v1/credentials", ADMIN, "/api/v1/credentials"),
        Call("POST", "/api/v1/credentials", ADMIN, "/api/v1/credentials", body={"name": "x", "scopes": ["state"]},
             headers=js),
        Call("POST", "/api/v1/credentials/nobody/rotate", ADMIN, "/api/v1/credentials/<key>/rotate", body={},
             headers=js),
        Call("DELETE", "/api/v1/credentials/nobody", ADMIN, "/api/v1/credentials/<key>"),
        Call("GET", "/api/v1/programs", AGGREGATES, "/api/v1/programs"),
        Call("GET", "/api/v1/programs/literacy/evaluation", AGGREGATES, "/api/v1/programs/<program>/evaluation"),
        Call("GET", "/reports/board", AGGREGATES, "/reports/board"),
        Call("POST", "/api/v1/imports/attendance", {"imports/write", "admin"}, "/api/v1/imports/attendance",
             form=lambda: {"format": "zoom"}),
    ]


def _request(client: Any, c: Call, auth: str | None) -> Any:
    headers = dict(c.headers)
    if auth:
        headers["Authorization"] = auth
    if c.xapi:
        headers["X-Experience-API-Version"] = "1.0.3"
    if c.form is not None:
        return client.open(c.path, method=c.method, query_string=c.query, data=c.form(),
                           content_type="multipart/form-data", headers=headers)
    data = json.dumps(c.body) if c.body is not None else None
    return client.open(c.path, method=c.method, query_string=c.query, data=data, headers=headers)


def test_every_scope_against_every_endpoint(app: Any, client: Any) -> None:
    svc = app.extensions["lrs"]
    assert import_roster(svc.store, ROSTER, effective_date="2024-08-01").ok
    creds = svc.credentials
    for scope in sorted(ALL_SCOPES):
        creds.create(scope, [scope], key="k-" + scope.replace("/", "-"), secret="s",
                     person="T200" if scope == "reports/read/mine" else None)
    r = client.post("/xapi/statements", data=json.dumps([make_statement() for _ in range(3)]),
                    headers={"Authorization": basic_auth(), "X-Experience-API-Version": "1.0.3",
                             "Content-Type": "application/json"})
    assert r.status_code == 200
    Worker(svc.engine, settings=svc.settings, poll=0.05).run(once=True)
    more = client.get("/xapi/statements?limit=1", headers={"Authorization": basic_auth(),
                                                          "X-Experience-API-Version": "1.0.3"}).json["more"]
    table = calls(more)

    # Every route is in the table (static files aside): a new endpoint must say who may call it.
    routes = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert routes - {c.rule for c in table} == set(), "routes without an access rule in this test"

    wrong: list[str] = []
    for c in table:
        for who in ["<none>", *sorted(ALL_SCOPES)]:
            auth = None if who == "<none>" else basic_auth("k-" + who.replace("/", "-"), "s")
            status = _request(client, c, auth).status_code
            allowed = who in c.allowed
            if allowed and status in (401, 403):
                wrong.append(f"{c.method} {c.path} as {who}: {status}, expected allowed")
            elif not allowed and status != (401 if who == "<none>" else 403):
                wrong.append(f"{c.method} {c.path} as {who}: {status}, expected "
                             f"{401 if who == '<none>' else 403}")
            if status >= 500:
                wrong.append(f"{c.method} {c.path} as {who}: {status}")
    assert wrong == [], "\n".join(wrong)
