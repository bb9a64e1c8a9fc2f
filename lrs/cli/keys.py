"""``lrs keys rotate|show``: the keys that sign this LRS's tokens and cursors (see lrs.signing)."""
from __future__ import annotations

import click

from lrs.cli import fail, services
from lrs.signing import KEEP, SigningKeyError, key_id


@click.group()
def keys() -> None:
    """The signing keys of tokens and cursors."""


@keys.command("rotate")
@click.option("--keep", default=KEEP, show_default=True, type=click.IntRange(0, 10),
              help="previous keys kept, so tokens and cursors they signed stay valid")
def keys_rotate(keep: int) -> None:
    """Sign with a new key from now on (every process picks it up within a second)."""
    svc = services()
    try:
        ring = svc.auth.keys.rotate(keep=keep)
    except SigningKeyError as e:
        fail(str(e))
    click.echo(f"signing with key {key_id(ring.current)}; {len(ring.keys) - 1} previous key(s) still verify "
               f"({svc.auth.keys.path})")


@keys.command("show")
def keys_show() -> None:
    """The ids of the keys in force (never the keys), newest first."""
    try:
        ring = services().auth.keys.ring()
    except SigningKeyError as e:
        fail(str(e))
    for i, k in enumerate(ring.keys):
        click.echo(f"{key_id(k)}{'  (signs)' if i == 0 else ''}")


COMMANDS = (keys,)
