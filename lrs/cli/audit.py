"""``lrs audit …`` (checking the log) and ``lrs export …`` (taking data out)."""
from __future__ import annotations

import sys
from typing import IO

import click

from lrs.cli import fail, services
from lrs.times import parse_time


@click.group()
def audit() -> None:
    """Check the event log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the whole log's integrity chain (exit 2 naming the first bad position)."""
    from lrs.eventlog.integrity import verify_chain

    svc = services(schema=False)
    svc.require_database()
    res = verify_chain(svc.engine)
    if res.ok:
        click.echo(f"intact: {res.checked} events, head {res.head}, head hash {res.head_hash}")
        return
    click.echo(f"BROKEN at position {res.first_bad}: {res.reason} ({res.checked} events verified before it)",
               err=True)
    sys.exit(2)


@click.group()
def export() -> None:
    """Export stored data."""


def _open_output(output: str | None) -> IO[str]:
    if not output:
        return sys.stdout
    try:
        return open(output, "w", encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror}")


@export.command("statements")
@click.option("--since", help="only statements stored after this ISO 8601 time")
@click.option("--output", help="file to write (default: standard output)")
def export_statements(since: str | None, output: str | None) -> None:
    """Write stored statements as NDJSON in stored order."""
    from lrs.store.statements import iter_stored_statements

    if since is not None:
        try:
            parse_time(since)
        except ValueError:
            fail(f"--since {since!r} is not an ISO 8601 time (e.g. 2026-09-01T00:00:00Z)")
    svc = services(schema=False)
    svc.require_database()
    out = _open_output(output)
    try:
        for line in iter_stored_statements(svc.engine, since=since):
            out.write(line)
            out.write("\n")
    finally:
        if out is not sys.stdout:
            out.close()


COMMANDS = (audit, export)
