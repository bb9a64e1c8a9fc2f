"""``lrs credentials create|list|revoke``."""
from __future__ import annotations

import click
import orjson

from lrs.cli import fail, services
from lrs.credentials import CredentialError


@click.group()
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
    try:
        k, s = services().credentials.create(name, list(scopes), key=key, secret=secret, person=person,
                                             rotate=rotate, by="cli")
    except CredentialError as e:
        fail(str(e))
    click.echo(f"key={k}\nsecret={s}")


@credentials.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON lines instead of a table")
def credentials_list(as_json: bool) -> None:
    """List credentials (never their secrets)."""
    creds = services().credentials.all()
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
    try:
        c = services().credentials.revoke(key, by="cli")
    except CredentialError as e:
        fail(str(e))
    click.echo(f"revoked {c.key} ({c.name})")


COMMANDS = (credentials,)
