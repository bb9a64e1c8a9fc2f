"""CLI commands for projections and the roster: ``lrs worker``, ``lrs replay``, ``lrs roster …``.

Registered on the ``lrs`` group by :func:`register_commands` (one line in ``lrs/cli.py``), so the command code
lives beside what it drives.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click


def _services() -> tuple[Any, Any, dict[str, Any]]:
    from lrs.app import _load_table_modules
    from lrs.config import load_settings
    from lrs.db import make_engine, metadata
    from lrs.eventlog.store import EventStore

    from projections.runner import tune_engine

    settings = load_settings(os.environ)
    engine = make_engine(settings["DATABASE_URL"])
    tune_engine(engine)
    _load_table_modules()
    metadata.create_all(engine)
    return engine, EventStore(engine), settings


@click.command("worker")
@click.option("--once", is_flag=True, help="catch every projection up to the log's current head, then exit")
@click.option("--batch-size", default=500, show_default=True, type=int, help="events per transaction")
def worker(once: bool, batch_size: int) -> None:
    """Run the projection workers (follow the log until stopped)."""
    from projections.runner import run_worker

    logging.basicConfig(level=os.environ.get("LRS_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sys.exit(run_worker(once=once, batch_size=batch_size))


@click.command("replay")
@click.option("--as-of", "as_of", help="a log position or an ISO 8601 time: build the read models as the log "
                                        "stood then, beside the live ones")
@click.option("--projection", "names", multiple=True, help="projection name (repeatable; default: all)")
@click.option("--batch-size", default=2000, show_default=True, type=int, help="events per transaction")
def replay(as_of: str | None, names: tuple[str, ...], batch_size: int) -> None:
    """Rebuild projections from the log (from position zero, switching readers over when caught up)."""
    from projections import registry
    from projections.replay import build_as_of, rebuild_group, resolve_position
    from projections.runner import tune_gc

    tune_gc()
    engine, store, settings = _services()
    try:
        selected = [registry.resolve_name(n) for n in names] or registry.names()
    except KeyError as e:
        raise click.UsageError(str(e.args[0])) from None
    if as_of:
        try:
            position = resolve_position(store, as_of)
        except ValueError:
            raise click.UsageError(f"--as-of {as_of!r} is neither a position nor an ISO 8601 time") from None
        for n in selected:
            b = build_as_of(engine, n, position, store=store, settings=settings, batch_size=batch_size)
            click.echo(f"{b.name}: as-of build at position {b.position} is generation {b.gen}")
        return
    # One pass over the log for all selected projections; readers switch to the new generations together.
    results = rebuild_group(engine, [registry.get(n, settings) for n in selected], store=store,
                            batch_size=batch_size)
    for r in results:  # one pass: every projection shares the same count and time
        click.echo(f"{r.name}: rebuilt {r.events} events in {r.seconds:.2f}s ({r.rate:,.0f} events/s, one pass "
                   f"for {len(results)} projection(s)); generation {r.gen} active at position {r.position}")


@click.group("roster")
def roster() -> None:
    """The staff roster."""


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--effective-date", help="date the changes take effect (default: today); a row's effective_date "
                                       "column overrides it")
@click.option("--dry-run", is_flag=True, help="validate and count changes, write nothing")
def roster_import(file: str, effective_date: str | None, dry_run: bool) -> None:
    """Import the staff roster CSV (employee_id, name, email, roles, building, supervisor_id, hire_date, status)."""
    from lrs.roster.importer import import_roster

    _engine, store, _settings = _services()
    with open(file, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    res = import_roster(store, text, effective_date=effective_date, source=os.path.basename(file), dry_run=dry_run)
    if not res.ok:
        for e in res.errors:
            click.echo(f"rejected: {e}", err=True)
        click.echo(f"{len({e.line for e in res.errors})} row(s) rejected; nothing imported", err=True)
        sys.exit(1)
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {res.rows} rows: {res.new} new, {res.changed} changed, {res.unchanged} unchanged")


@roster.command("link")
@click.argument("employee_id")
@click.argument("identifier")
def roster_link(employee_id: str, identifier: str) -> None:
    """Link an agent identifier (mbox:mailto:…, account:HOMEPAGE|NAME, …) to an employee."""
    from lrs.roster.importer import RosterError, link_identifier

    _engine, store, _settings = _services()
    try:
        ev = link_identifier(store, employee_id, identifier, by="cli")
    except RosterError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    click.echo("already linked" if ev is None else f"linked {ev.payload['agent_key']} to {employee_id}")


@roster.command("unlink")
@click.argument("employee_id")
@click.argument("identifier")
def roster_unlink(employee_id: str, identifier: str) -> None:
    """Undo a manual link."""
    from lrs.roster.importer import unlink_identifier

    _engine, store, _settings = _services()
    ev = unlink_identifier(store, employee_id, identifier, by="cli")
    if ev is None:
        click.echo(f"error: {identifier} is not linked to {employee_id}", err=True)
        sys.exit(1)
    click.echo(f"unlinked {ev.payload['agent_key']} from {employee_id}")


def register_commands(group: click.Group) -> None:
    """Add these commands to the ``lrs`` group."""
    for cmd in (worker, replay, roster):
        group.add_command(cmd)
