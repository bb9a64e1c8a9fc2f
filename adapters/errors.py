"""Errors of the attendance importers.

Two levels, because the CLI treats them differently:

* ``ImportFileError`` refuses the whole file (wrong format, missing columns, undecodable bytes, ambiguous
  dates): nothing can be planned from it, and the message says what to change.
* ``RowError`` is raised while reading one row (a bad time, an unreadable duration); the importer catches it
  and records the row as rejected with its line number, then carries on with the next row.
"""
from __future__ import annotations


class ImportFileError(Exception):
    """The file cannot be imported as asked; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotThisFormat(ImportFileError):
    """The file is not an export of the chosen ``--format`` (its expected header was not found).

    ``importer`` is the format that was asked for; the registry adds which format the file looks like.
    """

    def __init__(self, importer: str, message: str) -> None:
        super().__init__(message)
        self.importer = importer


class MappingError(ImportFileError):
    """The mapping file (or the options) are malformed: unknown key, wrong type, unknown column."""


class RowError(ValueError):
    """One row's value cannot be read. ``code`` is a short machine-readable reason (``bad_time`` ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
