"""The district xAPI Profile (docs/profile/), served at stable URLs for the tools that send statements themselves.

* ``GET /xapi/profiles/district-pd``: the current version of the profile;
* ``GET /profiles/district-pd/v1.0.jsonld`` (and any other version the document lists): that version.

Both answer ``application/ld+json`` without authentication (a vocabulary is public) with an ETag, so that a
tool can fetch it once and revalidate. The document ships inside the ``lrs`` package (``lrs/profiles/``; a test
keeps it identical to ``docs/profile/district-pd.jsonld``), so an installed LRS serves it too. Its IRIs are
written under ``https://district.example/xapi/``; a district whose ``LRS_DISTRICT_IRI`` differs gets them under
its own base, the base its transcript reads extensions under.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources

from flask import Blueprint, Response, request

from lrs.api.context import lrs_services
from lrs.xapi.errors import NotFound

bp = Blueprint("profiles", __name__)

PROFILE_FILE = "district-pd.jsonld"
WRITTEN_BASE = "https://district.example/xapi/"
MEDIA_TYPE = "application/ld+json"


def profile_text() -> str:
    """The profile document as shipped in the package."""
    return resources.files("lrs").joinpath("profiles", PROFILE_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _document(district_iri: str) -> tuple[bytes, str, tuple[str, ...]]:
    """(body, ETag, version names such as ``v1.0``) of the profile under ``district_iri``."""
    text = profile_text()
    base = district_iri if district_iri.endswith("/") else district_iri + "/"
    if base != WRITTEN_BASE:
        text = text.replace(WRITTEN_BASE, base)
    body = text.encode("utf-8")
    doc = json.loads(text)
    versions = tuple(str(v["id"]).rstrip("/").rsplit("/", 1)[-1] for v in doc.get("versions", []))
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', versions


def _serve(version: str | None) -> Response:
    body, etag, versions = _document(str(lrs_services().settings.get("DISTRICT_IRI") or WRITTEN_BASE))
    # The document lists its versions newest first (Profiles spec part 2, section 4.1.1); only the newest is
    # kept in full, so an older version's URL would serve text that is not that version: 404 rather than lie.
    if version is not None and (not versions or version != versions[0]):
        raise NotFound(f"the district profile has no version {version!r} (current: {versions[0] if versions else '-'})")
    if request.if_none_match.contains(etag.strip('"')):
        resp = Response(status=304)
    else:
        resp = Response(body, mimetype=MEDIA_TYPE)
    resp.headers["ETag"] = etag
    resp.headers["Cache-Control"] = "public, max-age=3600"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.get("/xapi/profiles/district-pd")
def current_profile() -> Response:
    """The current version of the district profile."""
    return _serve(None)


@bp.get("/profiles/district-pd/<version>.jsonld")
def profile_version(version: str) -> Response:
    """One version of the district profile (``v1.0``)."""
    return _serve(version)
