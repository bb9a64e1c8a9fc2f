"""The ``lrs`` command line (the contract is ../shared/docs/interfaces.md; extensions are in the README).

Every command gets its services from :func:`services` (the composition root, :mod:`lrs.bootstrap`). Errors a user
can cause (a bad setting, a database that is not there, a file that cannot be read) end the command with one line
on standard error and a non-zero status, never a traceback: :class:`LrsGroup` turns the known kinds into that line.
"""
from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from lrs.bootstrap import NoDatabase, Services
from lrs.config import SettingsError
from lrs.signing import SigningKeyError


class CliError(click.ClickException):
    """A one-line failure of a command (exit status 1)."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def fail(message: str) -> NoReturn:
    """End the command with ``error: MESSAGE`` on standard error and exit status 1."""
    raise CliError(message)


def _explain(e: BaseException) -> str | None:
    """The one line a user should see for an error they can fix, or None for a bug (shown as a traceback)."""
    if isinstance(e, (SettingsError, NoDatabase, SigningKeyError)):
        return str(e)
    if isinstance(e, (ArgumentError, NoSuchModuleError)):
        return f"LRS_DATABASE_URL is not a database URL this LRS can use ({e})"
    if isinstance(e, ModuleNotFoundError) and (e.name or "").startswith("psycopg"):
        return "PostgreSQL needs the psycopg driver: pip install -e '.[postgres]' (or pip install 'psycopg[binary]')"
    if isinstance(e, OperationalError):
        first = str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e)
        return f"the database cannot be reached: {first}"
    return None


class LrsGroup(click.Group):
    """A click group whose commands fail with one clear line for the errors a user can cause."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001 - sorted into "the user's to fix" and "a bug"
            line = _explain(e)
            if line is None:
                raise
            raise CliError(line) from None


@click.group(cls=LrsGroup)
def main() -> None:
    """An event-sourced xAPI Learning Record Store."""


def services(*, schema: bool = True, **engine_kwargs: Any) -> Services:
    """The services of the configured database (``LRS_*`` settings)."""
    from lrs import bootstrap

    svc = bootstrap.build(schema=schema, engine_kwargs=engine_kwargs or None)
    # The engine's connections go back when the command ends (a command run in-process, as tests and the demo
    # do, must not leave pooled connections to be garbage-collected).
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(svc.close)
    return svc


def _register() -> None:
    from lrs.cli import audit, credentials, db, imports, keys, programs, projections, pull, roster, serve

    for module in (serve, db, credentials, keys, audit, roster, projections, imports, pull, programs):
        for cmd in module.COMMANDS:
            main.add_command(cmd)
    programs.register(main)  # lrs import outcomes, into the import group


_register()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
