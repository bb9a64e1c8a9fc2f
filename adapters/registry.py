"""The attendance formats by name (the CLI's ``--format`` choices), and reading a file as one of them.

``read_attendance(file, "zoom", options)`` opens the file, checks it is what the format expects, and returns a
ParseResult; a file of another known format is refused with the format it looks like ("this looks like a
Microsoft Teams attendance report: use --format teams").
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from adapters import eventbrite, generic, google_forms, teams, zoom
from adapters.errors import ImportFileError, MappingError, NotThisFormat
from adapters.files import TextSource, find_header, open_source
from adapters.options import ImportOptions
from adapters.records import ParseResult

_TEAMS_MARKER = re.compile(r"\s*\d\.\s*(summary|participants|in-meeting activities)\s*", re.I)


@dataclass(frozen=True)
class FormatSpec:
    """One importable format: its CLI name, what to call it, its parser and its header signatures."""

    name: str
    title: str
    parse: Callable[[TextSource, ImportOptions], ParseResult]
    signatures: tuple[tuple[str, ...], ...]
    needs_mapping: bool = False


FORMATS: dict[str, FormatSpec] = {
    "zoom": FormatSpec("zoom", "a Zoom participant report", zoom.parse, zoom.SIGNATURES),
    "teams": FormatSpec("teams", "a Microsoft Teams attendance report", teams.parse, teams.SIGNATURES),
    "eventbrite": FormatSpec("eventbrite", "an Eventbrite attendee export", eventbrite.parse, eventbrite.SIGNATURES),
    "google-forms": FormatSpec("google-forms", "a Google Forms responses sheet", google_forms.parse,
                               (("Timestamp", "Email Address"),)),
    "generic": FormatSpec("generic", "a spreadsheet described by a mapping", generic.parse, (), needs_mapping=True),
}
FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)


def identify(head_lines: Sequence[str], *, exclude: str | None = None) -> str | None:
    """The known format whose header appears in ``head_lines`` (Teams section markers count), or None."""
    if exclude != "teams" and any(_TEAMS_MARKER.fullmatch(line.strip(" \t,;\"")) for line in head_lines[:80]):
        return "teams"
    for name, spec in FORMATS.items():
        if name == exclude or not spec.signatures:
            continue
        if find_header(head_lines, spec.signatures) is not None:
            return name
    return None


def _is_xlsx(file: str | os.PathLike[str] | BinaryIO) -> bool:
    if isinstance(file, (str, os.PathLike)):
        if os.fspath(file).lower().endswith((".xlsx", ".xlsm")):
            return True
        with open(file, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    start = file.tell()
    magic = file.read(4)
    file.seek(start)
    return magic == b"PK\x03\x04"


def read_attendance(file: str | os.PathLike[str] | BinaryIO, format: str, options: ImportOptions | None = None, *,
                    name: str | None = None) -> ParseResult:
    """Read ``file`` as ``format`` (one of FORMAT_NAMES) into a ParseResult; ImportFileError if it cannot."""
    spec = FORMATS.get(format)
    if spec is None:
        raise ImportFileError(f"unknown format {format!r}; choose one of {', '.join(FORMAT_NAMES)}")
    opts = options or ImportOptions()
    if opts.format is not None and opts.format != format:
        raise MappingError(f"the mapping file is written for --format {opts.format}, not {format}")
    if format == "generic" and _is_xlsx(file):
        return generic.parse_xlsx(file, opts, name=name)
    with open_source(file, name=name, encoding=opts.encoding, allow_latin1=opts.allow_latin1) as source:
        try:
            return spec.parse(source, opts)
        except NotThisFormat as exc:
            guess = identify(source.head_lines, exclude=format)
            hint = f"; this looks like {FORMATS[guess].title}: use --format {guess}" if guess else ""
            raise NotThisFormat(format, f"{exc.message}{hint}") from None


__all__ = ["FORMATS", "FORMAT_NAMES", "FormatSpec", "identify", "read_attendance"]
