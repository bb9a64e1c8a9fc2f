"""``POST /api/v1/imports/attendance``: the attendance importers over HTTP, for tools that cannot run the CLI.

A ``multipart/form-data`` request: ``file`` (the export), ``format`` (zoom, teams, eventbrite, google-forms,
generic), optional ``activity`` (IRI), ``mapping`` (YAML text, as a field or a file part), ``dry_run`` and
``skip_invalid`` (true/false). The answer is the report ``lrs import attendance --json`` prints: 200 when the
import was stored (or is a dry run, or had nothing new), 422 when rows were rejected and nothing was stored, 400
for a file, format or mapping that cannot be imported (the message says why), 413 for an upload larger than
``LRS_MAX_BODY_BYTES``. Scope ``imports/write`` (``admin`` implies it). Statements are stored with the
credential as their authority, through the same path as every other write.
"""
from __future__ import annotations

import os
from typing import BinaryIO, cast

import orjson
from flask import Blueprint, Response, request

from adapters.errors import ImportFileError
from lrs.api.context import lrs_services
from lrs.api.listing import principal
from lrs.api.openapi import add_paths
from lrs.imports.attendance import ImportRequest, import_attendance, mapping_from_text
from lrs.xapi.errors import BadRequest

bp = Blueprint("imports", __name__, url_prefix="/api/v1")

SCOPE = "imports/write"
FIELDS = {"file", "format", "activity", "mapping", "dry_run", "skip_invalid"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _flag(name: str) -> bool:
    raw = request.form.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise BadRequest(f"{name} must be true or false, not {request.form.get(name)!r}")


def _mapping_text() -> str | None:
    part = request.files.get("mapping")
    if part is not None:
        try:
            return part.stream.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("the mapping part is not UTF-8 text") from None
    return request.form.get("mapping")


@bp.post("/imports/attendance")
def import_attendance_view() -> Response:
    """Import one attendance export (see the module docstring)."""
    p = principal()
    p.require(SCOPE)
    if request.mimetype != "multipart/form-data":
        raise BadRequest("send the export as multipart/form-data with a 'file' part and a 'format' field")
    unknown = sorted((set(request.form) | set(request.files)) - FIELDS)
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(FIELDS))})")
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("the 'file' part (the attendance export) is missing")
    fmt = request.form.get("format", "").strip()
    if not fmt:
        raise BadRequest("the 'format' field is missing (zoom, teams, eventbrite, google-forms or generic)")
    activity = request.form.get("activity", "").strip() or None
    name = os.path.basename((upload.filename or "").replace("\\", "/")) or "upload"
    svc = lrs_services()
    base_url = str(svc.settings.get("BASE_URL") or request.url_root).rstrip("/")
    try:
        text = _mapping_text()
        mapping = mapping_from_text(text) if text and text.strip() else {}
        req = ImportRequest(fmt, activity, mapping, dry_run=_flag("dry_run"), skip_invalid=_flag("skip_invalid"))
        outcome = import_attendance(svc, cast(BinaryIO, upload.stream), req, name=name, authority=p.authority(base_url),
                                    authority_key=p.key)
    except ImportFileError as exc:
        raise BadRequest(f"{name}: {exc.message}; nothing imported") from None
    return Response(orjson.dumps(outcome.as_json()), status=422 if outcome.refused else 200,
                    mimetype="application/json")


add_paths({"/api/v1/imports/attendance": {"post": {
    "summary": "Import an attendance export (Zoom, Teams, Eventbrite, Google Forms, generic CSV/XLSX) as statements",
    "description": "The same importers as `lrs import attendance`: one append, all or nothing; re-importing the "
                   "same file adds nothing; a corrected file voids what it no longer says. Scope imports/write.",
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "format"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "the export (CSV, or XLSX for generic)"},
            "format": {"type": "string", "enum": ["zoom", "teams", "eventbrite", "google-forms", "generic"]},
            "activity": {"type": "string", "description": "the session's activity IRI"},
            "mapping": {"type": "string", "description": "YAML mapping (docs/import-mapping.md); generic needs one"},
            "dry_run": {"type": "boolean", "description": "report what would be stored; store nothing"},
            "skip_invalid": {"type": "boolean", "description": "store the valid rows even when others are rejected"},
        }}}}},
    "responses": {
        "200": {"description": "the report: what was read, stored, voided, unchanged, rejected (with lines)"},
        "400": {"description": "the file, format or mapping cannot be imported (the message says why)"},
        "401": {"description": "no valid credentials"},
        "403": {"description": "the credential lacks imports/write"},
        "409": {"description": "a concurrent import stored a different statement under one of the ids; retry"},
        "413": {"description": "the upload is larger than LRS_MAX_BODY_BYTES"},
        "422": {"description": "rows were rejected and skip_invalid is not set: nothing stored (the report lists "
                               "them)"},
    }}}})
