"""A small district for the import, pull and profile tests: a roster, the app, the CLI in-process, the transcript."""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from lrs.cli import main
from lrs.roster.importer import import_roster
from lrs.store.tables import statements as statements_table
from projections.runner import Worker
from tests.conftest import API_KEY, API_SECRET, basic_auth

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attendance"
TZ = "America/Chicago"
IDP = "https://idp.district.example"
ROSTER = (
    "employee_id,name,email,roles,building,supervisor_id,hire_date,status,account_homepage,account_name\n"
    "E1000,Host Coach,host.coach@district.example,coach,Central High,,2015-08-01,active,,\n"
    f"E1001,Ana Lopez,ana.lopez@district.example,teacher,Lincoln Elementary,,2018-08-01,active,{IDP},E1001\n"
    "E1002,Ben Okafor,ben.okafor@district.example,teacher,Central High,,2019-08-01,active,,\n"
    "E1003,Chloe Park,chloe.park@district.example,teacher,Lincoln Elementary,,2020-08-01,active,,\n"
)
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
EXT_IMPORT = "https://district.example/xapi/ext/import"


@dataclass
class District:
    """The test's database with a roster, an app on it, and the CLI pointed at it."""

    url: str
    app: Any
    env: dict[str, str | None]

    @property
    def client(self) -> Any:
        return self.app.test_client()

    @property
    def services(self) -> Any:
        return self.app.extensions["lrs"]

    def cli(self, *args: str, **env: str) -> Result:
        """``lrs ARGS`` in-process (so that ``responses`` intercepts its HTTP requests)."""
        return CliRunner().invoke(main, list(args), env={**self.env, **env}, catch_exceptions=False)

    def head(self) -> int:
        return int(self.services.store.head())

    def stored(self, *, voided: bool | None = False) -> list[dict[str, Any]]:
        """The stored statements (not voided by default; ``voided=None``: all), in stored order."""
        s = statements_table
        q = select(s.c.data).order_by(s.c.seq)
        if voided is not None:
            q = q.where(s.c.voided.is_(voided))
        with self.services.engine.connect() as conn:
            return [orjson.loads(r.data) for r in conn.execute(q)]

    def catch_up(self) -> None:
        Worker(self.services.engine, settings=self.services.settings, poll=0.05).run(once=True)

    def transcript(self, person: str) -> dict[str, Any]:
        """The person's transcript over HTTP, after the worker has caught up."""
        self.catch_up()
        r = self.client.get(f"/api/v1/people/{person}/transcript", headers={"Authorization": basic_auth()})
        assert r.status_code == 200, r.get_data(as_text=True)
        return dict(r.json)

    def entries(self, person: str) -> dict[str, tuple[Any, ...]]:
        """{activity: (outcome, date, hours, delivery model)} of a person's transcript."""
        return {e["activity"]: (e["outcome"], e["date"], e["hours"], e["delivery_model"])
                for e in self.transcript(person)["entries"]}


@pytest.fixture
def district(db_url: str) -> Iterator[District]:
    """The test database with the four-person roster of tests/fixtures/attendance, the app and the CLI."""
    from lrs.app import create_app

    app = create_app({"DATABASE_URL": db_url, "API_KEY": API_KEY, "API_SECRET": API_SECRET, "WORKER": False,
                      "BASE_URL": "http://lrs.test", "TIME_ZONE": TZ})
    app.config["TESTING"] = True
    assert import_roster(app.extensions["lrs"].store, ROSTER, effective_date="2024-07-01").ok
    # The CLI sees only this test's settings (None removes a variable for the command's duration).
    env: dict[str, str | None] = {k: None for k in os.environ
                                  if k.startswith("LRS_") and k not in ("LRS_SCRYPT_N", "LRS_TEST_DATABASE")}
    env.update({"LRS_DATABASE_URL": db_url, "LRS_TIME_ZONE": TZ})
    yield District(db_url, app, env)
    app.extensions["lrs"].engine.dispose()


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def by_actor(stmts: list[dict[str, Any]], verb: str = ATTENDED) -> dict[str, dict[str, Any]]:
    """{employee id (from the import extension): statement} of one verb."""
    return {s["context"]["extensions"][EXT_IMPORT]["person"]: s for s in stmts if s["verb"]["id"] == verb}
