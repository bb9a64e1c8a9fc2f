"""``lrs roster import`` and identifier linking, through the CLI and the people@v1 read model."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.eventlog.store import EventStore
from lrs.roster.importer import import_roster, link_identifier, parse_roster
from projections.people.queries import PEOPLE, TRANSCRIPT, person_history, person_on, resolve_person
from projections.scope import active_scope
from projections.runner import Worker
from tests.pd_builders import activity, person, statement, store_statements

HEADER = "employee_id,name,email,roles,building,supervisor_id,hire_date,status,account_homepage,account_name,badge\n"
ROSTER = HEADER + (
    "P100,Pat Principal,pat@district.org,principal,Central High,,2010-08-01,active,,,B-1\n"
    "T200,Ann Lee,Ann.Lee@district.org,teacher;coach,Central High,P100,2019-08-15,active,https://idp.district.org,alee,B-2\n"
    "T201,Bob Ray,bob@district.org,teacher,Central High,P100,2024-08-10,active,,,\n"
)


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LRS_DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(main, list(args), catch_exceptions=False)
    return run


def _write(tmp_path: Path, text: str, name: str = "roster.csv") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _count_roster_events(engine: Engine) -> int:
    return sum(1 for e in EventStore(engine).iter_all() if e.stream == "roster")


def test_import_records_people_identifiers_and_history(cli: Any, tmp_path: Path, engine: Engine) -> None:
    r = cli("roster", "import", _write(tmp_path, ROSTER), "--effective-date", "2024-08-01")
    assert r.exit_code == 0, r.output
    assert "3 new, 0 changed, 0 unchanged" in r.output
    Worker(engine, poll=0.05).run(once=True)
    with engine.connect() as c:
        scope = active_scope(c, (PEOPLE, TRANSCRIPT))
        ann = resolve_person(scope, "T200")
        assert ann is not None and ann.name == "Ann Lee"
        assert ann.record["roles"] == ["teacher", "coach"] and ann.record["supervisor_id"] == "P100"
        assert "mbox:mailto:ann.lee@district.org" in ann.identifiers
        assert "account:https://idp.district.org|alee" in ann.identifiers
        # Any identifier finds the person, whatever the e-mail's case or URL-encoding.
        assert resolve_person(scope, "mbox:mailto:ANN.LEE@district.org").id == "T200"  # type: ignore[union-attr]
        assert resolve_person(scope, "account:https://idp.district.org|alee").id == "T200"  # type: ignore[union-attr]
        # A first record holds from the hire date.
        assert [h["effective_date"] for h in person_history(scope, "T200")] == ["2019-08-15"]


def test_reimport_is_idempotent_and_changes_keep_history(cli: Any, tmp_path: Path, engine: Engine) -> None:
    path = _write(tmp_path, ROSTER)
    assert cli("roster", "import", path).exit_code == 0
    n = _count_roster_events(engine)
    r = cli("roster", "import", path)
    assert r.exit_code == 0 and "0 new, 0 changed, 3 unchanged" in r.output
    assert _count_roster_events(engine) == n
    # Ann moves building and becomes an instructional coach only; only the badge (ignored column) of Pat changes.
    changed = ROSTER.replace("teacher;coach,Central High,P100", "coach,North Middle,P100").replace("B-1", "B-9")
    r = cli("roster", "import", _write(tmp_path, changed, "r2.csv"), "--effective-date", "2025-01-06")
    assert r.exit_code == 0 and "0 new, 1 changed, 2 unchanged" in r.output, r.output
    Worker(engine, poll=0.05).run(once=True)
    with engine.connect() as c:
        scope = active_scope(c, (PEOPLE, TRANSCRIPT))
        hist = person_history(scope, "T200")
        assert [(h["effective_date"], h["building"], h["roles"]) for h in hist] == [
            ("2019-08-15", "Central High", ["teacher", "coach"]), ("2025-01-06", "North Middle", ["coach"])]
        assert hist[1]["changed"] == ["roles", "building"]
        assert person_on(scope, "T200", "2024-12-31")["building"] == "Central High"  # type: ignore[index]
        assert person_on(scope, "T200", "2025-01-06")["roles"] == ["coach"]  # type: ignore[index]
        assert person_on(scope, "T200", "2019-01-01") is None
        assert resolve_person(scope, "T200").record["building"] == "North Middle"  # type: ignore[union-attr]


def test_a_back_dated_change_joins_the_history_without_overriding_a_later_one(engine: Engine) -> None:
    store = EventStore(engine)
    assert import_roster(store, ROSTER, effective_date="2024-08-01").ok
    assert import_roster(store, ROSTER.replace("Central High,P100,2024-08-10", "West Elementary,P100,2024-08-10"),
                         effective_date="2025-02-01").ok
    # A correction dated earlier than the last change: Bob was in "East" in autumn.
    assert import_roster(store, ROSTER.replace("Central High,P100,2024-08-10", "East,P100,2024-08-10"),
                         effective_date="2024-09-01").ok
    Worker(engine, poll=0.05).run(once=True)
    with engine.connect() as c:
        scope = active_scope(c, (PEOPLE, TRANSCRIPT))
        assert [h["building"] for h in person_history(scope, "T201")] == ["Central High", "East", "West Elementary"]
        # The current record is still the one with the latest effective date.
        assert resolve_person(scope, "T201").record["building"] == "West Elementary"  # type: ignore[union-attr]


def test_invalid_rows_are_each_reported_and_nothing_is_written(cli: Any, tmp_path: Path, engine: Engine) -> None:
    bad = HEADER + (
        "P100,Pat Principal,pat@district.org,principal,Central High,,2010-08-01,active,,,\n"
        "T200,Ann Lee,not-an-email,teacher,Central High,P100,2019-08-15,active,,,\n"
        "T201,,bob@district.org,teacher,Central High,P999,2024-13-10,retired,,,\n"
        "P100,Dup Licate,dup@district.org,teacher,Central High,,2020-01-01,active,,,\n"
        "T202,Cy Doe,pat@district.org,,Central High,,2020-01-01,active,https://idp.district.org,,\n"
    )
    r = cli("roster", "import", _write(tmp_path, bad))
    assert r.exit_code == 1
    err = r.stderr if hasattr(r, "stderr") else r.output
    for needle in ("line 3 (employee_id T200): email 'not-an-email' is not a valid address",
                   "line 4 (employee_id T201): name is empty",
                   "line 4 (employee_id T201): supervisor_id 'P999' is neither in this file nor on the roster",
                   "line 4 (employee_id T201): hire_date '2024-13-10' is not an ISO 8601 date",
                   "line 4 (employee_id T201): status 'retired' must be one of active, inactive",
                   "line 5 (employee_id P100): employee_id 'P100' already appears on line 2",
                   "line 6 (employee_id T202): email 'pat@district.org' already appears on line 2",
                   "line 6 (employee_id T202): account_homepage and account_name go together",
                   "line 6 (employee_id T202): roles is empty",
                   "4 row(s) rejected; nothing imported"):
        assert needle in err, (needle, err)
    assert _count_roster_events(engine) == 0


def test_missing_columns_are_rejected(tmp_path: Path, cli: Any, engine: Engine) -> None:
    r = cli("roster", "import", _write(tmp_path, "employee_id,name,email\nE1,A,a@b.org\n"))
    assert r.exit_code == 1 and "missing column(s): roles, building, supervisor_id, hire_date, status" in r.output
    assert _count_roster_events(engine) == 0


def test_parse_accepts_bom_blank_lines_extra_columns_and_supervisor_on_roster() -> None:
    rows, errors = parse_roster("\ufeff" + HEADER + "\n" + "T9,Al,al@d.org, Teacher ; PARA ;,,P1,2020-01-02T00:00:00Z,Active,,,X\n",
                                known_ids={"P1"})
    assert errors == []
    (row,) = rows
    assert row["person"]["roles"] == ["teacher", "para"] and row["person"]["hire_date"] == "2020-01-02"
    assert row["person"]["status"] == "active" and row["extra"] == {"badge": "X"}


def test_linking_an_unmatched_agent_moves_its_learning_to_the_person(cli: Any, tmp_path: Path, engine: Engine) -> None:
    store = EventStore(engine)
    assert cli("roster", "import", _write(tmp_path, ROSTER)).exit_code == 0
    zoom = person("bob.ray.personal@gmail.com", "Bob R (Zoom)")
    store_statements(store, [statement(zoom, "attended", activity("https://d.org/pd/w"), "2024-09-10T14:00:00Z",
                                       result={"duration": "PT1H"})])
    Worker(engine, poll=0.05).run(once=True)
    with engine.connect() as c:
        unmatched = resolve_person(active_scope(c, (PEOPLE, TRANSCRIPT)), "mbox:mailto:bob.ray.personal@gmail.com")
        assert unmatched is not None and not unmatched.matched and unmatched.name == "Bob R (Zoom)"
    r = cli("roster", "link", "T201", "mbox:mailto:bob.ray.personal@gmail.com")
    assert r.exit_code == 0 and "linked" in r.output
    assert cli("roster", "link", "T201", "mbox:mailto:bob.ray.personal@gmail.com").output.strip() == "already linked"
    assert cli("roster", "link", "NOPE", "mbox:mailto:x@y.org").exit_code == 1
    Worker(engine, poll=0.05).run(once=True)
    with engine.connect() as c:
        bob = resolve_person(active_scope(c, (PEOPLE, TRANSCRIPT)), "mbox:mailto:bob.ray.personal@gmail.com")
        assert bob is not None and bob.id == "T201" and "mbox:mailto:bob.ray.personal@gmail.com" in bob.identifiers
    assert cli("roster", "unlink", "T201", "mbox:mailto:bob.ray.personal@gmail.com").exit_code == 0
    Worker(engine, poll=0.05).run(once=True)
    with engine.connect() as c:
        assert resolve_person(active_scope(c, (PEOPLE, TRANSCRIPT)), "mbox:mailto:bob.ray.personal@gmail.com").id == \
            "mbox:mailto:bob.ray.personal@gmail.com"  # type: ignore[union-attr]
    assert link_identifier(store, "T201", {"account": {"homePage": "https://zoom.us", "name": "bob"}}) is not None
