"""One xAPI request, whatever syntax it came in: headers, parameters and body after the alternate request
syntax (xAPI 1.0.3 Communication 1.3) has been unfolded, the negotiated version, and the caller.

Views never read ``flask.request`` for xAPI semantics; they read :class:`XRequest`, so the alternate syntax and
version rules live in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from flask import Response, g, request
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import Headers

from lrs.api.context import lrs_services
from lrs.auth import Principal
from lrs.xapi.errors import BadRequest

V103, V200 = "1.0.3", "2.0.0"
VERSION_HEADER = "X-Experience-API-Version"
_V1 = re.compile(r"^1\.0(\.\d+)?$")
_V2 = re.compile(r"^2\.0(\.\d+)?$")
# Header names the alternate syntax may carry as form fields (Communication 1.3).
FORM_HEADERS = {"authorization": "Authorization", "x-experience-api-version": VERSION_HEADER,
                "content-type": "Content-Type", "content-length": "Content-Length", "if-match": "If-Match",
                "if-none-match": "If-None-Match"}


@dataclass
class XRequest:
    """The effective xAPI request."""

    method: str
    params: dict[str, str]
    headers: Headers
    body: bytes
    alternate: bool
    version: str = V103
    principal: Principal | None = None

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json_body(self) -> Any:
        """The body parsed as JSON; 400 with the parser's complaint otherwise."""
        import orjson

        if not self.body:
            raise BadRequest("the request body is empty; a JSON document was expected")
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as e:
            raise BadRequest(f"the request body is not valid JSON: {e}") from None

    def param(self, name: str) -> str | None:
        """A query (or, in the alternate syntax, form) parameter."""
        return self.params.get(name)

    @property
    def principal_(self) -> Principal:
        assert self.principal is not None
        return self.principal


def served_versions() -> list[str]:
    """The versions this server answers: 1.0.3 always, 2.0.0 unless configured to stop at 1.0.3."""
    newest = str(lrs_services().settings.get("XAPI_VERSION") or V200)
    return [V103, V200] if newest.startswith("2") else [V103]


def negotiate(value: str | None) -> str:
    """Map a client's version header to the version whose rules answer it; 400 for anything unsupported."""
    if value is None or value.strip() == "":
        raise BadRequest(f"the {VERSION_HEADER} header is required")
    v = value.strip()
    if _V1.match(v):
        return V103
    if _V2.match(v) and V200 in served_versions():
        return V200
    raise BadRequest(f"unsupported {VERSION_HEADER} {v!r}; this LRS serves {', '.join(served_versions())}")


def parse_xrequest() -> XRequest:
    """Build the :class:`XRequest` for the current Flask request (unfolding the alternate syntax)."""
    method = request.method.upper()
    if method == "HEAD":
        method = "GET"
    qs = request.args
    if "method" in qs:
        return _alternate()
    params = {k: v for k, v in qs.items()}
    _check_params(params)
    return XRequest(method=method, params=params, headers=Headers(request.headers), body=request.get_data(),
                    alternate=False)


def _check_params(params: dict[str, str]) -> None:
    """No parameter may carry U+0000: PostgreSQL cannot compare text with it, and no xAPI value contains it."""
    for k, v in params.items():
        if "\x00" in k or "\x00" in v:
            raise BadRequest(f"parameter {k[:40]!r} contains a NUL character")


def _alternate() -> XRequest:
    if request.method != "POST":
        raise BadRequest("the alternate request syntax (?method=) must be sent as a POST")
    if len(request.args) != 1:
        raise BadRequest("the alternate request syntax allows no query parameter other than 'method'")
    target = request.args["method"].upper()
    if target not in ("GET", "PUT", "POST", "DELETE"):
        raise BadRequest(f"the alternate request syntax cannot carry method {target!r}")
    ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise BadRequest("the alternate request syntax needs a Content-Type of application/x-www-form-urlencoded")
    raw = request.get_data()
    try:
        fields = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("the alternate request syntax body is not a URL-encoded form") from None
    headers = Headers(request.headers)
    headers.remove("Content-Type")
    headers.remove("Content-Length")
    params: dict[str, str] = {}
    body = b""
    for k, v in fields:
        lk = k.lower()
        if lk in FORM_HEADERS:
            if "\r" in v or "\n" in v or "\x00" in v:
                raise BadRequest(f"the alternate request syntax field {k!r} contains a line break or NUL character")
            headers[FORM_HEADERS[lk]] = v
        elif k == "content":
            body = v.encode("utf-8")
        else:
            params[k] = v
    # The form's own Content-Length counts the form, not the content it carries.
    headers.remove("Content-Length")
    if body and "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
    if target in ("PUT", "POST") and not body and request.path.rstrip("/").endswith("/statements"):
        raise BadRequest("the alternate request syntax needs the statement(s) in the 'content' form field")
    _check_params(params)
    return XRequest(method=target, params=params, headers=headers, body=body, alternate=True)


def begin(*, require_version: bool = True) -> XRequest:
    """Parse, negotiate the version and authenticate the current request; the result is kept in ``g``."""
    svc = lrs_services()
    xr = parse_xrequest()
    g.xrequest = xr
    header = xr.headers.get(VERSION_HEADER)
    if header is None:
        # A request without the header gets a 400 (both versions agree) answered in the version the same
        # client last spoke: the 1.0.3 and 2.0 suites each expect their own version on that 400.
        g.xapi_version = _remembered_version(xr)
        if require_version:
            raise BadRequest(f"the {VERSION_HEADER} header is required")
    else:
        try:
            xr.version = negotiate(header)
        except BadRequest:
            g.xapi_version = _remembered_version(xr)
            raise
    g.xapi_version = xr.version
    if xr.alternate and xr.version != V103:
        # xAPI 2.0 removed the alternate request syntax.
        raise BadRequest("the alternate request syntax (?method=) is not part of xAPI 2.0")
    xr.principal = svc.auth.authenticate(xr.headers.get("Authorization"), client=request.remote_addr)
    _remember_version(xr)
    return xr


def _remembered_version(xr: XRequest) -> str:
    """The version the caller's credential last spoke, as stored (so every process answers alike)."""
    try:
        p = lrs_services().auth.authenticate(xr.headers.get("Authorization"), client=request.remote_addr)
    except Exception:  # noqa: BLE001 - an unauthenticated request gets the newest version
        return served_versions()[-1]
    return p.last_version or served_versions()[-1]


def _remember_version(xr: XRequest) -> None:
    """Store the version this request spoke when it differs from the stored one (rare: a client that switches)."""
    p = xr.principal_
    if p.last_version == xr.version:
        return
    try:
        lrs_services().credentials.note_version(p.key, xr.version)
    except OperationalError:  # a busy database must not fail the request over bookkeeping
        pass


def current_version() -> str:
    """The version negotiated for this request (or the server's newest when none was)."""
    return str(g.get("xapi_version") or served_versions()[-1])


def add_version_header(resp: Response) -> Response:
    """Every xAPI response carries the version its rules came from."""
    resp.headers[VERSION_HEADER] = current_version()
    return resp
