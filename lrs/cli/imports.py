"""``lrs import attendance FILE --format FORMAT``: an attendance export as statements, in one append."""
from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import click

from adapters.errors import ImportFileError
from adapters.options import load_mapping
from adapters.registry import FORMAT_NAMES
from lrs.cli import fail, services
from lrs.imports.attendance import ImportRequest, import_attendance
from lrs.xapi.errors import XAPIError

#: Files at least this large show a progress bar while they are read (when standard error is a terminal).
PROGRESS_MIN_BYTES = 1 << 20


class _Counting:
    """A binary reader that reports how many bytes were read (to a progress bar)."""

    def __init__(self, raw: IO[bytes], advance: Any) -> None:
        self._raw = raw
        self._advance = advance
        self.name = raw.name

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._advance(len(data))
        return data


@contextmanager
def _source(path: str) -> Iterator[str | BinaryIO]:
    """The file to read: itself, or (a large CSV on a terminal) a reader that moves a progress bar."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        workbook = f.read(4) == b"PK\x03\x04"
    if workbook or size < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield path
        return
    with open(path, "rb") as raw, click.progressbar(length=size, label=f"reading {os.path.basename(path)}",
                                                    file=sys.stderr) as bar:
        yield cast(BinaryIO, _Counting(raw, bar.update))


@click.group("import")
def import_group() -> None:
    """Import attendance exports as xAPI statements."""


@import_group.command("attendance")
@click.argument("file")
@click.option("--format", "fmt", required=True, metavar="FORMAT",
              help=f"the export's format: {', '.join(FORMAT_NAMES)}")
@click.option("--activity", metavar="IRI", help="the session's activity IRI (wins over the mapping's activity.iri)")
@click.option("--mapping", metavar="FILE", help="a YAML mapping (docs/import-mapping.md); generic needs one")
@click.option("--dry-run", is_flag=True, help="print what would be stored and store nothing")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option("--skip-invalid", is_flag=True, help="store the valid rows even when others are rejected")
def import_attendance_cmd(file: str, fmt: str, activity: str | None, mapping: str | None, dry_run: bool,
                          as_json: bool, skip_invalid: bool) -> None:
    """Turn an attendance export (Zoom, Teams, Eventbrite, Google Forms, any CSV/XLSX with a mapping) into attended
    and registered statements through the same validation as the HTTP API, in one append: re-importing the same
    file adds nothing, a corrected file voids what it no longer says. Exit 1 when rows are rejected (each reported
    with its line; nothing stored unless --skip-invalid)."""
    if not os.path.isfile(file):
        fail(f"cannot read {file}: {'it is a directory' if os.path.isdir(file) else 'no such file'}")
    try:
        loaded = load_mapping(Path(mapping)) if mapping else {}
    except ImportFileError as exc:
        fail(exc.message)
    request = ImportRequest(fmt, activity, loaded, dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        svc = services()
        # A large import allocates millions of short-lived, acyclic objects (rows, statements, index rows): the
        # cyclic collector's passes over them are wasted work (~10% of the import), so it is off for the command.
        gc.disable()
        try:
            with _source(file) as source:
                outcome = import_attendance(svc, source, request, name=os.path.basename(file))
        finally:
            gc.enable()
            svc.close()
    except ImportFileError as exc:
        fail(f"{os.path.basename(file)}: {exc.message}; nothing imported")
    except XAPIError as exc:
        fail(f"nothing imported: {exc.message} (another import of the same sessions ran at the same time? "
             "run it again)")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    if as_json:
        click.echo(json.dumps(outcome.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(outcome.render(), nl=False)
    if outcome.refused:
        click.echo(f"error: {outcome.verdict()}", err=True)
    raise SystemExit(outcome.exit_code)


COMMANDS = (import_group,)
