"""``lrs db upgrade|current|revision``: the schema's migrations (see lrs.db.migrate)."""
from __future__ import annotations

import tempfile

import click
from alembic import command

from lrs.cli import fail, services
from lrs.db import make_engine
from lrs.db import migrate


@click.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema (lrs serve does this at start-up too)."""
    svc = services(schema=False)
    before = migrate.current(svc.engine)
    migrate.upgrade(svc.engine)
    after = migrate.current(svc.engine)
    click.echo(f"at {after}" if before == after else f"upgraded from {before or 'an empty database'} to {after}")


@db.command("current")
def db_current() -> None:
    """The revision the database is at, and whether it is the newest."""
    svc = services(schema=False)
    rev = migrate.current(svc.engine)
    if rev is None:
        fail("the database has no LRS schema yet (lrs db upgrade creates it)")
    click.echo(f"{rev} ({'the newest' if rev == migrate.head() else 'the newest is ' + migrate.head()})")


@db.command("revision", hidden=True)
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """(For developers) a new migration script from the difference between the models and the newest schema."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/schema.db")
        migrate.upgrade(engine)
        with engine.begin() as conn:
            script = command.revision(migrate.config(conn), message=message, autogenerate=True)
        engine.dispose()
    click.echo(f"wrote {getattr(script, 'path', script)}")


COMMANDS = (db,)
