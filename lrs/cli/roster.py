"""``lrs roster import|link|unlink``: the staff roster as events."""
from __future__ import annotations

import os

import click

from lrs.cli import fail, services
from lrs.roster.importer import RosterError, import_roster, link_identifier, unlink_identifier


@click.group("roster")
def roster() -> None:
    """The staff roster."""


def read_text_file(path: str, what: str = "file") -> str:
    """A UTF-8 text file (a BOM is allowed); one clear line if it is binary or in another encoding."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(f"{path} is not a text file (it contains NUL bytes); the {what} must be UTF-8 CSV")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        fail(f"{path} is not UTF-8 (byte {e.start} cannot be decoded); save the {what} as UTF-8 CSV")


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--effective-date", help="date the changes take effect (default: today); a row's effective_date "
                                       "column overrides it")
@click.option("--dry-run", is_flag=True, help="validate and count changes, write nothing")
def roster_import(file: str, effective_date: str | None, dry_run: bool) -> None:
    """Import the staff roster CSV (employee_id, name, email, roles, building, supervisor_id, hire_date, status)."""
    text = read_text_file(file, "roster")
    res = import_roster(services().store, text, effective_date=effective_date, source=os.path.basename(file),
                        dry_run=dry_run)
    if not res.ok:
        for e in res.errors:
            click.echo(f"rejected: {e}", err=True)
        click.echo(f"{len({e.line for e in res.errors})} row(s) rejected; nothing imported", err=True)
        raise SystemExit(1)
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {res.rows} rows: {res.new} new, {res.changed} changed, {res.unchanged} unchanged")


@roster.command("link")
@click.argument("employee_id")
@click.argument("identifier")
def roster_link(employee_id: str, identifier: str) -> None:
    """Link an agent identifier (mbox:mailto:…, account:HOMEPAGE|NAME, …) to an employee."""
    try:
        ev = link_identifier(services().store, employee_id, identifier, by="cli")
    except RosterError as e:
        fail(str(e))
    click.echo("already linked" if ev is None else f"linked {ev.payload['agent_key']} to {employee_id}")


@roster.command("unlink")
@click.argument("employee_id")
@click.argument("identifier")
def roster_unlink(employee_id: str, identifier: str) -> None:
    """Undo a manual link."""
    ev = unlink_identifier(services().store, employee_id, identifier, by="cli")
    if ev is None:
        fail(f"{identifier} is not linked to {employee_id}")
    click.echo(f"unlinked {ev.payload['agent_key']} from {employee_id}")


COMMANDS = (roster,)
