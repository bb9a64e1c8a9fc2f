"""The ``lrs`` command line (see docs/interfaces in the README for the contract)."""
from __future__ import annotations

import os
import sys
from typing import Any

import click


@click.group()
def main() -> None:
    """An event-sourced xAPI Learning Record Store."""


class _Gunicorn:
    """Run the app under gunicorn's arbiter (a real pre-fork WSGI server, not Flask's dev server)."""

    @staticmethod
    def run(host: str, port: int, workers: int, threads: int, on_starting: Any = None) -> None:
        from gunicorn.app.base import BaseApplication

        class App(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
                self.cfg.set("timeout", 120)
                self.cfg.set("keepalive", 30)
                self.cfg.set("accesslog", os.environ.get("LRS_ACCESS_LOG"))
                if on_starting is not None:
                    self.cfg.set("on_starting", on_starting)

            def load(self) -> Any:
                from lrs.app import create_app

                return create_app()

        App().run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=int(os.environ.get("LRS_WEB_WORKERS", "2")), show_default=True, type=int,
              help="gunicorn worker processes")
@click.option("--threads", default=int(os.environ.get("LRS_WEB_THREADS", "8")), show_default=True, type=int,
              help="threads per worker process")
@click.option("--no-worker", is_flag=True, help="do not run the projection workers in-process")
def serve(host: str, port: int, workers: int, threads: int, no_worker: bool) -> None:
    """Serve xAPI at /xapi/ and the reporting API at /api/v1/."""
    from lrs.app import create_app

    # Create the schema and the configured credential once, before the workers fork.
    app = create_app()
    engine = app.extensions["lrs"].engine
    engine.dispose()
    on_starting = None
    if not no_worker and app.config["LRS"].get("WORKER", True):
        from projections.runner import start_background_worker

        def on_starting(_arbiter: Any) -> None:
            start_background_worker()
    click.echo(f"LRS serving http://{host}:{port}/xapi/ (reporting API at /api/v1/)", err=True)
    _Gunicorn.run(host, port, workers, threads, on_starting)


@main.group()
def credentials() -> None:
    """Manage API credentials."""


@credentials.command("create")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, default=["all"], show_default=True)
@click.option("--key")
@click.option("--secret")
@click.option("--person", help="the person (employee id or agent identifier) this credential speaks for")
@click.option("--rotate", is_flag=True, help="give an existing key a new secret (and these scopes); the old secret "
                                             "and every token issued under it stop working at once")
def credentials_create(name: str, scopes: tuple[str, ...], key: str | None, secret: str | None,
                       person: str | None, rotate: bool) -> None:
    """Create a Basic-auth credential (or rotate one) and print its key and secret."""
    from lrs.credentials import CredentialError

    store = _credential_store()
    try:
        k, s = store.create(name, list(scopes), key=key, secret=secret, person=person, rotate=rotate, by="cli")
    except CredentialError as e:
        _fail(str(e))
    click.echo(f"key={k}\nsecret={s}")


@credentials.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON lines instead of a table")
def credentials_list(as_json: bool) -> None:
    """List credentials (never their secrets)."""
    import orjson

    creds = _credential_store().all()
    if as_json:
        for c in creds:
            click.echo(orjson.dumps(c.as_json()).decode())
        return
    click.echo(f"{'key':<24} {'status':<8} {'version':>7}  {'scopes':<40} name")
    for c in creds:
        click.echo(f"{c.key:<24} {'revoked' if c.revoked else 'active':<8} {c.version:>7}  "
                   f"{' '.join(sorted(c.scopes)):<40} {c.name}")


@credentials.command("revoke")
@click.argument("key")
def credentials_revoke(key: str) -> None:
    """Revoke a credential and every token issued to it (takes effect at once, in every process)."""
    from lrs.credentials import CredentialError

    try:
        c = _credential_store().revoke(key, by="cli")
    except CredentialError as e:
        _fail(str(e))
    click.echo(f"revoked {c.key} ({c.name})")


def _credential_store() -> Any:
    from lrs.app import create_app

    return create_app().extensions["lrs"].auth.credentials


def _fail(message: str, code: int = 1) -> None:
    """Print one clear line on standard error and exit (never a traceback)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@main.group()
def audit() -> None:
    """Check and export the event log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the whole log's integrity chain."""
    from lrs.db import make_engine
    from lrs.eventlog.integrity import verify_chain
    from lrs.config import load_settings

    settings = load_settings(os.environ)
    res = verify_chain(make_engine(settings["DATABASE_URL"]))
    if res.ok:
        click.echo(f"intact: {res.checked} events, head {res.head}, head hash {res.head_hash}")
        return
    click.echo(f"BROKEN at position {res.first_bad}: {res.reason} ({res.checked} events verified before it)",
               err=True)
    sys.exit(2)


@main.group()
def export() -> None:
    """Export stored data."""


@export.command("statements")
@click.option("--since", help="only statements stored after this ISO 8601 time")
@click.option("--output", type=click.Path(dir_okay=False), help="file to write (default: standard output)")
def export_statements(since: str | None, output: str | None) -> None:
    """Write stored statements as NDJSON in stored order."""
    from lrs.config import load_settings
    from lrs.db import make_engine
    from lrs.store.statements import iter_stored_statements

    settings = load_settings(os.environ)
    engine = make_engine(settings["DATABASE_URL"])
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        for line in iter_stored_statements(engine, since=since):
            out.write(line)
            out.write("\n")
    finally:
        if output:
            out.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--statements", default=800, show_default=True, type=int, help="demo statements to generate")
@click.option("--no-serve", is_flag=True, help="load the demo data and exit")
def demo(host: str, port: int, statements: int, no_serve: bool) -> None:
    """Load a demo district (roster, statements, credential demo/demo-secret) and serve it."""
    from lrs.app import create_app
    from lrs.demo import DEMO_KEY, DEMO_SECRET, seed

    app = create_app()
    result = seed(app, statements=statements)
    if result.get("seeded"):
        click.echo(f"loaded {result['statements']} demo statements for {result['people']} staff", err=True)
    app.extensions["lrs"].engine.dispose()
    click.echo(f"demo credential: key={DEMO_KEY} secret={DEMO_SECRET}", err=True)
    click.echo(f"try: curl -u {DEMO_KEY}:{DEMO_SECRET} -H 'X-Experience-API-Version: 1.0.3' "
               f"http://{host}:{port}/xapi/statements?limit=2", err=True)
    click.echo(f"     http://{host}:{port}/people/E1000/transcript (a transcript page; sign in as the demo credential)",
               err=True)
    if not no_serve:
        ctx = click.get_current_context()
        ctx.invoke(serve, host=host, port=port)


# --- projection and roster commands: `lrs worker`, `lrs replay`, `lrs roster …` (see projections/commands.py) ---
from projections.commands import register_commands as _register_projection_commands  # noqa: E402

_register_projection_commands(main)


if __name__ == "__main__":
    main()
